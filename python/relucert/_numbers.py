"""Exact text for Python and numpy numbers, as read by the engine's parser (core/rational.hpp).

Every finite binary float (float16/32/64) is a dyadic rational p/2^k, so it is written as the
exact "p/q" from float.as_integer_ratio(); never through a decimal repr, which would round.
"""
from decimal import Decimal
from fractions import Fraction
import numbers

import numpy as np


def _ratio_text(n, d):
    return str(n) if d == 1 else f"{n}/{d}"


def float_text(v, where):
    if not np.isfinite(v):
        raise ValueError(f"{where}: {v} is not a finite number")
    return _ratio_text(*float(v).as_integer_ratio())


def exact_text(v, where):
    """The exact value of one scalar as "p", "p/q" or the user's own exact text."""
    # bool is an int subclass, but True as a weight is a mistake, not the number 1.
    if isinstance(v, (bool, np.bool_)):
        raise ValueError(f"{where}: expected a number, found a bool")
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.float16, np.float32, np.float64)):
        return float_text(v, where)
    if isinstance(v, np.floating):  # longdouble: wider than a double, so not via float()
        if not np.isfinite(v):
            raise ValueError(f"{where}: {v} is not a finite number")
        return _ratio_text(*v.as_integer_ratio())
    if isinstance(v, Decimal):
        if not v.is_finite():
            raise ValueError(f"{where}: {v} is not a finite number")
        return _ratio_text(*v.as_integer_ratio())
    if isinstance(v, numbers.Rational):  # Fraction and friends
        return _ratio_text(v.numerator, v.denominator)
    if isinstance(v, str):
        return v  # "0.1" is 1/10, "1e-30", "0x1.8p-3": the engine parses and names the field if bad
    raise ValueError(f"{where}: expected a number (int, float, Fraction, numpy scalar or exact text such as "
                     f"'1/3'), found {type(v).__name__}")


def _tensor_to_numpy(t):
    # float16/bfloat16/float32 all embed exactly in float64; numpy has no bfloat16.
    t = t.detach().cpu()
    if t.is_floating_point():
        t = t.double()
    return t.numpy()


def is_tensor(obj):
    return type(obj).__module__.startswith("torch") and hasattr(obj, "detach") and hasattr(obj, "numpy")


def is_array(obj):
    return isinstance(obj, np.ndarray) or is_tensor(obj)


def array_text(a, where, ndim):
    """A numpy array, torch tensor or nested list as nested lists of exact text, checking its rank."""
    if is_tensor(a):
        a = _tensor_to_numpy(a)
    if isinstance(a, np.ndarray):
        if a.ndim != ndim:
            expected = "a 2-D array (one row per output)" if ndim == 2 else "a 1-D array"
            raise ValueError(f"{where}: expected {expected}, found shape {a.shape}")
        if a.dtype.kind == "f" and a.dtype.itemsize <= 8:
            a = a.astype(np.float64)  # exact; tolist() then gives Python floats
        elif a.dtype.kind not in "fiuO":
            raise ValueError(f"{where}: expected an array of numbers, found dtype {a.dtype}")
        a = a.tolist()
    return _nested_text(a, where, ndim)


def _nested_text(a, where, ndim):
    if ndim == 0:
        return exact_text(a, where)
    if is_array(a):
        return array_text(a, where, ndim)
    if not isinstance(a, (list, tuple)):
        raise ValueError(f"{where}: expected {'a list of rows' if ndim == 2 else 'a list of numbers'}, "
                         f"found {type(a).__name__}")
    return [_nested_text(x, f"{where}[{i}]", ndim - 1) for i, x in enumerate(a)]


