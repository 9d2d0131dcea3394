// trajplot_statistic: creation with options, read-back, stride and clip.
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "capi_test_support.hpp"

using namespace capi_test;

namespace {

constexpr float infinity = std::numeric_limits<float>::infinity();
constexpr float not_a_number = std::numeric_limits<float>::quiet_NaN();

std::string name_of(const trajplot_statistic* statistic) {
    const char* name = nullptr;
    EXPECT_EQ(trajplot_statistic_name(&name, statistic), TRAJPLOT_OK) << trajplot_error_last();
    return name != nullptr ? name : "<failed>";
}

std::optional<std::string> units_of(const trajplot_statistic* statistic) {
    const char* units = sentinel_const_string();
    EXPECT_EQ(trajplot_statistic_units(&units, statistic), TRAJPLOT_OK) << trajplot_error_last();
    if (units == nullptr) return std::nullopt;
    return std::string(units);
}

std::optional<std::string> sequence_label(const trajplot_statistic* statistic, std::size_t position) {
    const char* text = sentinel_const_string();
    std::size_t len = sentinel_size;
    EXPECT_EQ(trajplot_statistic_sequence_label(&text, &len, statistic, position), TRAJPLOT_OK)
        << trajplot_error_last();
    if (text == nullptr) return std::nullopt;
    EXPECT_EQ(text[len], '\0');
    return std::string(text, len);
}

struct Range {
    bool has_min;
    float min;
    bool has_max;
    float max;
};

Range range_of(const trajplot_statistic* statistic) {
    Range range = {true, sentinel_float, true, sentinel_float};
    EXPECT_EQ(trajplot_statistic_range(&range.has_min, &range.min, &range.has_max, &range.max, statistic), TRAJPLOT_OK)
        << trajplot_error_last();
    return range;
}

bool includes_output(const trajplot_statistic* statistic) {
    bool value = false;
    EXPECT_EQ(trajplot_statistic_includes_output(&value, statistic), TRAJPLOT_OK) << trajplot_error_last();
    return value;
}

std::string label_of(const trajplot_labels* labels, std::size_t layer, std::size_t position) {
    const char* text = nullptr;
    std::size_t len = 0;
    EXPECT_EQ(trajplot_labels_label(&text, &len, labels, layer, position), TRAJPLOT_OK) << trajplot_error_last();
    return text != nullptr ? std::string(text, len) : "<failed>";
}

// Compares floats bit for bit, so that NaN equals NaN and -0 differs from 0.
void expect_same_floats(const std::vector<float>& got, const std::vector<float>& expected) {
    ASSERT_EQ(got.size(), expected.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
        if (std::isnan(expected[i])) {
            EXPECT_TRUE(std::isnan(got[i])) << "at " << i << ": " << got[i];
        } else {
            EXPECT_EQ(got[i], expected[i]) << "at " << i;
        }
    }
}

}  // namespace

TEST(CapiStatistic, DefaultsWithoutOptions) {
    const std::vector<float> stats = numbered_stats(4, 3);
    const StatisticPtr statistic = make_statistic("Entropy", stats, 4, 3);
    ASSERT_TRUE(statistic);
    std::size_t n_layers = 0, seq_len = 0;
    ASSERT_TRAJPLOT_OK(trajplot_statistic_shape(&n_layers, &seq_len, statistic.get()));
    EXPECT_EQ(n_layers, 4u);
    EXPECT_EQ(seq_len, 3u);
    expect_same_floats(read_stats(statistic.get()), stats);
    EXPECT_EQ(name_of(statistic.get()), "Entropy");
    EXPECT_EQ(units_of(statistic.get()), std::nullopt);
    const Range range = range_of(statistic.get());
    EXPECT_FALSE(range.has_min);
    EXPECT_FALSE(range.has_max);
    EXPECT_EQ(range.min, sentinel_float) << "an unset bound leaves its value untouched";
    EXPECT_EQ(range.max, sentinel_float);
    EXPECT_TRUE(includes_output(statistic.get()));
    EXPECT_EQ(read_layer_labels(statistic.get()), (std::vector<std::string>{"0", "1", "2", "output"}));
    EXPECT_EQ(sequence_label(statistic.get(), 0), std::nullopt);
    trajplot_labels* labels = sentinel_labels();
    ASSERT_TRAJPLOT_OK(trajplot_statistic_trajectory_labels(&labels, statistic.get()));
    EXPECT_EQ(labels, nullptr);
}

