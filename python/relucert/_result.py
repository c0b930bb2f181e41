"""The result of relucert.check, with every number of the proof as an exact Fraction."""
from dataclasses import dataclass, field
from fractions import Fraction
from typing import List, Optional


def _point(v):
    return "(" + ", ".join(str(q) for q in v) + ")"


@dataclass(frozen=True)
class Witness:
    """Points x, y of the domain with gap = 2 f((x+y)/2) - f(x) - f(y) > 0, re-verified by the
    engine's exact forward pass; check it yourself with relucert.value or any exact evaluator."""
    x: List[Fraction]
    y: List[Fraction]
    gap: Fraction

    def __repr__(self):
        return f"Witness(x={_point(self.x)}, y={_point(self.y)}, gap={self.gap})"


@dataclass(frozen=True)
class Result:
    verdict: str                      # "convex" | "not_convex" | "unknown"
    witness: Optional[Witness]        # only when not_convex
    method: str                       # "line-refuter" | "region-complex" | a tier (docs/tiers.md)
    violation: Optional[str]          # where the concave fold is (not_convex)
    reason: Optional[str]             # why unknown (a limit was reached)
    cells: int                        # cells of the region complex (0 if the line refuter answered)
    pairs: int                        # adjacent pairs checked
    pieces: int                       # distinct affine pieces
    lp_questions: int                 # strict-feasibility LPs asked while building the complex
    lp_exact_solves: int              # of which the float filter could not settle
    seconds: float = field(compare=False)
    domain: str = ""                  # "R^2" or "[-1, 1] x [0, 3]"
    network: str = ""
    proof: Optional[str] = None       # the tier's one-line summary when a tier proved "convex"
    certificate: Optional[str] = field(default=None, repr=False, compare=False)  # that tier's certificate text

    @property
    def convex(self):
        """True, False, or None when unknown."""
        return {"convex": True, "not_convex": False}.get(self.verdict)

    @classmethod
    def _from_engine(cls, d):
        w = d["witness"]
        witness = None if w is None else Witness([Fraction(q) for q in w["x"]], [Fraction(q) for q in w["y"]],
                                                 Fraction(w["gap"]))
        return cls(witness=witness, **{k: v for k, v in d.items() if k != "witness"})

    def __repr__(self):
        parts = [f"verdict={self.verdict!r}"]
        if self.witness:
            parts.append(f"witness={self.witness!r}")
        if self.reason:
            parts.append(f"reason={self.reason!r}")
        parts += [f"method={self.method!r}", f"cells={self.cells}", f"pairs={self.pairs}", f"pieces={self.pieces}",
                  f"domain={self.domain!r}"]
        return "Result(" + ", ".join(parts) + ")"

    def __str__(self):
        """The CLI's text report."""
        # In-memory networks are all called "network"; a file's path is worth repeating.
        lines = [f"network: {self.network}"] if self.network != "network" else []
        lines += [f"domain:  {self.domain}",
                 "verdict: " + {"convex": "convex", "not_convex": "not convex"}.get(self.verdict, f"unknown ({self.reason})")]
        if self.witness:
            lines += [f"witness: x = {_point(self.witness.x)}", f"         y = {_point(self.witness.y)}",
                      f"         2 f((x+y)/2) - f(x) - f(y) = {self.witness.gap} > 0  (re-verified by an exact forward pass)"]
        if self.proof:
            lines.append(f"proved by: the {self.method} tier, {self.proof}")
        if self.method == "region-complex":
            lines.append(f"cells: {self.cells}, adjacent pairs checked: {self.pairs}, affine pieces: {self.pieces}")
        return "\n".join(lines)
