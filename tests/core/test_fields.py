"""core/fields.py: each per-layer statistic declared once, and the JSON and CLI table follow it."""

import dataclasses
import json
import math

import numpy as np
import pytest

from core import Config, Simulator, fields
from core.cli import main
from core.fields import FIELDS, Field, finite_or_none
from core.stats import LayerStats

SMALL = ["stats", "--depth", "3", "--width", "32", "--batch", "16"]


def test_every_field_is_a_layer_statistic():
    attrs = {f.name for f in dataclasses.fields(LayerStats)}
    assert set(FIELDS) <= attrs
    assert all(key == f.attr for key, f in FIELDS.items())
    assert all(f.fmt in ("g", "%", "d", "s") for f in FIELDS.values())


def test_backward_fields_are_exactly_those_a_forward_pass_leaves_nan():
    """The flag the registry declares is what the simulation does: with only the activation row
    asked for (no backward pass) the backward fields are NaN and every other number is finite."""
    c = Config(depth=3, width=32, batch=16)
    for rows, computed in ((("act",), False), (("act", "grad"), True)):
        for s in Simulator().run(c, rows).layers:
            for f in FIELDS.values():
                v = getattr(s, f.attr)
                if f.fmt == "s" or (f.attr == "sigma_w2" and v is None):
                    continue
                assert math.isfinite(v) == (computed or not f.backward), (f.attr, rows)


def test_a_new_field_reaches_the_json_and_the_cli_table(monkeypatch, capsys):
    """One entry (an attribute no reader showed) and both outputs have it, read from the same
    numbers as the others."""
    toy = Field("nonfinite_frac", "bad", "share of non-finite activations", fmt="%", cli="bad%")
    monkeypatch.setitem(FIELDS, toy.attr, dataclasses.replace(toy, width=6))
    assert main([*SMALL, "--json"]) == 0
    layers = json.loads(capsys.readouterr().out)["layers"]
    assert [list(l)[-1] for l in layers] == ["nonfinite_frac"] * 3
    assert all(l["nonfinite_frac"] == 0.0 for l in layers)
    assert main(SMALL) == 0
    head, *rows = capsys.readouterr().out.splitlines()
    assert head.endswith("nonfin   bad%")
    assert all(r.endswith("0    0.0") for r in rows) and len(rows) == 3


def test_a_field_taken_out_leaves_every_output(monkeypatch, capsys):
    # a new dict, not delitem: undoing that would put act_std back at the end, out of order
    monkeypatch.setattr(fields, "FIELDS", {k: f for k, f in FIELDS.items() if k != "act_std"})
    assert main([*SMALL, "--json"]) == 0
    assert "act_std" not in json.loads(capsys.readouterr().out)["layers"][0]
    assert main(SMALL) == 0
    assert " a std " not in capsys.readouterr().out


def test_the_json_keys_keep_their_order():
    """Scripts read them. (A test above that moved a key, by an undone delitem, broke the
    window's table in the tests after it.)"""
    assert list(FIELDS)[:5] == ["index", "preact_mean", "preact_std", "act_mean", "act_std"]
    assert list(FIELDS)[-3:] == ["fan_in", "fan_out", "activation"]


def test_tables_lead_with_the_fields_naming_the_row():
    assert [f.attr for f in fields.cli_fields()[:2]] == ["index", "activation"]
    assert [f.attr for f in fields.table_fields()[:2]] == ["index", "activation"]
    profile = fields.profile_fields()
    assert [f.attr for f in profile] == ["act_std", "act_mean", "grad_std", "weight_grad_std"]


@pytest.mark.parametrize(
    "value,expected",
    [
        (math.nan, None),
        (math.inf, None),
        (-math.inf, None),
        (np.float32("inf"), None),
        (np.float64("nan"), None),
        (1.5, 1.5),
        (0, 0),
        ("tanh", "tanh"),
        (None, None),
    ],
)
def test_finite_or_none(value, expected):
    got = finite_or_none(value)
    assert (got is None) if expected is None else (got == expected and type(got) is type(value))


def test_text_writes_as_the_tables_did():
    assert fields.text(0.1234, "%", 6) == "  12.3"
    assert fields.text(0.000123456, "g", 9) == " 0.000123"
    assert fields.text(7, "d", 5) == "    7"
    assert fields.text("relu", "s") == "relu"
    assert fields.text(math.nan, "g", 9) == "      nan"
