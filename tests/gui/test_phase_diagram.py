"""The phase diagram shows core.theory's grid, a dot at the state, and reports clicks in (σ_w², σ_b²)."""

import math

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from core import phase
from gui.views.phase_diagram import PhaseDiagram

TINY_TANH = ("tanh", 500 * 0.01**2, 0.0)  # N(0, 0.01²) at width 500: σ_w² = 0.05
UNIT_TANH = ("tanh", 500.0, 0.0)  # N(0, 1) at width 500


@pytest.fixture
def diagram(qtbot):
    w = PhaseDiagram()
    qtbot.addWidget(w)
    w.resize(560, 460)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_dot_sits_at_the_state_and_moves_without_recomputing(diagram):
    diagram.set_state("tanh", 1.761, 0.05)
    assert diagram.dot_position() == pytest.approx((1.761, 0.05))
    grid = diagram.grid
    diagram.set_state("tanh", 2.5, 0.2)
    assert diagram.dot_position() == pytest.approx((2.5, 0.2))
    assert diagram.grid is grid  # same activation: only the dot moved
    diagram.set_state("relu", 2.5, 0.2)
    assert diagram.grid is not grid and diagram.grid.activation == "relu"


def test_image_and_contour_are_the_cores(diagram):
    diagram.set_state("tanh", 1.0, 0.1)
    g = phase.phase_grid("tanh")
    shown = diagram.image.image
    assert shown.shape == g.xi_c.shape
    np.testing.assert_allclose(10**shown, np.clip(g.xi_c, 0.5, 50), rtol=1e-9)
    x, y = diagram.contour_data()
    np.testing.assert_allclose(y, g.sigma_b2)
    k = int(np.argmin(np.abs(y - 0.05)))
    assert x[k] == pytest.approx(phase.critical_sigma_w2("tanh", float(y[k])), abs=2e-3)


def test_diverging_length_map_is_left_blank(diagram):
    diagram.set_state("relu", 2.0, 0.1)
    shown = diagram.image.image
    g = diagram.grid
    assert np.all(np.isnan(shown[:, g.sigma_w2 > 2.05]))
    assert np.all(np.isfinite(shown[:, g.sigma_w2 < 1.95]))
    assert diagram.contour_data()[0] == pytest.approx(np.full(len(g.sigma_b2), 2.0))
    assert "critical" in diagram.label.text()


def test_click_emits_the_point_under_the_mouse(diagram, qtbot):
    diagram.set_state("tanh", 1.0, 0.0)
    target = (2.25, 0.12)
    scene = diagram.plot.vb.mapViewToScene(QPointF(*target))
    pos = diagram.plot_widget.mapFromScene(scene)
    with qtbot.waitSignal(diagram.picked, timeout=2000) as blocker:
        qtbot.mouseClick(diagram.plot_widget.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    sw2, sb2 = blocker.args
    # one screen pixel is ~0.008 in σ_w² and ~0.001 in σ_b² at this size
    assert sw2 == pytest.approx(target[0], abs=0.02)
    assert sb2 == pytest.approx(target[1], abs=0.003)


def test_click_outside_the_axes_emits_nothing(diagram, qtbot):
    diagram.set_state("tanh", 1.0, 0.0)
    with qtbot.assertNotEmitted(diagram.picked, wait=100):
        qtbot.mouseClick(
            diagram.plot_widget.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(2, 2)
        )


def test_label_says_ordered_for_tiny_normal_tanh(diagram):
    diagram.set_state(*TINY_TANH)
    text = diagram.label.text()
    assert "ordered" in text and "×0.22 per layer" in text
    assert "off the chart" in text  # σ_w² = 0.05 < 0.5: the dot waits at the left edge
    x, y = diagram.dot_position()
    assert x == pytest.approx(phase.SW2_RANGE[0], abs=0.1) and x > phase.SW2_RANGE[0]
    assert y == 0.0  # σ_b² = 0 is on the chart
    diagram.grab().save("/tmp/phase_ordered.png")


def test_label_says_chaotic_for_unit_normal_tanh(diagram):
    diagram.set_state(*UNIT_TANH)
    text = diagram.label.text()
    assert "chaotic" in text and "×3.48 per layer" in text
    x, _ = diagram.dot_position()
    assert x == pytest.approx(phase.SW2_RANGE[1], abs=0.1) and x < phase.SW2_RANGE[1]
    diagram.grab().save("/tmp/phase_chaotic.png")


def test_every_activation_draws(diagram):
    from core.activations import ACTIVATIONS

    for act in ACTIVATIONS:
        diagram.set_state(act, 1.0, 0.05)
        assert diagram.dot_position() == pytest.approx((1.0, 0.05))
        assert math.isfinite(float(np.nanmax(diagram.image.image)))
        assert diagram.label.text().split("\n")[1].split(" ")[0] in (
            "ordered",
            "chaotic",
            "critical",
        )
