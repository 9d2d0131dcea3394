// Building TextArrays: one pass to size the pool and check the memory limit,
// one to fill it.
#include "trajplot/text_array.hpp"

#include <cstdint>
#include <limits>
#include <string>

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

}  // namespace

template <std::size_t N>
TextArray<N> TextArray<N>::build(const shape_type& shape, const TextOf& text_of) {
    std::size_t count = 1;
    for (const std::size_t extent : shape) {
        if (extent != 0 && count > SIZE_MAX / extent) fail(Errc::range, "a string array's shape overflows size_t");
        count *= extent;
    }
    // The pool holds every string, a NUL after each and the slack.
    std::size_t pool_bytes = text_array_read_slack;
    for (std::size_t i = 0; i < count; ++i) pool_bytes = saturating_add(pool_bytes, text_of(i).size() + 1);
    const std::size_t index_bytes = count > SIZE_MAX / bytes_per_index ? SIZE_MAX : count * bytes_per_index;
    check_memory(saturating_add(pool_bytes, index_bytes), "an array of " + std::to_string(count) + " strings");

    TextArray array;
    array.offsets_ = xt::xtensor<std::uint64_t, N>::from_shape(shape);
    array.sizes_ = xt::xtensor<std::uint32_t, N>::from_shape(shape);
    array.code_points_ = xt::xtensor<std::uint32_t, N>::from_shape(shape);
    array.plain_ = xt::xtensor<std::uint8_t, N>::from_shape(shape);
    auto pool = std::make_shared<std::string>();
    pool->reserve(pool_bytes);
    for (std::size_t i = 0; i < count; ++i) {
        const std::string_view raw = text_of(i);
        const std::uint64_t offset = pool->size();
        if (is_valid_utf8(raw)) {
            pool->append(raw);
        } else {
            pool->append(sanitize_utf8(raw));
        }
        const std::uint64_t size = pool->size() - offset;
        if (size > max_string_bytes) {
            fail(Errc::range, "string " + std::to_string(i) + " has " + std::to_string(size) + " bytes; at most " +
                                  std::to_string(max_string_bytes) + " are supported");
        }
        const std::string_view stored(pool->data() + offset, size);
        array.offsets_.data()[i] = offset;
        array.sizes_.data()[i] = static_cast<std::uint32_t>(size);
        array.code_points_.data()[i] = static_cast<std::uint32_t>(code_point_count(stored));
        array.plain_.data()[i] = needs_json_escaping(stored) ? 0 : 1;
        pool->push_back('\0');  // lets the C API lend NUL-terminated strings
    }
    pool->append(text_array_read_slack, '\0');
    array.pool_ = std::move(pool);
    return array;
}

template class TextArray<1>;
template class TextArray<2>;
template class TextArray<3>;
template class TextArray<4>;

}  // namespace trajplot
