// Errors of the trajplot core. Every failure is a trajplot::Error carrying a
// category (mapped one-to-one onto the C API's status codes) and a message
// that names the offending field and value.
#pragma once

#include <stdexcept>
#include <string>

namespace trajplot {

enum class Errc {
    invalid_argument,  // a wrong value, shape or NULL
    range,             // a size overflows or exceeds a limit
    io,                // a file could not be written
};

class Error : public std::runtime_error {
public:
    Error(Errc code, const std::string& message) : std::runtime_error(message), code_(code) {}
    Errc code() const noexcept { return code_; }

private:
    Errc code_;
};

[[noreturn]] inline void fail(Errc code, const std::string& message) { throw Error(code, message); }

}  // namespace trajplot
