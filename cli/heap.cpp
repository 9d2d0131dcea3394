#include "heap.hpp"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

namespace trajplot_cli {
namespace {

constexpr std::uintptr_t huge_page = std::uintptr_t{2} << 20;
// Address space only: pages count once they are touched.
constexpr int heap_reserve = 256 << 20;

}  // namespace

void prepare_heap() noexcept {
#if defined(__GLIBC__) && defined(MADV_HUGEPAGE)
    // Blocks of any size from the heap, which grows by the reserve at once
    // and is never given back: the process is short-lived.
    if (mallopt(M_MMAP_THRESHOLD, heap_reserve) == 0 || mallopt(M_TOP_PAD, heap_reserve) == 0 ||
        mallopt(M_TRIM_THRESHOLD, heap_reserve) == 0) {
        return;
    }
    // Larger than what is left of the heap the loader began: it grows now.
    void* first = std::malloc(huge_page);
    if (first == nullptr) return;
    const auto start = (reinterpret_cast<std::uintptr_t>(first) + huge_page - 1) & ~(huge_page - 1);
    const auto end = reinterpret_cast<std::uintptr_t>(sbrk(0)) & ~(huge_page - 1);
    // Only where the block is in the heap just grown (not, say, in a
    // sanitizer's or valgrind's allocator, which ignore mallopt).
    if (end > start && end - start <= 2 * static_cast<std::uintptr_t>(heap_reserve)) {
        madvise(reinterpret_cast<void*>(start), end - start, MADV_HUGEPAGE);
    }
    std::free(first);
#endif
}

}  // namespace trajplot_cli
