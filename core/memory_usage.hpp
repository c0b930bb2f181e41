#pragma once
// Memory accounting for --memory-limit: the resident memory of this process (Linux:
// /proc/self/statm; elsewhere unknown, i.e. 0). Used by the region-complex builder's limit
// check (geometry/region_complex.cpp, check_limits), between splits.
#include <cstddef>

namespace relucert {

// Resident set size of the process in bytes, or 0 when it cannot be read.
std::size_t resident_memory_bytes();

// True when the resident memory exceeds limit_mb megabytes (1 MB = 2^20 bytes). Cheap enough to
// call before every split: /proc is read at most once per millisecond (in between, the last
// reading is reused), so a limit can be overshot by what one millisecond of work allocates.
bool memory_limit_exceeded(std::size_t limit_mb);

}  // namespace relucert
