"""The c-map (issue #19): theory's map against a quadrature written here, and the pair's measured
correlation on the app's own weights against mean field."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core import Config, Simulator, correlation, theory
from core.probe import ProbeError

SB2 = 0.05
# 2-D Gauss-Hermite, 120 nodes a side (even: no node at 0), weights for N(0, 1)
_Z, _W = np.polynomial.hermite_e.hermegauss(120)
_W = _W / math.sqrt(2 * math.pi)
_Z1, _Z2 = np.meshgrid(_Z, _Z, indexing="ij")
_W2 = np.outer(_W, _W)


def gauss2(f, q, c, mean=0.0):
    """E[f(u₁)f(u₂)], u of mean `mean`, variance q, correlation c."""
    u1 = mean + math.sqrt(q) * _Z1
    u2 = mean + math.sqrt(q) * (c * _Z1 + math.sqrt(max(1 - c * c, 0.0)) * _Z2)
    return float(np.sum(_W2 * f(u1) * f(u2)))


def my_q_star(sw2, sb2):
    q = 1.0
    for _ in range(500):
        q = sw2 * float(np.dot(_W, np.tanh(math.sqrt(q) * _Z) ** 2)) + sb2
    return q


def my_c_map(sw2, sb2, q):
    return lambda c: (sw2 * gauss2(np.tanh, q, c) + sb2) / q


def settle(f, c=0.5, steps=400):
    for _ in range(steps):
        c = f(c)
    return c


@pytest.mark.parametrize("sw2", [1.5, 4.0])
def test_fixed_point_and_slope_at_one_match_an_own_quadrature(sw2):
    q = my_q_star(sw2, SB2)
    f = my_c_map(sw2, SB2, q)
    fp = theory.fixed_point("tanh", sw2, SB2)
    assert fp.q_star == pytest.approx(q, rel=1e-6)
    want_c = settle(f)
    assert fp.c_star == pytest.approx(want_c, abs=2e-3)
    assert (want_c < 0.5) == (sw2 == 4.0)  # chaotic: c* ≈ 0.165; ordered: 1
    h = 1e-5
    slope = (f(1.0) - f(1.0 - h)) / h  # one-sided: the map ends at c = 1
    assert slope == pytest.approx(fp.chi1, rel=1e-3)
    sech4 = (1 - np.tanh(math.sqrt(q) * _Z) ** 2) ** 2  # χ₁ = σ_w²E[φ′²], written again here
    assert slope == pytest.approx(sw2 * float(np.dot(_W, sech4)), rel=1e-3)
    # and theory's own map, point by point
    for c in (-0.5, 0.0, 0.3, 0.9):
        assert float(theory.correlation_map("tanh", c, q, sw2, SB2)) == pytest.approx(
            f(c), abs=1e-7
        )


@pytest.mark.parametrize("act, f", [("tanh", np.tanh), ("relu", lambda x: np.maximum(x, 0.0))])
def test_c_map_with_a_constant_bias_is_the_shifted_kernel(act, f):
    """A constant bias μ: h has mean μ; the map of the centred correlation is E[φφ] of shifted
    Gaussians. ReLU's kink makes the quadrature here coarse (1e-3), and c = 1 must stay 1."""
    q, mu, sw2, sb2, c = 0.8, 0.3, 2.0, 0.02, 0.4
    e11 = gauss2(f, q, 1.0, mu)
    want = (sw2 * gauss2(f, q, c, mu) + sb2) / (sw2 * e11 + sb2)
    tol = 1e-6 if act == "tanh" else 2e-3
    assert float(theory.correlation_map(act, c, q, sw2, sb2, mu)) == pytest.approx(want, abs=tol)
    assert float(theory.correlation_map(act, 1.0, q, sw2, sb2, mu)) == pytest.approx(1.0, abs=1e-12)


def tanh_net(sw2, seed, width=500, depth=10, **kw):
    return Config(
        depth=depth,
        width=width,
        batch=8,
        activation="tanh",
        init="normal",
        std=math.sqrt(sw2 / width),
        bias="normal",
        bias_value=math.sqrt(SB2),
        seed=seed,
        **kw,
    )


