"""A new per-layer statistic or a new activation is one registry entry: added here (monkeypatched,
no other file touched), it reaches every reader. The docks, tables and plots read the registries
when they are built, so each is built after the entry is added, as at the app's start."""

import argparse
import dataclasses
import json
import math

import numpy as np
import pytest
from PySide6.QtCore import Qt

from core import Config, prediction, run, theory
from core.activations import ACTIVATIONS, entry
from core.cli import add_config_flags, main
from core.fields import FIELDS, Field
from gui.docks.network_dock import NetworkDock
from gui.views.depth_profile import DepthProfile
from gui.views.layer_grid import LayerGrid
from gui.views.stats_table import StatsModel


def _softsign(h, out):
    np.abs(h, out=out)
    out += 1.0
    return np.divide(h, out, out=out)


def _d_softsign(h, a, out):
    np.abs(h, out=out)
    out += 1.0
    np.multiply(out, out, out=out)
    return np.reciprocal(out, out=out)


SOFTSIGN = entry(
    "softsign", "φ(x) = x/(1+|x|)", "Turian+ 2009", _softsign, _d_softsign, None, -1.0, 1.0
)
SQ = lambda h, a, d: a * a  # noqa: E731


def test_a_new_statistic_is_one_field(monkeypatch, qtbot):
    """nonfinite_frac, which no reader showed, declared once: a column of the window's table (its
    header, tooltip and the layer's number) and a curve of the depth profile."""
    toy = Field(
        "nonfinite_frac", "bad", "share of non-finite activations", fmt="%", legend="bad share"
    )
    monkeypatch.setitem(FIELDS, toy.attr, toy)
    c = Config(depth=7, width=16, batch=8, activation="linear", init="normal", std=1e6)
    snap = run(c)  # float32 overflows by layer 6
    model = StatsModel()
    model.set_snapshot(snap)
    col = model.columnCount() - 1
    horizontal = Qt.Orientation.Horizontal
    assert model.headerData(col, horizontal) == "bad"
    assert model.headerData(col, horizontal, Qt.ItemDataRole.ToolTipRole) == toy.tooltip
    cells = [row[col] for row in model.rows_as_text()[1:]]
    assert cells == [f"{100 * s.nonfinite_frac:.1f}" for s in snap.layers]
    assert any(s.nonfinite_frac > 0 for s in snap.layers)
    profile = DepthProfile()
    qtbot.addWidget(profile)
    profile.present(snap)
    assert "bad share" in [label.text for _, label in profile.act_plot.legend.items]
    x, y = profile.series("nonfinite_frac")  # on the (log) axis: the layers where it is > 0
    assert x.tolist() == [s.index for s in snap.layers if s.nonfinite_frac > 0]
    assert y.tolist() == [s.nonfinite_frac for s in snap.layers if s.nonfinite_frac > 0]


def test_a_new_activation_is_one_entry(monkeypatch, qtbot, capsys):
    """Softsign declared once (every fact at its safe default: quadrature, saturating): it is a
    choice of the network dock and the CLI, the theory predicts it by quadrature, and the grid's
    titles note its saturation (and not when the entry says it has none)."""
    monkeypatch.setitem(ACTIVATIONS, "softsign", SOFTSIGN)

    dock = NetworkDock()
    qtbot.addWidget(dock)
    box = dock.activation
    assert [box.itemText(i) for i in range(box.count())] == list(ACTIVATIONS)
    assert box.itemData(box.count() - 1, 3) == "φ(x) = x/(1+|x|) — Turian+ 2009"
    with qtbot.waitSignal(dock.changed) as sent:
        box.setCurrentText("softsign")
    assert sent.args[0] == {"activation": "softsign"}

    parser = argparse.ArgumentParser()
    add_config_flags(parser)
    assert "softsign" in " ".join(parser.format_help().split())
    cli = ["stats", "--activation", "softsign", "--depth", "3", "--width", "64", "--theory"]
    assert main([*cli, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [layer["activation"] for layer in doc["layers"]] == ["softsign"] * 3
    assert all(v is not None for layer in doc["layers"] for v in layer["theory"].values())

    c = Config(depth=3, width=1000, batch=1000, activation="softsign")
    pred = prediction.predict(c)
    assert all(math.isfinite(v) for lp in pred.layers for v in (lp.act_std, lp.grad_std, lp.chi))
    assert theory.moments("softsign", 0.7).m2 == theory.expect("softsign", SQ, 0.7, nodes="trap")
    first = run(c).layers[0]
    assert first.act_std == pytest.approx(pred.layers[0].act_std, rel=0.03)

    snap = run(Config(depth=2, width=64, batch=64, activation="softsign", init="normal", std=1.0))
    sat = snap.layers[0].saturated_frac
    assert sat > 0.3  # h has std 8: |h| > 3.5, where φ′ < 5% of its maximum, is most of it
    grid = LayerGrid()
    qtbot.addWidget(grid)
    grid.present(snap, blend=False)
    assert f"sat {100 * sat:.0f}%" in grid.panel("act", 1).titleLabel.text
    calm = dataclasses.replace(SOFTSIGN, saturates="none")
    monkeypatch.setitem(ACTIVATIONS, "softsign", calm)
    grid.present(snap, blend=False)
    assert "sat" not in grid.panel("act", 1).titleLabel.text
