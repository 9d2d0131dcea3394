#include "json_value.hpp"

#include <algorithm>
#include <memory>

#include <nlohmann/json.hpp>

#include "json_writer.hpp"
#include "trajplot/error.hpp"
#include "trajplot/text.hpp"

namespace trajplot {
namespace {

// Builds a JsonValue from nlohmann's SAX events, refusing deep nesting
// before it is built.
class Builder {
public:
    explicit Builder(std::size_t max_depth) : max_depth_(max_depth) {}

    bool null() { return add(JsonValue()); }
    bool boolean(bool value) { return add(JsonValue(value)); }
    bool number_integer(std::int64_t value) { return add(JsonValue(value)); }
    bool number_unsigned(std::uint64_t value) { return add(JsonValue(value)); }
    bool number_float(double value, const std::string&) { return add(JsonValue(value)); }
    bool string(std::string& value) { return add(JsonValue(std::move(value))); }
    bool binary(std::vector<std::uint8_t>&) { return false; }  // never produced by the text parser
    bool start_object(std::size_t) { return open(JsonValue::object()); }
    bool start_array(std::size_t) { return open(JsonValue::array()); }
    bool end_object() { return close(); }
    bool end_array() { return close(); }
    bool key(std::string& key) {
        key_ = std::move(key);
        return true;
    }
    bool parse_error(std::size_t byte, const std::string&, const nlohmann::detail::exception& error) {
        std::string message = error.what();
        // nlohmann prefixes "[json.exception.parse_error.N] "; the rest says where and why.
        if (const auto bracket = message.find("] "); bracket != std::string::npos) message.erase(0, bracket + 2);
        // The message quotes the bytes last read, which may be invalid
        // UTF-8; every message the library gives is valid UTF-8.
        error_ = "not valid JSON (byte " + std::to_string(byte) + "): " + sanitize_utf8(message);
        return false;
    }

    JsonValue result() && { return std::move(root_); }
    const std::string& error() const { return error_; }

private:
    bool open(JsonValue container) {
        if (stack_.size() >= max_depth_) {
            error_ = "nested deeper than " + std::to_string(max_depth_) + " levels";
            return false;
        }
        stack_.push_back(&place(std::move(container)));
        return true;
    }
    bool close() {
        stack_.pop_back();
        return true;
    }
    bool add(JsonValue value) {
        place(std::move(value));
        return true;
    }
    JsonValue& place(JsonValue value) {
        if (stack_.empty()) {
            root_ = std::move(value);
            return root_;
        }
        JsonValue& parent = *stack_.back();
        if (parent.is_object()) {
            // A repeated key keeps its last value, as nlohmann_json does.
            JsonValue& member = parent[key_];
            member = std::move(value);
            return member;
        }
        return parent.push_back(std::move(value));
    }

    std::size_t max_depth_;
    JsonValue root_;
    std::vector<JsonValue*> stack_;
    std::string key_;
    std::string error_;
};

}  // namespace

JsonValue::JsonValue(const JsonValue& other) {
    std::visit([this](const auto& value) { value_.emplace<std::decay_t<decltype(value)>>(value); }, other.value_);
}

JsonValue& JsonValue::operator=(const JsonValue& other) {
    if (this != &other) *this = JsonValue(other);
    return *this;
}

JsonValue JsonValue::parse(std::string_view text, std::size_t max_depth) {
    Builder builder(max_depth);
    nlohmann::json::sax_parse(text, &builder);
    if (!builder.error().empty()) fail(Errc::invalid_argument, builder.error());
    return std::move(builder).result();
}

bool JsonValue::number_value(double& out) const noexcept {
    if (const double* value = std::get_if<double>(&value_)) {
        out = *value;
    } else if (const std::int64_t* integer = std::get_if<std::int64_t>(&value_)) {
        out = static_cast<double>(*integer);
    } else if (const std::uint64_t* unsigned_integer = std::get_if<std::uint64_t>(&value_)) {
        out = static_cast<double>(*unsigned_integer);
    } else {
        return false;
    }
    return true;
}

const char* JsonValue::type_name() const noexcept {
    switch (value_.index()) {
        case 0: return "null";
        case 1: return "boolean";
        case 2:
        case 3:
        case 4: return "number";
        case 5: return "string";
        case 6: return "array";
        case 7: return "object";
        default: return "placeholder";
    }
}

JsonValue& JsonValue::operator[](std::string_view key) {
    if (!is_object()) value_ = Object();
    Object& members = std::get<Object>(value_);
    const auto found = std::find_if(members.begin(), members.end(), [&](const Member& m) { return m.first == key; });
    if (found != members.end()) return found->second;
    return members.emplace_back(std::string(key), JsonValue()).second;
}

const JsonValue* JsonValue::find(std::string_view key) const noexcept {
    if (!is_object()) return nullptr;
    const Object& members = std::get<Object>(value_);
    const auto found = std::find_if(members.begin(), members.end(), [&](const Member& m) { return m.first == key; });
    return found != members.end() ? &found->second : nullptr;
}

JsonValue& JsonValue::push_back(JsonValue element) {
    if (!std::holds_alternative<Array>(value_)) value_ = Array();
    return std::get<Array>(value_).emplace_back(std::move(element));
}

void JsonValue::merge_patch(const JsonValue& patch) {
    if (!patch.is_object()) {
        *this = patch;
        return;
    }
    if (!is_object()) value_ = Object();
    // Not a structured binding: clang before 16 cannot capture one in the
    // lambda below.
    for (const Member& member : std::get<Object>(patch.value_)) {
        const std::string& key = member.first;
        Object& members = std::get<Object>(value_);
        if (member.second.is_null()) {
            std::erase_if(members, [&](const Member& m) { return m.first == key; });
        } else {
            (*this)[key].merge_patch(member.second);
        }
    }
}

void JsonValue::write(JsonWriter& writer, PlaceholderWriter write_placeholder, const void* context) const {
    struct Visitor {
        JsonWriter& writer;
        PlaceholderWriter write_placeholder;
        const void* context;
        void operator()(std::nullptr_t) const { writer.null(); }
        void operator()(bool value) const { writer.raw(value ? "true" : "false"); }
        void operator()(double value) const { writer.number(value); }
        void operator()(std::int64_t value) const {
            if (value < 0) {
                writer.raw('-');
                writer.number(std::uint64_t(0) - static_cast<std::uint64_t>(value));
            } else {
                writer.number(static_cast<std::uint64_t>(value));
            }
        }
        void operator()(std::uint64_t value) const { writer.number(value); }
        void operator()(const std::string& value) const { writer.string(value); }
        void operator()(const Array& elements) const {
            writer.raw('[');
            for (std::size_t i = 0; i < elements.size(); ++i) {
                if (i) writer.raw(',');
                elements[i].write(writer, write_placeholder, context);
            }
            writer.raw(']');
        }
        void operator()(const Object& members) const {
            writer.raw('{');
            for (std::size_t i = 0; i < members.size(); ++i) {
                if (i) writer.raw(',');
                writer.string(members[i].first);
                writer.raw(':');
                members[i].second.write(writer, write_placeholder, context);
            }
            writer.raw('}');
        }
        void operator()(Placeholder placeholder) const {
            if (!write_placeholder) fail(Errc::invalid_argument, "internal: a JSON placeholder without a writer");
            write_placeholder(writer, placeholder.id, context);
        }
    };
    std::visit(Visitor{writer, write_placeholder, context}, value_);
}

}  // namespace trajplot
