#include "library.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <cstddef>

namespace trajplot_cli {
namespace {

// The library's names for what every command's options set.
const std::array<Term, 19> shared_terms = {{
    {"options->top_k", "--top-k"},
    {"options->min_prob", "--min-prob"},
    {"options->min_prob_delta", "--min-prob-delta"},
    {"options->max_batch_items_shown", "--max-batch-items-shown"},
    {"options->max_string_len", "--max-string-len"},
    {"options->threads", "--threads"},
    {"top_k", "--top-k"},
    {"n_layers", "layers"},
    {"div_id", "--div-id"},
    {"extra_json", "--extra"},
    {"token_width", "--token-width"},
    {"vertical_spacing", "--vertical-spacing"},
    {"figure height", "--height"},
    {"log scale", "--log-scale"},
    // A PNG too large for Cairo: what would make it fit.
    {"with a token width of at most", "with --token-width at most"},
    {"with a height of at most", "with --height at most"},
    {"at a scale of at most", "with --scale at most"},
    {"pixels at scale", "pixels at --scale"},
    {"SVG and PDF have no such limit", "--format svg and pdf have no such limit"},
}};

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

}  // namespace

std::string_view without_function_name(std::string_view message) {
    constexpr std::string_view prefix = "trajplot_";
    if (!message.starts_with(prefix)) return message;
    std::size_t end = prefix.size();
    while (end < message.size() && is_word_char(message[end])) ++end;
    if (message.substr(end, 2) != ": ") return message;
    return message.substr(end + 2);
}

namespace {

// "unknown colorscale \"x\"" -> "unknown colorscale 'x'". A quote without
// its closing one is left as it is.
std::string requoted(std::string_view message) {
    std::string text;
    text.reserve(message.size());
    std::size_t i = 0;
    while (i < message.size()) {
        if (message[i] != '"') {
            text += message[i++];
            continue;
        }
        std::string inner;
        std::size_t j = i + 1;
        for (; j < message.size() && message[j] != '"'; ++j) {
            if (message[j] == '\\' && j + 1 < message.size()) ++j;
            inner += message[j];
        }
        if (j == message.size()) {
            text.append(message.substr(i));
            break;
        }
        text.append(1, '\'').append(inner).append(1, '\'');
        i = j + 1;
    }
    return text;
}

// "panels[1]" -> "panel 2".
std::string panels_from_one(std::string_view message) {
    constexpr std::string_view word = "panels[";
    std::string text;
    std::size_t i = 0;
    while (i < message.size()) {
        if (message.substr(i, word.size()) == word && (i == 0 || !is_word_char(message[i - 1]))) {
            const char* const end = message.data() + message.size();
            std::size_t index = 0;
            const auto [stop, error] = std::from_chars(message.data() + i + word.size(), end, index);
            if (error == std::errc{} && stop != end && *stop == ']') {
                text.append("panel ").append(std::to_string(index + 1));
                i = static_cast<std::size_t>(stop + 1 - message.data());
                continue;
            }
        }
        text += message[i++];
    }
    return text;
}

// The term of `terms` (or else of the shared ones) that starts at `i` as a
// whole word, if any.
const Term* term_at(std::string_view text, std::size_t i, std::span<const Term> terms) {
    if (i > 0 && is_word_char(text[i - 1]) && is_word_char(text[i])) return nullptr;
    for (const std::span<const Term> list : {terms, std::span<const Term>(shared_terms)}) {
        for (const Term& term : list) {
            if (term.library.empty() || text.substr(i, term.library.size()) != term.library) continue;
            const std::size_t end = i + term.library.size();
            if (end < text.size() && is_word_char(text[end]) && is_word_char(term.library.back())) continue;
            return &term;
        }
    }
    return nullptr;
}

}  // namespace

std::string user_terms(std::string_view message, std::span<const Term> terms) {
    const std::string text = panels_from_one(requoted(without_function_name(message)));
    std::string translated;
    translated.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        if (const Term* term = term_at(text, i, terms)) {
            translated += term->user;
            i += term->library.size();
        } else {
            translated += text[i++];
        }
    }
    return translated;
}

}  // namespace trajplot_cli
