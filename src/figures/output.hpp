// The places a document goes: a string, a stream, a sink, or a file
// replaced atomically. `write` is called once with a JsonWriter on the
// target.
#pragma once

#include <filesystem>
#include <functional>
#include <ostream>
#include <string>

#include "atomic_file.hpp"
#include "json_writer.hpp"
#include "trajplot/error.hpp"

namespace trajplot {

template <class Write>
std::string write_to_string(Write&& write) {
    std::string result;
    JsonWriter writer(result);
    write(writer);
    writer.finish();
    return result;
}

template <class Write>
void write_to_stream(std::ostream& out, Write&& write) {
    JsonWriter writer(out);
    write(writer);
    writer.finish();
}

template <class Write>
void write_to_sink(const std::function<void(std::string_view)>& sink, Write&& write) {
    JsonWriter writer(sink);
    write(writer);
    writer.finish();
}

template <class Write>
void write_to_file(const std::filesystem::path& path, Write&& write) {
    AtomicFile file(path);
    try {
        write_to_stream(file.stream(), write);
    } catch (const Error& error) {
        // The writer only knows that the stream failed: name the file and why.
        if (error.code() == Errc::io) file.fail_write();
        throw;
    }
    file.commit();
}

}  // namespace trajplot
