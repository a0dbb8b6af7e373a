"""The histogram and heatmap views of the lecture canvas, and what they share with the window's
grid: log-magnitude axes, shaded regions, titles above the data, badges from 1%."""

import itertools

import numpy as np
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication

from core import Config
from core.regions import regions
from core.simulate import Simulator, run_joint
from core.stats import Hist
from gui.canvas.registry import CANVAS_VIEWS
from gui.canvas.sizes import Sizes
from gui.presenter import ViewFrame
from gui.views.layer_grid import LayerGrid, mark_outside
from gui.views.log_axis import power_label
from tests.gui.conftest import drawn

TINY = Config(depth=6, width=64, batch=64, activation="tanh", init="normal", std=0.01)
RESCUED = TINY.replace(norm="batch")


def _pair(a=TINY, b=RESCUED, rows=("act", "grad")):
    ja, jb = run_joint([Simulator(), Simulator()], [a, b])
    return ViewFrame(ja, jb, rows=rows)


def _show(widget, qtbot, w: int, h: int):
    qtbot.addWidget(widget)
    widget.resize(w, h)
    widget.show()
    QApplication.processEvents()


def _titles_clear_of_data(panels) -> list:
    """The (row, layer) of panels whose painted title reaches into their plot's data rect."""
    bad = []
    for key, p in panels.items():
        title = p.painted_title.sceneBoundingRect()
        data = p.plot.vb.sceneBoundingRect()
        if title.intersected(data).height() > 1.0:  # its bounds pad the text by 1 px
            bad.append(key)
    return bad


@pytest.mark.parametrize("height", [720, 1080])
def test_canvas_titles_sit_above_the_data_with_a_b_line(qtbot, height):
    view = CANVAS_VIEWS["histograms"]({"rows": ["act", "grad"]})
    _show(view, qtbot, round(height * 16 / 9), round(0.55 * height))
    view.set_sizes(Sizes(height))
    frame = _pair()
    view.present(frame)
    QApplication.processEvents()
    panels = view.grid.panels
    assert len(panels) == 12 and all(len(p.title) >= 2 for p in panels.values())
    assert _titles_clear_of_data(panels) == []
    assert {p.plot.report_name for p in panels.values()} >= {"activations L1", "gradients L6"}


def test_window_grid_titles_stay_out_of_the_data_at_the_presentation_scale(qtbot):
    """pyqtgraph fixes a title's row at 30 px: at 1.6× type the B line fell into the plot."""
    grid = LayerGrid()
    grid.set_scale(1.6)
    _show(grid, qtbot, 1920, 700)
    frame = _pair()
    grid.present(frame.a, blend=False, b=frame.b)
    QApplication.processEvents()
    assert _titles_clear_of_data(grid.panels) == []


def test_gradients_go_on_the_log_axis_by_default_and_follow_the_choice(qtbot):
    view = CANVAS_VIEWS["histograms"]({"rows": ["act", "grad"]})
    _show(view, qtbot, 1280, 400)
    frame = _pair()
    view.present(frame)
    grid = view.grid
    assert grid.log_span("grad") is not None and grid.log_span("act") is None
    for s in frame.a.layers:
        np.testing.assert_array_equal(
            grid.curve_data("grad", s.index)[1], drawn(grid, "grad", s)[1]
        )
    # the negative values are filled under the outline, their share the core's
    p = grid.panels[("grad", 3)]
    h = frame.a.layers[2].hists["grad"].log
    first, n = grid.log_span("grad")
    neg = h.on(first, n)[1] / h.sampled
    fill = p.curve._fill_xy[1:-1:2, 1]
    np.testing.assert_allclose(fill, neg, rtol=1e-9, atol=1e-15)
    view.present(ViewFrame(frame.a, frame.b, rows=frame.rows, x_axis="linear"))
    assert grid.log_span("grad") is None


def test_saturation_bands_are_the_activation_entries(qtbot):
    """unit-normal-tanh's pre-activations: the shaded tails start where φ′ < 5% of its max."""
    config = Config(depth=3, width=64, batch=64, activation="tanh", init="normal", std=1.0)
    grid = LayerGrid()
    grid.rows = ("preact",)
    _show(grid, qtbot, 900, 300)
    grid.present(Simulator().run(config, rows=("preact",)), blend=False)
    p = grid.panels[("preact", 2)]
    lo, hi = p.xrange
    (_, left, _), (right, _, _) = regions("tanh", "preact")
    assert lo < left < 0 < right < hi
    drawn_bands = sorted(x for r in p.curve.bands for x in (r.left(), r.right()))
    assert drawn_bands == pytest.approx([lo, left, right, hi])