TEST(CapiStatistic, InitialisedOptionsEqualNullOptions) {
    trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    const StatisticPtr statistic = make_statistic("Rank", numbered_stats(3, 2), 3, 2, &options);
    ASSERT_TRUE(statistic);
    EXPECT_TRUE(includes_output(statistic.get()));
    EXPECT_EQ(read_layer_labels(statistic.get()), (std::vector<std::string>{"0", "1", "output"}));
}

TEST(CapiStatistic, OptionsInitMatchesTheMacro) {
    const trajplot_statistic_options expected = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    trajplot_statistic_options options;
    std::memset(&options, 0xAB, sizeof options);
    ASSERT_TRAJPLOT_OK(trajplot_statistic_options_init(&options, TRAJPLOT_STATISTIC_OPTIONS_VERSION));
    EXPECT_EQ(options.version, expected.version);
    EXPECT_EQ(options.version, static_cast<unsigned>(TRAJPLOT_STATISTIC_OPTIONS_VERSION));
    EXPECT_EQ(options.units, expected.units);
    EXPECT_EQ(options.sequence_labels, expected.sequence_labels);
    EXPECT_EQ(options.sequence_label_lengths, expected.sequence_label_lengths);
    EXPECT_EQ(options.sequence_label_count, expected.sequence_label_count);
    EXPECT_EQ(options.sequence_label_count, 0u);
    EXPECT_EQ(options.trajectory_labels, expected.trajectory_labels);
    EXPECT_EQ(options.layer_labels, expected.layer_labels);
    EXPECT_EQ(options.layer_label_lengths, expected.layer_label_lengths);
    EXPECT_EQ(options.layer_label_count, expected.layer_label_count);
    EXPECT_EQ(options.layer_label_count, 0u);
    EXPECT_EQ(options.min, expected.min);
    EXPECT_EQ(options.max, expected.max);
    EXPECT_EQ(options.has_min, expected.has_min);
    EXPECT_EQ(options.has_max, expected.has_max);
    EXPECT_EQ(options.includes_output, expected.includes_output);
    EXPECT_TRUE(options.includes_output);
}

TEST(CapiStatistic, WithoutOutputLayerLabelsAreNumbers) {
    trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    options.includes_output = false;
    const StatisticPtr statistic = make_statistic("KL", numbered_stats(4, 1), 4, 1, &options);
    ASSERT_TRUE(statistic);
    EXPECT_FALSE(includes_output(statistic.get()));
    EXPECT_EQ(read_layer_labels(statistic.get()), (std::vector<std::string>{"0", "1", "2", "3"}));
}

