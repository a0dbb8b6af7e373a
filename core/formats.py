"""Number formats a net may be trained in (issue #20): where their numbers end.

A value below a format's smallest normal loses precision (subnormal) and below its smallest
subnormal it becomes 0: a gradient that small is gone. Above the largest finite value it is inf.
float16 and float32 from NumPy's own finfo; bfloat16 (float32's exponent, 8 bits of mantissa)
has no NumPy type, so its three numbers are written out (IEEE-style, 8 exponent bits, 7 stored
mantissa bits)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class NumberFormat:
    name: str
    smallest_subnormal: float
    smallest_normal: float
    largest: float

    def underflows(self, x: float) -> bool:
        """Below the smallest normal: precision lost, and under half the smallest subnormal, 0."""
        return 0 < abs(x) < self.smallest_normal

    def overflows(self, x: float) -> bool:
        return abs(x) > self.largest


def _ieee(name: str, dtype) -> NumberFormat:
    f = np.finfo(dtype)
    return NumberFormat(name, float(f.smallest_subnormal), float(f.smallest_normal), float(f.max))


FORMATS = {
    "float16": _ieee("float16", np.float16),
    "bfloat16": NumberFormat("bfloat16", 2.0**-133, 2.0**-126, (2 - 2.0**-7) * 2.0**127),
    "float32": _ieee("float32", np.float32),
}
