"""The number formats' ranges (issue #20) against their definitions, not against NumPy alone."""

from __future__ import annotations

import numpy as np
import pytest

from core.formats import FORMATS


def test_float16_ends_where_ieee_half_precision_does():
    f = FORMATS["float16"]
    assert f.smallest_normal == 2.0**-14 == pytest.approx(6.10e-5, rel=1e-3)
    assert f.smallest_subnormal == 2.0**-24 == pytest.approx(5.96e-8, rel=1e-3)
    assert f.largest == 65504.0
    assert np.float16(f.smallest_subnormal / 2.1) == 0  # below: gone


def test_bfloat16_has_float32s_exponent_and_8_bits_of_precision():
    b, f32 = FORMATS["bfloat16"], FORMATS["float32"]
    assert b.smallest_normal == f32.smallest_normal == 2.0**-126
    assert b.largest == pytest.approx(3.39e38, rel=1e-3) and b.largest < f32.largest
    # bfloat16 is float32 with its low 16 bits cut: its largest is float32's bit pattern 0x7F7F0000
    assert b.largest == float(np.array([0x7F7F0000], np.uint32).view(np.float32)[0])
    assert b.smallest_subnormal == float(np.array([0x00010000], np.uint32).view(np.float32)[0])


def test_a_tiny_gradient_underflows_in_half_precision_only():
    g = 1.4e-6  # tiny-normal-tanh's ∂L/∂a at layer 1
    assert FORMATS["float16"].underflows(g)
    assert not FORMATS["bfloat16"].underflows(g) and not FORMATS["float32"].underflows(g)
    assert FORMATS["float16"].overflows(1e5) and not FORMATS["bfloat16"].overflows(1e5)
