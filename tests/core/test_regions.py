"""The regions the panels shade sit where the activation entries' own φ′ says."""

import math

import numpy as np
import pytest

from core.activations import ACTIVATIONS
from core.fused import SATURATED
from core.regions import regions


def _df(name: str, h: float) -> float:
    act = ACTIVATIONS[name]
    x = np.array([h])
    return float(act.df(x, act.f(x, np.empty(1)), np.empty(1))[0])


@pytest.mark.parametrize("name", ["tanh", "sigmoid"])
def test_saturation_bands_start_where_dphi_falls_below_the_statistics_threshold(name):
    (lo_band, hi_band) = regions(name, "preact")
    assert lo_band[0] == -math.inf and hi_band[1] == math.inf
    level = SATURATED * ACTIVATIONS[name].df_max
    for edge in (lo_band[1], hi_band[0]):
        assert _df(name, edge) == pytest.approx(level, rel=1e-9)
    # inside the bands φ′ is below the threshold, between them above it
    assert _df(name, hi_band[0] + 0.01) < level < _df(name, hi_band[0] - 0.01)


def test_closed_forms():
    tanh_h = math.atanh(math.sqrt(1 - SATURATED))  # 1 − tanh² = 0.05
    assert regions("tanh", "preact")[1][0] == pytest.approx(tanh_h, abs=1e-9)
    assert regions("tanh", "act")[1][:2] == pytest.approx((math.sqrt(1 - SATURATED), 1.0))
    # sigmoid: s(1 − s) = 0.05 · 1/4
    s = (1 + math.sqrt(1 - SATURATED)) / 2
    assert regions("sigmoid", "act")[1][:2] == pytest.approx((s, 1.0))
    assert regions("sigmoid", "act")[0][:2] == pytest.approx((0.0, 1 - s))
    assert regions("sigmoid", "preact")[1][0] == pytest.approx(math.log(s / (1 - s)), abs=1e-9)


def test_relus_off_half_is_shaded_on_h_only():
    assert regions("relu", "preact") == ((-math.inf, 0.0, "off"),)
    assert regions("relu", "act") == ()
    assert regions("leaky-relu", "preact") == ()  # never switched off
    assert regions("tanh", "grad") == ()
