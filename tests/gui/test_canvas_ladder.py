"""The σ ladder (gui/canvas/views/ladder.py) from real snapshots: what it plots is the frame's."""

import dataclasses
import math

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QRectF

from core import Config, Simulator
from core.frame import theory_of
from core.simulate import run_joint
from gui.canvas.registry import CANVAS_VIEWS
from gui.canvas.sizes import Sizes
from gui.canvas.views import sides
from gui.canvas.views.decades import DecadeAxis, decade_text
from gui.canvas.views.ladder import factor_text, per_layer_factor
from gui.presenter import ViewFrame

TINY = Config(depth=6, width=120, batch=200, activation="tanh", init="normal", std=0.01)
FIX = Config(depth=6, width=120, batch=200, activation="tanh", init="xavier-normal")


def frame_of(*configs):
    snaps = run_joint([Simulator() for _ in configs], list(configs))
    return ViewFrame(snaps[0], snaps[1] if len(snaps) > 1 else None, theory=theory_of(snaps[0]))


def shown(qtbot, frame, size=(1280, 720), options=None, share=(0.62, 0.62)):
    """As a lead view (about 62% of the screen each way) or a strip (share=(0.9, 0.26))."""
    view = CANVAS_VIEWS["ladder"](options or {})
    qtbot.addWidget(view)
    view.resize(int(size[0] * share[0]), int(size[1] * share[1]))
    view.set_sizes(Sizes(size[1]))
    view.present(frame)
    view.show()
    qtbot.waitExposed(view)
    view.present(frame)  # laid out: the labels placed on the final geometry
    return view


def scene_rect(item) -> QRectF:
    return item.mapRectToScene(item.boundingRect())


def test_the_plotted_points_are_the_snapshots_stds(qtbot):
    frame = frame_of(TINY, FIX)
    view = shown(qtbot, frame)
    for name, snap in (("A", frame.a), ("B", frame.b)):
        for direction, attr in (("forward", "act_std"), ("backward", "grad_std")):
            x, y = view.curves[(name, direction)].getData()
            want = [getattr(s, attr) for s in snap.layers]
            np.testing.assert_array_equal(x, np.arange(1, 7))
            np.testing.assert_allclose(10**y, want, rtol=1e-12)
    x, y = view.curves[("theory", "forward")].getData()
    np.testing.assert_allclose(10**y, [lp.act_std for lp in frame.theory.prediction.layers])


def test_the_factor_written_is_the_frames_ratio_per_layer(qtbot):
    frame = frame_of(TINY)
    view = shown(qtbot, frame)
    a = [s.act_std for s in frame.a.layers]
    g = [s.grad_std for s in frame.a.layers]
    forward = (a[-1] / a[0]) ** (1 / 5)
    backward = (g[0] / g[-1]) ** (1 / 5)
    assert forward == pytest.approx(0.01 * math.sqrt(120), rel=0.1)  # ×0.11: vanishing
    assert view.factors[("A", "forward")] == pytest.approx(forward, rel=1e-9)
    assert view.factors[("A", "backward")] == pytest.approx(backward, rel=1e-9)
    assert view.labels[("A", "forward")].toPlainText() == f"A → ×{forward:.2g} per layer"
    assert view.labels[("A", "backward")].toPlainText() == f"A ← ×{backward:.2g} per layer"


def test_factor_text_keeps_two_digits_and_skips_gaps():
    assert factor_text(1.0) == "×1.0 per layer"
    assert factor_text(0.2236) == "×0.22 per layer"
    assert factor_text(3.48e15) == "×3.5e+15 per layer"
    # a gap (NaN, 0) leaves out its two ratios, not the whole line
    assert per_layer_factor([1.0, 0.5, np.nan, 0.125, 0.0625]) == pytest.approx(0.5)
    assert per_layer_factor([8.0, 4.0, 2.0], toward_input=True) == pytest.approx(2.0)
    assert math.isnan(per_layer_factor([0.0, np.inf]))


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
@pytest.mark.parametrize("share", [(0.62, 0.62), (0.9, 0.26)])
def test_labels_overlap_neither_each_other_nor_the_data(qtbot, size, share):
    # A and theory coincide (tiny-normal-tanh's lines) and B sits apart: six labels to place,
    # or in a strip four, the theory's factor in A's
    view = shown(qtbot, frame_of(TINY, FIX), size, share=share)
    data = scene_rect(view.plot.vb)
    rects = [scene_rect(lb) for lb in view.labels.values() if lb.isVisible()]
    merged = share[1] < 0.5 and size[1] == 720  # 187 px: no room for six labels of 15 px
    assert len(rects) == (4 if merged else 6)
    for i, r in enumerate(rects):
        assert not r.intersects(data), view.labels
        assert view.rect().contains(view.mapFromScene(r).boundingRect())
        for other in rects[i + 1 :]:
            assert not r.intersects(other)
    for label in view.labels.values():
        assert label.textItem.font().pixelSize() >= 0.02 * size[1]
    if merged:
        theory = view.factors[("theory", "forward")]
        assert view.labels[("A", "forward")].toPlainText().endswith(f"(theory ×{theory:.2g})")


