// The C API's shared machinery (capi/boundary.hpp) and the functions about
// the library itself: versions, the thread's last error, strings handed
// out, the memory limit, the default thread count, the one text function
// of the reference, and string array descriptors.
#include "boundary.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <sstream>
#include <string>

#include "trajplot/memory.hpp"
#include "trajplot/text.hpp"
#include "trajplot/threads.hpp"

namespace trajplot::capi {

namespace {

struct LastError {
    std::string message;
    const char* text = "";
    trajplot_status status = TRAJPLOT_OK;
};

LastError& last_error() noexcept {
    thread_local LastError error;
    return error;
}

struct FreeDeleter {
    void operator()(char* string) const noexcept { std::free(string); }
};
using MallocString = std::unique_ptr<char, FreeDeleter>;

// A NUL-terminated malloc copy: trajplot_string_free is free().
MallocString malloc_copy(std::string_view text) {
    auto* copy = static_cast<char*>(std::malloc(text.size() + 1));
    if (copy == nullptr) throw std::bad_alloc();
    std::memcpy(copy, text.data(), text.size());
    copy[text.size()] = '\0';
    return MallocString(copy);
}

}  // namespace

// Runs while an error is already being reported, so it must not throw: if
// the message cannot be allocated, a static one takes its place.
trajplot_status record_error(const char* function, trajplot_status status, const char* detail) noexcept {
    LastError& error = last_error();
    error.status = status;
    try {
        std::string message;
        message.reserve(std::strlen(function) + 2 + std::strlen(detail));
        // Details may quote caller bytes (a path) or the system's words in
        // the caller's locale: every message handed out is valid UTF-8.
        message.append(function).append(": ").append(sanitize_utf8(detail));
        error.message.swap(message);
        error.text = error.message.c_str();
    } catch (...) {
        error.text = "out of memory";
    }
    return status;
}

trajplot_status status_of(Errc code) noexcept {
    switch (code) {
        case Errc::invalid_argument: return TRAJPLOT_EINVAL;
        case Errc::range: return TRAJPLOT_ERANGE;
        case Errc::io: return TRAJPLOT_EIO;
    }
    return TRAJPLOT_ERROR;
}

void require(const void* pointer, const char* name) {
    if (pointer == nullptr) invalid(name, " is NULL");
}

void require_index(std::size_t index, const char* index_name, std::size_t bound, const char* bound_name) {
    if (index >= bound) invalid(index_name, " ", index, " is out of range (", bound_name, " is ", bound, ")");
}

void require_version(unsigned int version, unsigned int known, const char* field, const char* macro) {
    if (version != known) invalid(field, " is ", version, " but this library knows version ", known, " (", macro, ")");
}

const TrajectoryLabels& labels_of(const trajplot_labels* handle, const char* name) {
    require(handle, name);
    require(handle->value.get(), name);
    return *handle->value;
}

const TrajectoryStatistic& statistic_of(const trajplot_statistic* handle, const char* name) {
    require(handle, name);
    require(handle->value.get(), name);
    return *handle->value;
}

std::string dimensions_text(std::initializer_list<Dimension> dimensions) {
    std::ostringstream names, sizes;
    sizes.imbue(std::locale::classic());
    bool first = true;
    for (const Dimension& dimension : dimensions) {
        names << (first ? "" : " x ") << dimension.name;
        sizes << (first ? "" : " x ") << dimension.size;
        first = false;
    }
    return names.str() + " (" + sizes.str() + ")";
}

std::size_t addressable_count(std::initializer_list<Dimension> dimensions, std::size_t element_bytes) {
    std::size_t count = 1;
    bool overflow = false;
    for (const Dimension& dimension : dimensions) {
        if (dimension.size != 0 && count > SIZE_MAX / dimension.size) overflow = true;
        count *= dimension.size;  // wraps on overflow, but is then not used
    }
    if (!overflow && count != 0 && count > max_object_bytes / element_bytes) overflow = true;
    if (!overflow) return count;

    fail(Errc::range, message(dimensions_text(dimensions), " is too large: ", element_bytes,
                              "-byte elements would overflow the address space"));
}

std::size_t checked_count(std::initializer_list<Dimension> dimensions, std::size_t element_bytes) {
    const std::size_t count = addressable_count(dimensions, element_bytes);
    check_memory(count * element_bytes, dimensions_text(dimensions));
    return count;
}

std::string_view string_at(const char* const* strings, const std::size_t* lengths, std::size_t i) {
    return lengths != nullptr ? std::string_view(strings[i], lengths[i]) : std::string_view(strings[i]);
}

void require_elements(const char* const* strings, std::size_t count, const char* name) {
    for (std::size_t i = 0; i < count; ++i) {
        if (strings[i] == nullptr) invalid(name, "[", i, "] is NULL");
    }
}

const trajplot_strings& strings_of(const trajplot_strings* strings, const char* name) {
    require(strings, name);
    require_version(strings->version, TRAJPLOT_STRINGS_VERSION, message(name, "->version").c_str(),
                    "TRAJPLOT_STRINGS_VERSION");
    return *strings;
}

namespace {

template <class Element>
void require_aligned(const Element* pointer, const char* name, const char* field) {
    if (reinterpret_cast<std::uintptr_t>(pointer) % alignof(Element) != 0) {
        invalid(name, "->", field, " is not aligned to ", alignof(Element), " bytes");
    }
}

void check_offsets(const trajplot_strings& strings, const char* name) {
    const std::uint64_t* offsets = strings.offsets;
    for (std::size_t i = 0; i < strings.count; ++i) {
        if (offsets[i + 1] < offsets[i]) {
            invalid(name, "->offsets[", i + 1, "] is ", offsets[i + 1], ", below ", name, "->offsets[", i, "] (",
                    offsets[i], "): offsets must not decrease");
        }
    }
    if (offsets[strings.count] > strings.data_len) {
        invalid(name, "->offsets[", strings.count, "] is ", offsets[strings.count], ", past the end of ", name,
                "->data (", name, "->data_len is ", strings.data_len, ")");
    }
}

}  // namespace

void check_strings(const trajplot_strings& strings, const char* name, std::size_t count,
                   std::initializer_list<Dimension> dimensions) {
    if (strings.count != count) {
        invalid(name, "->count is ", strings.count, " but ", dimensions_text(dimensions), " holds ", count, " strings");
    }
    const std::string count_name = message(name, "->count");
    const std::string width_name = message(name, "->width");
    switch (strings.layout) {
        case TRAJPLOT_STRINGS_POINTERS:
            if (count == 0) return;
            require(strings.data, message(name, "->data").c_str());
            require_elements(static_cast<const char* const*>(strings.data), count, message(name, "->data").c_str());
            return;
        case TRAJPLOT_STRINGS_UTF32:
        case TRAJPLOT_STRINGS_BYTES: {
            const bool utf32 = strings.layout == TRAJPLOT_STRINGS_UTF32;
            addressable_count({{count_name.c_str(), count}, {width_name.c_str(), strings.width}},
                              utf32 ? sizeof(std::uint32_t) : 1);
            if (count == 0) return;
            require(strings.data, message(name, "->data").c_str());
            if (utf32) require_aligned(static_cast<const std::uint32_t*>(strings.data), name, "data");
            return;
        }
        case TRAJPLOT_STRINGS_UTF8_OFFSETS:
            if (count == 0) return;
            require(strings.offsets, message(name, "->offsets").c_str());
            require_aligned(strings.offsets, name, "offsets");
            if (strings.data_len > 0) require(strings.data, message(name, "->data").c_str());
            check_offsets(strings, name);
            return;
        default:
            invalid(name, "->layout is ", strings.layout,
                    ", not a trajplot_string_layout (TRAJPLOT_STRINGS_POINTERS, _UTF32, _BYTES or _UTF8_OFFSETS)");
    }
}

std::string utf8_string(std::string_view bytes) {
    return is_valid_utf8(bytes) ? std::string(bytes) : sanitize_utf8(bytes);
}

void give_string(char** out, std::size_t* out_len, std::string_view text) {
    MallocString copy = malloc_copy(text);
    *out = copy.release();
    if (out_len != nullptr) *out_len = text.size();
}

MallocStreambuf::~MallocStreambuf() { std::free(buffer_); }

char* MallocStreambuf::release(std::size_t* size) {
    ensure(1);
    buffer_[size_] = '\0';
    *size = size_;
    return std::exchange(buffer_, nullptr);
}

std::streamsize MallocStreambuf::xsputn(const char* data, std::streamsize count) {
    const auto bytes = static_cast<std::size_t>(count);
    ensure(bytes + 1);
    std::memcpy(buffer_ + size_, data, bytes);
    size_ += bytes;
    return count;
}

MallocStreambuf::int_type MallocStreambuf::overflow(int_type c) {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    const char byte = traits_type::to_char_type(c);
    xsputn(&byte, 1);
    return c;
}

void MallocStreambuf::ensure(std::size_t extra) {
    if (capacity_ - size_ >= extra) return;
    const std::size_t needed = size_ + extra;
    check_memory(needed, "the output");
    std::size_t capacity = std::max<std::size_t>(capacity_ + capacity_ / 2, 1 << 16);
    capacity = std::max(needed, std::min(capacity, memory_limit()));
    auto* grown = static_cast<char*>(std::realloc(buffer_, capacity));
    if (grown == nullptr) throw std::bad_alloc();
    buffer_ = grown;
    capacity_ = capacity;
}

void lend_string(const char** out, std::size_t* len, std::string_view text) {
    // Every string the core stores is followed by a NUL byte.
    *out = text.data();
    if (len != nullptr) *len = text.size();
}

trajplot_labels* new_handle(std::shared_ptr<const TrajectoryLabels> value) {
    return new trajplot_labels{std::move(value)};
}

trajplot_statistic* new_handle(std::shared_ptr<const TrajectoryStatistic> value) {
    return new trajplot_statistic{std::move(value)};
}

}  // namespace trajplot::capi

