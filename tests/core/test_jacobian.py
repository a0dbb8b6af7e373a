"""The input-output Jacobian's singular values (issue #19): mean field's mean square, isometry."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core import Config, Simulator, jacobian
from core.probe import ProbeError

SB2 = 0.05
CRITICAL_SW2 = 1.761  # tanh at σ_b² = 0.05 (init-theory.md §3's table)


def spectrum(k=4, **kw):
    c = Config(**{"depth": 10, "width": 500, "batch": 16, **kw})
    sim = Simulator()
    sim.run(c)
    net = sim.network(c)
    return jacobian.spectrum(c, net.layers, net.x[:k].copy())


def tanh(init, sw2, sb2=SB2, **kw):
    scale = {"normal": {"std": math.sqrt(sw2 / kw.get("width", 500))}}.get(
        init, {"gain": math.sqrt(sw2)}
    )
    bias = {"bias": "normal", "bias_value": math.sqrt(sb2)} if sb2 else {"bias": "zeros"}
    return {"activation": "tanh", "init": init, **scale, **bias, **kw}


@pytest.mark.parametrize(
    "kw",
    [
        {"activation": "relu", "init": "he-normal", "bias": "zeros"},
        tanh("normal", CRITICAL_SW2),
        tanh("normal", 4.0),
    ],
    ids=["he-relu", "tanh-critical", "tanh-chaotic"],
)
def test_mean_squared_singular_value_is_within_10_percent_of_mean_field(kw):
    """Width 500, 10 layers, K = 4 examples. One net scatters ±15% (measured, up to 21% for the
    chaotic one): its examples' D_l and its weights, so the 4-seed mean is compared, as §2 does.
    For He-ReLU the prediction is χ₁^L = 1 itself; for tanh, whose first layers sit far from
    q*, it is the layer-wise Π χ_l (0.459 here where χ₁^L = 1.000, and 12.9 for σ_w² = 4)."""
    runs = [spectrum(seed=s, **kw) for s in range(4)]
    want = runs[0].mean_sq_theory
    got = np.mean([r.mean_sq for r in runs])
    assert got == pytest.approx(want, rel=0.10)
    if kw["activation"] == "relu":
        assert want == pytest.approx(runs[0].chi1 ** 10, rel=1e-12) and want == pytest.approx(1.0)
    # the mean square is the spectrum's: Σσ²/min(n₀, n_L)
    sv = runs[0].singular_values
    assert np.mean(sv.astype(np.float64) ** 2) == pytest.approx(runs[0].mean_sq, rel=1e-4)


def test_unequal_widths_scale_the_prediction_layer_by_layer():
    """E‖∂a_l/∂x‖² = n_l·Π χ: He-ReLU (χ = 1) through widths 300 → 600 → 150 → 300."""
    widths = [300, 600, 150, 300]
    kw = {"activation": "relu", "init": "he-normal", "bias": "zeros", "width": widths, "depth": 3}
    runs = [spectrum(seed=s, **kw) for s in range(4)]
    want = runs[0].theory_by_layer
    assert want == pytest.approx([600 / 300, 150 / 150, 300 / 300])
    got = np.mean([r.mean_sq_by_layer for r in runs], axis=0)
    np.testing.assert_allclose(got, want, rtol=0.10)
    assert runs[0].singular_values.shape == (4, 300)


def test_orthogonal_tanh_at_criticality_has_a_narrower_spectrum_than_gaussian():
    """Pennington et al. 2017: at χ₁ = 1 both keep the mean square, but a product of Gaussian
    matrices spreads the spectrum over decades and orthogonal ones do not. Width: log₁₀ of the
    90% over the 10% quantile of σ (jacobian.spectral_width). Measured at width 500, depth 10:
    σ_b² = 0.05 (q* = 0.57): Gaussian 7.2 decades, orthogonal 3.5, a ratio of 0.49, required
    below 0.6; σ_b² = 0.001 (σ_w² = 1.189, q* = 0.11, closer to isometry): 6.5 and 1.6, 0.24,
    required below 0.3."""
    for sb2, sw2, most in ((SB2, CRITICAL_SW2, 0.6), (0.001, 1.189, 0.3)):
        gauss = spectrum(**tanh("normal", sw2, sb2))
        orth = spectrum(**tanh("orthogonal", sw2, sb2))
        g, o = (jacobian.spectral_width(s.singular_values) for s in (gauss, orth))
        assert o / g < most, (sb2, g, o)
        assert orth.mean_sq == pytest.approx(orth.mean_sq_theory, rel=0.2)


def test_relu_cannot_be_an_isometry_even_with_orthogonal_weights():
    """Each D_l zeroes about half the directions: about half the singular values are ~0."""
    sv = spectrum(
        activation="relu", init="orthogonal", gain=math.sqrt(2), bias="zeros"
    ).singular_values
    assert np.mean(sv < 1e-4 * sv.max()) > 0.4


@pytest.mark.parametrize("dtype, rtol", [("float64", 1e-12), ("float32", 2e-5)])
def test_linear_orthogonal_net_has_every_singular_value_equal_to_gain_to_the_depth(dtype, rtol):
    s = spectrum(activation="linear", init="orthogonal", gain=1.1, bias="zeros", dtype=dtype)
    np.testing.assert_allclose(s.singular_values, 1.1**10, rtol=rtol)
    assert s.mean_sq_theory == pytest.approx(1.1**20, rel=1e-12)
    assert jacobian.spectral_width(s.singular_values) < 1e-4


def test_too_many_examples_or_too_big_a_product_is_refused_before_running():
    c = Config(depth=2, width=50, batch=8)
    with pytest.raises(ProbeError, match="allowed: 1 to 8"):
        jacobian.check_examples(c, 9)
    with pytest.raises(ProbeError, match="allowed: 1 to 8"):
        jacobian.check_examples(c, 0)
    big = Config(depth=2, width=8000, batch=4)  # never run: only its sizes are read
    with pytest.raises(ProbeError, match="too big"):
        jacobian.check_examples(big, 1)
    deep = Config(depth=1000, width=500, batch=4)
    with pytest.raises(ProbeError, match="too big"):
        jacobian.check_examples(deep, 4)


def test_an_overflowing_net_gives_null_singular_values_not_a_traceback():
    """A linear net with σ_w² = 64·100² overflows float32 within 30 layers: LAPACK refuses a
    matrix with Inf ("SVD did not converge"), which once reached the CLI as a traceback."""
    s = spectrum(k=2, depth=30, width=64, activation="linear", init="normal", std=100.0)
    assert s.singular_values.shape == (2, 64) and np.isnan(s.singular_values).all()
    assert not np.isfinite(s.mean_sq)
    assert s.to_json()["singular_values"][0][0] is None
    assert "nan" in s.summary()