TEST(CapiStatistic, RoundTripOfEveryOption) {
    const LabelsPtr labels = make_labels(2, 3, {"a", "b", "c", "d", "e", "f"});
    ASSERT_TRUE(labels);
    const std::vector<std::string> tokens = {"The", " cat", " sat"};
    const std::vector<std::string> layers = {"embed", "final"};
    const auto token_pointers = c_strings(tokens);
    const auto layer_pointers = c_strings(layers);
    trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    options.units = "nats";
    options.sequence_labels = token_pointers.data();
    options.sequence_label_count = token_pointers.size();
    options.trajectory_labels = labels.get();
    options.layer_labels = layer_pointers.data();
    options.layer_label_count = layer_pointers.size();
    options.min = -1.5f;
    options.max = 2.25f;
    options.has_min = true;
    options.has_max = true;
    options.includes_output = false;
    const std::vector<float> stats = {0.5f, -1, 2, infinity, not_a_number, -infinity};
    const StatisticPtr statistic = make_statistic("Entropy", stats, 2, 3, &options);
    ASSERT_TRUE(statistic);

    expect_same_floats(read_stats(statistic.get()), stats);
    EXPECT_EQ(units_of(statistic.get()), "nats");
    EXPECT_EQ(sequence_label(statistic.get(), 0), "The");
    EXPECT_EQ(sequence_label(statistic.get(), 2), " sat");
    EXPECT_EQ(read_layer_labels(statistic.get()), layers);
    EXPECT_FALSE(includes_output(statistic.get()));
    const Range range = range_of(statistic.get());
    EXPECT_TRUE(range.has_min);
    EXPECT_EQ(range.min, -1.5f);
    EXPECT_TRUE(range.has_max);
    EXPECT_EQ(range.max, 2.25f);

    trajplot_labels* read = nullptr;
    ASSERT_TRAJPLOT_OK(trajplot_statistic_trajectory_labels(&read, statistic.get()));
    const LabelsPtr read_labels(read);
    ASSERT_NE(read, nullptr);
    EXPECT_EQ(label_of(read, 1, 2), "f");
    EXPECT_EQ(label_of(read, 0, 1), "b");
}

TEST(CapiStatistic, OnlyOneBoundMayBeSet) {
    trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    options.has_max = true;
    options.max = -3;  // no min to compare with
    const StatisticPtr statistic = make_statistic("x", {1, 2}, 1, 2, &options);
    ASSERT_TRUE(statistic);
    const Range range = range_of(statistic.get());
    EXPECT_FALSE(range.has_min);
    EXPECT_EQ(range.min, sentinel_float);
    EXPECT_TRUE(range.has_max);
    EXPECT_EQ(range.max, -3.0f);
}

TEST(CapiStatistic, RangeOutputsMayBeNull) {
    trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    options.has_min = options.has_max = true;
    options.min = 0;
    options.max = 1;
    const StatisticPtr statistic = make_statistic("x", {0.5f}, 1, 1, &options);
    ASSERT_TRUE(statistic);
    float max = 0;
    ASSERT_TRAJPLOT_OK(trajplot_statistic_range(nullptr, nullptr, nullptr, &max, statistic.get()));
    EXPECT_EQ(max, 1.0f);
}

TEST(CapiStatistic, InputsAreCopied) {
    std::vector<float> stats = {1, 2, 3};
    std::vector<std::string> tokens = {"a", "b", "c"};
    auto token_pointers = c_strings(tokens);
    trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    options.sequence_labels = token_pointers.data();
    options.sequence_label_count = token_pointers.size();
    std::string name = "Name";
    const StatisticPtr statistic = make_statistic(name.c_str(), stats, 1, 3, &options);
    ASSERT_TRUE(statistic);
    stats.assign(3, 0.0f);
    tokens = {"x", "y", "z"};
    name = "xxxx";
    expect_same_floats(read_stats(statistic.get()), {1, 2, 3});
    EXPECT_EQ(sequence_label(statistic.get(), 1), "b");
    EXPECT_EQ(name_of(statistic.get()), "Name");
}

TEST(CapiStatistic, LabelsFreedBeforeTheStatisticStayAlive) {
    LabelsPtr labels = make_labels(2, 2, {"p", "q", "r", "s"}, {"h0", "h1", "h2", "h3"}, 1, 1);
    ASSERT_TRUE(labels);
    trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    options.trajectory_labels = labels.get();
    const StatisticPtr statistic = make_statistic("x", {1, 2, 3, 4}, 2, 2, &options);
    ASSERT_TRUE(statistic);
    labels.reset();  // the statistic holds its own reference

    trajplot_labels* read = nullptr;
    ASSERT_TRAJPLOT_OK(trajplot_statistic_trajectory_labels(&read, statistic.get()));
    LabelsPtr read_labels(read);
    EXPECT_EQ(label_of(read, 1, 1), "s");
    const std::string json = figure_json(statistic.get(), nullptr);
    EXPECT_NE(json.find("h3"), std::string::npos) << json;

    // A handle from the statistic also outlives the statistic.
    trajplot_statistic* strided = nullptr;
    ASSERT_TRAJPLOT_OK(trajplot_statistic_stride(&strided, statistic.get(), 1));
    StatisticPtr strided_owner(strided);
    read_labels.reset();
    EXPECT_EQ(read_layer_labels(strided).size(), 2u);
}

