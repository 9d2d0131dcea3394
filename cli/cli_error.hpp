// The one exception type of the command-line tool: what went wrong, and how
// the process should end because of it.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace trajplot_cli {

// Exit statuses: 1 for input the tool cannot use, 2 for a command line it
// cannot understand (the convention of getopt-style tools).
inline constexpr int exit_success = 0;
inline constexpr int exit_bad_input = 1;
inline constexpr int exit_usage = 2;

class CliError : public std::runtime_error {
public:
    CliError(int exit_status, bool show_usage, const std::string& message)
        : std::runtime_error(message), exit_status_(exit_status), show_usage_(show_usage) {}

    int exit_status() const noexcept { return exit_status_; }
    // Whether the short usage line should follow the message.
    bool show_usage() const noexcept { return show_usage_; }

private:
    int exit_status_;
    bool show_usage_;
};

// Bytes from a file, for a message: printable ASCII as is, every other byte
// as \xNN, so that a message is valid UTF-8 and cannot drive the terminal.
inline std::string printable_bytes(std::string_view bytes) {
    std::string text;
    text.reserve(bytes.size());
    for (const char c : bytes) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x20 && byte < 0x7f) {
            text += c;
        } else {
            constexpr char digits[] = "0123456789abcdef";
            text.append("\\x").append(1, digits[byte >> 4]).append(1, digits[byte & 0xf]);
        }
    }
    return text;
}

// A value or path from the user, in the messages' one quoting style: 'x'.
// Built by appending: g++ 12 warns falsely (-Wrestrict) on "'" + string.
inline std::string single_quoted(std::string_view text) {
    std::string result;
    result.reserve(text.size() + 2);
    result.append(1, '\'').append(text).append(1, '\'');
    return result;
}

[[noreturn]] inline void fail_input(const std::string& message) { throw CliError(exit_bad_input, false, message); }

[[noreturn]] inline void fail_usage(const std::string& message) { throw CliError(exit_usage, true, message); }

}  // namespace trajplot_cli
