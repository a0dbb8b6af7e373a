"""Number formats, drawn (issue #20): float16's and bfloat16's ranges as bands on the σ ladder and
the gradient histograms, at core/formats.py's values, below the data and labelled clear of it;
and the scene that shows a deep net's gradients crossing float16's smallest normal."""

import dataclasses
import math

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QApplication

from core import Config, presets
from core.formats import FORMATS
from core.simulate import Simulator, run_joint
from gui.canvas.views.histograms import HistogramsView
from gui.canvas.views.ladder import Ladder
from gui.presenter import ViewFrame
from tests.gui.conftest import wait_shown
from tests.gui.test_canvas_ladder import TINY, frame_of, scene_rect, shown

F16, BF16 = FORMATS["float16"], FORMATS["bfloat16"]
BOTH = {"formats": ["float16", "bfloat16"]}
SCENE = "half-precision-gradients"


def bands_of(plot: pg.PlotItem) -> list[pg.LinearRegionItem]:
    """The shaded regions the plot shows now."""
    return [i for i in plot.items if isinstance(i, pg.LinearRegionItem) and i.isVisible()]


def band_labels(view: Ladder) -> dict[str, pg.TextItem]:
    """The ladder's visible texts inside its plot: the bands' labels."""
    return {
        i.toPlainText(): i for i in view.plot.items if isinstance(i, pg.TextItem) and i.isVisible()
    }


def data_points(view: Ladder) -> np.ndarray:
    """Every line of the ladder, sampled densely, and every marker, in scene coordinates."""
    pts = []
    for item in view.plot.listDataItems():
        x, y = item.getData()
        if x is None or len(x) == 0 or not item.isVisible():
            continue
        keep = np.isfinite(y)
        xs = np.interp(np.linspace(0, len(x) - 1, 40 * len(x)), np.arange(len(x)), x)
        ys = np.interp(np.linspace(0, len(x) - 1, 40 * len(x)), np.flatnonzero(keep), y[keep])
        for a, b in zip(xs, ys, strict=True):
            p = view.plot.vb.mapViewToScene(QPointF(a, b))
            pts.append((p.x(), p.y()))
    return np.array(pts)


def clear_of_data(view: Ladder, label: pg.TextItem) -> bool:
    r = scene_rect(label.textItem).adjusted(-2, -2, 2, 2)
    pts = data_points(view)
    inside = (pts[:, 0] >= r.left()) & (pts[:, 0] <= r.right())
    inside &= (pts[:, 1] >= r.top()) & (pts[:, 1] <= r.bottom())
    return not inside.any()


def test_the_ladder_shades_below_float16s_smallest_normal_and_labels_it(qtbot):
    frame = frame_of(presets.load(SCENE).config)
    view = shown(qtbot, frame, options=BOTH)
    lo, hi = view.plot.vb.viewRange()[1]
    assert lo < math.log10(F16.smallest_normal) < hi < math.log10(F16.largest)
    (band,) = bands_of(view.plot)  # float16's underflow only: bfloat16's 1e-38 is off the axis
    bottom, top = band.getRegion()
    assert top == pytest.approx(math.log10(F16.smallest_normal), abs=1e-12)
    assert 10**top == pytest.approx(6.1035e-5, rel=1e-4) and bottom <= lo
    assert band.zValue() < min(i.zValue() for i in view.plot.listDataItems())  # data above it
    labels = band_labels(view)
    assert list(labels) == ["float16 underflows (< 6.1e-5)"]
    label = labels["float16 underflows (< 6.1e-5)"]
    assert scene_rect(view.plot.vb).contains(scene_rect(label.textItem))
    assert clear_of_data(view, label)
    assert label.textItem.font().pixelSize() >= 0.02 * 720
    plain = shown(qtbot, frame)  # without the option: no band
    assert not [i for i in plain.plot.items if isinstance(i, pg.LinearRegionItem)]


def test_every_end_in_range_is_shaded_and_its_label_kept_off_the_data(qtbot):
    """Stds from 1e-40 to 1e40: both formats' both ends are on the axis."""
    base = frame_of(TINY).a
    act = [1e-40, 1e-20, 1e-3, 1.0, 1e20, 1e40]
    grad = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1.0]
    layers = tuple(
        dataclasses.replace(s, act_std=a, grad_std=g)
        for s, a, g in zip(base.layers, act, grad, strict=True)
    )
    view = shown(qtbot, ViewFrame(dataclasses.replace(base, layers=layers)), options=BOTH)
    edges = sorted(
        (b.getRegion()[1] if b.getRegion()[0] < -100 else b.getRegion()[0])
        for b in bands_of(view.plot)
    )
    want = [BF16.smallest_normal, F16.smallest_normal, F16.largest, BF16.largest]
    np.testing.assert_allclose(edges, np.log10(want), atol=1e-12)
    labels = band_labels(view)
    assert labels, "no band labelled"
    rects = [scene_rect(lb.textItem) for lb in labels.values()]
    for i, (text, label) in enumerate(labels.items()):
        assert clear_of_data(view, label), text
        assert not any(rects[i].intersects(r) for r in rects[i + 1 :]), text


