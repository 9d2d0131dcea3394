// Building TextArrays, from views of UTF-8 or from the layouts other
// languages hold (fixed-width UTF-32 or bytes, one buffer with offsets): one
// pass to size the pool and check the memory limit, one to fill it.
#include "trajplot/text_array.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <string_view>

#include "text_array_internals.hpp"
#include "text_internals.hpp"
#include "trajplot/error.hpp"
#include "trajplot/memory.hpp"
#include "trajplot/text.hpp"

namespace trajplot {

namespace {

constexpr std::size_t bytes_per_index = sizeof(std::uint64_t) + 2 * sizeof(std::uint32_t) + sizeof(std::uint8_t);
constexpr std::uint64_t max_string_bytes = std::numeric_limits<std::uint32_t>::max();

std::size_t saturating_add(std::size_t a, std::size_t b) { return a > SIZE_MAX - b ? SIZE_MAX : a + b; }

template <std::size_t N>
std::size_t element_count(const std::array<std::size_t, N>& shape) {
    std::size_t count = 1;
    for (const std::size_t extent : shape) {
        if (extent != 0 && count > SIZE_MAX / extent) fail(Errc::range, "a string array's shape overflows size_t");
        count *= extent;
    }
    return count;
}

std::size_t index_bytes(std::size_t count) {
    return count > SIZE_MAX / bytes_per_index ? SIZE_MAX : count * bytes_per_index;
}

std::string array_description(std::size_t count) { return "an array of " + std::to_string(count) + " strings"; }

[[noreturn]] void string_too_long(std::size_t i, std::uint64_t size) {
    fail(Errc::range, "string " + std::to_string(i) + " has " + std::to_string(size) + " bytes; at most " +
                          std::to_string(max_string_bytes) + " are supported");
}

// Bytes of a NUL-padded string before its padding, eight at a time.
std::size_t unpadded_bytes_length(const char* text, std::size_t width) noexcept {
    while (width >= 8) {
        std::uint64_t word = 0;
        std::memcpy(&word, text + width - 8, sizeof word);
        if (word != 0) break;
        width -= 8;
    }
    while (width > 0 && text[width - 1] == '\0') --width;
    return width;
}

// Units of a NUL-padded UTF-32 string before its padding, looked at two
// at a time from the end: padding is often most of a numpy array's width.
std::size_t unpadded_utf32_length(const std::uint32_t* text, std::size_t width) noexcept {
    while (width >= 2) {
        std::uint64_t pair = 0;
        std::memcpy(&pair, text + width - 2, sizeof pair);
        if (pair != 0) break;
        width -= 2;
    }
    if (width > 0 && text[width - 1] == 0) --width;
    return width;
}

// Bytes of the UTF-8 encoding of UTF-32 units, a unit that is no scalar
// value standing for U+FFFD (3 bytes, as a surrogate's own encoding would
// be). Without branches, which text mixing scripts would mispredict.
std::size_t utf8_size(const std::uint32_t* text, std::size_t length) noexcept {
    std::size_t size = length;
    for (std::size_t k = 0; k < length; ++k) {
        const std::uint32_t unit = text[k];
        size += std::size_t{unit >= 0x80u} + std::size_t{unit >= 0x800u} + std::size_t{unit - 0x10000u <= 0xFFFFFu};
    }
    return size;
}

// What one pass over a string's bytes tells: bit 0 of `flags` a byte that
// may need escaping (may_need_escaping), bit 1 a byte above ASCII, and
// the code points the string has if it is valid UTF-8.
struct ByteScan {
    std::uint8_t flags = 0;
    std::size_t code_points = 0;
};

constexpr std::uint8_t may_escape_flag = 1;
constexpr std::uint8_t non_ascii_flag = 2;

constexpr std::array<std::uint8_t, 256> byte_flags = [] {
    std::array<std::uint8_t, 256> flags{};
    for (unsigned c = 0; c < 256; ++c) {
        flags[c] = static_cast<std::uint8_t>((may_need_escaping(static_cast<unsigned char>(c)) ? may_escape_flag : 0) |
                                             (c >= 0x80 ? non_ascii_flag : 0));
    }
    return flags;
}();

// An ASCII unit (below 0x80) that may need escaping.
constexpr bool ascii_needs_escaping(std::uint32_t unit) noexcept { return (byte_flags[unit] & may_escape_flag) != 0; }

// One pass instead of three (validity, escaping, code points): labels are
// short, hundreds of thousands of them, and mostly ASCII, which needs no
// further look.
ByteScan scan_bytes(std::string_view text) noexcept {
    ByteScan scan;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        scan.flags |= byte_flags[byte];
        scan.code_points += (byte & 0xC0) != 0x80;
    }
    return scan;
}

constexpr bool is_scalar_value(std::uint32_t unit) noexcept {
    return unit <= 0x10FFFF && (unit < 0xD800 || unit > 0xDFFF);
}

}  // namespace

