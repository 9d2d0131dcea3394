#include "spec.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <new>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

#include <simdjson.h>
#include <nlohmann/json.hpp>

#include "cli_error.hpp"

// The spec is read with simdjson's On-Demand API, straight into the arrays
// the C API takes: no document tree is built (bench/README.md, "Reading
// spec files", has the measurements behind the choice). Members are read
// in the order of the text, except that those whose shape follows from
// stats wait for it when it comes later. A problem, once found, is
// reported only after the whole text has been checked for a syntax error,
// which comes first: nlohmann's parser, which read specs before, finds it
// and describes it (line, column, what was expected).

namespace trajplot_cli {
namespace {

namespace ondemand = simdjson::ondemand;
using simdjson::error_code;

static_assert(spec_text_padding == simdjson::SIMDJSON_PADDING);

constexpr std::size_t no_limit = std::numeric_limits<std::size_t>::max();

constexpr std::array<std::string_view, 9> spec_keys = {
    "name", "units", "stats", "sequence_labels", "trajectory_labels", "min", "max", "includes_output", "layer_labels"};
constexpr std::array<std::string_view, 2> trajectory_labels_keys = {"label_strings", "hover_over_entries"};

template <std::size_t N>
constexpr std::size_t key_index(const std::array<std::string_view, N>& keys, std::string_view key) {
    return static_cast<std::size_t>(std::find(keys.begin(), keys.end(), key) - keys.begin());
}

constexpr std::string_view root_path = "spec";
constexpr std::string_view stats_path = "spec.stats";
const std::string per_layer = "one per layer of " + std::string(stats_path);
const std::string per_position = "one per position of " + std::string(stats_path);

// What Python's json.dump writes for non-finite floats. Not JSON, but
// accepted as values of stats, where they are gaps.
constexpr std::array<std::string_view, 3> non_finite_literals = {"NaN", "Infinity", "-Infinity"};
constexpr std::string_view non_finite_note =
    " (NaN, Infinity and -Infinity are accepted only as values of spec.stats, where they are gaps)";

bool is_non_finite_literal(std::string_view token) {
    return std::find(non_finite_literals.begin(), non_finite_literals.end(), token) != non_finite_literals.end();
}

// Whether `token` is a number by JSON's grammar, however large.
bool is_json_number(std::string_view token) {
    std::size_t at = 0;
    const auto digits = [&] {
        const std::size_t start = at;
        while (at < token.size() && token[at] >= '0' && token[at] <= '9') ++at;
        return at > start;
    };
    const auto skip = [&](std::string_view chars) {
        if (at < token.size() && chars.find(token[at]) != std::string_view::npos) ++at;
    };
    skip("-");
    if (at < token.size() && token[at] == '0') {
        ++at;
    } else if (!digits()) {
        return false;
    }
    if (at < token.size() && token[at] == '.') {
        ++at;
        if (!digits()) return false;
    }
    if (at < token.size() && (token[at] == 'e' || token[at] == 'E')) {
        ++at;
        skip("+-");
        if (!digits()) return false;
    }
    return at == token.size();
}

bool is_identifier(std::string_view key) {
    const auto is_word_char = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    };
    return !key.empty() && !(key.front() >= '0' && key.front() <= '9') &&
           std::all_of(key.begin(), key.end(), is_word_char);
}

// spec.name for ordinary keys; spec["odd key"] (JSON-escaped, so the path
// stays on one line) for any other.
std::string member_path(std::string_view parent, std::string_view key) {
    if (is_identifier(key)) {
        return std::string(parent) + "." + std::string(key);
    }
    return std::string(parent) + "[" + nlohmann::json(std::string(key)).dump() + "]";
}

std::string element_path(std::string_view parent, std::size_t index) {
    return std::string(parent) + "[" + std::to_string(index) + "]";
}

std::string count_of(std::size_t count, std::string_view singular, std::string_view plural) {
    return std::to_string(count) + " " + std::string(count == 1 ? singular : plural);
}

std::string size_problem(std::size_t count, std::size_t expected, std::string_view singular, std::string_view plural,
                         std::string_view reason = {}) {
    std::string problem = "has " + count_of(count, singular, plural) + ", expected " + std::to_string(expected);
    if (!reason.empty()) {
        problem += " (" + std::string(reason) + ")";
    }
    return problem;
}

std::string float_text(float value) {
    std::array<char, 32> buffer{};
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    return std::string(buffer.data(), result.ptr);
}

std::string_view without_trailing_space(std::string_view token) {
    const std::size_t end = token.find_last_not_of(" \t\n\r");
    return end == std::string_view::npos ? std::string_view() : token.substr(0, end + 1);
}

// The text as nlohmann's parser should see it to find syntax errors only,
// each value kept at its line and column: NaN, Infinity and -Infinity
// outside strings written as numbers of the same length, and numbers
// beyond a double (valid JSON, which nlohmann's parser stops at) as 0 and
// spaces. The spec's own checks report both, with their path.
std::string for_the_syntax_check(std::string_view text) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 3> replacements = {{
        {"NaN", "0.0"},
        {"Infinity", "0.000000"},
        {"-Infinity", "-0.000000"},
    }};
    // What ends a token outside strings (and cannot start one).
    constexpr std::string_view token_ends = " \t\n\r,:[]{}\"";
    std::string neutral(text);
    bool in_string = false;
    for (std::size_t at = 0; at < neutral.size(); ++at) {
        const char c = neutral[at];
        if (in_string) {
            if (c == '\\') {
                ++at;
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        if (c == '"') {
            in_string = true;
            continue;
        }
        if (token_ends.find(c) != std::string_view::npos) continue;
        const std::size_t end = std::min(neutral.find_first_of(token_ends, at), neutral.size());
        const std::string_view token = std::string_view(neutral).substr(at, end - at);
        const auto literal = std::find_if(replacements.begin(), replacements.end(),
                                          [&](const auto& replacement) { return replacement.first == token; });
        double number = 0;
        if (literal != replacements.end()) {
            neutral.replace(at, token.size(), literal->second);
        } else if (is_json_number(token) && std::from_chars(token.data(), token.data() + token.size(), number).ec ==
                                                std::errc::result_out_of_range) {
            neutral.replace(at, token.size(), "0" + std::string(token.size() - 1, ' '));
        }
        at = end - 1;  // the token is not empty: c starts it
    }
    return neutral;
}

// Reads JSON without keeping any of it, to find its first syntax error and
// describe it as nlohmann's parser does: line, column, what was expected.
class SyntaxCheck final : public nlohmann::json_sax<nlohmann::json> {
public:
    bool null() override { return true; }
    bool boolean(bool) override { return true; }
    bool number_integer(number_integer_t) override { return true; }
    bool number_unsigned(number_unsigned_t) override { return true; }
    bool number_float(number_float_t, const string_t&) override { return true; }
    bool string(string_t&) override { return true; }
    bool binary(binary_t&) override { return true; }
    bool start_object(std::size_t) override { return true; }
    bool key(string_t&) override { return true; }
    bool end_object() override { return true; }
    bool start_array(std::size_t) override { return true; }
    bool end_array() override { return true; }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& error) override {
        message = error.what();
        return false;
    }

    std::string message;
};

class SpecReader {
public:
    // Takes the text and pads it in place for simdjson, which reads up to
    // SIMDJSON_PADDING bytes past the end: no copy when it has room for
    // them already.
    SpecReader(std::string&& text, std::string_view source)
        : text_(std::move(text)), text_size_(text_.size()), source_(source) {
        text_.append(simdjson::SIMDJSON_PADDING, '\0');
    }
    SpecReader(const SpecReader&) = delete;
    SpecReader& operator=(const SpecReader&) = delete;

