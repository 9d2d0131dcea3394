#include "colorbar_ticks.hpp"

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <span>
#include <utility>

namespace trajplot {
namespace {

// Ticks this close (in log10 units, about two float32 steps) outside the
// range count as inside: a bound of 0.001 is stored as the float
// 0.0010000000475, and its 10^-3 tick is expected.
constexpr double tolerance = 1e-7;
// More powers of ten than this are thinned.
constexpr std::int64_t max_power_ticks = 10;

// A tick's value, exactly: digits x 10^exponent.
struct Decimal {
    std::int64_t digits;
    int exponent;
};

Decimal normalized(Decimal value) {
    while (value.digits != 0 && value.digits % 10 == 0) {
        value.digits /= 10;
        ++value.exponent;
    }
    return value;
}

double log10_of(Decimal value) { return std::log10(static_cast<double>(value.digits)) + value.exponent; }

// Plotly writes negative exponents with a minus sign, not a hyphen.
std::string exponent_text(std::int64_t exponent) {
    return (exponent < 0 ? "\u2212" : "") + std::to_string(std::llabs(exponent));
}

std::string power_of_ten(std::int64_t exponent) { return "10<sup>" + exponent_text(exponent) + "</sup>"; }

// The power of ten of the leading digit: 2 for 250, -3 for 0.0015.
int magnitude(Decimal value) { return value.exponent + static_cast<int>(std::to_string(value.digits).size()) - 1; }

bool reads_plainly(Decimal value) {
    const int power = magnitude(normalized(value));
    return power >= -3 && power <= 3;
}

std::string plain_text(Decimal value) {
    value = normalized(value);
    std::string digits = std::to_string(value.digits);
    if (value.exponent >= 0) return digits + std::string(static_cast<std::size_t>(value.exponent), '0');
    const int point = static_cast<int>(digits.size()) + value.exponent;
    std::string text;
    if (point > 0) {
        const auto whole = static_cast<std::size_t>(point);
        text.append(digits, 0, whole).append(1, '.').append(digits, whole);
        return text;
    }
    text.append("0.").append(static_cast<std::size_t>(-point), '0').append(digits);
    return text;
}

std::string scientific_text(Decimal value) {
    value = normalized(value);
    const std::string digits = std::to_string(value.digits);
    const int power = magnitude(value);
    if (digits == "1") return power_of_ten(power);
    const std::string mantissa = digits.size() == 1 ? digits : digits.substr(0, 1) + "." + digits.substr(1);
    return mantissa + "\u00D7" + power_of_ten(power);
}

// A positive finite value to seven significant digits, about a float32's
// precision (denormal floats included, whose shortest text is not exact
// enough: the smallest reads "1e-45" for 1.401298e-45).
Decimal seven_digits(double value) {
    const int exponent = static_cast<int>(std::floor(std::log10(value))) - 6;
    auto digits = static_cast<std::int64_t>(std::llround(value / std::pow(10.0, exponent)));
    return normalized({digits, exponent});
}

ColorbarTicks labelled(std::span<const Decimal> values) {
    bool plain = true;
    for (const Decimal& value : values) plain = plain && reads_plainly(value);
    ColorbarTicks ticks;
    for (const Decimal& value : values) {
        ticks.values.push_back(log10_of(value));
        ticks.texts.push_back(plain ? plain_text(value) : scientific_text(value));
    }
    return ticks;
}

// Every m x 10^k inside the range for the given mantissas m.
std::vector<Decimal> with_mantissas(std::initializer_list<std::int64_t> mantissas, double log_min, double log_max) {
    std::vector<Decimal> values;
    const auto first = static_cast<int>(std::floor(log_min)) - 1;
    const auto last = static_cast<int>(std::ceil(log_max));
    for (int exponent = first; exponent <= last; ++exponent) {
        for (const std::int64_t mantissa : mantissas) {
            const Decimal value{mantissa, exponent};
            const double position = log10_of(value);
            if (position >= log_min - tolerance && position <= log_max + tolerance) values.push_back(value);
        }
    }
    return values;
}

// Multiples of the coarsest 1-2-5 step that gives at least three values
// inside a range narrower than every-digit ticks can label.
std::vector<Decimal> evenly_spaced(double log_min, double log_max) {
    const double low = std::pow(10.0, log_min);
    const double high = std::pow(10.0, log_max);
    int exponent = static_cast<int>(std::floor(std::log10(high - low)));
    // float32 values differ by at least 2^-24 of themselves, so the step
    // needed is found within a few dozen tries.
    for (int tries = 0; tries < 40; ++tries, --exponent) {
        for (const std::int64_t mantissa : {5, 2, 1}) {
            const double step = static_cast<double>(mantissa) * std::pow(10.0, exponent);
            const auto first = static_cast<std::int64_t>(std::ceil(low / step - tolerance));
            const auto last = static_cast<std::int64_t>(std::floor(high / step + tolerance));
            if (last - first + 1 < 3) continue;
            std::vector<Decimal> values;
            for (std::int64_t multiple = first; multiple <= last; ++multiple) {
                values.push_back({multiple * mantissa, exponent});
            }
            return values;
        }
    }
    return {};
}

}  // namespace

ColorbarTicks log_colorbar_ticks(double log_min, double log_max) {
    if (!std::isfinite(log_min) || !std::isfinite(log_max)) return {};
    // A set bound beyond the data's other extreme gives a reversed range.
    if (log_min > log_max) std::swap(log_min, log_max);
    if (log_min == log_max) {
        const double nearest_power = std::round(log_min);
        if (std::abs(log_min - nearest_power) <= tolerance) {
            return {{log_min}, {power_of_ten(static_cast<std::int64_t>(nearest_power))}};
        }
        ColorbarTicks tick = labelled(std::array{seven_digits(std::pow(10.0, log_min))});
        tick.values = {log_min};  // exactly the bound, not log10 of its rounded text
        return tick;
    }

    const auto first_power = static_cast<std::int64_t>(std::ceil(log_min - tolerance));
    const auto last_power = static_cast<std::int64_t>(std::floor(log_max + tolerance));
    if (last_power - first_power + 1 >= 3) {
        const auto multiples = [&](std::int64_t step) {
            const auto floor_div = [](std::int64_t a, std::int64_t b) { return a / b - (a % b != 0 && a < 0); };
            return floor_div(last_power, step) - floor_div(first_power - 1, step);
        };
        // Steps of 1, 2, 5, 10, 20, 50, ... decades.
        std::int64_t step = 1;
        for (std::int64_t decade = 1; multiples(step) > max_power_ticks; decade *= 10) {
            for (const std::int64_t mantissa : {2, 5, 10}) {
                step = mantissa * decade;
                if (multiples(step) <= max_power_ticks) break;
            }
        }
        ColorbarTicks ticks;
        for (std::int64_t power = first_power; power <= last_power; ++power) {
            if (power % step != 0) continue;
            ticks.values.push_back(static_cast<double>(power));
            ticks.texts.push_back(power_of_ten(power));
        }
        return ticks;
    }
    for (const auto& mantissas : {std::initializer_list<std::int64_t>{1, 2, 5},
                                  std::initializer_list<std::int64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9}}) {
        const std::vector<Decimal> values = with_mantissas(mantissas, log_min, log_max);
        if (values.size() >= 3) return labelled(values);
    }
    return labelled(evenly_spaced(log_min, log_max));
}

}  // namespace trajplot
