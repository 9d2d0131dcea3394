// How many threads trajplot spreads work over unless told otherwise.
#pragma once

#include <cstddef>

namespace trajplot {

// The CPUs this process may run on: its CPU affinity mask, limited by the
// CPU quota of its cgroup (v2 cpu.max, v1 cpu.cfs_quota_us over
// cpu.cfs_period_us, of its own cgroup and every ancestor) rounded up; at
// least 1. A container given 1.5 CPUs of a 64-core machine gets 2, not 64.
// Read once, on first use, from any thread.
std::size_t default_thread_count();

}  // namespace trajplot
