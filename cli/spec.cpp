#include "spec.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <span>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "cli_error.hpp"

namespace trajplot_cli {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 9> spec_keys = {
    "name", "units", "stats", "sequence_labels", "trajectory_labels", "min", "max", "includes_output", "layer_labels"};
constexpr std::array<std::string_view, 2> trajectory_labels_keys = {"label_strings", "hover_over_entries"};

constexpr std::string_view stats_path = "spec.stats";

[[noreturn]] void fail_at(const std::string& path, const std::string& problem) { fail_input(path + " " + problem); }

bool is_identifier(std::string_view key) {
    const auto is_word_char = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    };
    return !key.empty() && !(key.front() >= '0' && key.front() <= '9') &&
           std::all_of(key.begin(), key.end(), is_word_char);
}

// spec.name for ordinary keys; spec["odd key"] (JSON-escaped, so the path
// stays on one line) for any other.
std::string member_path(const std::string& parent, std::string_view key) {
    if (is_identifier(key)) {
        return parent + "." + std::string(key);
    }
    return parent + "[" + json(std::string(key)).dump() + "]";
}

std::string element_path(const std::string& parent, std::size_t index) {
    return parent + "[" + std::to_string(index) + "]";
}

std::string type_of(const json& value) { return value.type_name(); }

std::string count_of(std::size_t count, std::string_view singular, std::string_view plural) {
    return std::to_string(count) + " " + std::string(count == 1 ? singular : plural);
}

std::string float_text(float value) {
    std::array<char, 32> buffer{};
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    return std::string(buffer.data(), result.ptr);
}

void reject_unknown_keys(const json& object, const std::string& path, std::span<const std::string_view> known) {
    for (const auto& item : object.items()) {
        if (std::find(known.begin(), known.end(), item.key()) == known.end()) {
            std::string list;
            for (const std::string_view key : known) {
                list += (list.empty() ? "" : ", ") + std::string(key);
            }
            fail_at(member_path(path, item.key()), "is not a known key (known keys: " + list + ")");
        }
    }
}

// The member `key` of `object`, or nullptr when it is absent or null: every
// optional key may be written as null to mean "not given".
const json* optional_member(const json& object, std::string_view key) {
    const auto found = object.find(key);
    if (found == object.end() || found->is_null()) {
        return nullptr;
    }
    return &*found;
}

const json& required_member(const json& object, const std::string& path, std::string_view key, std::string_view what) {
    const auto found = object.find(key);
    if (found == object.end()) {
        fail_at(member_path(path, key), "is missing (" + std::string(what) + ")");
    }
    return *found;
}

const json& as_array(const json& value, const std::string& path) {
    if (!value.is_array()) {
        fail_at(path, "must be an array, got " + type_of(value));
    }
    return value;
}

const json& as_object(const json& value, const std::string& path) {
    if (!value.is_object()) {
        fail_at(path, "must be an object, got " + type_of(value));
    }
    return value;
}

std::string as_string(const json& value, const std::string& path) {
    if (!value.is_string()) {
        fail_at(path, "must be a string, got " + type_of(value));
    }
    return value.get<std::string>();
}

// For the strings the C API takes NUL-terminated (name and units), where a
// NUL would silently cut the text short.
std::string as_nul_free_string(const json& value, const std::string& path) {
    std::string text = as_string(value, path);
    if (text.find('\0') != std::string::npos) {
        fail_at(path, "contains a NUL character (\\u0000), which it cannot hold");
    }
    return text;
}

bool as_bool(const json& value, const std::string& path) {
    if (!value.is_boolean()) {
        fail_at(path, "must be true or false, got " + type_of(value));
    }
    return value.get<bool>();
}

float as_float32(const json& value, const std::string& path, bool null_is_nan) {
    if (null_is_nan && value.is_null()) {
        return std::numeric_limits<float>::quiet_NaN();
    }
    if (!value.is_number()) {
        fail_at(path,
                std::string(null_is_nan ? "must be a number or null" : "must be a number") + ", got " + type_of(value));
    }
    // The smallest magnitude that rounds to infinity as a float32: halfway
    // between FLT_MAX and 2^128, where ties go to the even 2^128. Anything
    // below rounds to a finite float, so FLT_MAX's own shortest decimal
    // form (3.4028235e38, a little above it) is still accepted.
    static const double float32_overflow = std::ldexp(1.0, 128) - std::ldexp(1.0, 103);
    const double number = value.get<double>();
    if (!(std::fabs(number) < float32_overflow)) {
        fail_at(path, "is " + value.dump() + ", which does not fit a 32-bit float");
    }
    return static_cast<float>(number);
}

