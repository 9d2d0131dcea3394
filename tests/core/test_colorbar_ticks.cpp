// The ticks of log-scale colour bars: at least three labelled ticks inside
// any range, powers of ten written with superscripts.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "colorbar_ticks.hpp"

namespace {

using trajplot::ColorbarTicks;
using trajplot::log_colorbar_ticks;
using Strings = std::vector<std::string>;

ColorbarTicks ticks_between(double low, double high) { return log_colorbar_ticks(std::log10(low), std::log10(high)); }

// Every tick lies inside the range and sits at log10 of the value its text
// names: the text is checked against the position, not only against a list.
void expect_ticks_read_their_values(const ColorbarTicks& ticks, double low, double high,
                                    const std::vector<double>& values) {
    ASSERT_EQ(ticks.values.size(), ticks.texts.size());
    ASSERT_EQ(ticks.values.size(), values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
        EXPECT_NEAR(ticks.values[i], std::log10(values[i]), 1e-12) << ticks.texts[i];
        EXPECT_GE(ticks.values[i], std::log10(low) - 1e-9) << ticks.texts[i];
        EXPECT_LE(ticks.values[i], std::log10(high) + 1e-9) << ticks.texts[i];
    }
}

TEST(LogColorbarTicks, PowersOfTenWhenThreeOrMoreFit) {
    const ColorbarTicks ticks = ticks_between(0.5, 2000);
    expect_ticks_read_their_values(ticks, 0.5, 2000, {1, 10, 100, 1000});
    EXPECT_EQ(ticks.texts, (Strings{"10<sup>0</sup>", "10<sup>1</sup>", "10<sup>2</sup>", "10<sup>3</sup>"}));
}

TEST(LogColorbarTicks, NegativeExponentsUseTheMinusSign) {
    const ColorbarTicks ticks = ticks_between(0.0005, 0.2);
    expect_ticks_read_their_values(ticks, 0.0005, 0.2, {0.001, 0.01, 0.1});
    EXPECT_EQ(ticks.texts, (Strings{"10<sup>\u22123</sup>", "10<sup>\u22122</sup>", "10<sup>\u22121</sup>"}));
}

TEST(LogColorbarTicks, LessThanADecadeStillGetsThreeLabelledTicks) {
    // [2, 9]: no power of ten, and 1-2-5 steps give only 2 and 5.
    const ColorbarTicks ticks = ticks_between(2, 9);
    expect_ticks_read_their_values(ticks, 2, 9, {2, 3, 4, 5, 6, 7, 8, 9});
    EXPECT_EQ(ticks.texts, (Strings{"2", "3", "4", "5", "6", "7", "8", "9"}));
}

TEST(LogColorbarTicks, OneToTwoFiveStepsWithinTwoDecades) {
    const ColorbarTicks ticks = ticks_between(1.5, 60);
    expect_ticks_read_their_values(ticks, 1.5, 60, {2, 5, 10, 20, 50});
    EXPECT_EQ(ticks.texts, (Strings{"2", "5", "10", "20", "50"}));
}

TEST(LogColorbarTicks, ExactBoundsAreTicks) {
    // Bounds computed in double precision from the values, as the figure
    // builder does: a bound that is a tick value is labelled.
    const ColorbarTicks ticks = log_colorbar_ticks(std::log10(double{2.0f}), std::log10(double{50.0f}));
    expect_ticks_read_their_values(ticks, 2, 50, {2, 5, 10, 20, 50});
}

TEST(LogColorbarTicks, NarrowRangesAreSteppedEvenly) {
    // The coarsest 1-2-5 step that gives three.
    const ColorbarTicks ticks = ticks_between(2, 2.5);
    expect_ticks_read_their_values(ticks, 2, 2.5, {2, 2.2, 2.4});
    EXPECT_EQ(ticks.texts, (Strings{"2", "2.2", "2.4"}));
    const ColorbarTicks fine = ticks_between(0.9, 1.1);
    expect_ticks_read_their_values(fine, 0.9, 1.1, {0.9, 1, 1.1});
    EXPECT_EQ(fine.texts, (Strings{"0.9", "1", "1.1"}));
    const ColorbarTicks finer = ticks_between(1.2345, 1.2351);
    expect_ticks_read_their_values(finer, 1.2345, 1.2351, {1.2346, 1.2348, 1.235});
    EXPECT_EQ(finer.texts, (Strings{"1.2346", "1.2348", "1.235"}));
}

TEST(LogColorbarTicks, LargeAndSmallValuesUseScientificNotation) {
    const ColorbarTicks large = ticks_between(2e5, 9e5);
    expect_ticks_read_their_values(large, 2e5, 9e5, {2e5, 3e5, 4e5, 5e5, 6e5, 7e5, 8e5, 9e5});
    EXPECT_EQ(large.texts.front(), "2\u00D710<sup>5</sup>");
    const ColorbarTicks small = ticks_between(1.5e-6, 6e-5);
    expect_ticks_read_their_values(small, 1.5e-6, 6e-5, {2e-6, 5e-6, 1e-5, 2e-5, 5e-5});
    EXPECT_EQ(small.texts,
              (Strings{"2\u00D710<sup>\u22126</sup>", "5\u00D710<sup>\u22126</sup>", "10<sup>\u22125</sup>",
                       "2\u00D710<sup>\u22125</sup>", "5\u00D710<sup>\u22125</sup>"}));
    const ColorbarTicks narrow = ticks_between(1.5e6, 1.6e6);
    expect_ticks_read_their_values(narrow, 1.5e6, 1.6e6, {1.5e6, 1.55e6, 1.6e6});
    EXPECT_EQ(narrow.texts,
              (Strings{"1.5\u00D710<sup>6</sup>", "1.55\u00D710<sup>6</sup>", "1.6\u00D710<sup>6</sup>"}));
}

TEST(LogColorbarTicks, ManyDecadesAreThinned) {
    const ColorbarTicks ticks = ticks_between(1e-30, 1e30);
    ASSERT_GE(ticks.values.size(), 3u);
    EXPECT_LE(ticks.values.size(), 10u);
    for (std::size_t i = 0; i < ticks.values.size(); ++i) {
        EXPECT_EQ(std::fmod(ticks.values[i], 10.0), 0.0) << ticks.texts[i];
    }
    EXPECT_EQ(ticks.texts.front(), "10<sup>\u221230</sup>");
    EXPECT_EQ(ticks.texts.back(), "10<sup>30</sup>");
    const ColorbarTicks eleven = ticks_between(1, 1e10);  // 11 powers: every second
    EXPECT_EQ(eleven.values, (std::vector<double>{0, 2, 4, 6, 8, 10}));
}

TEST(LogColorbarTicks, EveryRangeGetsAtLeastThreeTicksInside) {
    for (double low = 1e-4; low < 1e4; low *= 1.37) {
        for (const double factor : {1.0001, 1.01, 1.3, 2.0, 4.5, 9.0, 30.0, 1e3}) {
            const double high = low * factor;
            const ColorbarTicks ticks = ticks_between(low, high);
            SCOPED_TRACE(std::to_string(low) + " .. " + std::to_string(high));
            ASSERT_GE(ticks.values.size(), 3u);
            ASSERT_LE(ticks.values.size(), 12u);
            for (const double value : ticks.values) {
                EXPECT_GE(value, std::log10(low) - 1e-9);
                EXPECT_LE(value, std::log10(high) + 1e-9);
            }
        }
    }
}

TEST(LogColorbarTicks, OneValueIsOneTick) {
    const ColorbarTicks power = ticks_between(100, 100);
    EXPECT_EQ(power.texts, (Strings{"10<sup>2</sup>"}));
    const ColorbarTicks other = ticks_between(3.7, 3.7);
    EXPECT_EQ(other.texts, (Strings{"3.7"}));
    // The same forms as every other label: no "e-11".
    const double tiny = std::log10(double{5.3205464e-11f});
    const ColorbarTicks small = log_colorbar_ticks(tiny, tiny);
    EXPECT_EQ(small.texts, (Strings{"5.320546\u00D710<sup>\u221211</sup>"}));
    EXPECT_EQ(small.values, (std::vector<double>{tiny}));
    // The smallest denormal float, whose shortest text "1e-45" would name
    // another tick.
    const double denormal = std::log10(double{std::numeric_limits<float>::denorm_min()});
    EXPECT_EQ(log_colorbar_ticks(denormal, denormal).texts, (Strings{"1.401298\u00D710<sup>\u221245</sup>"}));
}

TEST(LogColorbarTicks, NoTicksWithoutARange) {
    EXPECT_TRUE(log_colorbar_ticks(NAN, 1).values.empty());
    EXPECT_TRUE(log_colorbar_ticks(0, INFINITY).values.empty());
}

TEST(LogColorbarTicks, AReversedRangeIsLabelledAsItsOwnReverse) {
    // A set max below the data's minimum: zmin 0.5, zmax 0.001.
    const ColorbarTicks reversed = ticks_between(0.5, 0.001);
    const ColorbarTicks ordered = ticks_between(0.001, 0.5);
    EXPECT_EQ(reversed.texts, ordered.texts);
    EXPECT_EQ(reversed.values, ordered.values);
    EXPECT_EQ(ordered.values.size(), 3u);
}

}  // namespace