TEST(CapiStatistic, EmbeddedNulBytesInSequenceAndLayerLabels) {
    const std::vector<std::string> tokens = {std::string("a\0b", 3), std::string("\0", 1)};
    const std::vector<std::string> layers = {std::string("x\0", 2)};
    const auto token_pointers = c_strings(tokens);
    const auto token_lengths = byte_lengths(tokens);
    const auto layer_pointers = c_strings(layers);
    const auto layer_lengths = byte_lengths(layers);
    trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    options.sequence_labels = token_pointers.data();
    options.sequence_label_lengths = token_lengths.data();
    options.sequence_label_count = token_pointers.size();
    options.layer_labels = layer_pointers.data();
    options.layer_label_lengths = layer_lengths.data();
    options.layer_label_count = layer_pointers.size();
    const StatisticPtr statistic = make_statistic("x", {1, 2}, 1, 2, &options);
    ASSERT_TRUE(statistic);
    EXPECT_EQ(sequence_label(statistic.get(), 0), tokens[0]);
    EXPECT_EQ(sequence_label(statistic.get(), 1), tokens[1]);
    EXPECT_EQ(read_layer_labels(statistic.get()), layers);
}

TEST(CapiStatistic, InvalidUtf8IsReplacedInEveryString) {
    const char* tokens[] = {"ok", "bad\xFF"};
    const char* layers[] = {"\xC3"};
    trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    options.units =
        "n\xFE"
        "ts";
    options.sequence_labels = tokens;
    options.sequence_label_count = 2;
    options.layer_labels = layers;
    options.layer_label_count = 1;
    const StatisticPtr statistic = make_statistic("Ent\xFFropy", {1, 2}, 1, 2, &options);
    ASSERT_TRUE(statistic);
    EXPECT_EQ(name_of(statistic.get()), "Ent\xEF\xBF\xBDropy");
    EXPECT_EQ(units_of(statistic.get()), "n\xEF\xBF\xBDts");
    EXPECT_EQ(sequence_label(statistic.get(), 1), "bad\xEF\xBF\xBD");
    EXPECT_EQ(read_layer_labels(statistic.get()), (std::vector<std::string>{"\xEF\xBF\xBD"}));
}

TEST(CapiStatistic, StatsBufferMayBeLargerThanNeeded) {
    const StatisticPtr statistic = make_statistic("x", {1, 2, 3, 4}, 2, 2);
    ASSERT_TRUE(statistic);
    std::vector<float> buffer(6, sentinel_float);
    ASSERT_TRAJPLOT_OK(trajplot_statistic_stats(buffer.data(), buffer.size(), statistic.get()));
    expect_same_floats(buffer, {1, 2, 3, 4, sentinel_float, sentinel_float});
}