void expect_size(const json& array, const std::string& path, std::size_t expected, std::string_view singular,
                 std::string_view plural, std::string_view reason = {}) {
    if (array.size() != expected) {
        std::string problem =
            "has " + count_of(array.size(), singular, plural) + ", expected " + std::to_string(expected);
        if (!reason.empty()) {
            problem += " (" + std::string(reason) + ")";
        }
        fail_at(path, problem);
    }
}

void read_stats(const json& value, StatisticSpec& spec) {
    const std::string path(stats_path);
    as_array(value, path);
    if (value.empty()) {
        fail_at(path, "is empty; it needs at least one layer");
    }
    const std::string first_row_path = element_path(path, 0);
    spec.n_layers = value.size();
    spec.seq_len = as_array(value[0], first_row_path).size();
    if (spec.seq_len == 0) {
        fail_at(first_row_path, "is empty; a layer needs at least one position");
    }
    spec.stats.reserve(spec.n_layers * spec.seq_len);
    for (std::size_t layer = 0; layer < spec.n_layers; ++layer) {
        const std::string row_path = element_path(path, layer);
        const json& row = as_array(value[layer], row_path);
        expect_size(row, row_path, spec.seq_len, "value", "values");
        for (std::size_t position = 0; position < spec.seq_len; ++position) {
            spec.stats.push_back(as_float32(row[position], element_path(row_path, position), true));
        }
    }
}

std::vector<std::string> read_string_list(const json& value, const std::string& path, std::size_t expected,
                                          std::string_view reason) {
    as_array(value, path);
    expect_size(value, path, expected, "string", "strings", reason);
    std::vector<std::string> strings;
    strings.reserve(expected);
    for (std::size_t index = 0; index < expected; ++index) {
        strings.push_back(as_string(value[index], element_path(path, index)));
    }
    return strings;
}

const std::string per_layer = "one per layer of " + std::string(stats_path);
const std::string per_position = "one per position of " + std::string(stats_path);

std::vector<std::string> read_label_strings(const json& value, const std::string& path, const StatisticSpec& spec) {
    as_array(value, path);
    expect_size(value, path, spec.n_layers, "row", "rows", per_layer);
    std::vector<std::string> labels;
    labels.reserve(spec.n_layers * spec.seq_len);
    for (std::size_t layer = 0; layer < spec.n_layers; ++layer) {
        const std::string row_path = element_path(path, layer);
        for (std::string& label : read_string_list(value[layer], row_path, spec.seq_len, per_position)) {
            labels.push_back(std::move(label));
        }
    }
    return labels;
}

// Every table must have the shape of the first one, [0][0].
void read_hover_entries(const json& value, const std::string& path, const StatisticSpec& spec, LabelsSpec& labels) {
    as_array(value, path);
    expect_size(value, path, spec.n_layers, "layer", "layers", per_layer);
    const std::string first_table_path = element_path(element_path(path, 0), 0);
    const std::string first_row_path = element_path(first_table_path, 0);
    for (std::size_t layer = 0; layer < spec.n_layers; ++layer) {
        const std::string layer_path = element_path(path, layer);
        const json& tables = as_array(value[layer], layer_path);
        expect_size(tables, layer_path, spec.seq_len, "position", "positions", per_position);
        for (std::size_t position = 0; position < spec.seq_len; ++position) {
            const std::string table_path = element_path(layer_path, position);
            const json& table = as_array(tables[position], table_path);
            const bool first_table = layer == 0 && position == 0;
            if (first_table) {
                if (table.empty()) {
                    fail_at(table_path, "is empty; a hover table needs at least one row");
                }
                labels.hover_rows = table.size();
            } else {
                expect_size(table, table_path, labels.hover_rows, "row", "rows", "as many as " + first_table_path);
            }
            for (std::size_t row_index = 0; row_index < labels.hover_rows; ++row_index) {
                const std::string row_path = element_path(table_path, row_index);
                const json& row = as_array(table[row_index], row_path);
                if (first_table && row_index == 0) {
                    if (row.empty()) {
                        fail_at(row_path, "is empty; a hover table row needs at least one column");
                    }
                    labels.hover_cols = row.size();
                } else {
                    expect_size(row, row_path, labels.hover_cols, "column", "columns", "as many as " + first_row_path);
                }
                for (std::size_t column = 0; column < labels.hover_cols; ++column) {
                    labels.hover_entries.push_back(as_string(row[column], element_path(row_path, column)));
                }
            }
        }
    }
}

