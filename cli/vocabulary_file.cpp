#include "vocabulary_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "cli_error.hpp"
#include "input_file.hpp"
#include "spec.hpp"

namespace trajplot_cli {
namespace {

using nlohmann::json;

// A token or key as a JSON string, for messages: every character but
// printable ASCII escaped, so that it stays on one line, shows what the file
// holds and cannot drive the terminal.
std::string json_text(const std::string& token) {
    return json(token).dump(-1, ' ', true, json::error_handler_t::replace);
}

// A token as a value in a message: JSON's escapes within single quotes, the
// quotes of every value the tool names.
std::string token_text(const std::string& token) {
    const std::string text = json_text(token);
    std::string quoted;
    quoted.reserve(text.size());
    quoted.append(1, '\'').append(text, 1, text.size() - 2).append(1, '\'');
    return quoted;
}

class VocabularyBuilder {
public:
    VocabularyBuilder(std::string name, std::size_t lens_vocab) : name_(std::move(name)), lens_vocab_(lens_vocab) {}

    // The id of a token from `where` (a JSON path, for messages).
    std::uint64_t id_of(const json& value, const std::string& where) const {
        if (value.is_number_unsigned()) return value.get<std::uint64_t>();
        if (value.is_number_integer()) {
            fail_input(name_ + ": " + where + " is " + value.dump() + "; token ids are non-negative integers");
        }
        std::string got = value.type_name();
        if (value.is_number()) got.append(1, ' ').append(value.dump());
        fail_input(name_ + ": " + where + " must be an integer id, got " + got);
    }

    std::string token_of(const json& value, const std::string& where) const {
        if (!value.is_string()) {
            fail_input(name_ + ": " + where + " must be a string, got " + std::string(value.type_name()));
        }
        return value.get<std::string>();
    }

    // Gives `id` its token. Two tokens with one id are an error, but for
    // `overrides` (tokenizer.json's added tokens), which replaces the
    // model's token at its id; two overriding tokens may share an id only
    // when they are the same token.
    void set(std::uint64_t id, std::string token, bool overrides) {
        if (id >= lens_vocab_) return;
        const auto index = static_cast<std::size_t>(id);
        if (index >= tokens_.size()) {
            tokens_.resize(index + 1);
            overridden_.resize(index + 1, false);
        }
        std::optional<std::string>& slot = tokens_[index];
        if (slot && (!overrides || (overridden_[index] && *slot != token))) {
            fail_input(name_ + ": the tokens " + token_text(*slot) + " and " + token_text(token) + " both have id " +
                       std::to_string(id));
        }
        slot = std::move(token);
        if (overrides) overridden_[index] = true;
    }

    std::vector<std::string> finish() && {
        std::vector<std::string> tokens;
        tokens.reserve(tokens_.size());
        for (std::optional<std::string>& token : tokens_) {
            tokens.push_back(token ? std::move(*token) : std::string(missing_token));
        }
        return tokens;
    }

    const std::string& name() const noexcept { return name_; }

private:
    std::string name_;
    std::size_t lens_vocab_;
    std::vector<std::optional<std::string>> tokens_;
    std::vector<bool> overridden_;
};

std::string member_path(std::string_view parent, const std::string& key) {
    return std::string(parent) + "[" + json_text(key) + "]";
}

std::string element_path(std::string_view parent, std::size_t index) {
    return std::string(parent) + "[" + std::to_string(index) + "]";
}

void read_token_to_id(VocabularyBuilder& builder, const json& object, std::string_view path) {
    for (const auto& item : object.items()) {
        builder.set(builder.id_of(item.value(), member_path(path, item.key())), item.key(), false);
    }
}

void read_token_array(VocabularyBuilder& builder, const json& array, std::string_view path) {
    for (std::size_t id = 0; id < array.size(); ++id) {
        builder.set(id, builder.token_of(array[id], element_path(path, id)), false);
    }
}

// tokenizer.json's Unigram vocabulary: [[token, score], ...].
void read_scored_token_array(VocabularyBuilder& builder, const json& array, std::string_view path) {
    for (std::size_t id = 0; id < array.size(); ++id) {
        const json& entry = array[id];
        const std::string where = element_path(path, id);
        if (!entry.is_array() || entry.empty()) {
            fail_input(builder.name() + ": " + where + " must be a [token, score] pair, got " +
                       std::string(entry.type_name()));
        }
        builder.set(id, builder.token_of(entry[0], where + "[0]"), false);
    }
}

void read_tokenizer_json(VocabularyBuilder& builder, const json& document) {
    const json& model = document["model"];
    const auto vocab = model.find("vocab");
    if (vocab == model.end()) {
        fail_input(builder.name() + " looks like a tokenizer.json, but its model has no 'vocab'");
    }
    if (vocab->is_object()) {
        read_token_to_id(builder, *vocab, "model.vocab");
    } else if (vocab->is_array()) {
        read_scored_token_array(builder, *vocab, "model.vocab");
    } else {
        fail_input(builder.name() + ": model.vocab must be an object or an array, got " +
                   std::string(vocab->type_name()));
    }
    const auto added = document.find("added_tokens");
    if (added == document.end() || added->is_null()) return;
    if (!added->is_array()) {
        fail_input(builder.name() + ": added_tokens must be an array, got " + std::string(added->type_name()));
    }
    for (std::size_t i = 0; i < added->size(); ++i) {
        const json& token = (*added)[i];
        const std::string where = element_path("added_tokens", i);
        if (!token.is_object()) {
            fail_input(builder.name() + ": " + where + " must be an object, got " + std::string(token.type_name()));
        }
        for (const char* key : {"id", "content"}) {
            if (!token.contains(key)) fail_input(builder.name() + ": " + where + " has no '" + key + "'");
        }
        builder.set(builder.id_of(token["id"], where + ".id"), builder.token_of(token["content"], where + ".content"),
                    true);
    }
}

std::string read_text(const std::string& path, const std::string& name) {
    struct stat status {};
    const FileDescriptor fd = open_regular_file(path, name, "a JSON file", status);
    std::string text;
    text.reserve(static_cast<std::size_t>(status.st_size));
    char buffer[1 << 16];
    for (;;) {
        const ssize_t got = ::read(fd.get(), buffer, sizeof buffer);
        if (got < 0) {
            if (errno == EINTR) continue;
            fail_input("cannot read " + name + ": " + std::strerror(errno));
        }
        if (got == 0) break;
        text.append(buffer, static_cast<std::size_t>(got));
    }
    return text;
}

}  // namespace

std::vector<std::string> read_vocabulary(const std::string& path, std::size_t lens_vocab) {
    std::string name = "--vocab " + single_quoted(path);
    json document;
    try {
        document = json::parse(read_text(path, name));
    } catch (const json::exception& error) {
        fail_input(name + " is not valid JSON: " + json_error_text(error.what()));
    }
    VocabularyBuilder builder(std::move(name), lens_vocab);
    if (document.is_array()) {
        read_token_array(builder, document, "");
    } else if (document.is_object()) {
        const auto model = document.find("model");
        if (model != document.end() && model->is_object()) {
            read_tokenizer_json(builder, document);
        } else {
            read_token_to_id(builder, document, "");
        }
    } else {
        fail_input(builder.name() +
                   " must hold a JSON array of tokens, an object of token -> id or a "
                   "tokenizer.json, got " +
                   std::string(document.type_name()));
    }
    return std::move(builder).finish();
}

}  // namespace trajplot_cli
