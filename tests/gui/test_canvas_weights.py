"""The weight row and the formula chip (issue #18), built as the canvas builds them (the registry,
a scene's options, Sizes from the height) and driven by real snapshots of the core."""

import math
import re

import numpy as np
import pytest

from core import Config
from core.frame import theory_of
from core.simulate import Simulator, run_joint
from gui.canvas.registry import CANVAS_VIEWS
from gui.canvas.sizes import Sizes
from gui.presenter import ViewFrame

NET = dict(depth=4, width=500, batch=128, activation="tanh")


def _frame(a: Config, b: Config | None = None, focus: int = 0) -> ViewFrame:
    configs = [a] + ([b] if b is not None else [])
    snaps = run_joint([Simulator() for _ in configs], configs)
    b_snap = snaps[1] if b is not None else None
    return ViewFrame(a=snaps[0], b=b_snap, theory=theory_of(snaps[0]), focus_layer=focus)


def _view(qtbot, name, options, frame, height=720):
    view = CANVAS_VIEWS[name](options)
    qtbot.addWidget(view)
    view.resize(round(height * 16 / 9), height)
    view.show()
    view.set_sizes(Sizes(height))
    view.present(frame)
    return view


def _shares(view, side, layer):
    """(bin centres, drawn share per bin) of one side's histogram, and that layer's σ."""
    edges, heights = view.curves[(side, layer)]["hist"]
    return (edges[:-1] + edges[1:]) / 2, heights


def test_truncated_layer_draws_no_mass_beyond_two_sigma_and_std_088_sigma(qtbot):
    a = Config(init="truncated-normal", std=0.1, **NET)
    b = a.replace(init="normal")
    view = _view(qtbot, "weights", {"layers": [2]}, _frame(a, b))
    mid, share = _shares(view, "A", 2)
    assert share[np.abs(mid) > 0.2].sum() == 0.0
    std = math.sqrt((share * mid * mid).sum() / share.sum())
    assert std == pytest.approx(0.87963 * 0.1, rel=0.01)
    # plain normal of the same σ: 4.55% beyond ±2σ, of which 0.27% lies past the drawn ±3σ
    mid, share = _shares(view, "B", 2)
    assert share[np.abs(mid) > 0.2].sum() == pytest.approx(0.0455 - 0.0027, abs=0.004)
    x, p = view.curves[("A", 2)]["density"]
    assert p[np.abs(x) > 0.2 + 1e-12].max() == 0.0 and p.max() > 0
    title = view.panels[0].title.text
    beyond = [float(v) for v in re.findall(r"([\d.]+)% beyond 2σ", title)]
    assert beyond[0] == 0.0 and beyond[1] == pytest.approx(4.55, abs=0.3)
    assert "fan_in 500" in title and "fan_out 500" in title


def test_default_layers_first_middle_last_and_what_the_report_reads(qtbot):
    view = _view(qtbot, "weights", {}, _frame(Config(init="he-normal", **NET)))
    plots = [p.plot.report_name for p in view.panels]
    assert plots == ["weights L1", "weights L2", "weights L4"]
    for panel in view.panels:
        assert panel.title.report_role == "panel-title"
        title, data = panel.title.sceneBoundingRect(), panel.plot.vb.sceneBoundingRect()
        assert not title.intersects(data)  # the title sits outside the plot area
        tick = panel.plot.getAxis("bottom").style["tickFont"]
        assert tick.pixelSize() >= 0.02 * 720
        assert panel.plot.getAxis("bottom").label.font().pixelSize() >= 0.02 * 720


def test_orthogonal_draws_singular_values_at_the_gain_others_none(qtbot):
    a = Config(init="orthogonal", gain=1.5, **NET)
    view = _view(qtbot, "weights", {"layers": [1, 3]}, _frame(a, a.replace(init="he-normal")))
    assert [p.sv_plot.report_name for p in view.panels] == [
        "singular values L1",
        "singular values L3",
    ]
    np.testing.assert_allclose(view.curves[("A", 3)]["singular"], 1.5, rtol=1e-5)
    assert "singular" not in view.curves[("B", 3)]
    view.present(_frame(a.replace(init="he-normal")))
    assert view.panels[0].sv_plot is None  # no orthogonal side: no second row


def test_a_frame_with_the_same_weights_redraws_nothing(qtbot):
    frame = _frame(Config(init="he-normal", **NET))
    view = _view(qtbot, "weights", {}, frame)
    drawn = view.curves[("A", 1)]["hist"][1]
    view.present(frame)
    assert view.curves[("A", 1)]["hist"][1] is drawn
    view.present(_frame(Config(init="he-normal", **NET)))  # the same weights drawn again
    assert view.curves[("A", 1)]["hist"][1] is drawn
    view.present(_frame(Config(init="he-normal", std=0.1, **NET).replace(init="normal")))
    assert view.curves[("A", 1)]["hist"][1] is not drawn


@pytest.mark.parametrize(
    "init, activation, text",
    [
        ("he-normal", "relu", "σ_w = √(2/500) = 0.063"),
        ("xavier-normal", "tanh", "σ_w = √(2/(500+500)) = 0.045"),
        ("lecun-normal", "selu", "σ_w = √(1/500) = 0.045"),
    ],
)
def test_formula_chip_has_init_theorys_numbers_at_width_500(qtbot, init, activation, text):
    c = Config(depth=10, width=500, batch=128, init=init, activation=activation)
    view = _view(qtbot, "formula", {}, _frame(c))
    first, recursion = view.texts()
    assert first == f"L10: {text}"
    assert recursion.startswith("Var(h₁₀) = n·σ_w²·E[φ(h₉)²] = 500 · ")
    assert all(lb.property("role") == "chip" for lb in view.labels["A"])
    assert view.labels["A"][0].font().pixelSize() >= 0.02 * 720


def test_formula_chip_follows_the_config_the_focus_and_b(qtbot):
    c = Config(depth=10, width=500, batch=128, init="he-normal", activation="relu")
    view = _view(qtbot, "formula", {}, _frame(c))
    before = view.texts()
    assert "= 2 (net:" in before[1]  # He-ReLU: Var(h) = 2 at every layer
    view.present(_frame(c.replace(init="xavier-normal")))
    after = view.texts()
    assert after[0] == "L10: σ_w = √(2/(500+500)) = 0.045" and "= 0.002 (net:" in after[1]
    view.present(_frame(c, c.replace(truncation="tf"), focus=3))
    both = view.texts()
    assert both[0] == "A  L3: σ_w = √(2/500) = 0.063"
    assert both[2] == "B  L3: σ_w = √(2/500) = 0.063 → truncated 0.88σ = 0.056"
    assert both[3].startswith("Var(h₃)")


def test_closing_a_drawn_view_is_quiet(qtbot):
    """pyqtgraph's close() drops the viewport, which resizes the view: a redraw then had no
    scene left and crashed the process."""
    view = _view(qtbot, "weights", {}, _frame(Config(init="orthogonal", **NET)))
    view.close()
    assert view.closed