LabelsSpec read_trajectory_labels(const json& value, const std::string& path, const StatisticSpec& spec) {
    as_object(value, path);
    reject_unknown_keys(value, path, trajectory_labels_keys);
    LabelsSpec labels;
    const json& label_strings =
        required_member(value, path, "label_strings", "the label of every cell: n_layers x seq_len strings");
    labels.label_strings = read_label_strings(label_strings, member_path(path, "label_strings"), spec);
    if (const json* hover = optional_member(value, "hover_over_entries")) {
        read_hover_entries(*hover, member_path(path, "hover_over_entries"), spec, labels);
    }
    return labels;
}

}  // namespace

// nlohmann's messages start with "[json.exception.parse_error.101] ", which
// says nothing to someone who wrote a spec file.
std::string json_error_text(std::string message) {
    if (message.starts_with("[json.exception.")) {
        const std::size_t end = message.find("] ");
        if (end != std::string::npos) {
            message.erase(0, end + 2);
        }
    }
    // The message quotes the bytes last read, which may be anything.
    return printable_bytes(message);
}

StatisticSpec parse_spec(std::string_view text, std::string_view source) {
    json document;
    try {
        document = json::parse(text);
    } catch (const json::exception& error) {
        fail_input(std::string(source) + " is not valid JSON: " + json_error_text(error.what()));
    }

    const std::string root = "spec";
    if (!document.is_object()) {
        fail_at(root, "must be a JSON object, got " + type_of(document));
    }
    // Unknown keys first: a misspelt "nmae" is better reported as such than
    // as a missing "name".
    reject_unknown_keys(document, root, spec_keys);

    StatisticSpec spec;
    spec.name = as_nul_free_string(required_member(document, root, "name", "the statistic's name, e.g. \"Entropy\""),
                                   member_path(root, "name"));
    read_stats(required_member(document, root, "stats", "the values: n_layers arrays of seq_len numbers"), spec);

    if (const json* units = optional_member(document, "units")) {
        spec.units = as_nul_free_string(*units, member_path(root, "units"));
    }
    if (const json* labels = optional_member(document, "sequence_labels")) {
        spec.sequence_labels =
            read_string_list(*labels, member_path(root, "sequence_labels"), spec.seq_len, per_position);
    }
    if (const json* labels = optional_member(document, "trajectory_labels")) {
        spec.trajectory_labels = read_trajectory_labels(*labels, member_path(root, "trajectory_labels"), spec);
    }
    if (const json* min = optional_member(document, "min")) {
        spec.min = as_float32(*min, member_path(root, "min"), false);
    }
    if (const json* max = optional_member(document, "max")) {
        spec.max = as_float32(*max, member_path(root, "max"), false);
    }
    if (spec.min && spec.max && !(*spec.min < *spec.max)) {
        fail_at(member_path(root, "min"),
                "(" + float_text(*spec.min) + ") must be less than spec.max (" + float_text(*spec.max) + ")");
    }
    if (const json* includes_output = optional_member(document, "includes_output")) {
        spec.includes_output = as_bool(*includes_output, member_path(root, "includes_output"));
    }
    if (const json* labels = optional_member(document, "layer_labels")) {
        spec.layer_labels = read_string_list(*labels, member_path(root, "layer_labels"), spec.n_layers, per_layer);
    }
    return spec;
}

}  // namespace trajplot_cli
