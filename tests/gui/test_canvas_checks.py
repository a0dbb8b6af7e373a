"""The layout report on a known layout, and the checks over it failing when they should."""

import pyqtgraph as pg
import pytest
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from gui.canvas import report
from gui.canvas.sizes import Sizes
from tests.gui.canvas_checks import overlapping_texts, problems, texts_on_data, too_small

H = 720


@pytest.fixture
def known(qtbot):
    """A title and a claim over one plot with named axes and a badge, at 900×720."""
    sizes = Sizes(H)
    win = QWidget()
    lay = QVBoxLayout(win)
    labels = {}
    for role in ("title", "claim"):
        labels[role] = QLabel(f"the {role}")
        labels[role].setProperty("role", role)
        labels[role].setFont(sizes.font(role))
        lay.addWidget(labels[role])
    view = pg.GraphicsLayoutWidget()
    plot = view.addPlot()
    plot.report_name = "activations L1"
    plot.setXRange(-1, 1, padding=0)
    plot.setYRange(0, 1, padding=0)
    for side, name in (("bottom", "value"), ("left", "share of values")):
        axis = plot.getAxis(side)
        axis.setStyle(tickFont=sizes.font("tick"))
        axis.label.setFont(sizes.font("axis-label"))
        plot.setLabel(side, name)
    badge = pg.TextItem("3% ▶")
    badge.textItem.setFont(sizes.font("badge"))
    badge.report_role = "badge"
    plot.addItem(badge)
    badge.setPos(0.5, 0.9)
    lay.addWidget(view, 1)
    qtbot.addWidget(win)
    win.resize(900, H)
    win.show()
    qtbot.waitExposed(win)
    return win, labels, plot, badge


def test_the_report_finds_every_text_and_plot_in_window_pixels(known):
    win, labels, _, _ = known
    r = report.layout_report(win)
    assert r["size"] == [900, H]
    roles = [t["role"] for t in r["texts"]]
    assert roles.count("title") == roles.count("claim") == roles.count("badge") == 1
    assert roles.count("axis-label") == 2 and roles.count("tick") >= 6
    ticks = {t["text"] for t in r["texts"] if t["role"] == "tick"}
    assert {"-0.5", "0", "0.5"} <= ticks
    title = next(t for t in r["texts"] if t["role"] == "title")
    pos = labels["title"].mapTo(win, labels["title"].rect().topLeft())
    assert title["rect"][:2] == [pos.x(), pos.y()] and title["px"] == Sizes(H).px("title")
    (p,) = r["plots"]
    assert p["name"] == "activations L1"
    x, y, w, h = p["data_rect"]
    assert x > 30 and y > labels["claim"].geometry().bottom() and w > 700 and h > 300
    assert problems(r) == []


def test_overlapping_labels_are_found(known):
    win, labels, _, _ = known
    labels["claim"].move(labels["title"].pos())  # the claim over the title
    found = overlapping_texts(report.layout_report(win))
    assert len(found) == 1 and "title 'the title'" in found[0] and "claim" in found[0]


def test_a_title_on_the_data_is_found_and_a_badge_there_is_not(known):
    win, _, _, badge = known
    assert texts_on_data(report.layout_report(win)) == []  # the badge may sit on the data
    badge.report_role = "panel-title"
    found = texts_on_data(report.layout_report(win))
    assert len(found) == 1 and "panel-title '3% ▶'" in found[0] and "activations L1" in found[0]


def test_small_type_is_found(known):
    win, labels, plot, _ = known
    labels["claim"].setFont(Sizes(H).font("tick"))  # 2.1% of the height: a claim needs 3%
    small = pg.QtGui.QFont()
    small.setPixelSize(10)  # 1.4%: under every floor
    plot.getAxis("bottom").setStyle(tickFont=small)
    found = too_small(report.layout_report(win))
    assert any(f.startswith("claim 'the claim'") for f in found)
    assert sum(f.startswith("tick") for f in found) >= 3
    assert not any(f.startswith("title") for f in found)


def test_an_axis_label_sized_in_its_html_style_reports_that_size(known):
    """canvas/style.py sizes axis names through setLabel's style ("font-size: 22px"), which the
    label's QFont does not carry: the report read the font and gave the application's size."""
    win, _, plot, _ = known
    plot.setLabel("left", "share of values", **{"font-size": "30px"})
    r = report.layout_report(win)
    (label,) = [t for t in r["texts"] if t["text"] == "share of values"]
    assert label["px"] == 30