def test_badges_only_from_one_percent(qtbot):
    grid = LayerGrid()
    _show(grid, qtbot, 600, 300)
    grid.present(Simulator().run(TINY, rows=("act", "grad")), blend=False)
    p = grid.panels[("act", 1)]
    lo, hi = p.xrange
    counts = np.full(10, 100, np.int64)
    mark_outside(p, Hist(lo, hi, counts, underflow=5, overflow=0, sampled=1005))  # 0.5%
    assert not p.note("under").isVisible()
    mark_outside(p, Hist(lo, hi, counts, underflow=11, overflow=0, sampled=1011))  # 1.1%
    assert p.note("under").isVisible() and p.note("under").toPlainText() == "◀ 1.1%"


def test_deep_heatmap_on_log_magnitude_shows_the_drift(qtbot):
    """Depth 40 with tiny weights: each layer's gradients peak a little to the left of the next
    one's (backward, they shrink layer by layer), on one axis."""
    deep = Config(depth=40, width=64, batch=64, activation="tanh", init="normal", std=0.08)
    view = CANVAS_VIEWS["heatmap"]({"row": "grad"})
    _show(view, qtbot, 1280, 400)
    view.set_sizes(Sizes(720))
    snap = Simulator().run(deep, rows=("act", "grad"))
    view.present(ViewFrame(snap, rows=("act", "grad")))
    img = view.image_data("A")  # (bins, layers)
    assert img.shape[1] == 40
    peaks = img.argmax(axis=0)
    assert all(a <= b for a, b in itertools.pairwise(peaks)) and peaks[-1] - peaks[0] > 20
    # the image is the core's log-magnitude counts on the view's bins
    s = snap.layers[9]
    span = view._span
    pos, neg = s.hists["grad"].log.on(*span)
    share = (pos + neg) / s.hists["grad"].log.sampled
    with np.errstate(divide="ignore"):
        np.testing.assert_allclose(img[:, 9], np.log10(np.maximum(share, 1e-4)))


@pytest.mark.parametrize("width", [720, 1900])
def test_the_log_axis_numbers_never_run_together_in_a_narrow_strip(qtbot, width):
    # he-relu's gradient strip at 1920×1080: three decades' numbers in a 270 px panel read
    # "0.010.1 1"; each panel now numbers as many decades as its width holds
    view = CANVAS_VIEWS["histograms"]({"rows": ["grad"], "layers": [1, 3, 6]})
    _show(view, qtbot, width, 300)
    view.set_sizes(Sizes(1080))
    he = Config(depth=6, width=64, batch=64, activation="relu", init="he-normal")
    frame = ViewFrame(run_joint([Simulator()], [he])[0], rows=("act", "grad"))
    for _ in range(2):  # the second on the laid-out panels
        view.present(frame)
        QApplication.processEvents()
    for key, p in view.grid.panels.items():
        fm = QFontMetrics(p.plot.getAxis("bottom").style["tickFont"])
        vb = p.plot.vb
        at = sorted(
            (vb.mapViewToScene(QPointF(v, 0)).x(), fm.horizontalAdvance(power_label(round(v))))
            for v in p.ticks
        )
        assert len(at) >= 2, (key, p.ticks)
        for (x0, w0), (x1, w1) in itertools.pairwise(at):
            assert x1 - x0 >= (w0 + w1) / 2 + fm.horizontalAdvance(" "), (key, p.ticks)


def test_a_staged_frame_filled_over_turns_keeps_its_unrevealed_layers_empty(qtbot):
    """A new shape's frame is shown a row a turn also when its panels were placed at once
    (gui/views/row_fill.py): the view's reveal mask, applied as it presents, is applied again
    once the last row is in, or the rows filled after it showed every layer of a staged scene."""
    from core.reveal import Reveal
    from gui.canvas import reveal_mask
    from tests.gui.test_grid_build import in_event_loop

    view = CANVAS_VIEWS["histograms"]({})
    _show(view, qtbot, 1280, 600)
    sim = Simulator()
    rows = ("act", "grad", "wgrad")
    view.present(ViewFrame(sim.run(TINY, rows=rows), rows=rows))
    qtbot.waitUntil(lambda: not view.animating)
    snap = sim.run(TINY.replace(depth=4), rows=("grad", "act"))
    frame = ViewFrame(snap, rows=("grad", "act"), reveal=Reveal(4, 2))
    in_event_loop(qtbot, lambda: view.present(frame), lambda: not view.animating)
    assert len(view.grid.panels) == 8
    for row, layer in view.grid.panels:
        drawn_any = bool(np.any(view.grid.curve_data(row, layer)[1] > 0))
        assert drawn_any == reveal_mask.shown(frame, row, layer), (row, layer)
