#pragma once
// CPU seconds of the calling thread (POSIX CLOCK_THREAD_CPUTIME_ID), for reports only: unlike
// wall time it does not grow while other processes hold the cores, so it is what the
// distributed build's statistics (geometry/work_share.hpp) are measured in.
#include <time.h>

namespace relucert {

inline double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

}  // namespace relucert