struct TextArrayBuilder {
    template <std::size_t N>
    static TextArray<N> with_indices(const std::array<std::size_t, N>& shape) {
        TextArray<N> array;
        array.offsets_ = xt::xtensor<std::uint64_t, N>::from_shape(shape);
        array.sizes_ = xt::xtensor<std::uint32_t, N>::from_shape(shape);
        array.code_points_ = xt::xtensor<std::uint32_t, N>::from_shape(shape);
        array.plain_ = xt::xtensor<std::uint8_t, N>::from_shape(shape);
        return array;
    }

    // Strings that are meant to be UTF-8, as views `raw_of(i)`, which is
    // called twice per string: once to size the pool (and check the memory
    // limit before allocating), once to fill it.
    template <std::size_t N, class RawOf>
    static TextArray<N> from_utf8(const std::array<std::size_t, N>& shape, RawOf&& raw_of) {
        const std::size_t count = element_count(shape);
        // The pool holds every string, a NUL after each and the slack.
        std::size_t pool_bytes = text_array_read_slack;
        for (std::size_t i = 0; i < count; ++i) pool_bytes = saturating_add(pool_bytes, raw_of(i).size() + 1);
        check_memory(saturating_add(pool_bytes, index_bytes(count)), array_description(count));

        TextArray<N> array = with_indices(shape);
        auto pool = std::make_shared<std::string>();
        pool->reserve(pool_bytes);
        for (std::size_t i = 0; i < count; ++i) {
            const std::string_view raw = raw_of(i);
            const std::uint64_t offset = pool->size();
            ByteScan scan = scan_bytes(raw);
            if ((scan.flags & non_ascii_flag) == 0 || is_valid_utf8(raw)) {
                pool->append(raw);
            } else {
                pool->append(sanitize_utf8(raw));
                scan = scan_bytes(std::string_view(*pool).substr(offset));
            }
            const std::uint64_t size = pool->size() - offset;
            if (size > max_string_bytes) string_too_long(i, size);
            array.offsets_.data()[i] = offset;
            array.sizes_.data()[i] = static_cast<std::uint32_t>(size);
            array.code_points_.data()[i] = static_cast<std::uint32_t>(scan.code_points);
            array.plain_.data()[i] = (scan.flags & may_escape_flag) != 0 ? 0 : 1;
            pool->push_back('\0');  // lets the C API lend NUL-terminated strings
        }
        pool->append(text_array_read_slack, '\0');
        array.pool_ = std::move(pool);
        return array;
    }

