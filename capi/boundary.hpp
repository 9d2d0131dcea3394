// What every entry point of the C API shares: the handles of the values
// several areas pass around, the one exception guard with the thread's last
// error, argument checks that name the caller's fields, conversions of C
// inputs and the strings handed back. Internal to the library.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <ios>
#include <locale>
#include <memory>
#include <new>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <streambuf>
#include <string>
#include <string_view>

#include "trajplot.h"
#include "trajplot/error.hpp"
#include "trajplot/model.hpp"
#include "trajplot/text_array.hpp"

// Handles share the immutable core values, so stride, clip and
// trajplot_statistic_trajectory_labels hand out new handles without copying
// data, and a statistic outlives the labels handle it was created with.
struct trajplot_labels {
    std::shared_ptr<const trajplot::TrajectoryLabels> value;
};

struct trajplot_statistic {
    std::shared_ptr<const trajplot::TrajectoryStatistic> value;
};

namespace trajplot::capi {

// Records "<function>: <detail>" as the thread's last error and returns
// `status`. Never throws.
trajplot_status record_error(const char* function, trajplot_status status, const char* detail) noexcept;

// The status of a core error code.
trajplot_status status_of(Errc code) noexcept;

// Runs the body of an extern "C" function: every exception becomes a status
// and the thread's message, prefixed with the function's name.
template <class Body>
trajplot_status guarded(const char* function, Body&& body) noexcept {
    try {
        body();
        return TRAJPLOT_OK;
    } catch (const Error& error) {
        return record_error(function, status_of(error.code()), error.what());
    } catch (const std::bad_alloc&) {
        return record_error(function, TRAJPLOT_ENOMEM, "out of memory");
    } catch (const std::length_error& error) {
        return record_error(function, TRAJPLOT_ERANGE, error.what());
    } catch (const std::filesystem::filesystem_error& error) {
        // Only file operations raise these; they are I/O failures whatever
        // part of the standard library reported them.
        return record_error(function, TRAJPLOT_EIO, error.what());
    } catch (const std::ios_base::failure& error) {
        return record_error(function, TRAJPLOT_EIO, error.what());
    } catch (const std::exception& error) {
        return record_error(function, TRAJPLOT_ERROR, error.what());
    } catch (...) {
        return record_error(function, TRAJPLOT_ERROR, "unknown exception");
    }
}

// Concatenates values into a message; numbers are formatted independently
// of the caller's global locale.
template <class... Parts>
std::string message(const Parts&... parts) {
    std::ostringstream out;
    out.imbue(std::locale::classic());
    (out << ... << parts);
    return out.str();
}

template <class... Parts>
[[noreturn]] void invalid(const Parts&... parts) {
    fail(Errc::invalid_argument, message(parts...));
}

void require(const void* pointer, const char* name);
void require_index(std::size_t index, const char* index_name, std::size_t bound, const char* bound_name);
void require_version(unsigned int version, unsigned int known, const char* field, const char* macro);

const TrajectoryLabels& labels_of(const trajplot_labels* handle, const char* name = "labels");
const TrajectoryStatistic& statistic_of(const trajplot_statistic* handle, const char* name = "statistic");

struct Dimension {
    const char* name;
    std::size_t size;
};

// Objects larger than this cannot exist (pointer differences must fit).
inline constexpr std::size_t max_object_bytes = static_cast<std::size_t>(PTRDIFF_MAX);

// "n_layers x seq_len (3 x 4)".
std::string dimensions_text(std::initializer_list<Dimension> dimensions);

// The element count of an array with the given dimensions, checked so that
// the count, and the bytes of `element_bytes` per element, fit in the
// address space; checked before anything is read.
std::size_t addressable_count(std::initializer_list<Dimension> dimensions, std::size_t element_bytes);

// As addressable_count, for an array the library allocates: its bytes must
// also fit the memory limit; checked before anything is allocated.
std::size_t checked_count(std::initializer_list<Dimension> dimensions, std::size_t element_bytes);

// Bytes the core stores per string of a TextArray (offset and size).
inline constexpr std::size_t text_element_bytes = 2 * sizeof(std::uint64_t);

std::string_view string_at(const char* const* strings, const std::size_t* lengths, std::size_t i);
void require_elements(const char* const* strings, std::size_t count, const char* name);

template <std::size_t N>
TextArray<N> text_array(const std::array<std::size_t, N>& shape, const char* const* strings,
                        const std::size_t* lengths) {
    return TextArray<N>::build(shape, [&](std::size_t i) { return string_at(strings, lengths, i); });
}

// A caller's string array descriptor, after its pointer and version are
// checked.
const trajplot_strings& strings_of(const trajplot_strings* strings, const char* name);

// Checks everything `strings` describes before any string is read: a
// known layout, the non-NULL pointers it needs, `count` strings (as
// `dimensions` say, when given), bytes that fit the address space, offsets
// that never decrease and stay within the data.
void check_strings(const trajplot_strings& strings, const char* name, std::size_t count,
                   std::initializer_list<Dimension> dimensions);

// The strings of a checked descriptor, converted straight into the core's
// storage.
template <std::size_t N>
TextArray<N> text_array(const std::array<std::size_t, N>& shape, const trajplot_strings& strings) {
    // Nothing is read of an empty array, whose pointers may be NULL.
    if (strings.count == 0) return TextArray<N>::build(shape, [](std::size_t) { return std::string_view(); });
    switch (strings.layout) {
        case TRAJPLOT_STRINGS_UTF32:
            return TextArray<N>::from_utf32(shape, static_cast<const std::uint32_t*>(strings.data), strings.width);
        case TRAJPLOT_STRINGS_BYTES:
            return TextArray<N>::from_padded_bytes(shape, static_cast<const char*>(strings.data), strings.width);
        case TRAJPLOT_STRINGS_UTF8_OFFSETS:
            return TextArray<N>::from_offsets(shape, static_cast<const char*>(strings.data), strings.data_len,
                                              strings.offsets);
        default: return text_array<N>(shape, static_cast<const char* const*>(strings.data), strings.lengths);
    }
}

// Valid UTF-8: invalid byte sequences replaced with U+FFFD.
std::string utf8_string(std::string_view bytes);

// Hands `text` to the caller as a new string (trajplot_string_free).
void give_string(char** out, std::size_t* out_len, std::string_view text);

// A stream into a malloc'd buffer grown with realloc, handed to the caller
// as is: large outputs are neither copied at the end nor held twice.
class MallocStreambuf : public std::streambuf {
public:
    MallocStreambuf() = default;
    MallocStreambuf(const MallocStreambuf&) = delete;
    MallocStreambuf& operator=(const MallocStreambuf&) = delete;
    ~MallocStreambuf() override;
    // The bytes written, NUL-terminated, now the caller's; `*size` their
    // count.
    char* release(std::size_t* size);

protected:
    std::streamsize xsputn(const char* data, std::streamsize count) override;
    int_type overflow(int_type c) override;

private:
    void ensure(std::size_t extra);

    char* buffer_ = nullptr;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
};

// Runs `write` on a stream whose bytes become the caller's string.
template <class Write>
void give_streamed(char** out, std::size_t* out_len, Write&& write) {
    MallocStreambuf buffer;
    std::ostream stream(&buffer);
    // The stream reports a failed allocation in xsputn as badbit unless told
    // to let it through.
    stream.exceptions(std::ios::badbit);
    write(stream);
    std::size_t size = 0;
    *out = buffer.release(&size);
    if (out_len != nullptr) *out_len = size;
}

// Lends a string the core stores (followed by a NUL byte) to the caller.
void lend_string(const char** out, std::size_t* len, std::string_view text);

trajplot_labels* new_handle(std::shared_ptr<const TrajectoryLabels> value);
trajplot_statistic* new_handle(std::shared_ptr<const TrajectoryStatistic> value);

}  // namespace trajplot::capi
