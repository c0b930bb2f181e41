#include "core/memory_usage.hpp"

#include <chrono>
#include <cstdio>

#include <unistd.h>

namespace relucert {

std::size_t resident_memory_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  unsigned long size_pages = 0, resident_pages = 0;
  const int n = std::fscanf(f, "%lu %lu", &size_pages, &resident_pages);
  std::fclose(f);
  if (n != 2) return 0;
  const long page = sysconf(_SC_PAGESIZE);
  return static_cast<std::size_t>(resident_pages) * static_cast<std::size_t>(page > 0 ? page : 4096);
}

bool memory_limit_exceeded(std::size_t limit_mb) {
  if (limit_mb == 0) return false;
  using Clock = std::chrono::steady_clock;
  thread_local Clock::time_point last{};
  thread_local std::size_t last_bytes = 0;
  const Clock::time_point now = Clock::now();
  if (last == Clock::time_point{} || now - last >= std::chrono::milliseconds(1)) {
    last_bytes = resident_memory_bytes();
    last = now;
  }
  return last_bytes / (std::size_t(1) << 20) >= limit_mb;
}

}  // namespace relucert
