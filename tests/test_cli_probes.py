"""`python -m core stats --correlation C0 --jacobian K --seeds K` (issue #19)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core import Config, Simulator, correlation, seeds
from core.cli import config_from_args, main, parser

SMALL = ["--depth", "3", "--width", "64", "--batch", "32"]


def stats_json(capsys, *args):
    assert main(["stats", *SMALL, "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def same_config(*args) -> Config:
    return config_from_args(parser().parse_args(["stats", *SMALL, *args]))


@pytest.mark.parametrize("init", ["xavier-normal", "lsuv"])
def test_correlation_is_measured_on_the_very_weights_stats_uses(capsys, init):
    """LSUV rescales W on the batch: the pair must see the rescaled weights of this run."""
    flags = ["--init", init, "--bias", "normal:0.2"]
    out = stats_json(capsys, *flags, "--correlation", "0.3")
    c = same_config(*flags)
    sim = Simulator()
    sim.run(c)
    want = correlation.profile(c, sim.network(c).layers, 0.3)
    assert [l["correlation"] for l in out["layers"]] == list(want.measured)
    assert [l["correlation_theory"] for l in out["layers"]] == list(want.predicted)
    top = {"c0": 0.3, "pairs": correlation.PAIRS, "c_star": want.c_star, "xi_c": want.xi_c}
    assert out["correlation"] == top
    assert out["layers"][0]["correlation"] == pytest.approx(0.3, abs=0.1)


def test_jacobian_object_has_the_issues_keys(capsys):
    out = stats_json(capsys, "--activation", "relu", "--init", "he-normal", "--jacobian", "2")
    j = out["jacobian"]
    assert j["examples"] == 2 and j["mean_sq_theory"] == pytest.approx(1.0)
    sv = np.array(j["singular_values"])
    assert sv.shape == (2, 64) and np.all(np.diff(sv, axis=1) <= 0)
    assert j["mean_sq_singular_value"] == pytest.approx(np.mean(sv**2), rel=1e-5)
    assert j["mean_sq_by_layer"][-1] == j["mean_sq_singular_value"]
    assert "jacobian" not in out["layers"][0]


def test_seeds_add_per_layer_spreads_around_the_shown_seed(capsys):
    out = stats_json(capsys, "--seeds", "4", "--seed", "3")
    assert out["seeds"] == {"count": 4, "first": 3, "last": 6}
    want = seeds.spread(same_config("--seed", "3"), 4)
    for i, layer in enumerate(out["layers"]):
        s = layer["seeds"]["act_std"]
        assert s["lo"] <= layer["act_std"] <= s["hi"]
        assert s == want.layers[i]["act_std"].to_json()


def test_mean_field_is_null_where_it_does_not_apply(capsys):
    out = stats_json(capsys, "--init", "constant", "--correlation", "0.5", "--jacobian", "1")
    assert out["layers"][0]["correlation_theory"] is None
    assert out["correlation"]["c_star"] is None
    assert out["jacobian"]["mean_sq_theory"] is None


def test_the_table_gets_the_columns_and_a_line_each(capsys):
    args = [*SMALL, "--theory", "--correlation", "0.5", "--jacobian", "2", "--seeds", "2"]
    assert main(["stats", *args]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = lines[0]
    for name in (" c ", " c mf", " J σ²", " J σ² mf", " a std ±", " ∂a std ±"):
        assert name in header
    assert len(lines) == 1 + 3 + 1 + 3  # header, layers, theory's line, one per probe
    assert lines[-3].startswith("c: correlation of 64 input pairs at cosine 0.5")
    assert lines[-2].startswith("J σ²: mean squared singular value")
    assert lines[-1] == "±: standard deviation across the 2 seeds 0…1"
    assert all(len(l.split()) == len(lines[1].split()) for l in lines[1:4])


def test_without_the_flags_nothing_is_added(capsys):
    out = stats_json(capsys)
    assert not {"correlation", "jacobian", "seeds"} & (set(out) | set(out["layers"][0]))


BAD = [
    ("--correlation", "1.5"),
    ("--correlation", "-1.0001"),
    ("--correlation", "nan"),
    ("--correlation", "inf"),
    ("--correlation", "abc"),
    ("--correlation", "x" * 5000),
    ("--jacobian", "0"),
    ("--jacobian", "-2"),
    ("--jacobian", "65"),
    ("--jacobian", "33"),  # more than the batch of 32
    ("--jacobian", "2.5"),
    ("--jacobian", "9" * 5000),
    ("--seeds", "0"),
    ("--seeds", "65"),
    ("--seeds", "nan"),
]


@pytest.mark.parametrize("flag, value", BAD, ids=[f"{f}={v[:12]}" for f, v in BAD])
def test_bad_values_are_one_line_and_exit_2(capsys, flag, value):
    assert main(["stats", *SMALL, "--json", flag, value]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and len(lines[0]) <= 400
    assert flag.lstrip("-") in lines[0]


@pytest.mark.parametrize(
    "args, says",
    [
        (["--norm", "batch", "--correlation", "0.5"], "plain net"),
        (["--residual", "--jacobian", "2"], "plain net"),
        (["--seed", str(2**63 - 1), "--seeds", "2"], "2^63"),
        (["--width", "8000", "--depth", "2", "--batch", "2", "--jacobian", "1"], "too big"),
        (["--bias", "normal:-0.1"], "bias_value"),
        (["--bias", "normal:abc"], "not a number"),
    ],
)
def test_what_cannot_run_is_refused_before_running(capsys, args, says):
    assert main(["stats", *SMALL, *args]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1 and says in err


def test_a_random_bias_flag_draws_a_normal_bias(capsys):
    out = stats_json(capsys, "--bias", "normal:0.25", "--theory")
    assert out["config"]["bias"] == "normal" and out["config"]["bias_value"] == 0.25
    c = same_config("--bias", "normal:0.25")
    sim = Simulator()
    sim.run(c)
    b = np.concatenate([layer.b for layer in sim.network(c).layers])
    assert b.std() == pytest.approx(0.25, rel=0.1) and abs(b.mean()) < 0.05
    assert out["theory"]["sigma_b2"] == pytest.approx(0.0625)


def test_an_overflowing_net_is_valid_json_with_nulls(capsys):
    args = ["--depth", "30", "--activation", "linear", "--init", "normal", "--std", "100"]
    assert (
        main(
            [
                "stats",
                "--width",
                "64",
                "--batch",
                "16",
                *args,
                "--json",
                "--jacobian",
                "2",
                "--correlation",
                "0.5",
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["jacobian"]["singular_values"][0][0] is None
    assert out["layers"][-1]["correlation"] is None