def test_the_scene_crosses_float16s_smallest_normal_on_ladder_and_histograms(make_window, qtbot):
    scene = presets.load(SCENE)
    win = make_window(scene.config)
    win.load_scene(scene)
    wait_shown(qtbot, win, scene.config)
    grad = [s.grad_std for s in win.latest.layers]  # the core's numbers, as the window has them
    assert grad[0] < F16.smallest_normal < grad[-1]
    assert grad[0] == pytest.approx(1.3e-6, rel=0.05) and grad[-1] == pytest.approx(1.0, rel=0.01)
    qtbot.keyClick(win, Qt.Key.Key_F5)
    canvas = win.presentation.canvas
    qtbot.waitUntil(lambda: not canvas.animating and canvas.names == ["ladder", "histograms"])
    ladder, hists = (v for _, v in canvas.views)
    assert isinstance(ladder, Ladder) and isinstance(hists, HistogramsView)
    (band,) = bands_of(ladder.plot)
    assert band.getRegion()[1] == pytest.approx(math.log10(F16.smallest_normal), abs=1e-12)
    shown_layers = sorted(layer for row, layer in hists.grid.panels if row == "grad")
    assert shown_layers == [1, 7, 16, 24]
    for layer in shown_layers:
        plot = hists.grid.panel("grad", layer)
        (band,) = bands_of(plot)  # on log₁₀|x|: float16's underflow; bfloat16's is off
        assert band.getRegion()[1] == pytest.approx(math.log10(F16.smallest_normal), abs=1e-12)
        assert band.getRegion()[0] <= plot.vb.viewRange()[0][0]
        curve_z = min(i.zValue() for i in plot.items if i is not band and i.isVisible())
        assert band.zValue() < curve_z
    assert "orange: float16 underflows (|x| < 6.1e-5)" in hists.legend.text()
    win.presentation.leave()


def test_histogram_bands_follow_the_axis_log_or_linear(qtbot):
    """A linear axis has no decade for float16's 6.1e-5 to sit on: no band, no words; back on
    log₁₀|x| the band and its words return."""
    config = Config(depth=4, width=64, batch=64, activation="tanh", init="normal", std=0.01)
    (snap,) = run_joint([Simulator()], [config])
    view = HistogramsView({"rows": ["act", "grad"], **BOTH})
    qtbot.addWidget(view)
    view.resize(1200, 400)
    view.show()
    QApplication.processEvents()
    for x_axis, banded in (("auto", True), ("linear", False), ("auto", True)):
        view.present(ViewFrame(snap, rows=("act", "grad"), x_axis=x_axis))
        for layer in range(1, 5):
            assert not bands_of(view.grid.panel("act", layer))  # a linear row in "auto"
            grad = bands_of(view.grid.panel("grad", layer))
            assert [round(10 ** b.getRegion()[1], 9) for b in grad] == (
                [round(F16.smallest_normal, 9)] if banded else []
            )
        assert ("float16 underflows" in view.legend.text()) == banded


def test_band_labels_keep_clear_of_the_ladders_written_values(qtbot):
    """With the std written at named layers (option values), a band's label takes a spot none
    of those numbers is on: here the forward line runs flat under float16's limit and its
    numbers at layers 1 and 2, written above it, fill the label's first spot."""
    base = frame_of(TINY).a
    act, grad = [1e-5] * 6, [1e-8] * 5 + [1.0]
    layers = tuple(
        dataclasses.replace(s, act_std=a, grad_std=g)
        for s, a, g in zip(base.layers, act, grad, strict=True)
    )
    frame = ViewFrame(dataclasses.replace(base, layers=layers))
    view = shown(qtbot, frame, options={**BOTH, "values": [1, 2]})
    texts = [i for i in view.plot.items if isinstance(i, pg.TextItem) and i.isVisible()]
    (label,) = (t for t in texts if t.toPlainText().startswith("float16 underflows"))
    numbers = [t for t in texts if t is not label]
    assert sorted(n.toPlainText() for n in numbers) == ["1e-5", "1e-5", "1e-8", "1e-8"]
    rect = scene_rect(label.textItem)
    assert not any(rect.intersects(scene_rect(n.textItem)) for n in numbers)
    assert clear_of_data(view, label)
