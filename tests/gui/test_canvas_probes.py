"""The probe views of issue #19 (c-map, Jacobian spectrum, seeds) hold the core's numbers, drop
answers for configs no longer shown, and say what a config they cannot take lacks."""

from __future__ import annotations

import numpy as np
import pytest

from core import Config, jacobian, simulate
from gui.canvas.registry import CANVAS_VIEWS
from gui.canvas.sizes import Sizes
from gui.presenter import ViewFrame

ORDERED = Config(
    depth=8,
    width=200,
    batch=64,
    activation="tanh",
    init="normal",
    std=(1.5 / 200) ** 0.5,
    bias="normal",
    bias_value=0.05**0.5,
)
CHAOTIC = ORDERED.replace(std=(4 / 200) ** 0.5)


def _view(qtbot, name, options=None):
    view = CANVAS_VIEWS[name](options or {})
    qtbot.addWidget(view)
    view.resize(1280, 430)
    view.set_sizes(Sizes(720))
    view.show()
    return view


def _present(qtbot, view, a, b=None):
    frame = ViewFrame(a=simulate.run(a), b=simulate.run(b) if b is not None else None)
    view.present(frame)
    qtbot.waitUntil(lambda: not view.pending, timeout=30_000)


def test_correlation_view_draws_the_measured_and_mean_field_correlations(qtbot):
    view = _view(qtbot, "correlation", {"c0": 0.5})
    _present(qtbot, view, ORDERED, CHAOTIC)
    for side in ("A", "B"):
        value = view.results[side].value
        x, y = view.curves[side].getData()
        np.testing.assert_array_equal(x, np.arange(1, ORDERED.depth + 1))
        np.testing.assert_allclose(y, value.measured)
        np.testing.assert_allclose(view.theory[side].getData()[1], value.predicted)
    # ordered: the pair ends alike; chaotic: it ends at c* < 1, both as the title says
    a, b = view.results["A"].value, view.results["B"].value
    assert a.measured[-1] > 0.7 > b.measured[-1]
    assert f"B c* = {b.c_star:.2f}" in view.header.text


def test_a_newer_config_drops_the_older_answer(qtbot):
    view = _view(qtbot, "correlation")
    _present(qtbot, view, ORDERED)
    old = view.results["A"]
    _present(qtbot, view, CHAOTIC)
    assert view.results["A"] is not old and view.results["A"].config == CHAOTIC
    assert view.curves["B"].getData()[0] is None or len(view.curves["B"].getData()[0]) == 0


def test_spectrum_view_histograms_every_singular_value(qtbot):
    a = Config(depth=6, width=100, batch=64, activation="tanh", init="orthogonal", bias="zeros")
    view = _view(qtbot, "spectrum", {"examples": 2})
    _present(qtbot, view, a, a.replace(init="xavier-normal"))
    for side in ("A", "B"):
        sv = view.results[side].value.singular_values
        x, y = view.curves[side].getData()
        assert y.sum() == pytest.approx(1.0)  # every σ binned, as a share
        assert len(x) == len(y) + 1  # step edges
    widths = [jacobian.spectral_width(view.results[s].value.singular_values) for s in "AB"]
    assert widths[0] < widths[1]  # orthogonal: the narrower spectrum
    assert "mean σ²" in view.legends["A"].text
    assert sv.shape == (2, 100)


def test_seeds_view_band_is_the_spread_across_seeds(qtbot):
    a = Config(depth=4, width=16, batch=100, activation="tanh", init="xavier-normal", bias="zeros")
    view = _view(qtbot, "seeds", {"seeds": 3})
    _present(qtbot, view, a)
    spread = view.results["A"].value.layers
    lo = np.array([layer["act_std"].lo for layer in spread])
    hi = np.array([layer["act_std"].hi for layer in spread])
    np.testing.assert_allclose(view.lo["A"].getOriginalDataset()[1], lo)
    np.testing.assert_allclose(view.hi["A"].getOriginalDataset()[1], hi)
    assert (hi > lo).all()  # width 16: the seeds differ


def test_a_config_a_probe_cannot_take_is_said_in_the_view(qtbot):
    view = _view(qtbot, "correlation")
    _present(qtbot, view, ORDERED.replace(norm="batch"))
    assert "plain net" in view.header.text


def test_symmetry_view_counts_the_units_of_three_trained_nets(qtbot):
    a = Config(depth=2, width=16, batch=64, activation="tanh", init="constant", bias="zeros")
    view = _view(qtbot, "symmetry", {"steps": 40})
    _present(qtbot, view, a)
    runs = view.results["A"].value
    for label, history in runs.items():
        x, y = view.unit_curves[label].getData()
        np.testing.assert_array_equal(x, history.steps())
        np.testing.assert_array_equal(y, history.distinct().min(axis=1))
    assert set(runs["zeros"].distinct().ravel()) == {1}
    assert set(runs["N(0, 0.01²)"].distinct().ravel()) == {16}
    assert "1 of 16 units" in view.legend.text and "16 of 16 units" in view.legend.text


def test_symmetry_view_takes_a_net_whose_layers_differ_in_width(qtbot):
    """A funnel (width a tuple) raised TypeError in the view's range (a random-actions run);
    each count is out of its own layer's units, the range up to the widest."""
    a = Config(depth=2, width=(16, 24, 8), batch=64, activation="tanh", init="constant")
    view = _view(qtbot, "symmetry", {"steps": 20})
    _present(qtbot, view, a)
    runs = view.results["A"].value
    assert set(runs["zeros"].distinct().ravel()) == {1}
    assert "1 of " in view.legend.text and "of 24 units" in view.legend.text  # N(0, 0.01²)
    assert view.units.vb.viewRange()[1][1] == pytest.approx(24 * 1.05)
