// TokenFormat: how vocabulary tokens are shown, tuned-lens's TokenFormatter.
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "trajplot/error.hpp"
#include "trajplot/prediction_trajectory.hpp"
#include "trajplot/text.hpp"

namespace trajplot {
namespace {

std::string_view first_code_points(std::string_view utf8, std::size_t count) {
    std::size_t seen = 0;
    for (std::size_t i = 0; i < utf8.size(); ++i) {
        if ((static_cast<unsigned char>(utf8[i]) & 0xC0) != 0x80) {
            if (seen == count) return utf8.substr(0, i);
            ++seen;
        }
    }
    return utf8;
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
    std::string result;
    std::size_t start = 0;
    for (std::size_t found; (found = text.find(from, start)) != std::string::npos; start = found + from.size()) {
        result.append(text, start, found - start);
        result.append(to);
    }
    if (start == 0) return;
    result.append(text, start);
    text = std::move(result);
}

}  // namespace

void TokenFormat::validate() const {
    const std::pair<const char*, const std::string*> texts[] = {{"ellipsis", &ellipsis},
                                                                {"newline_token", &newline_token},
                                                                {"newline_replacement", &newline_replacement},
                                                                {"whitespace_token", &whitespace_token},
                                                                {"whitespace_replacement", &whitespace_replacement}};
    for (const auto& [name, text] : texts) {
        if (!is_valid_utf8(*text)) fail(Errc::invalid_argument, std::string("format.") + name + " is not valid UTF-8");
    }
    if (newline_token.empty()) fail(Errc::invalid_argument, "format.newline_token must not be empty");
    if (whitespace_token.empty()) fail(Errc::invalid_argument, "format.whitespace_token must not be empty");
    if (max_string_len) {
        const std::size_t ellipsis_length = code_point_count(ellipsis);
        if (*max_string_len < 1 || *max_string_len < ellipsis_length) {
            fail(Errc::invalid_argument, "format.max_string_len is " + std::to_string(*max_string_len) +
                                             "; it must be at least 1 and at least the ellipsis's length (" +
                                             std::to_string(ellipsis_length) + ")");
        }
    }
}

std::string TokenFormat::format(std::string_view raw) const {
    std::string token = is_valid_utf8(raw) ? std::string(raw) : sanitize_utf8(raw);
    if (max_string_len && code_point_count(token) > *max_string_len) {
        const std::size_t ellipsis_length = code_point_count(ellipsis);
        const std::size_t keep = *max_string_len > ellipsis_length ? *max_string_len - ellipsis_length : 0;
        token = std::string(first_code_points(token, keep)) + ellipsis;
    }
    replace_all(token, newline_token, newline_replacement);
    replace_all(token, whitespace_token, whitespace_replacement);
    return token;
}

}  // namespace trajplot
