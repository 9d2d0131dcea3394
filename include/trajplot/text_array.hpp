// An immutable N-dimensional array of UTF-8 strings. The bytes live once in a
// shared pool; the array holds xtensor index arrays into it, so taking rows
// (stride) copies indices, never text. Each string's length in code points
// is kept too: hover tables are padded by it, for every cell of every
// export.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

#include "trajplot/error.hpp"
#include "trajplot/memory.hpp"
#include "trajplot/text.hpp"

namespace trajplot {

template <std::size_t N>
class TextArray {
public:
    using shape_type = std::array<std::size_t, N>;

    TextArray() = default;

    // Builds an array of `shape` from strings in row-major order; each is
    // stored with invalid UTF-8 replaced by U+FFFD. `text_of(i)` returns the
    // i-th string as a std::string_view.
    // Throws Error(Errc::range) before allocating when the shape's count
    // overflows or the strings would need more than memory_limit().
    template <class TextOf>
    static TextArray build(const shape_type& shape, TextOf&& text_of) {
        std::size_t count = 1;
        for (const std::size_t extent : shape) {
            if (extent != 0 && count > SIZE_MAX / extent) fail(Errc::range, "a string array's shape overflows size_t");
            count *= extent;
        }
        // The pool holds every string, a NUL after each and the slack.
        std::size_t pool_bytes = read_slack;
        for (std::size_t i = 0; i < count; ++i) pool_bytes = saturating_add(pool_bytes, text_of(i).size() + 1);
        const std::size_t index_bytes = count > SIZE_MAX / bytes_per_index ? SIZE_MAX : count * bytes_per_index;
        check_memory(saturating_add(pool_bytes, index_bytes),
                     "an array of " + std::to_string(count) + " strings");

        TextArray array;
        array.offsets_ = xt::xtensor<std::uint64_t, N>::from_shape(shape);
        array.sizes_ = xt::xtensor<std::uint32_t, N>::from_shape(shape);
        array.code_points_ = xt::xtensor<std::uint32_t, N>::from_shape(shape);
        auto pool = std::make_shared<std::string>();
        pool->reserve(pool_bytes);
        for (std::size_t i = 0; i < count; ++i) {
            const std::string_view raw = text_of(i);
            array.offsets_.data()[i] = pool->size();
            if (is_valid_utf8(raw)) {
                pool->append(raw);
            } else {
                pool->append(sanitize_utf8(raw));
            }
            const std::uint64_t size = pool->size() - array.offsets_.data()[i];
            if (size > max_string_bytes) {
                fail(Errc::range, "string " + std::to_string(i) + " has " + std::to_string(size) +
                                      " bytes; at most " + std::to_string(max_string_bytes) + " are supported");
            }
            const std::string_view stored(pool->data() + array.offsets_.data()[i], size);
            array.sizes_.data()[i] = static_cast<std::uint32_t>(size) | (needs_json_escaping(stored) ? 0 : plain_bit);
            array.code_points_.data()[i] = static_cast<std::uint32_t>(code_point_count(stored));
            pool->push_back('\0');  // lets the C API lend NUL-terminated strings
        }
        pool->append(read_slack, '\0');
        array.pool_ = std::move(pool);
        return array;
    }

    static TextArray from_strings(const shape_type& shape, const std::vector<std::string>& strings) {
        return build(shape, [&](std::size_t i) { return std::string_view(strings.at(i)); });
    }

    const shape_type& shape() const noexcept { return offsets_.shape(); }
    std::size_t size() const noexcept { return offsets_.size(); }

    template <class... Index>
    std::string_view operator()(Index... index) const {
        return view_at(offsets_(index...), sizes_(index...));
    }

    // The i-th string in row-major order.
    std::string_view flat(std::size_t i) const { return view_at(offsets_.data()[i], sizes_.data()[i]); }
    // Its length in code points.
    std::size_t flat_code_points(std::size_t i) const { return code_points_.data()[i]; }
    // Whether it has nothing JSON, HTML or Plotly would escape; such a
    // string may be copied in whole words, reading up to read_slack bytes
    // past its end.
    bool flat_is_plain(std::size_t i) const { return (sizes_.data()[i] & plain_bit) != 0; }

    static constexpr std::size_t read_slack = 16;

    // The array with only the given indices along axis 0, in that order.
    TextArray keep_rows(const std::vector<std::size_t>& rows) const {
        TextArray result;
        result.pool_ = pool_;
        result.offsets_ = xt::view(offsets_, xt::keep(rows));
        result.sizes_ = xt::view(sizes_, xt::keep(rows));
        result.code_points_ = xt::view(code_points_, xt::keep(rows));
        return result;
    }

private:
    static constexpr std::size_t bytes_per_index = sizeof(std::uint64_t) + 2 * sizeof(std::uint32_t);
    static std::size_t saturating_add(std::size_t a, std::size_t b) { return a > SIZE_MAX - b ? SIZE_MAX : a + b; }

    // The top bit of a size says the string is plain.
    static constexpr std::uint32_t plain_bit = 0x80000000u;
    static constexpr std::uint64_t max_string_bytes = plain_bit - 1;

    std::string_view view_at(std::uint64_t offset, std::uint32_t size) const {
        return std::string_view(pool_->data() + offset, size & ~plain_bit);
    }

    std::shared_ptr<const std::string> pool_ = std::make_shared<const std::string>();
    xt::xtensor<std::uint64_t, N> offsets_;
    xt::xtensor<std::uint32_t, N> sizes_;
    xt::xtensor<std::uint32_t, N> code_points_;
};

}  // namespace trajplot
