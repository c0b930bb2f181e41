#pragma once
// Exact (the default, and the only mode the CLI and the library use) or FloatOnly: the same
// algorithms with every exact check skipped (double LP answers trusted, double signs trusted,
// no exact fallback). FloatOnly exists only so bench/ can measure the cost of exactness as a
// ratio in one run; its verdicts prove nothing and are never printed as verdicts.
namespace relucert {

enum class ArithmeticMode { Exact, FloatOnly };

void set_arithmetic_mode(ArithmeticMode mode);
ArithmeticMode arithmetic_mode();

}  // namespace relucert