using namespace trajplot::capi;

// ---------------------------------------------------------------------------
// Versions, errors, strings, limits

int trajplot_abi_version(void) { return TRAJPLOT_ABI_VERSION; }

void trajplot_version(int* major, int* minor, int* patch) {
    if (major != nullptr) *major = TRAJPLOT_VERSION_MAJOR;
    if (minor != nullptr) *minor = TRAJPLOT_VERSION_MINOR;
    if (patch != nullptr) *patch = TRAJPLOT_VERSION_PATCH;
}

const char* trajplot_error_last(void) { return last_error().text; }

trajplot_status trajplot_error_last_status(void) { return last_error().status; }

void trajplot_error_clear(void) {
    LastError& error = last_error();
    error.status = TRAJPLOT_OK;
    error.text = "";
    error.message.clear();
}

void trajplot_string_free(char* string) { std::free(string); }

size_t trajplot_memory_limit(void) { return trajplot::memory_limit(); }

void trajplot_set_memory_limit(size_t bytes) { trajplot::set_memory_limit(bytes); }

size_t trajplot_default_threads(void) {
    // Reads /proc and /sys once; a failure there means one thread, never an
    // exception across the C boundary.
    try {
        return trajplot::default_thread_count();
    } catch (...) {
        return 1;
    }
}

// ---------------------------------------------------------------------------
// Text

trajplot_status trajplot_trunc_string_left(char** out, size_t* out_len, const char* string, size_t string_len,
                                           size_t new_len) {
    return guarded(__func__, [&] {
        require(out, "out");
        if (string_len > 0) require(string, "string");
        const std::string text = utf8_string(std::string_view(string_len > 0 ? string : "", string_len));
        // The result holds at most new_len padding spaces plus the text.
        if (new_len > max_object_bytes - 1 - text.size()) {
            fail(trajplot::Errc::range, message("new_len ", new_len, " is too large for a string"));
        }
        give_string(out, out_len, trajplot::trunc_string_left(text, new_len));
    });
}

// ---------------------------------------------------------------------------
// String arrays

trajplot_status trajplot_strings_init(trajplot_strings* strings, unsigned int version) {
    return guarded(__func__, [&] {
        require(strings, "strings");
        require_version(version, TRAJPLOT_STRINGS_VERSION, "version", "TRAJPLOT_STRINGS_VERSION");
        *strings = TRAJPLOT_STRINGS_INIT;
    });
}
