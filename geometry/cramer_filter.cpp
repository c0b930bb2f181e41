#include "geometry/cramer_filter.hpp"

#include <array>
#include <bit>
#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <utility>

namespace relucert {
namespace {

// Error analysis (u = 2^-53). Entries are converted by to_double: relative error <= 2u (here in
// cramer_signs; cramer_signs_from_doubles requires its caller to pass exactly those doubles, e.g. a
// row's approx_a(), which halfspace.cpp sets with to_double and flips by exact negation -- and
// to_double(-z) = -to_double(z): one limb is cast then negated, get_d truncates toward zero).
// The bound below holds for any doubles within relative 2u of the integers. The minors
// are built row by row: D_L[S] (rows 0..L-1, columns S, |S| = L) is a sum of L products
// +-R[L-1][j] * D_{L-1}[S \ j]. With |D^_{L-1} - D_{L-1}| <= e_{L-1} A_{L-1}, where A_L is the
// same expansion with every term replaced by its absolute value (so |D_L| <= A_L), one level gives
//   e_L <= e_{L-1} (1 + 2u + g) + 2u + g,   g = gamma_L (1 + 2u) <= 1.01 L u,
// hence e_L <= (2L + L(L+1)/2) * 1.1 u for L <= 10 (the dots with the extra rows are level
// r + 1 <= 9). The computed magnitude A^ differs from A by a relative (L+1) u at most. The bound
// used, 8 (L + 3)^2 u A^, covers both with a wide margin. No overflow: entries are <= 2^100, a
// product of at most 9 of them is <= 2^900, and a sum of at most 9! such terms stays < 2^920; no
// underflow: nonzero integers are >= 1.
constexpr double kMaxEntry = 0x1p100;

double bound(std::size_t level, double magnitude) {
  const double l = static_cast<double>(level + 3);
  return 8.0 * l * l * 0x1p-53 * magnitude;
}

Sign certified(double value, double magnitude, std::size_t level) {
  const double b = bound(level, magnitude);
  if (value > b) return Sign::Positive;
  if (value < -b) return Sign::Negative;
  return Sign::Zero;
}

// The expansion for N columns (r = N - 1 rows), with N a compile-time constant so the loops over
// columns unroll: masks of size 1..N-1 by size, ascending within a size (the order in which the
// levels are built; each level reads only the one below). The arithmetic (terms, their order and
// signs) is the same for every N; only the loop control is specialised.
constexpr std::size_t binomial(std::size_t n, std::size_t k) {
  std::size_t b = 1;
  for (std::size_t i = 0; i < k; ++i) b = b * (n - i) / (i + 1);
  return b;
}

template <std::size_t N>
constexpr std::array<unsigned, (1u << N) - 2> expansion_masks() {
  std::array<unsigned, (1u << N) - 2> t{};
  std::size_t k = 0;
  for (int size = 1; size < static_cast<int>(N); ++size)
    for (unsigned mask = 1; mask + 1 < (1u << N); ++mask)
      if (std::popcount(mask) == size) t[k++] = mask;
  return t;
}

// One term of the expansion of D[mask] along its last row: m[j] * D[rest], rest = mask \ j.
struct Term {
  unsigned char j;
  unsigned short rest;
};

// The terms for N columns, in expansion_masks' order: each mask's terms with j ascending (a mask
// of size L has L terms). sum_{L=1}^{N-1} L C(N, L) = N 2^(N-1) - N of them.
template <std::size_t N>
constexpr std::array<Term, N * (std::size_t{1} << (N - 1)) - N> expansion_terms() {
  std::array<Term, N * (std::size_t{1} << (N - 1)) - N> t{};
  std::size_t k = 0;
  for (const unsigned mask : expansion_masks<N>())
    for (unsigned j = 0; j < N; ++j)
      if (mask & (1u << j)) t[k++] = Term{static_cast<unsigned char>(j), static_cast<unsigned short>(mask & ~(1u << j))};
  return t;
}

// Level ROW + 1 (row ROW of R, the masks of size ROW + 1), then the next ones: the term count
// per mask and the terms' signs are compile-time constants, so the inner loop unrolls without
// branches. Term p of a mask has sign (-1)^(ROW + p) (expansion along the last row, ROW).
template <std::size_t N, std::size_t ROW>
void expand_level(const double* rows, double* D, double* A, const Term* t, const unsigned* masks) {
  if constexpr (ROW + 1 < N) {
    const double* m = rows + ROW * N;
    constexpr std::size_t count = binomial(N, ROW + 1);
    for (std::size_t q = 0; q < count; ++q, t += ROW + 1) {
      double d = 0, a = 0;
      for (std::size_t p = 0; p <= ROW; ++p) {
        const double x = m[t[p].j];
        const double v = x * D[t[p].rest];
        d += ((ROW + p) % 2 == 0) ? v : -v;
        a += std::fabs(x) * A[t[p].rest];
      }
      D[masks[q]] = d;
      A[masks[q]] = a;
    }
    expand_level<N, ROW + 1>(rows, D, A, t, masks + count);
  }
}

// D[mask], A[mask]: the minor of rows 0..|mask|-1 on the columns in mask, and its magnitude (the
// same expansion with every term replaced by its absolute value). D[0] = A[0] = 1 on entry.
template <std::size_t N>
void expand_minors(const double* rows, double* D, double* A) {
  static constexpr auto terms = expansion_terms<N>();
  static constexpr auto masks = expansion_masks<N>();
  expand_level<N, 0>(rows, D, A, terms.data(), masks.data());
}

template <std::size_t... Ns>
constexpr std::array<void (*)(const double*, double*, double*), sizeof...(Ns)> expansion_table(std::index_sequence<Ns...>) {
  return {&expand_minors<Ns + 1>...};
}
// expansions[n - 1] for n = 1..kMaxCramerRows + 1 columns.
constexpr auto expansions = expansion_table(std::make_index_sequence<kMaxCramerRows + 1>());

// frexp's exponent of a finite nonzero double that is not subnormal (|v| in [2^(k-1), 2^k)),
// read from its bits: no libm call. The doubles here are to_double of nonzero integers (>= 1).
int binary_exponent(double v) {
  return static_cast<int>((std::bit_cast<std::uint64_t>(v) >> 52) & 0x7ff) - 1022;
}

// 2^-e for 0 <= e <= 1022 (a normal double), built from its bits: v * pow2_neg(e) is ldexp(v, -e),
// exactly, whenever the result is normal (a product by a power of two is then exact).
double pow2_neg(int e) { return std::bit_cast<double>(static_cast<std::uint64_t>(1023 - e) << 52); }

// Every function below reads an entry only through its double v = to_double(z), the conversion
// the error analysis assumes; v == 0 iff z == 0 (to_double is zero only for zero).
bool in_entry_range(double v) { return std::fabs(v) <= kMaxEntry; }  // false for NaN too

// Column scaling. Multiplying column c (of R and of every extra row) by s_c > 0 multiplies y by
// the positive prod_{c' != c} s_c' / s_c pattern (y_c' by prod s / s_c'), and each dot x.y by
// prod s: no sign changes. With s_c = 2^-e_c the scaled doubles are exact (ldexp), so the error
// analysis above holds as it is, provided the scaled nonzero entries stay in [2^-40, 2^100]:
// the upper end is the overflow bound above; the lower end keeps every nonzero intermediate far
// above the subnormal range (a level-L minor or product is then a nonzero multiple of at least
// 2^(-92 L), and L <= 10). Deep nets have rows with entries beyond 2^100 (without scaling, more
// than half the certificates of a depth-4 net fell to the exact elimination for this alone).
// The shift per column: the least that brings its largest entry to 2^100; nullopt when its
// smallest nonzero entry would then drop below 2^-40 (or an entry is not finite in double).
constexpr int kMinScaledExp = -40;  // frexp exponents: |v| in [2^(k-1), 2^k)

std::optional<int> column_shift(const double* R, std::size_t r, const double* X, std::size_t extra_rows,
                                std::size_t n, std::size_t c) {
  int kmax = INT_MIN, kmin = INT_MAX;
  auto see = [&](double v) {
    if (v == 0) return true;
    if (!std::isfinite(v)) return false;
    const int k = binary_exponent(v);  // v is >= 1 in magnitude: never subnormal
    kmax = std::max(kmax, k);
    kmin = std::min(kmin, k);
    return true;
  };
  for (std::size_t i = 0; i < r; ++i)
    if (!see(R[i * n + c])) return std::nullopt;
  for (std::size_t t = 0; t < extra_rows; ++t)
    if (!see(X[t * n + c])) return std::nullopt;
  if (kmax == INT_MIN) return 0;  // a zero column
  const int e = std::max(0, kmax - 100);  // |v 2^-e| < 2^(kmax - e) <= 2^100
  if (kmin - 1 - e < kMinScaledExp) return std::nullopt;
  return e;
}

bool convert_scaled(double v, int shift, double* out) {
  if (shift) v *= pow2_neg(shift);  // exact: the result is normal (column_shift)
  if (!in_entry_range(v)) return false;
  *out = v;
  return true;
}

}  // namespace

bool cramer_signs_from_doubles(const double* Rd, std::size_t r, const double* X, std::size_t extra_rows, Sign* y_out,
                               Sign* dots_out) {
  if (r > kMaxCramerRows) return false;
  const std::size_t n = r + 1;  // columns
  std::array<int, kMaxCramerRows + 1> shift{};
  // M: R as the expansion reads it (scaled when needed). Only the r * n entries used are written
  // and read (no zero fill: this runs once per certificate).
  std::array<double, kMaxCramerRows * (kMaxCramerRows + 1)> M;
  const double* rows = Rd;  // the common case: every entry of R fits unscaled, read in place
  bool in_range = true;
  for (std::size_t i = 0; i < r * n && in_range; ++i) in_range = in_entry_range(Rd[i]);
  if (!in_range) {
    for (std::size_t c = 0; c < n; ++c) {
      const auto e = column_shift(Rd, r, X, extra_rows, n, c);
      if (!e) return false;
      shift[c] = *e;
    }
    for (std::size_t i = 0; i < r * n; ++i)
      if (!convert_scaled(Rd[i], shift[i % n], &M[i])) return false;
    rows = M.data();
  }
  // D[mask], A[mask]: the minor of rows 0..|mask|-1 on the columns in mask, and its magnitude.
  // Masks of different sizes never collide, so one array holds every level; every mask read
  // (mask without one column, one level down) was written before, so no zero fill either.
  std::array<double, (1u << (kMaxCramerRows + 1))> D, A;
  D[0] = 1;
  A[0] = 1;
  const unsigned full = (1u << n) - 1;
  expansions[n - 1](rows, D.data(), A.data());
  std::array<double, kMaxCramerRows + 1> y, ay;
  for (std::size_t c = 0; c < n; ++c) {
    const unsigned minor = full & ~(1u << c);
    y[c] = (c % 2 == 0) ? D[minor] : -D[minor];
    ay[c] = A[minor];
    y_out[c] = certified(y[c], ay[c], r);
  }
  for (std::size_t t = 0; t < extra_rows; ++t) {
    double d = 0, a = 0;
    for (std::size_t c = 0; c < n; ++c) {
      double x = 0;
      if (!convert_scaled(X[t * n + c], shift[c], &x)) return false;
      d += x * y[c];
      a += std::fabs(x) * ay[c];
    }
    dots_out[t] = certified(d, a, r + 1);
  }
  return true;
}

std::optional<CramerSigns> cramer_signs(const std::vector<const Integer*>& R, std::size_t r,
                                        const std::vector<const Integer*>& extras) {
  if (r > kMaxCramerRows) return std::nullopt;
  const std::size_t n = r + 1;
  std::vector<double> Rd(r * n), X(extras.size());
  for (std::size_t i = 0; i < r * n; ++i) Rd[i] = to_double(*R[i]);
  for (std::size_t i = 0; i < extras.size(); ++i) X[i] = to_double(*extras[i]);
  CramerSigns out;
  out.y.resize(n);
  out.dots.resize(extras.size() / n);
  if (!cramer_signs_from_doubles(Rd.data(), r, X.data(), out.dots.size(), out.y.data(), out.dots.data()))
    return std::nullopt;
  return out;
}

}  // namespace relucert