    StatisticSpec read();

private:
    template <std::size_t N>
    using KeyPlaces = std::array<std::optional<std::size_t>, N>;

    // Problems. Each checks the whole text for a syntax error first.
    void reject_invalid_json() const;
    [[noreturn]] void fail_at(const std::string& path, const std::string& problem) const;
    [[noreturn]] void fail_syntax(error_code error, const char* location) const;
    [[noreturn]] void fail_syntax(error_code error);
    [[noreturn]] void fail_type(const std::string& path, std::string_view expected, ondemand::value& value);
    std::string kind_of(ondemand::value& value);
    std::string_view token_of(ondemand::value& value);

    // Objects: each member in the order of the text, then any the reader
    // put off, by their place.
    template <std::size_t N, class Read>
    KeyPlaces<N> for_each_member(ondemand::object& object, std::string_view path,
                                 const std::array<std::string_view, N>& known, Read&& read);
    ondemand::value field_at(ondemand::object& object, std::size_t place);
    bool is_null(ondemand::value& value);
    void read_member(std::size_t key, ondemand::value& value, StatisticSpec& spec);

    // Values.
    ondemand::value element_value(simdjson::simdjson_result<ondemand::value>& element);
    template <class Each>
    std::size_t for_each_element(ondemand::array& array, std::size_t limit, Each&& each);
    template <class Path>
    ondemand::array as_array(ondemand::value& value, const Path& path);
    ondemand::object as_object(ondemand::value& value, const std::string& path);
    template <class Path>
    std::string_view as_string(ondemand::value& value, const Path& path);
    std::string as_nul_free_string(ondemand::value& value, const std::string& path);
    bool as_bool(ondemand::value& value, const std::string& path);
    template <class Path>
    float as_float32(double number, ondemand::value& value, const Path& path);
    template <class Path>
    float as_stat(ondemand::value& value, const Path& path);
    float as_bound(ondemand::value& value, const std::string& path);