TEST(CapiStatistic, StrideTableOnStatsAndLayerLabels) {
    const std::vector<std::string> tokens = {"t0", "t1"};
    const auto token_pointers = c_strings(tokens);
    const LabelsPtr labels = make_labels(5, 2, {"a0", "a1", "b0", "b1", "c0", "c1", "d0", "d1", "e0", "e1"});
    ASSERT_TRUE(labels);
    trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    options.sequence_labels = token_pointers.data();
    options.sequence_label_count = token_pointers.size();
    options.trajectory_labels = labels.get();
    options.units = "bits";
    options.has_min = options.has_max = true;
    options.min = -100;
    options.max = 100;
    const StatisticPtr statistic = make_statistic("Stat", numbered_stats(5, 2), 5, 2, &options);
    ASSERT_TRUE(statistic);
    const std::vector<std::string> all_layers = {"0", "1", "2", "3", "output"};
    const std::string layer_letters = "abcde";

    const std::vector<std::pair<std::size_t, std::vector<std::size_t>>> table = {
        {1, {0, 1, 2, 3, 4}}, {2, {0, 2, 4}}, {3, {0, 3, 4}}, {4, {0, 4}}, {5, {0, 4}}};
    for (const auto& [stride, kept] : table) {
        SCOPED_TRACE("stride " + std::to_string(stride));
        trajplot_statistic* created = sentinel_statistic();
        ASSERT_TRAJPLOT_OK(trajplot_statistic_stride(&created, statistic.get(), stride));
        const StatisticPtr strided(created);
        std::size_t n_layers = 0, seq_len = 0;
        ASSERT_TRAJPLOT_OK(trajplot_statistic_shape(&n_layers, &seq_len, strided.get()));
        ASSERT_EQ(n_layers, kept.size());
        EXPECT_EQ(seq_len, 2u);

        std::vector<float> expected_stats;
        std::vector<std::string> expected_layers;
        for (const std::size_t layer : kept) {
            expected_stats.push_back(static_cast<float>(layer * 10));
            expected_stats.push_back(static_cast<float>(layer * 10 + 1));
            expected_layers.push_back(all_layers[layer]);
        }
        expect_same_floats(read_stats(strided.get()), expected_stats);
        EXPECT_EQ(read_layer_labels(strided.get()), expected_layers);

        trajplot_labels* read = nullptr;
        ASSERT_TRAJPLOT_OK(trajplot_statistic_trajectory_labels(&read, strided.get()));
        const LabelsPtr strided_labels(read);
        ASSERT_NE(read, nullptr);
        for (std::size_t i = 0; i < kept.size(); ++i) {
            EXPECT_EQ(label_of(read, i, 1), std::string(1, layer_letters[kept[i]]) + "1");
        }
        // Everything else is unchanged.
        EXPECT_EQ(name_of(strided.get()), "Stat");
        EXPECT_EQ(units_of(strided.get()), "bits");
        EXPECT_EQ(sequence_label(strided.get(), 1), "t1");
        const Range range = range_of(strided.get());
        EXPECT_TRUE(range.has_min && range.has_max);
        EXPECT_EQ(range.min, -100.0f);
        EXPECT_EQ(range.max, 100.0f);
        EXPECT_TRUE(includes_output(strided.get()));
    }
    // The original is untouched.
    expect_same_floats(read_stats(statistic.get()), numbered_stats(5, 2));
}

TEST(CapiStatistic, ClipClampsValuesAndSetsTheRange) {
    const std::vector<float> stats = {-infinity, -5, -1, 0.5f, not_a_number, 1, 5, infinity};
    const StatisticPtr statistic = make_statistic("x", stats, 2, 4);
    ASSERT_TRUE(statistic);
    trajplot_statistic* created = nullptr;
    ASSERT_TRAJPLOT_OK(trajplot_statistic_clip(&created, statistic.get(), -1, 1));
    const StatisticPtr clipped(created);
    expect_same_floats(read_stats(clipped.get()), {-1, -1, -1, 0.5f, not_a_number, 1, 1, 1});
    const Range range = range_of(clipped.get());
    EXPECT_TRUE(range.has_min);
    EXPECT_EQ(range.min, -1.0f);
    EXPECT_TRUE(range.has_max);
    EXPECT_EQ(range.max, 1.0f);
    // The original keeps its values and has no range.
    expect_same_floats(read_stats(statistic.get()), stats);
    EXPECT_FALSE(range_of(statistic.get()).has_min);
}

TEST(CapiStatistic, ClipToInfiniteBoundsKeepsValues) {
    const std::vector<float> stats = {-infinity, 3, infinity};
    const StatisticPtr statistic = make_statistic("x", stats, 1, 3);
    ASSERT_TRUE(statistic);
    trajplot_statistic* created = nullptr;
    ASSERT_TRAJPLOT_OK(trajplot_statistic_clip(&created, statistic.get(), -infinity, infinity));
    const StatisticPtr clipped(created);
    expect_same_floats(read_stats(clipped.get()), stats);
}

// ---------------------------------------------------------------------------
// Label counts

