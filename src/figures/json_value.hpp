// The small, ordered JSON documents of a figure (trace attributes, layout,
// the caller's merge patch). nlohmann_json parses them, but its DOM is not
// used to hold them: destroying a nlohmann array allocates, so a failed
// allocation while unwinding would terminate the process. Destroying a
// JsonValue never allocates.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace trajplot {

class JsonWriter;

class JsonValue {
public:
    using Array = std::vector<JsonValue>;
    using Member = std::pair<std::string, JsonValue>;
    using Object = std::vector<Member>;
    // Stands for a large array streamed by the writer's placeholder callback.
    struct Placeholder {
        std::uint8_t id;
    };

    JsonValue() = default;
    JsonValue(std::nullptr_t) {}
    // libstdc++ 12's std::variant copy constructor records the new index
    // before copying the value, so a copy that throws (bad_alloc) leaves a
    // variant whose destructor frees what was never built. Copy through
    // emplace instead, which leaves it valueless on failure.
    JsonValue(const JsonValue& other);
    JsonValue& operator=(const JsonValue& other);
    JsonValue(JsonValue&&) noexcept = default;
    JsonValue& operator=(JsonValue&&) noexcept = default;
    ~JsonValue() = default;
    JsonValue(bool value) : value_(value) {}
    JsonValue(double value) : value_(value) {}
    JsonValue(std::int64_t value) : value_(value) {}
    JsonValue(std::uint64_t value) : value_(value) {}
    JsonValue(std::string value) : value_(std::move(value)) {}
    JsonValue(const char* value) : value_(std::string(value)) {}
    JsonValue(Array value) : value_(std::move(value)) {}
    JsonValue(Object value) : value_(std::move(value)) {}
    JsonValue(Placeholder value) : value_(value) {}

    static JsonValue object(std::initializer_list<Member> members = {}) { return JsonValue(Object(members)); }
    static JsonValue array(std::initializer_list<JsonValue> elements = {}) { return JsonValue(Array(elements)); }

    // Parses a JSON document; throws Error(Errc::invalid_argument) with the
    // byte position on a syntax error, or when it nests deeper than
    // max_depth arrays and objects.
    static JsonValue parse(std::string_view text, std::size_t max_depth);

    bool is_null() const noexcept { return std::holds_alternative<std::nullptr_t>(value_); }
    bool is_object() const noexcept { return std::holds_alternative<Object>(value_); }
    const char* type_name() const noexcept;

    // The member `key` of an object, appended as null when absent.
    JsonValue& operator[](std::string_view key);
    // The member `key`, or nullptr when absent or this is not an object.
    const JsonValue* find(std::string_view key) const noexcept;
    // The text of a string, or nullptr when this is not a string.
    const std::string* string_value() const noexcept { return std::get_if<std::string>(&value_); }
    // The elements of an array, or nullptr when this is not an array.
    const Array* array_value() const noexcept { return std::get_if<Array>(&value_); }
    // Stores a number of any kind into `out` as a double; false, leaving
    // `out` alone, when this is not a number.
    bool number_value(double& out) const noexcept;
    // The boolean, or `otherwise` when this is not one.
    bool bool_or(bool otherwise) const noexcept {
        const bool* value = std::get_if<bool>(&value_);
        return value != nullptr ? *value : otherwise;
    }
    bool is_placeholder(std::uint8_t id) const noexcept {
        const Placeholder* value = std::get_if<Placeholder>(&value_);
        return value != nullptr && value->id == id;
    }
    // Appends to an array; returns the new element.
    JsonValue& push_back(JsonValue element);

    // Applies an RFC 7386 merge patch.
    void merge_patch(const JsonValue& patch);

    using PlaceholderWriter = void (*)(JsonWriter&, std::uint8_t id, const void* context);
    void write(JsonWriter& writer, PlaceholderWriter write_placeholder = nullptr, const void* context = nullptr) const;

private:
    std::variant<std::nullptr_t, bool, double, std::int64_t, std::uint64_t, std::string, Array, Object, Placeholder>
        value_ = nullptr;
};

}  // namespace trajplot
