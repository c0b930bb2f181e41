// Compiled into every executable that links mimalloc (CMakeLists.txt, relucert_fast_malloc):
// mimalloc takes its segments from the OS in large (2 MiB) pages, which Linux gives as
// transparent huge pages on madvise. The complexes touch their memory once each, and a 4 KiB
// page fault is expensive on a VM: d = 3 depth 6 takes 4,900 faults and 15% more process CPU
// without large pages, d = 3 [10, 10] 16% more (bench/shapes.py nets, one thread); d = 2
// [512, 512] about 1.3x. The price is a few MB of eagerly committed memory per process.
// MIMALLOC_LARGE_OS_PAGES in the environment still decides when it is set (0 turns this off).
//
// When: mimalloc reads this option once, as it initialises, which happens in its library
// constructor, before any static initialiser of the executable. A static initialiser setting it
// (as this file did before) changed the option's value but no segment: it had no effect. A
// function in .preinit_array runs before every shared library's constructor (the ELF rule for
// executables), so the option is set before mimalloc first reads it. It reads the environment
// from its envp argument: nothing here allocates.
#include <cstring>

#include <mimalloc.h>

namespace {

void large_os_pages_unless_told(int, char**, char** envp) {
  constexpr const char* kName = "MIMALLOC_LARGE_OS_PAGES=";
  for (char** e = envp; e && *e; ++e)
    if (std::strncmp(*e, kName, std::strlen(kName)) == 0) return;  // mimalloc reads it itself
  mi_option_set(mi_option_large_os_pages, 1);
}

[[gnu::section(".preinit_array"), gnu::used]] void (*const set_options_first)(int, char**, char**) = &large_os_pages_unless_told;

}  // namespace
