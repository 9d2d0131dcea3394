// The SPEC file of `trajplot render`: a JSON mirror of the trajectory data
// model, read and checked completely before anything is handed to the
// library, so that every problem is reported with its JSON path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace trajplot_cli {

// Strings packed into one UTF-8 buffer, string i being the bytes from
// offsets[i] up to offsets[i + 1]: the layout the C API reads as
// TRAJPLOT_STRINGS_UTF8_OFFSETS, with no allocation or pointer per string
// (a medium spec holds 700 000 of them).
class PackedStrings {
public:
    void push_back(std::string_view string) {
        text_.append(string);
        offsets_.push_back(text_.size());
    }

    // Room for `strings` more strings of `bytes` in all, so that the
    // buffers are not copied as they grow.
    void reserve(std::size_t strings, std::size_t bytes) {
        offsets_.reserve(offsets_.size() + strings);
        text_.reserve(text_.size() + bytes);
    }

    std::size_t size() const noexcept { return offsets_.size() - 1; }
    bool empty() const noexcept { return size() == 0; }
    std::string_view operator[](std::size_t index) const noexcept {
        return std::string_view(text_).substr(offsets_[index], offsets_[index + 1] - offsets_[index]);
    }

    const std::string& text() const noexcept { return text_; }
    const std::vector<std::uint64_t>& offsets() const noexcept { return offsets_; }

private:
    std::string text_;
    std::vector<std::uint64_t> offsets_{0};
};

struct LabelsSpec {
    PackedStrings label_strings;  // n_layers x seq_len, row-major
    // n_layers x seq_len x hover_rows x hover_cols, row-major; empty when
    // the spec has no hover tables.
    PackedStrings hover_entries;
    std::size_t hover_rows = 0;
    std::size_t hover_cols = 0;
};

struct StatisticSpec {
    std::string name;
    std::size_t n_layers = 0;
    std::size_t seq_len = 0;
    // n_layers x seq_len, row-major; null, NaN, Infinity and -Infinity are
    // gaps, held as NaN.
    std::vector<float> stats;
    std::optional<std::string> units;
    std::optional<std::vector<std::string>> sequence_labels;
    std::optional<LabelsSpec> trajectory_labels;
    std::optional<float> min;
    std::optional<float> max;
    bool includes_output = true;
    std::optional<std::vector<std::string>> layer_labels;
};

// The bytes parse_spec adds after the text (the padding simdjson reads
// past it): a caller that reserves them lets it read the text in place.
inline constexpr std::size_t spec_text_padding = 64;

// Parses and checks a SPEC document. `source` names where the text came
// from, for the message when it is not JSON at all. Throws CliError (bad
// input) naming the JSON path of the first problem, e.g.
// "spec.stats[2] has 5 values, expected 7". A syntax error anywhere is
// reported before any other problem, with its line and column.
StatisticSpec parse_spec(std::string&& text, std::string_view source);
StatisticSpec parse_spec(std::string_view text, std::string_view source);

// The message of a JSON parse error, without the library's exception id.
std::string json_error_text(std::string message);

}  // namespace trajplot_cli
