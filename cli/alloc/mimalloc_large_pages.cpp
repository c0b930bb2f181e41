// Compiled into every executable that links mimalloc (CMakeLists.txt, relucert_fast_malloc):
// mimalloc takes its segments from the OS in large (2 MiB) pages, which Linux gives as
// transparent huge pages on madvise. The big complexes touch hundreds of MB once each, and a
// 4 KiB page fault is expensive on a VM: measured 16% of the time of d = 2 [512, 512] (bench/
// shapes.sh) in the kernel's fault path, about 1.3x faster end to end with large pages, and
// 3-7% on the d = 3..6 shapes; the price is a few MB of eagerly committed memory per process.
// MIMALLOC_LARGE_OS_PAGES in the environment still decides when it is set (0 turns this off).
#include <cstdlib>

#include <mimalloc.h>

namespace {

const bool large_os_pages = [] {
  if (std::getenv("MIMALLOC_LARGE_OS_PAGES") == nullptr) mi_option_set(mi_option_large_os_pages, 1);
  return true;
}();

}  // namespace