    // One pass sizes every string's UTF-8 into the index arrays, so that the
    // pool is allocated once at its exact size; a second encodes into it.
    template <std::size_t N>
    static TextArray<N> from_utf32(const std::array<std::size_t, N>& shape, const std::uint32_t* units,
                                   std::size_t width) {
        const std::size_t count = element_count(shape);
        if (count != 0 && width > SIZE_MAX / sizeof(std::uint32_t) / count) {
            fail(Errc::range, array_description(count) + " of " + std::to_string(width) +
                                  " UTF-32 units each overflows the address space");
        }
        // Every string needs at least its NUL; the rest is known once sized.
        const std::size_t least = saturating_add(index_bytes(count), count + text_array_read_slack);
        check_memory(least, array_description(count));

        TextArray<N> array = with_indices(shape);
        std::uint64_t* offsets = array.offsets_.data();
        std::uint32_t* sizes = array.sizes_.data();
        std::uint32_t* code_points = array.code_points_.data();
        std::size_t pool_bytes = 0;
        for (std::size_t i = 0; i < count; ++i) {
            const std::uint32_t* text = units + i * width;
            const std::size_t length = unpadded_utf32_length(text, width);
            const std::size_t size = utf8_size(text, length);
            if (size > max_string_bytes) string_too_long(i, size);
            offsets[i] = pool_bytes;
            sizes[i] = static_cast<std::uint32_t>(size);
            code_points[i] = static_cast<std::uint32_t>(length);  // one code point per unit
            pool_bytes = saturating_add(pool_bytes, size + 1);
        }
        check_memory(saturating_add(saturating_add(pool_bytes, text_array_read_slack), index_bytes(count)),
                     array_description(count));

        // Zero-filled: the NUL after each string and the slack are in place.
        auto pool = std::make_shared<std::string>(pool_bytes + text_array_read_slack, '\0');
        std::uint8_t* plain = array.plain_.data();
        for (std::size_t i = 0; i < count; ++i) {
            const std::uint32_t* text = units + i * width;
            const std::size_t length = code_points[i];
            char* out = pool->data() + offsets[i];
            bool escapes = false;
            if (sizes[i] == length) {
                // ASCII only: one byte per unit.
                for (std::size_t k = 0; k < length; ++k) {
                    out[k] = static_cast<char>(text[k]);
                    escapes |= ascii_needs_escaping(text[k]);
                }
            } else {
                for (std::size_t k = 0; k < length; ++k) {
                    const std::uint32_t unit = text[k];
                    if (unit < 0x80) {
                        *out++ = static_cast<char>(unit);
                        escapes |= ascii_needs_escaping(unit);
                        continue;
                    }
                    const std::uint32_t code_point = is_scalar_value(unit) ? unit : 0xFFFD;
                    out = put_utf8(out, code_point);
                    escapes |= code_point_may_need_escaping(code_point);
                }
            }
            plain[i] = escapes ? 0 : 1;
        }
        array.pool_ = std::move(pool);
        return array;
    }
};

template <std::size_t N>
TextArray<N> TextArray<N>::build(const shape_type& shape, const TextOf& text_of) {
    return TextArrayBuilder::from_utf8(shape, text_of);
}

template <std::size_t N>
TextArray<N> TextArray<N>::from_utf32(const shape_type& shape, const std::uint32_t* units, std::size_t width) {
    return TextArrayBuilder::from_utf32(shape, units, width);
}

template <std::size_t N>
TextArray<N> TextArray<N>::from_padded_bytes(const shape_type& shape, const char* bytes, std::size_t width) {
    const std::size_t count = element_count(shape);
    if (count != 0 && width > SIZE_MAX / count) {
        fail(Errc::range,
             array_description(count) + " of " + std::to_string(width) + " bytes each overflows the address space");
    }
    return TextArrayBuilder::from_utf8(shape, [&](std::size_t i) {
        const char* text = bytes + i * width;
        return std::string_view(text, unpadded_bytes_length(text, width));
    });
}

template <std::size_t N>
TextArray<N> TextArray<N>::from_offsets(const shape_type& shape, const char* bytes, std::size_t bytes_len,
                                        const std::uint64_t* offsets) {
    const std::size_t count = element_count(shape);
    for (std::size_t i = 0; i < count; ++i) {
        if (offsets[i + 1] < offsets[i]) {
            fail(Errc::invalid_argument, "string offsets decrease: offsets[" + std::to_string(i + 1) + "] is " +
                                             std::to_string(offsets[i + 1]) + " but offsets[" + std::to_string(i) +
                                             "] is " + std::to_string(offsets[i]));
        }
    }
    if (offsets[count] > bytes_len) {
        fail(Errc::invalid_argument, "string offsets pass the end of the bytes: offsets[" + std::to_string(count) +
                                         "] is " + std::to_string(offsets[count]) + " but there are " +
                                         std::to_string(bytes_len) + " bytes");
    }
    return TextArrayBuilder::from_utf8(shape, [&](std::size_t i) {
        return std::string_view(bytes + offsets[i], static_cast<std::size_t>(offsets[i + 1] - offsets[i]));
    });
}

template class TextArray<1>;
template class TextArray<2>;
template class TextArray<3>;
template class TextArray<4>;

}  // namespace trajplot