def measured_profile(c, c0):
    sim = Simulator()
    sim.run(c)
    return correlation.profile(c, sim.network(c).layers, c0)


@pytest.mark.parametrize("sw2, c0", [(1.5, 0.5), (4.0, 0.9)])
def test_measured_correlation_is_within_5_percent_of_mean_field(sw2, c0):
    """Width 500, 10 layers, 64 pooled pairs. One net scatters 1-5% a layer around mean field
    (measured: up to 4% at σ_w² = 1.5, 8% at 4), the scatter of its weights, so the comparison
    is of the 4-seed mean, as init-theory.md §2 compares seed-averaged values. c⁰ is chosen so
    that the prediction moves far more than 5% over the depth: ordered, 0.5 → 0.75 (c → 1);
    chaotic, 0.9 → 0.54 (c → c* = 0.17)."""
    runs = [measured_profile(tanh_net(sw2, seed), c0) for seed in range(4)]
    want = np.array(runs[0].predicted)
    got = np.mean([r.measured for r in runs], axis=0)
    assert abs(want[-1] - want[0]) > 0.2
    np.testing.assert_allclose(got, want, rtol=0.05)
    for r in runs:  # and every single net within 12%
        np.testing.assert_allclose(r.measured, want, rtol=0.12)


def test_ordered_pairs_merge_and_chaotic_pairs_settle_on_c_star():
    deep = dict(depth=40, width=300)
    ordered = measured_profile(tanh_net(1.2, 0, **deep), 0.2)
    chaotic = measured_profile(tanh_net(4.0, 0, **deep), 0.6)
    assert ordered.c_star == 1.0 and ordered.predicted[-1] > 0.99
    assert ordered.measured[-1] > 0.97
    assert chaotic.c_star == pytest.approx(0.165, abs=0.005)
    assert chaotic.predicted[-1] == pytest.approx(chaotic.c_star, abs=0.01)
    assert chaotic.measured[-1] == pytest.approx(chaotic.c_star, abs=0.06)


def test_he_relu_follows_the_arc_cosine_map_and_a_constant_bias_is_predicted_too():
    """Pre-activations of layer l + 1 carry the arc-cosine map applied l times to c⁰ = 0
    (init-theory.md §3: .318, .494, .605, .681, …); a bias 0.1 pulls them closer still."""
    c = Config(depth=10, width=500, batch=8, activation="relu", init="he-normal", bias="zeros")
    arc, want = 0.0, [0.0]
    for _ in range(9):
        arc = (math.sqrt(1 - arc * arc) + (math.pi - math.acos(arc)) * arc) / math.pi
        want.append(arc)
    plain = measured_profile(c, 0.0)
    np.testing.assert_allclose(plain.predicted, want, atol=1e-9)
    biased = [
        measured_profile(c.replace(bias="constant", bias_value=0.1, seed=s), 0.0) for s in range(4)
    ]
    pred = np.array(biased[0].predicted)
    assert np.all(pred[1:] > np.array(want[1:]) + 0.005)
    got = np.mean([b.measured for b in biased], axis=0)
    np.testing.assert_allclose(got[1:], pred[1:], rtol=0.05)


def test_a_large_constant_bias_correlates_orthogonal_inputs_at_once():
    """h = z + μ: the measured cosine is uncentred, like mean field's q₁₂/√(q₁₁q₂₂), so two
    orthogonal inputs already agree at layer 1 by μ²/(σ_w²E[x²] + μ²) = 0.25/1.25; then the
    shifted tanh's c-map (theory.correlation_map with a mean). 4-seed mean within 5%."""
    c = Config(
        depth=10, width=500, batch=8, activation="tanh", init="normal", std=math.sqrt(1 / 500)
    )
    c = c.replace(bias="constant", bias_value=0.5)
    runs = [measured_profile(c.replace(seed=s), 0.0) for s in range(4)]
    assert runs[0].predicted[0] == pytest.approx(0.2, abs=1e-12)
    assert runs[0].predicted[2] == pytest.approx(0.713, abs=1e-3)
    np.testing.assert_allclose(
        np.mean([r.measured for r in runs], axis=0), runs[0].predicted, rtol=0.05
    )


