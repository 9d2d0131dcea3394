// An immutable N-dimensional array of UTF-8 strings. The bytes live once in a
// shared pool; the array holds xtensor index arrays into it, so taking rows
// (stride) copies indices, never text. Each string's length in code points
// is kept too: hover tables are padded by it, for every cell of every
// export.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

namespace trajplot {

template <std::size_t N>
class TextArray {
public:
    using shape_type = std::array<std::size_t, N>;

    TextArray() = default;

    // Returns the i-th string of the array in row-major order; the view
    // need only stay valid until the next call.
    using TextOf = std::function<std::string_view(std::size_t i)>;

    // Builds an array of `shape` from `text_of(0)`, `text_of(1)`, ...; each
    // string is stored with invalid UTF-8 replaced by U+FFFD. Throws
    // Error(Errc::range) before allocating when the shape's count overflows,
    // a string has 4 GiB or more, or the strings would need more than
    // memory_limit().
    static TextArray build(const shape_type& shape, const TextOf& text_of);

    static TextArray from_strings(const shape_type& shape, const std::vector<std::string>& strings) {
        return build(shape, [&](std::size_t i) { return std::string_view(strings.at(i)); });
    }

    // The layouts in which other languages hold arrays of strings, read in
    // row-major order straight into the pool, with no string built per
    // element. Each throws as build() does; the caller guarantees that the
    // memory described is readable.

    // `width` UTF-32 code units per string, in the host's byte order (numpy's
    // U<width> dtype). U+0000 units at the end of a string are padding, not
    // part of it; U+0000 before another unit is kept, as numpy keeps it. A
    // unit that is no Unicode scalar value (a surrogate, or above U+10FFFF)
    // is stored as one U+FFFD.
    static TextArray from_utf32(const shape_type& shape, const std::uint32_t* units, std::size_t width);

    // `width` bytes per string (numpy's S<width> dtype), NUL bytes at the
    // end of a string being padding; read as UTF-8, as build() reads it.
    static TextArray from_padded_bytes(const shape_type& shape, const char* bytes, std::size_t width);

    // UTF-8 strings one after the other in `bytes` (`bytes_len` bytes):
    // string i is bytes[offsets[i], offsets[i + 1]), size() + 1 offsets.
    // Throws Error(Errc::invalid_argument), before reading any string, when
    // an offset is below the one before it or the last exceeds bytes_len.
    static TextArray from_offsets(const shape_type& shape, const char* bytes, std::size_t bytes_len,
                                  const std::uint64_t* offsets);

    const shape_type& shape() const noexcept { return offsets_.shape(); }
    std::size_t size() const noexcept { return offsets_.size(); }

    template <class... Index>
    std::string_view operator()(Index... index) const {
        return std::string_view(pool_->data() + offsets_(index...), sizes_(index...));
    }

    // The i-th string in row-major order. Strings are stored followed by a
    // NUL byte, so data() of any string read here is NUL-terminated.
    std::string_view flat(std::size_t i) const {
        return std::string_view(pool_->data() + offsets_.data()[i], sizes_.data()[i]);
    }
    // Its length in code points.
    std::size_t flat_code_points(std::size_t i) const { return code_points_.data()[i]; }

    // The array with only the given indices along axis 0, in that order.
    TextArray keep_rows(const std::vector<std::size_t>& rows) const {
        TextArray result;
        result.pool_ = pool_;
        result.offsets_ = xt::view(offsets_, xt::keep(rows));
        result.sizes_ = xt::view(sizes_, xt::keep(rows));
        result.code_points_ = xt::view(code_points_, xt::keep(rows));
        result.plain_ = xt::view(plain_, xt::keep(rows));
        return result;
    }

private:
    // The writers' view of the storage (src/text_array_internals.hpp).
    friend struct TextArrayInternals;
    // Fills the storage for build() and the layouts above (text_array.cpp).
    friend struct TextArrayBuilder;

    std::shared_ptr<const std::string> pool_ = std::make_shared<const std::string>();
    xt::xtensor<std::uint64_t, N> offsets_;
    xt::xtensor<std::uint32_t, N> sizes_;
    xt::xtensor<std::uint32_t, N> code_points_;
    xt::xtensor<std::uint8_t, N> plain_;
};

// Built in the library for these ranks only.
extern template class TextArray<1>;
extern template class TextArray<2>;
extern template class TextArray<3>;
extern template class TextArray<4>;

}  // namespace trajplot
