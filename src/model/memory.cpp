#include "trajplot/memory.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <string>

#include "trajplot/error.hpp"

namespace trajplot {
namespace {

std::size_t physical_memory() noexcept {
    const long pages = ::sysconf(_SC_PHYS_PAGES);
    const long page_size = ::sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || page_size <= 0) return SIZE_MAX;
    const auto count = static_cast<std::size_t>(pages);
    const auto size = static_cast<std::size_t>(page_size);
    return count > SIZE_MAX / size ? SIZE_MAX : count * size;
}

// 0 stands for the default, read when needed.
std::atomic<std::size_t> configured_limit{0};

}  // namespace

std::size_t memory_limit() noexcept {
    const std::size_t configured = configured_limit.load(std::memory_order_relaxed);
    if (configured != 0) return configured;
    static const std::size_t machine = physical_memory();
    return machine;
}

void set_memory_limit(std::size_t bytes) noexcept { configured_limit.store(bytes, std::memory_order_relaxed); }

void check_memory(std::size_t bytes, std::string_view what) {
    const std::size_t limit = memory_limit();
    if (bytes <= limit) return;
    fail(Errc::range, std::string(what) + " would need " + std::to_string(bytes) +
                          " bytes, more than the memory limit of " + std::to_string(limit) + " bytes");
}

}  // namespace trajplot