def test_pairs_have_the_asked_cosine_and_the_inputs_second_moment():
    for inp, second in (("normal", 1.0), ("uniform", 1 / 3)):
        c = Config(width=200, input=inp)
        x1, x2 = correlation.pair(c, -0.3)
        cos = np.sum(x1 * x2, axis=1) / np.linalg.norm(x1, axis=1) / np.linalg.norm(x2, axis=1)
        np.testing.assert_allclose(cos, -0.3, atol=1e-12)
        np.testing.assert_allclose(np.mean(x1 * x1, axis=1), second, rtol=1e-12)
        np.testing.assert_allclose(np.mean(x2 * x2, axis=1), second, rtol=1e-12)


def test_the_probe_leaves_the_frame_alone():
    """The pair runs on arrays of its own: the net's batch, its h and its statistics are as the
    frame left them, and running the frame again gives the same numbers."""
    c = tanh_net(1.5, 0, width=64, depth=3)
    sim = Simulator()
    snap = sim.run(c)
    net = sim.network(c)
    before = [layer.h.copy() for layer in net.layers]
    correlation.profile(c, net.layers, 0.5)
    correlation.circle(c, net.layers, 16)
    for layer, h in zip(net.layers, before, strict=True):
        np.testing.assert_array_equal(layer.h, h)
    assert sim.run(c).to_json() == snap.to_json()


def test_circle_gram_matrices_ordered_one_colour_chaotic_a_diagonal():
    points = 32
    ordered = Simulator()
    c = tanh_net(1.2, 0, width=300, depth=30)
    ordered.run(c)
    o = correlation.circle(c, ordered.network(c).layers, points)
    chaotic = Simulator()
    c4 = tanh_net(4.0, 0, width=300, depth=30)
    chaotic.run(c4)
    k = correlation.circle(c4, chaotic.network(c4).layers, points)
    off = ~np.eye(points, dtype=bool)
    assert o.grams[-1][off].min() > 0.95  # one colour
    assert abs(k.grams[-1][off].mean() - 0.165) < 0.05  # c* off the diagonal
    np.testing.assert_allclose(np.diag(k.grams[-1]), 1.0, atol=1e-6)
    # mean field's Gram and length at the first and last layers. An entry is one pair's cosine
    # over 300 units, ±0.03 at layer 1 and ±0.12 at layer 30 of the chaotic net (chaos amplifies
    # the finite-width noise, measured); their mean is within 0.01 of mean field's.
    for circ in (o, k):
        for layer in (0, -1):
            err = (circ.grams[layer] - circ.grams_theory[layer])[off]
            assert abs(err.mean()) < 0.03 and err.std() < 0.2
            assert circ.lengths[layer] == pytest.approx(circ.lengths_theory[layer], rel=0.2)
    assert k.lengths[-1] > 5 * o.lengths[-1]  # chaos stretches the circle, order shrinks it


@pytest.mark.parametrize("bad", [1.5, -1.01, math.nan, math.inf])
def test_a_correlation_outside_minus_one_to_one_is_refused(bad):
    c = Config(depth=2, width=8, batch=4)
    with pytest.raises(ProbeError, match="allowed: a number from -1 to 1"):
        correlation.profile(c, [], bad)


def test_a_normed_net_is_refused():
    c = Config(depth=2, width=8, batch=4, norm="batch")
    with pytest.raises(ProbeError, match="plain net"):
        correlation.profile(c, [], 0.5)


@pytest.mark.parametrize("points", [2, 0, 2.5, True, 4096])
def test_a_circle_too_small_or_too_big_is_refused(points):
    c = Config(depth=10, width=8, batch=4)
    with pytest.raises(ProbeError, match="circle: "):
        correlation.circle(c, [], points)