def test_b_is_the_bold_fix_unless_the_scene_says_a(qtbot):
    """Hue tells the side (the theme's, as in every view); weight tells the fix."""
    frame = frame_of(TINY, FIX)
    pal = sides.colors()
    view = shown(qtbot, frame)
    assert view.labels[("B", "forward")].color.name() == pal["B"].lower()
    assert view.labels[("A", "forward")].color.name() == pal["A"].lower()
    assert view.labels[("B", "forward")].textItem.font().bold() is True
    assert view.labels[("A", "forward")].textItem.font().bold() is False
    view = shown(qtbot, frame, options={"fix": "A"})
    assert view.labels[("A", "forward")].color.name() == pal["A"].lower()
    assert view.labels[("A", "forward")].textItem.font().bold() is True
    assert view.labels[("B", "forward")].textItem.font().bold() is False


def test_colours_keep_their_contrast_on_both_themes():
    from gui import theme

    for name, t in theme.THEMES.items():
        pal = theme.PALETTES[name]
        for color in (pal["a_side"], pal["b_side"], pal["theory"], t.foreground):
            assert sides.contrast(color, t.background) >= 4.5, (name, color)


def with_stds(snap, act, grad):
    layers = tuple(
        dataclasses.replace(s, act_std=a, grad_std=g)
        for s, a, g in zip(snap.layers, act, grad, strict=True)
    )
    return dataclasses.replace(snap, layers=layers)


def test_extreme_and_non_finite_values_are_drawn_or_counted(qtbot):
    base = frame_of(TINY).a
    act = [1e-30, 1e-10, np.nan, 1e10, np.inf, 1e30]
    grad = [0.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    frame = ViewFrame(with_stds(base, act, grad))
    view = shown(qtbot, frame)
    _, y = view.curves[("A", "forward")].getData()
    np.testing.assert_allclose(y, [-30, -10, np.nan, 10, np.nan, 30])
    assert view.skipped == 3
    assert view.note.text.endswith("1 at std 0, 2 not finite")
    lo, hi = view.plot.vb.viewRange()[1]
    assert lo <= -30 and hi >= 30
    ticks = view.plot.getAxis("left").tickValues(lo, hi, 400)[0]
    assert ticks[0] == 10 and ticks[1] == list(range(-30, 31, 10))


def test_deep_and_single_layer_nets(qtbot):
    deep = frame_of(Config(depth=200, width=16, batch=32, activation="relu", init="he-normal"))
    view = shown(qtbot, deep)
    x, _ = view.curves[("A", "forward")].getData()
    assert len(x) == 200
    assert len(view.marks[("A", "forward")].data) < 200  # markers thinned, not smeared
    one = frame_of(Config(depth=1, width=16, batch=32))
    view = shown(qtbot, one)
    assert view.labels[("A", "forward")].toPlainText().startswith("A → std ")


def test_decade_ticks_read_as_round_numbers():
    assert [decade_text(k) for k in (-5, -2, 0, 2, 15)] == ["1e-5", "0.01", "1", "100", "1e15"]
    axis = DecadeAxis("left")
    assert axis.tickValues(-7.2, 0.3, 300)[0][1] == [-7, -6, -5, -4, -3, -2, -1, 0]
    assert pg.getConfigOption("background")  # the palette reads it


def test_the_values_option_writes_the_frames_std_at_the_named_layers(qtbot):
    # xavier-tanh's claim cites layer 1's and layer 10's std: the ladder writes them beside
    # their markers, forward and backward, and nothing at other layers
    frame = frame_of(FIX)
    view = shown(qtbot, frame, options={"values": [1, 6]})
    for direction, attr in (("forward", "act_std"), ("backward", "grad_std")):
        written = view.values.values_at("A", direction)
        assert set(written) == {1, 6}
        for k, v in written.items():
            assert v == pytest.approx(getattr(frame.a.layers[k - 1], attr), rel=0.06)
    changed = frame_of(dataclasses.replace(FIX, gain=1.5))
    view.present(changed)
    assert view.values.values_at("A", "forward")[6] == pytest.approx(
        changed.a.layers[5].act_std, rel=0.06
    )


def test_numbers_that_would_touch_leave_the_fixs_and_never_overlap(qtbot):
    frame = frame_of(dataclasses.replace(FIX, gain=1.02), FIX)  # A's lines lie on B's
    view = shown(qtbot, frame, options={"values": [1, 6]})
    shown_items = [i for i in view.values.items.values() if i.isVisible()]
    rects = [scene_rect(i) for i in shown_items]
    assert all(not a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1 :])
    assert set(view.values.values_at("B", "forward")) == {1, 6}  # B is the fix here: kept
    assert len(view.values.shown) == len(shown_items) < 8


def test_a_short_strip_still_names_more_than_one_decade(qtbot):
    # unit-normal-tanh's ladder strip at 720 lines spans six decades in about 90 px: pyqtgraph
    # hid every number that overhung the axis, leaving "1" alone
    unit = Config(depth=10, width=500, batch=200, activation="tanh", init="normal", std=1.0)
    view = shown(qtbot, frame_of(unit), share=(0.9, 0.18))
    axis = view.plot.getAxis("left")
    lo, hi = view.plot.viewRange()[1]
    (_, ticks), *_ = axis.tickValues(lo, hi, axis.size().height())
    half = 0.5 * axis.style["tickFont"].pixelSize() * (hi - lo) / axis.size().height()
    assert len(ticks) >= 2 and all(lo + half <= t <= hi - half for t in ticks), (ticks, lo, hi)
