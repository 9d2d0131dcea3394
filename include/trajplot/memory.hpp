// The memory limit: sizes come from callers (and, through the C API, from
// other languages), and a shape or output that would need more memory than
// the machine has is refused with an Error rather than left to the
// allocator, or to the kernel's out-of-memory killer.
#pragma once

#include <cstddef>
#include <string_view>

namespace trajplot {

// The most bytes one object (labels, a statistic's copy of its stats, a
// hover table) or one in-memory output (a figure's JSON or HTML) may need.
// Process-wide; by default the machine's physical memory. Files and streams
// are written as they are produced and are not limited.
std::size_t memory_limit() noexcept;

// Sets the limit; 0 restores the default. Safe to call from any thread;
// calls already running may see either value.
void set_memory_limit(std::size_t bytes) noexcept;

// Throws Error(Errc::range) naming `what` when `bytes` exceeds the limit.
void check_memory(std::size_t bytes, std::string_view what);

}  // namespace trajplot
