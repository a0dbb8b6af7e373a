"""The facts an activation's entry declares (core/activations.py) are true of its f and df, and the
theory, the grid and the kernels read them there: a new entry needs nothing anywhere else."""

import dataclasses
import json
import math

import numpy as np
import pytest

from core import Config, Simulator, fused, theory
from core.activations import ACTIVATIONS, entry

NAMES = list(ACTIVATIONS)
X = np.linspace(-6.0, 6.0, 1200)  # no node at 0, where the ReLU family's φ′ is a convention
SQ = lambda h, a, d: a * a  # noqa: E731
D2 = lambda h, a, d: d * d  # noqa: E731


def _fd(act, x):
    a = act.f(x, np.empty_like(x))
    return a, act.df(x, a, np.empty_like(x))


@pytest.mark.parametrize("name", NAMES)
def test_declared_slopes_are_the_function(name):
    """Homogeneous (φ(2x) = 2φ(x)) exactly when the entry gives slopes, and then they are φ."""
    act = ACTIVATIONS[name]
    a, d = _fd(act, X)
    doubled = act.f(2 * X, np.empty_like(X))
    assert np.allclose(doubled, 2 * a, rtol=1e-12, atol=0) == (act.slopes is not None)
    if act.slopes is not None:
        up, down = act.slopes
        np.testing.assert_array_equal(a, np.where(X > 0, up * X, down * X))
        np.testing.assert_array_equal(d, np.where(X > 0, up, down))


@pytest.mark.parametrize("name", NAMES)
def test_declared_saturation_is_where_the_derivative_fades(name):
    """φ′ below the saturation threshold at h = −10 and/or +10, as `saturates` says; "none" only
    where φ′ is constant on each side (ReLU's zero half is off, not fading)."""
    act = ACTIVATIONS[name]
    _, d = _fd(act, np.array([-10.0, 10.0, -1.0, 1.0]))
    faded = (d[:2] < fused.SATURATED * act.df_max).tolist()
    if act.saturates == "none":
        np.testing.assert_array_equal(d[:2], d[2:])
    else:
        assert faded == {"both": [True, True], "below": [True, False]}[act.saturates]


@pytest.mark.parametrize("name", [n for n in NAMES if ACTIVATIONS[n].smooth])
def test_smooth_entries_are_those_gauss_hermite_gets_right(name):
    """The theory takes Gauss–Hermite nodes for a smooth entry at q ≤ 1: there it must agree with
    the trapezoid to 1e-9 (ELU, SELU and hardtanh miss by 3e-5 to 2e-2, so are not smooth)."""
    for g in (SQ, D2):
        gh = theory.expect(name, g, 1.0, nodes="gh")
        assert gh == pytest.approx(theory.expect(name, g, 1.0, nodes="trap"), abs=1e-9)


@pytest.mark.skipif(not fused.AVAILABLE, reason="core/_fused.c not built")
@pytest.mark.parametrize("name", [n for n in NAMES if ACTIVATIONS[n].fused_kind])
def test_a_fused_kind_gives_the_statistics_of_the_entrys_derivative(name, monkeypatch):
    """The kernel's own φ′ for the entry's kind, or the entry's df handed to the kernel (kind 0):
    the same snapshot to the bit (saturation, dead units, δ, everything below it, histograms)."""
    c = Config(depth=3, width=64, batch=32, activation=name, init="normal", std=0.5, seed=4)

    def snapshot():
        snap = Simulator().run(c)
        hists = [{k: h.counts.tolist() for k, h in s.hists.items()} for s in snap.layers]
        return json.dumps(snap.to_json()), hists

    own = snapshot()
    monkeypatch.setitem(ACTIVATIONS, name, dataclasses.replace(ACTIVATIONS[name], fused_kind=0))
    assert snapshot() == own
    kinds = [e.fused_kind for e in ACTIVATIONS.values() if e.fused_kind]
    assert len(kinds) == len(set(kinds))


def _prelu(h, out):
    np.multiply(h, 0.25, out=out)
    return np.maximum(h, out, out=out)


def _d_prelu(h, a, out):
    np.greater(h, 0.0, out=out)
    out *= 0.75
    out += 0.25
    return out


def test_a_homogeneous_entry_gets_closed_forms_from_its_slopes(monkeypatch):
    """A PReLU (slope 0.25) declared by its slopes: the theory's closed-form moments and
    correlation map equal the quadratures of the same f and df declared without them."""
    args = ("φ(x) = x, or x/4 below 0", "test", _prelu, _d_prelu, None, None, None)
    monkeypatch.setitem(ACTIVATIONS, "toy-prelu", entry("toy-prelu", *args, slopes=(1.0, 0.25)))
    monkeypatch.setitem(ACTIVATIONS, "toy-prelu-q", entry("toy-prelu-q", *args))
    for q in (0.3, 2.3):
        closed, quad = theory.moments("toy-prelu", q), theory.moments("toy-prelu-q", q)
        for k in ("m1", "m2", "d2"):
            assert getattr(closed, k) == pytest.approx(getattr(quad, k), abs=1e-5)
    c = np.linspace(-0.9, 0.9, 12)  # the Mehler series converges slowly at c → 1
    np.testing.assert_allclose(
        theory.correlation_map("toy-prelu", c, 1.5, 1.8, 0.05),
        theory.correlation_map("toy-prelu-q", c, 1.5, 1.8, 0.05),
        atol=1e-5,
    )
    # E[φ] = √q·(1 − 0.25)/√(2π) to the bit from the closed form; 1e-6 off by quadrature
    exact = math.sqrt(0.3) * (0.75 / math.sqrt(2.0 * math.pi))
    assert theory.moments("toy-prelu", 0.3).m1 == exact
    assert theory.moments("toy-prelu-q", 0.3).m1 != exact


def test_the_theory_takes_its_nodes_from_the_entry(monkeypatch):
    tanh = ACTIVATIONS["tanh"]
    for smooth, nodes in ((True, "gh"), (False, "trap")):
        toy = entry("toy-tanh", "tanh", "test", tanh.f, tanh.df, None, -1.0, 1.0, smooth=smooth)
        monkeypatch.setitem(ACTIVATIONS, "toy-tanh", toy)
        assert theory.moments("toy-tanh", 0.5).m2 == theory.expect("toy-tanh", SQ, 0.5, nodes=nodes)


@pytest.mark.skipif(not fused.AVAILABLE, reason="core/_fused.c not built")
def test_the_kernels_glue_takes_the_kind_from_the_entry(monkeypatch):
    """An entry whose df is twice tanh′: with fused_kind 1 the C kernel computes tanh′ itself
    (so δ is tanh's), with kind 0 it is handed df's values (δ twice as large)."""
    tanh = ACTIVATIONS["tanh"]

    def twice(h, a, out):
        tanh.df(h, a, out)
        out *= 2.0
        return out

    c = Config(depth=2, width=64, batch=32, activation="tanh")
    want = Simulator().run(c).layers[-1].preact_grad_std
    for kind, ratio in ((1, 1.0), (0, 2.0)):
        toy = entry("toy-2tanh", "2·tanh′", "test", tanh.f, twice, None, -1, 1, fused_kind=kind)
        monkeypatch.setitem(ACTIVATIONS, "toy-2tanh", toy)
        got = Simulator().run(c.replace(activation="toy-2tanh")).layers[-1].preact_grad_std
        assert got == ratio * want
