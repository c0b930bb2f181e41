#!/usr/bin/env bash
# Reproduces THEORY.md §6, Theorem E2: the (1,3,2,1) ReLU net f of c2_sep_1d_R.json is convex, yet no
# ICNN of the same architecture implements it, because f has 8 breakpoints on the line while Lemma E1
# allows any (1,3,2,1) ICNN at most n1 + 2 n2 = 7. The same for its companions on [-1,1] and [-1,1]^2.
#
# For each net and domain this prints the exact breakpoints, the Lemma E1 bound computed by relucert
# from the architecture in the JSON file (nothing is hard-coded here), and the convexity verdict of
# `relucert check`. It exits 0 only if every claim holds:
#   the restriction to the line is convex, its breakpoint count exceeds the bound,
#   and `relucert check` proves f convex on the domain.
#
# usage (from anywhere):  bash examples/paper/separation.sh [PATH/TO/relucert]
#   default binary: ./build/relucert relative to the repository root.
set -u

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [[ $# -ge 1 ]]; then
  # A path given by the caller is relative to the caller's directory.
  case $1 in /*) relucert=$1 ;; *) relucert=$PWD/$1 ;; esac
  shown=$1
else
  relucert=$root/build/relucert
  shown=./build/relucert
fi
cd "$root" || exit 2
if [[ ! -x $relucert ]]; then
  echo "separation.sh: relucert not found at $relucert (build it first: cmake -S . -B build && cmake --build build)" >&2
  exit 2
fi

failures=0
fail() {
  echo "CLAIM FAILED: $*"
  failures=$((failures + 1))
}

# Value of a top-level key in relucert's one-line JSON (scalars and flat arrays only).
json_field() { # json key
  local v
  v=$(grep -o "\"$2\":\(\[[^]]*\]\|\"[^\"]*\"\|[^,}]*\)" <<<"$1" | head -n 1)
  v=${v#\"$2\":}
  v=${v//\"/}
  echo "$v"
}

# net | box spec ("" for R^d) | line P:D | show the full text output (1) or not (0)
cases=(
  "c2_sep_1d_R.json||0:1|0"
  "c2_sep_1d_R.json|-1:5|0:1|1"
  "c2_sep_1d_box.json||0:1|0"
  "c2_sep_1d_box.json|-1:1|0:1|1"
  "c2_sep_2d_lift.json||0,0:1,0|0"
  "c2_sep_2d_lift.json|-1:1|0,0:1,0|1"
  "c2_sep_2d_lift.json|-1:1|0,1/3:1,0|0"
)

rows=()
for c in "${cases[@]}"; do
  IFS='|' read -r net box line show <<<"$c"
  file=examples/paper/$net
  boxargs=()
  [[ -n $box ]] && boxargs=(--box "$box")

  if [[ $show == 1 ]]; then
    echo "\$ $shown breakpoints $file --line $line ${boxargs[*]} --icnn-bound"
    "$relucert" breakpoints "$file" --line "$line" "${boxargs[@]}" --icnn-bound
    echo
  fi

  bp=$("$relucert" breakpoints "$file" --line "$line" "${boxargs[@]}" --icnn-bound --json)
  bp_code=$?
  check=$("$relucert" check "$file" "${boxargs[@]}" --json)
  check_code=$?
  domain=$(json_field "$check" domain)
  count=$(json_field "$bp" count)
  bound=$(json_field "$bp" icnn_bound)
  arch=$(json_field "$bp" architecture)
  convex_line=$(json_field "$bp" convex_on_line)
  verdict=$(json_field "$check" verdict)
  points=$(json_field "$bp" breakpoints)

  if [[ $show == 1 ]]; then
    echo "\$ $shown check $file ${boxargs[*]}"
    echo "verdict: $verdict  (exit code $check_code)"
    echo
  fi

  what="$net on ${domain:-?} along $line"
  [[ $bp_code == 0 && $convex_line == true ]] || fail "$what: the restriction to the line is not convex (exit $bp_code)"
  [[ $count =~ ^[0-9]+$ && $bound =~ ^[0-9]+$ ]] || fail "$what: no breakpoint count or ICNN bound in: $bp"
  [[ $count =~ ^[0-9]+$ && $bound =~ ^[0-9]+$ ]] && ((count > bound)) ||
    fail "$what: $count breakpoints do not exceed the ICNN bound $bound"
  [[ $check_code == 0 && $verdict == convex ]] || fail "$what: relucert check says '$verdict' (exit $check_code), not convex"
  arch=${arch#[}
  points=${points#[}
  rows+=("$net|${domain:-?}|$line|$count|$bound|${arch%]}|$verdict|${points%]}")
done

echo "Summary: breakpoints of s -> f(P + s D) on the domain vs. the Lemma E1 bound n1 + 2 n2 of the architecture"
printf '%-20s %-20s %-12s %-11s %-10s %-12s %s\n' net domain "line P:D" breakpoints "ICNN bound" architecture "relucert check"
for r in "${rows[@]}"; do
  IFS='|' read -r net domain line count bound arch verdict points <<<"$r"
  printf '%-20s %-20s %-12s %-11s %-10s %-12s %s\n' "$net" "$domain" "$line" "$count" "$bound" "($arch)" "$verdict"
  echo "    breakpoints s: ${points//,/, }"
done
echo
if ((failures == 0)); then
  echo "Claim reproduced: each net is convex on its domain (relucert check), and its restriction to the line"
  echo "has more breakpoints than Lemma E1 allows any ICNN of its architecture (with or without input skips),"
  echo "so no such ICNN implements it there (Theorem E2)."
  exit 0
fi
echo "$failures claim(s) failed."
exit 1
