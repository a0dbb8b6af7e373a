"""The units raster and the stats table (gui/canvas/views/units.py, stats.py) from real snapshots."""

import dataclasses

import numpy as np
import pytest

from core import Config, Simulator, fields
from core.simulate import run_joint
from gui.canvas.registry import CANVAS_VIEWS
from gui.canvas.sizes import Sizes
from gui.presenter import ViewFrame

ZEROS = Config(depth=3, width=60, batch=80, activation="tanh", init="zeros", bias="zeros")
SIGMOID_ZEROS = dataclasses.replace(ZEROS, activation="sigmoid")
TINY = Config(depth=3, width=60, batch=80, activation="tanh", init="normal", std=0.01)
HE = Config(depth=8, width=60, batch=200, activation="relu", init="he-normal", seed=2)


def frame_of(*configs):
    snaps = run_joint([Simulator() for _ in configs], list(configs))
    return ViewFrame(snaps[0], snaps[1] if len(snaps) > 1 else None)


def shown(qtbot, name, frame, options=None, size=(1280, 720), share=(0.62, 0.4)):
    view = CANVAS_VIEWS[name](options or {})
    qtbot.addWidget(view)
    view.resize(int(size[0] * share[0]), int(size[1] * share[1]))
    view.set_sizes(Sizes(size[1]))
    view.present(frame)
    view.show()
    qtbot.waitExposed(view)
    return view


def counts(view, side="A") -> str:
    return view.counts[side].text.replace("<br>", " / ")


def test_the_raster_shows_the_snapshots_values_units_as_rows(qtbot):
    frame = frame_of(TINY)
    view = shown(qtbot, "units", frame, {"layer": 2})
    sample = frame.a.layers[1].units_sample
    image = view.images["A"].image  # pyqtgraph's (x, y): examples × units
    np.testing.assert_array_equal(image.T, sample)
    assert sample.shape == (48, 64)
    assert view.plots["A"].report_name == "units A L2"


def test_zero_weights_show_one_distinct_unit_and_a_random_draw_all(qtbot):
    view = shown(qtbot, "units", frame_of(ZEROS, SIGMOID_ZEROS))
    assert counts(view, "A") == "1 distinct unit of 60 / 0 dead · every value 0"
    assert counts(view, "B") == "1 distinct unit of 60 / 0 dead · every value 0.5"
    rows = view.images["B"].image.T
    assert (rows == rows[0]).all()  # every row the same row
    view = shown(qtbot, "units", frame_of(TINY))
    assert counts(view).startswith("60 distinct units of 60 / 0 dead")
    rows = view.images["A"].image.T
    assert len({r.tobytes() for r in rows}) == len(rows)


def test_dead_units_are_blank_rows_and_counted(qtbot):
    frame = frame_of(HE)
    view = shown(qtbot, "units", frame)  # the last layer by default
    layer = frame.a.layers[-1]
    dead = round(layer.dead_units * layer.fan_out)
    assert dead > 0
    assert f"{dead} dead" in counts(view)
    rows = view.images["A"].image.T
    blank = (rows == 0).all(axis=1)
    assert blank.any()  # in the first 48 units of this seed: rows at the background colour
    assert view.images["A"].levels[0] == 0.0  # ReLU's values from the background up


def test_a_non_finite_sample_is_drawn_at_the_ends_and_counted(qtbot):
    frame = frame_of(TINY)
    layer = frame.a.layers[0]
    bad = layer.units_sample.copy()
    bad[0, :3] = [np.inf, -np.inf, np.nan]
    layers = (dataclasses.replace(layer, units_sample=bad), *frame.a.layers[1:])
    view = shown(
        qtbot, "units", ViewFrame(dataclasses.replace(frame.a, layers=layers)), {"layer": 1}
    )
    top = view.images["A"].levels[1]
    np.testing.assert_array_equal(view.images["A"].image.T[0, :3], [top, -top, 0.0])
    assert counts(view).endswith("3 not finite")


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_the_stats_table_shows_the_named_layers_numbers_large(qtbot, size):
    frame = frame_of(TINY, ZEROS)
    view = shown(qtbot, "stats", frame, size=size)  # default: the first and the last layer
    assert {n for _, n, _ in view.cells} == {1, 3}
    for (attr, n, side), label in view.cells.items():
        snap = frame.a if side == "A" else frame.b
        value = getattr(snap.layers[n - 1], attr)
        assert label.text() == fields.text(value, fields.FIELDS[attr].fmt).strip()
        assert label.font().pixelSize() >= 0.02 * size[1]
        assert label.property("role") == "chip"


def test_the_stats_table_takes_the_scenes_layers_within_the_net(qtbot):
    view = shown(qtbot, "stats", frame_of(TINY), {"layers": [2, 10]})
    assert sorted({n for _, n, _ in view.cells}) == [2, 3]  # layer 10 of 3: the last
    view = shown(qtbot, "stats", frame_of(TINY), {"layers": [-1]})
    assert {n for _, n, _ in view.cells} == {3}


def test_in_a_strip_the_counts_sit_beside_the_raster_and_the_table_turns(qtbot):
    frame = frame_of(ZEROS, SIGMOID_ZEROS)
    view = shown(qtbot, "units", frame, share=(0.9, 0.26))
    for name in ("A", "B"):
        plot = view.plots[name]
        raster = plot.mapRectToScene(plot.vb.boundingRect())
        text = view.counts[name].mapRectToScene(view.counts[name].boundingRect())
        assert text.left() >= raster.right()
        assert raster.height() > 0.5 * view.height()
        assert view.counts[name].text.startswith(f"{name} · layer 3")
    table = shown(qtbot, "stats", frame, share=(0.9, 0.26))
    std_a1, std_b1 = table.cells[("act_std", 1, "A")], table.cells[("act_std", 1, "B")]
    qtbot.waitUntil(std_b1.isVisible)  # a label added to a shown widget shows at the next event
    assert std_a1.y() < std_b1.y() and std_a1.x() == pytest.approx(std_b1.x(), abs=30)
    for label in table.cells.values():
        assert label.geometry().bottom() <= table.height()
