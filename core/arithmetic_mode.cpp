#include "core/arithmetic_mode.hpp"

#include <atomic>

namespace relucert {
namespace {
std::atomic<ArithmeticMode> g_mode{ArithmeticMode::Exact};
}

void set_arithmetic_mode(ArithmeticMode mode) { g_mode.store(mode, std::memory_order_relaxed); }
ArithmeticMode arithmetic_mode() { return g_mode.load(std::memory_order_relaxed); }

}  // namespace relucert