TEST(CapiStatistic, SequenceLabelCountMustBeSeqLen) {
    const char* tokens[4] = {"a", "b", "c", "d"};
    const std::vector<float> stats = numbered_stats(2, 3);
    trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    options.sequence_labels = tokens;
    trajplot_statistic* out = sentinel_statistic();
    // Too few (the macro's 0 included), too many: the message names the
    // array, its count field, both counts and the dimension.
    for (const std::size_t count : {std::size_t{0}, std::size_t{2}, std::size_t{4}}) {
        SCOPED_TRACE("sequence_label_count " + std::to_string(count));
        options.sequence_label_count = count;
        EXPECT_TRAJPLOT_FAILS(trajplot_statistic_create(&out, "x", stats.data(), 2, 3, &options), TRAJPLOT_EINVAL,
                              "trajplot_statistic_create", "options->sequence_labels", "options->sequence_label_count",
                              "has " + std::to_string(count) + " labels", "has 3 (seq_len)");
    }
    EXPECT_EQ(out, sentinel_statistic());
    options.sequence_label_count = 3;
    const StatisticPtr statistic = make_statistic("x", stats, 2, 3, &options);
    ASSERT_TRUE(statistic);
    EXPECT_EQ(sequence_label(statistic.get(), 2), "c");
}

TEST(CapiStatistic, LayerLabelCountMustBeNLayers) {
    const char* layers[3] = {"embed", "middle", "final"};
    const std::vector<float> stats = numbered_stats(2, 3);
    trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    options.layer_labels = layers;
    trajplot_statistic* out = sentinel_statistic();
    for (const std::size_t count : {std::size_t{0}, std::size_t{1}, std::size_t{3}}) {
        SCOPED_TRACE("layer_label_count " + std::to_string(count));
        options.layer_label_count = count;
        EXPECT_TRAJPLOT_FAILS(trajplot_statistic_create(&out, "x", stats.data(), 2, 3, &options), TRAJPLOT_EINVAL,
                              "trajplot_statistic_create", "options->layer_labels", "options->layer_label_count",
                              "has " + std::to_string(count) + " labels", "has 2 (n_layers)");
    }
    EXPECT_EQ(out, sentinel_statistic());
    options.layer_label_count = 2;
    const StatisticPtr statistic = make_statistic("x", stats, 2, 3, &options);
    ASSERT_TRUE(statistic);
    EXPECT_EQ(read_layer_labels(statistic.get()), (std::vector<std::string>{"embed", "middle"}));
}

TEST(CapiStatistic, CountsWithoutLabelsAreIgnored) {
    // A count is read only with its array: NULL labels keep their defaults
    // whatever the count says.
    trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    options.sequence_label_count = 7;
    options.layer_label_count = 9;
    const StatisticPtr statistic = make_statistic("x", numbered_stats(2, 3), 2, 3, &options);
    ASSERT_TRUE(statistic);
    EXPECT_EQ(sequence_label(statistic.get(), 0), std::nullopt);
    EXPECT_EQ(read_layer_labels(statistic.get()), (std::vector<std::string>{"0", "output"}));
}

TEST(CapiStatistic, ShortLabelArraysAreNeverReadPastTheirCount) {
    // Two labels for three positions: refused from the count alone, so the
    // missing third pointer is never read (ASan would see it).
    const auto tokens = std::make_unique<const char*[]>(2);
    tokens[0] = "a";
    tokens[1] = "b";
    trajplot_statistic_options options = TRAJPLOT_STATISTIC_OPTIONS_INIT;
    options.sequence_labels = tokens.get();
    options.sequence_label_count = 2;
    const std::vector<float> stats = numbered_stats(1, 3);
    trajplot_statistic* out = sentinel_statistic();
    EXPECT_TRAJPLOT_FAILS(trajplot_statistic_create(&out, "x", stats.data(), 1, 3, &options), TRAJPLOT_EINVAL,
                          "trajplot_statistic_create", "options->sequence_label_count");
    EXPECT_EQ(out, sentinel_statistic());
}
