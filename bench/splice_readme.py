#!/usr/bin/env python3
"""Replaces a README.md table with a benchmark's results file, so README figures always come from
a run: bench/splice_readme.py NAME FILE puts FILE between "<!-- NAME-table:begin (bench/NAME.sh) -->"
and "<!-- NAME-table:end -->". Run from the repository root."""
import sys

name, path = sys.argv[1], sys.argv[2]
readme = open("README.md").read()
table = open(path).read().strip()
begin, end = f"<!-- {name}-table:begin (bench/{name}.sh) -->", f"<!-- {name}-table:end -->"
if begin not in readme or end not in readme:
    raise SystemExit(f"README.md has no {name} table markers")
a, b = readme.index(begin) + len(begin), readme.index(end)
open("README.md", "w").write(readme[:a] + "\n" + table + "\n" + readme[b:])
print(f"README.md: {name} table replaced from {path}")