    void reserve_strings(PackedStrings& strings, std::size_t count) const;

    // The parts of a spec.
    void read_stats(ondemand::value& value, StatisticSpec& spec);
    std::vector<std::string> read_string_list(ondemand::value& value, const std::string& path, std::size_t expected,
                                              std::string_view reason);
    LabelsSpec read_trajectory_labels(ondemand::value& value, const std::string& path, const StatisticSpec& spec);
    void read_label_strings(ondemand::value& value, const std::string& path, const StatisticSpec& spec,
                            PackedStrings& labels);
    void read_hover_entries(ondemand::value& value, const std::string& path, const StatisticSpec& spec,
                            LabelsSpec& labels);

    std::string_view text() const noexcept { return std::string_view(text_).substr(0, text_size_); }

    std::string text_;  // the spec's text, then simdjson's padding
    std::size_t text_size_ = 0;
    std::size_t json_start_ = 0;  // past a UTF-8 byte order mark
    std::string source_;
    ondemand::parser parser_;
    ondemand::document document_;
};

void SpecReader::reject_invalid_json() const {
    SyntaxCheck check;
    nlohmann::json::sax_parse(for_the_syntax_check(text()), &check);
    if (!check.message.empty()) {
        fail_input(source_ + " is not valid JSON: " + json_error_text(check.message));
    }
}

void SpecReader::fail_at(const std::string& path, const std::string& problem) const {
    reject_invalid_json();
    fail_input(path + " " + problem);
}

void SpecReader::fail_syntax(error_code error, const char* location) const {
    reject_invalid_json();
    // simdjson refused what nlohmann's parser accepts (a nesting deeper
    // than simdjson's limit, say): say what it found, and where.
    std::string where;
    if (location != nullptr) {
        const auto offset = std::min(static_cast<std::size_t>(location - text_.data()), text_size_);
        const std::string_view before = text().substr(0, offset);
        const std::size_t line_start = before.rfind('\n');
        where = " at line " + std::to_string(1 + std::count(before.begin(), before.end(), '\n')) + ", column " +
                std::to_string(offset - (line_start == std::string_view::npos ? 0 : line_start + 1) + 1);
    }
    fail_input(source_ + " cannot be read as JSON" + where + ": " + simdjson::error_message(error));
}

void SpecReader::fail_syntax(error_code error) {
    const char* location = nullptr;
    if (document_.current_location().get(location) != simdjson::SUCCESS) location = nullptr;
    fail_syntax(error, location);
}

std::string_view SpecReader::token_of(ondemand::value& value) { return without_trailing_space(value.raw_json_token()); }

// What a value is, in the words of a message: the name of its JSON type,
// or the literal NaN, Infinity or -Infinity.
std::string SpecReader::kind_of(ondemand::value& value) {
    const std::string_view token = token_of(value);
    if (is_non_finite_literal(token)) return std::string(token);
    ondemand::json_type type{};
    if (const error_code error = value.type().get(type)) fail_syntax(error);
    switch (type) {
        case ondemand::json_type::array: return "array";
        case ondemand::json_type::object: return "object";
        case ondemand::json_type::number: return "number";
        case ondemand::json_type::string: return "string";
        case ondemand::json_type::boolean: return "boolean";
        case ondemand::json_type::null: return "null";
    }
    return "value";
}

void SpecReader::fail_type(const std::string& path, std::string_view expected, ondemand::value& value) {
    const std::string kind = kind_of(value);
    fail_at(path, "must be " + std::string(expected) + ", got " + kind +
                      (is_non_finite_literal(kind) ? std::string(non_finite_note) : std::string()));
}

// Calls read(key, value) for each member of `object`, in the order of the
// text, where key is its index in `known`; read may leave the value unread,
// to come back to it with field_at. Every key must be known and given once
// (a second "stats" would silently replace the first in most JSON readers).
// Returns the place of each key.
template <std::size_t N, class Read>
SpecReader::KeyPlaces<N> SpecReader::for_each_member(ondemand::object& object, std::string_view path,
                                                     const std::array<std::string_view, N>& known, Read&& read) {
    KeyPlaces<N> places{};
    std::size_t place = 0;
    for (auto field : object) {
        std::string_view key;
        if (const error_code error = field.unescaped_key().get(key)) fail_syntax(error);
        const std::size_t index = key_index(known, key);
        if (index == N) {
            std::string list;
            for (const std::string_view name : known) {
                list += (list.empty() ? "" : ", ") + std::string(name);
            }
            fail_at(member_path(path, key), "is not a known key (known keys: " + list + ")");
        }
        if (places[index]) {
            fail_at(member_path(path, key), "is given more than once; give each key once");
        }
        places[index] = place++;
        ondemand::value value;
        if (const error_code error = field.value().get(value)) fail_syntax(error);
        read(index, value);
    }
    return places;
}

ondemand::value SpecReader::field_at(ondemand::object& object, std::size_t place) {
    if (const error_code error = object.reset().error()) fail_syntax(error);
    std::size_t index = 0;
    for (auto field : object) {
        if (const error_code error = field.error()) fail_syntax(error);
        if (index++ == place) {
            ondemand::value value;
            if (const error_code error = field.value().get(value)) fail_syntax(error);
            return value;
        }
    }
    // for_each_member counted the fields, so this is a text that changed.
    fail_syntax(simdjson::TAPE_ERROR);
}

// Every optional key may be written as null to mean "not given".
bool SpecReader::is_null(ondemand::value& value) {
    bool null = false;
    return value.is_null().get(null) == simdjson::SUCCESS && null;
}

ondemand::value SpecReader::element_value(simdjson::simdjson_result<ondemand::value>& element) {
    ondemand::value value;
    if (const error_code error = std::move(element).get(value)) fail_syntax(error);
    return value;
}

// Calls each(value, index) for the first `limit` elements and only counts
// the others; returns the count, for the message of an array of the wrong
// length.
template <class Each>
std::size_t SpecReader::for_each_element(ondemand::array& array, std::size_t limit, Each&& each) {
    std::size_t index = 0;
    for (auto element : array) {
        if (index < limit) {
            ondemand::value value = element_value(element);
            each(value, index);
        } else if (const error_code error = element.error()) {
            fail_syntax(error);
        }
        ++index;
    }
    return index;
}

// `path` (a function that makes the JSON path) is called only for a
// message: building a path for each of a medium spec's 700 000 strings
// would cost more than reading them.
template <class Path>
ondemand::array SpecReader::as_array(ondemand::value& value, const Path& path) {
    ondemand::array array;
    const error_code error = value.get_array().get(array);
    if (error == simdjson::INCORRECT_TYPE) fail_type(path(), "an array", value);
    if (error) fail_syntax(error);
    return array;
}

ondemand::object SpecReader::as_object(ondemand::value& value, const std::string& path) {
    ondemand::object object;
    const error_code error = value.get_object().get(object);
    if (error == simdjson::INCORRECT_TYPE) fail_type(path, "an object", value);
    if (error) fail_syntax(error);
    return object;
}

template <class Path>
std::string_view SpecReader::as_string(ondemand::value& value, const Path& path) {
    // A string without escapes is its bytes in the text, which simdjson
    // has checked (valid UTF-8, no control characters): taken from there,
    // it needs no copy into simdjson's string buffer. The value is left
    // unread, and skipped as the array or object moves on. A string's token
    // ends with its closing quote (simdjson has matched the quotes).
    std::string_view token = value.raw_json_token();
    if (!token.empty() && token.back() != '"') token = without_trailing_space(token);
    if (token.size() >= 2 && token.front() == '"' && token.back() == '"') {
        const std::string_view content = token.substr(1, token.size() - 2);
        if (content.find('\\') == std::string_view::npos) return content;
    }
    std::string_view text;
    const error_code error = value.get_string().get(text);
    if (error == simdjson::INCORRECT_TYPE) fail_type(path(), "a string", value);
    if (error) fail_syntax(error);
    return text;
}

// For the strings the C API takes NUL-terminated (name and units), where a
// NUL would silently cut the text short.
std::string SpecReader::as_nul_free_string(ondemand::value& value, const std::string& path) {
    const std::string_view text = as_string(value, [&] { return path; });
    if (text.find('\0') != std::string_view::npos) {
        fail_at(path, "contains a NUL character (\\u0000), which it cannot hold");
    }
    return std::string(text);
}

bool SpecReader::as_bool(ondemand::value& value, const std::string& path) {
    bool flag = false;
    const error_code error = value.get_bool().get(flag);
    if (error == simdjson::INCORRECT_TYPE) fail_type(path, "true or false", value);
    if (error) fail_syntax(error);
    return flag;
}

template <class Path>
float SpecReader::as_float32(double number, ondemand::value& value, const Path& path) {
    // The smallest magnitude that rounds to infinity as a float32: halfway
    // between FLT_MAX and 2^128, where ties go to the even 2^128. Anything
    // below rounds to a finite float, so FLT_MAX's own shortest decimal
    // form (3.4028235e38, a little above it) is still accepted.
    static const double float32_overflow = std::ldexp(1.0, 128) - std::ldexp(1.0, 103);
    if (!(std::fabs(number) < float32_overflow)) {
        fail_at(path(), "is '" + printable_bytes(token_of(value)) + "', which does not fit a 32-bit float");
    }
    return static_cast<float>(number);
}

// A value of stats: a number, or a gap (NaN) written as null or as Python's
// NaN, Infinity or -Infinity.
template <class Path>
float SpecReader::as_stat(ondemand::value& value, const Path& path) {
    double number = 0;
    if (value.get_double().get(number) == simdjson::SUCCESS) {
        return as_float32(number, value, path);
    }
    const std::string_view token = token_of(value);
    if (token == "null" || is_non_finite_literal(token)) {
        return std::numeric_limits<float>::quiet_NaN();
    }
    if (is_json_number(token)) {
        fail_at(path(), "is '" + printable_bytes(token) + "', which does not fit a 32-bit float");
    }
    fail_type(path(), "a number or null", value);
}

// min and max: finite numbers.
float SpecReader::as_bound(ondemand::value& value, const std::string& path) {
    const auto named = [&] { return path; };
    double number = 0;
    if (value.get_double().get(number) == simdjson::SUCCESS) {
        return as_float32(number, value, named);
    }
    const std::string_view token = token_of(value);
    if (is_non_finite_literal(token)) {
        fail_at(path, "is '" + std::string(token) +
                          "', which only spec.stats accepts (as a gap); write a finite number, or null to leave "
                          "it unset");
    }
    if (is_json_number(token)) {
        fail_at(path, "is '" + printable_bytes(token) + "', which does not fit a 32-bit float");
    }
    fail_type(path, "a number", value);
}

// Room for the strings a shape calls for, so that the buffers are not
// copied as they grow. No more than the text can hold, whatever the shape
// claims: each string takes at least 3 bytes of it ("", and a comma or
// bracket), and its bytes no more than it took in the text. Pages that are
// never written are never allocated.
void SpecReader::reserve_strings(PackedStrings& strings, std::size_t count) const {
    strings.reserve(std::min(count, text_size_ / 3 + 1), text_size_);
}

void SpecReader::read_stats(ondemand::value& value, StatisticSpec& spec) {
    ondemand::array layers = as_array(value, [] { return std::string(stats_path); });
    const std::size_t n_layers = for_each_element(layers, no_limit, [&](ondemand::value& row_value, std::size_t layer) {
        const auto row_path = [&] { return element_path(stats_path, layer); };
        ondemand::array row = as_array(row_value, row_path);
        const std::size_t limit = layer == 0 ? no_limit : spec.seq_len;
        const std::size_t positions = for_each_element(row, limit, [&](ondemand::value& cell, std::size_t position) {
            spec.stats.push_back(as_stat(cell, [&] { return element_path(row_path(), position); }));
        });
        if (layer == 0) {
            if (positions == 0) fail_at(row_path(), "is empty; a layer needs at least one position");
            spec.seq_len = positions;
        } else if (positions != spec.seq_len) {
            fail_at(row_path(), size_problem(positions, spec.seq_len, "value", "values"));
        }
    });
    if (n_layers == 0) fail_at(std::string(stats_path), "is empty; it needs at least one layer");
    spec.n_layers = n_layers;
}

std::vector<std::string> SpecReader::read_string_list(ondemand::value& value, const std::string& path,
                                                      std::size_t expected, std::string_view reason) {
    ondemand::array array = as_array(value, [&] { return path; });
    std::vector<std::string> strings;
    strings.reserve(expected);
    const std::size_t count = for_each_element(array, expected, [&](ondemand::value& element, std::size_t index) {
        strings.emplace_back(as_string(element, [&] { return element_path(path, index); }));
    });
    if (count != expected) fail_at(path, size_problem(count, expected, "string", "strings", reason));
    return strings;
}

void SpecReader::read_label_strings(ondemand::value& value, const std::string& path, const StatisticSpec& spec,
                                    PackedStrings& labels) {
    ondemand::array rows = as_array(value, [&] { return path; });
    reserve_strings(labels, spec.n_layers * spec.seq_len);
    const std::size_t n_rows =
        for_each_element(rows, spec.n_layers, [&](ondemand::value& row_value, std::size_t layer) {
            const auto row_path = [&] { return element_path(path, layer); };
            ondemand::array row = as_array(row_value, row_path);
            const std::size_t positions =
                for_each_element(row, spec.seq_len, [&](ondemand::value& cell, std::size_t position) {
                    labels.push_back(as_string(cell, [&] { return element_path(row_path(), position); }));
                });
            if (positions != spec.seq_len) {
                fail_at(row_path(), size_problem(positions, spec.seq_len, "string", "strings", per_position));
            }
        });
    if (n_rows != spec.n_layers) fail_at(path, size_problem(n_rows, spec.n_layers, "row", "rows", per_layer));
}

// Every table must have the shape of the first one, [0][0].
void SpecReader::read_hover_entries(ondemand::value& value, const std::string& path, const StatisticSpec& spec,
                                    LabelsSpec& labels) {
    const std::string first_table_path = element_path(element_path(path, 0), 0);
    const std::string first_row_path = element_path(first_table_path, 0);
    ondemand::array layers = as_array(value, [&] { return path; });
    const std::size_t n_layers =
        for_each_element(layers, spec.n_layers, [&](ondemand::value& tables_value, std::size_t layer) {
            const auto layer_path = [&] { return element_path(path, layer); };
            ondemand::array tables = as_array(tables_value, layer_path);
            const std::size_t positions =
                for_each_element(tables, spec.seq_len, [&](ondemand::value& table_value, std::size_t position) {
                    const auto table_path = [&] { return element_path(layer_path(), position); };
                    ondemand::array table = as_array(table_value, table_path);
                    const bool first_table = layer == 0 && position == 0;
                    const std::size_t rows = for_each_element(
                        table, first_table ? no_limit : labels.hover_rows,
                        [&](ondemand::value& row_value, std::size_t row_index) {
                            const auto row_path = [&] { return element_path(table_path(), row_index); };
                            ondemand::array row = as_array(row_value, row_path);
                            const bool first_row = first_table && row_index == 0;
                            const std::size_t columns =
                                for_each_element(row, first_row ? no_limit : labels.hover_cols,
                                                 [&](ondemand::value& entry, std::size_t column) {
                                                     labels.hover_entries.push_back(as_string(
                                                         entry, [&] { return element_path(row_path(), column); }));
                                                 });
                            if (first_row) {
                                if (columns == 0)
                                    fail_at(row_path(), "is empty; a hover table row needs at least one column");
                                labels.hover_cols = columns;
                            } else if (columns != labels.hover_cols) {
                                fail_at(row_path(), size_problem(columns, labels.hover_cols, "column", "columns",
                                                                 "as many as " + first_row_path));
                            }
                        });
                    if (first_table) {
                        if (rows == 0) fail_at(table_path(), "is empty; a hover table needs at least one row");
                        labels.hover_rows = rows;
                        reserve_strings(labels.hover_entries, spec.n_layers * spec.seq_len * rows * labels.hover_cols);
                    } else if (rows != labels.hover_rows) {
                        fail_at(table_path(),
                                size_problem(rows, labels.hover_rows, "row", "rows", "as many as " + first_table_path));
                    }
                });
            if (positions != spec.seq_len) {
                fail_at(layer_path(), size_problem(positions, spec.seq_len, "position", "positions", per_position));
            }
        });
    if (n_layers != spec.n_layers) fail_at(path, size_problem(n_layers, spec.n_layers, "layer", "layers", per_layer));
}

LabelsSpec SpecReader::read_trajectory_labels(ondemand::value& value, const std::string& path,
                                              const StatisticSpec& spec) {
    constexpr std::size_t label_strings = key_index(trajectory_labels_keys, "label_strings");
    ondemand::object object = as_object(value, path);
    LabelsSpec labels;
    const auto places =
        for_each_member(object, path, trajectory_labels_keys, [&](std::size_t key, ondemand::value& member) {
            if (key == label_strings) {
                read_label_strings(member, member_path(path, "label_strings"), spec, labels.label_strings);
            } else if (!is_null(member)) {
                read_hover_entries(member, member_path(path, "hover_over_entries"), spec, labels);
            }
        });
    if (!places[label_strings]) {
        fail_at(member_path(path, "label_strings"), "is missing (the label of every cell: n_layers x seq_len strings)");
    }
    return labels;
}

// The value of one key of the spec, of which only name and stats are
// required.
void SpecReader::read_member(std::size_t key, ondemand::value& value, StatisticSpec& spec) {
    const std::string path = member_path(root_path, spec_keys[key]);
    const std::string_view name = spec_keys[key];
    if (name == "name") {
        spec.name = as_nul_free_string(value, path);
        return;
    }
    if (name == "stats") {
        read_stats(value, spec);
        return;
    }
    if (is_null(value)) return;
    if (name == "units") {
        spec.units = as_nul_free_string(value, path);
    } else if (name == "sequence_labels") {
        spec.sequence_labels = read_string_list(value, path, spec.seq_len, per_position);
    } else if (name == "trajectory_labels") {
        spec.trajectory_labels = read_trajectory_labels(value, path, spec);
    } else if (name == "min") {
        spec.min = as_bound(value, path);
    } else if (name == "max") {
        spec.max = as_bound(value, path);
    } else if (name == "includes_output") {
        spec.includes_output = as_bool(value, path);
    } else if (name == "layer_labels") {
        spec.layer_labels = read_string_list(value, path, spec.n_layers, per_layer);
    }
}

StatisticSpec SpecReader::read() {
    // nlohmann's parser, which read specs before, skips a byte order mark.
    if (text().starts_with("\xEF\xBB\xBF")) json_start_ = 3;
    const std::string_view json = text().substr(json_start_);
    if (json.size() > simdjson::SIMDJSON_MAXSIZE_BYTES) {
        fail_input(source_ + " holds " + std::to_string(json.size()) +
                   " bytes, more than a spec can (4 GiB); split its statistics into several specs");
    }
    const error_code iterated = parser_.iterate(json, json.size() + simdjson::SIMDJSON_PADDING).get(document_);
    if (iterated == simdjson::MEMALLOC) throw std::bad_alloc();
    if (iterated) fail_syntax(iterated, nullptr);

    ondemand::object root;
    const error_code rooted = document_.get_object().get(root);
    if (rooted == simdjson::INCORRECT_TYPE) {
        ondemand::json_type type{};
        std::string kind = "value";
        std::string_view token;
        if (document_.raw_json_token().get(token) == simdjson::SUCCESS &&
            is_non_finite_literal(without_trailing_space(token))) {
            kind = std::string(without_trailing_space(token)) + std::string(non_finite_note);
        } else if (document_.type().get(type) == simdjson::SUCCESS) {
            kind = type == ondemand::json_type::array     ? "array"
                   : type == ondemand::json_type::string  ? "string"
                   : type == ondemand::json_type::number  ? "number"
                   : type == ondemand::json_type::boolean ? "boolean"
                                                          : "null";
        }
        fail_at(std::string(root_path), "must be a JSON object, got " + kind);
    }
    if (rooted) fail_syntax(rooted);

    // The members are read in the order of the text, except that those
    // whose shape follows from stats wait for it when it comes later.
    constexpr std::size_t stats = key_index(spec_keys, "stats");
    const auto follows_stats = [](std::size_t key) {
        return spec_keys[key] == "sequence_labels" || spec_keys[key] == "trajectory_labels" ||
               spec_keys[key] == "layer_labels";
    };
    StatisticSpec spec;
    bool stats_read = false;
    std::vector<std::size_t> waiting;
    const auto places = for_each_member(root, root_path, spec_keys, [&](std::size_t key, ondemand::value& value) {
        if (follows_stats(key) && !stats_read) {
            waiting.push_back(key);
            return;
        }
        read_member(key, value, spec);
        stats_read = stats_read || key == stats;
    });
    const char* after_root = nullptr;
    if (document_.current_location().get(after_root) != simdjson::OUT_OF_BOUNDS) {
        fail_syntax(simdjson::TRAILING_CONTENT, after_root);
    }
    if (!places[key_index(spec_keys, "name")]) {
        fail_at(member_path(root_path, "name"), "is missing (the statistic's name, e.g. \"Entropy\")");
    }
    if (!places[stats]) {
        fail_at(std::string(stats_path), "is missing (the values: n_layers arrays of seq_len numbers)");
    }
    for (const std::size_t key : waiting) {
        ondemand::value value = field_at(root, *places[key]);
        read_member(key, value, spec);
    }
    if (spec.min && spec.max && !(*spec.min < *spec.max)) {
        fail_at(member_path(root_path, "min"),
                "(" + float_text(*spec.min) + ") must be less than spec.max (" + float_text(*spec.max) + ")");
    }
    return spec;
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

StatisticSpec parse_spec(std::string&& text, std::string_view source) {
    SpecReader reader(std::move(text), source);
    return reader.read();
}

StatisticSpec parse_spec(std::string_view text, std::string_view source) {
    std::string copy;
    copy.reserve(text.size() + spec_text_padding);
    copy.assign(text);
    return parse_spec(std::move(copy), source);
}

}  // namespace trajplot_cli
