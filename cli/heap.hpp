// The tool's heap, set up before anything is allocated.
#pragma once

namespace trajplot_cli {

// Makes the heap one region backed by transparent huge pages where the
// kernel offers them (madvise mode). A large render touches tens of
// megabytes once: the spec's text, the parser's index, the packed labels
// and the library's copy of them. On virtual machines each first touch of
// a 4 KiB page costs 10-15 us, more than the work done in it, and a 2 MiB
// page replaces 512 of those. Large blocks then come from this heap rather
// than from a mapping of their own per block, which glibc would make with
// 4 KiB pages. Does nothing where it cannot (other allocators, no THP).
void prepare_heap() noexcept;

}  // namespace trajplot_cli
