import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.cli import main

ROOT = Path(__file__).resolve().parent.parent


def cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "core", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_json_has_every_documented_field(capsys):
    assert main(["stats", "--depth", "3", "--width", "64", "--batch", "32", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["config"]["depth"] == 3
    assert [l["index"] for l in out["layers"]] == [1, 2, 3]
    for key in (
        "index",
        "preact_mean",
        "preact_std",
        "act_mean",
        "act_std",
        "saturated_frac",
        "dead_units",
        "grad_std",
        "weight_std",
        "weight_grad_std",
        "grad_data_ratio",
        "nonfinite",
    ):
        assert key in out["layers"][0]


def test_json_numbers_are_the_cores(capsys):
    from core import Config, run

    main(
        [
            "stats",
            "--depth",
            "4",
            "--width",
            "100",
            "--batch",
            "50",
            "--init",
            "normal",
            "--std",
            "0.01",
            "--activation",
            "tanh",
            "--json",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    snap = run(Config(depth=4, width=100, batch=50, init="normal", std=0.01))
    assert [l["act_std"] for l in out["layers"]] == [l.act_std for l in snap.layers]


def test_table_and_funnel(capsys):
    assert (
        main(
            [
                "stats",
                "--width",
                "784,512,256,128,10",
                "--activation",
                "relu",
                "--init",
                "he-normal",
                "--mode",
                "fan_out",
            ]
        )
        == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 5 and "relu" in lines[1]


def test_config_file_and_flags_override(tmp_path, capsys):
    p = tmp_path / "c.toml"
    p.write_text('depth = 3\nwidth = 40\nbatch = 20\ninit = "he-normal"\n', encoding="utf-8")
    assert main(["stats", "--config", str(p), "--depth", "2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["config"]["depth"] == 2 and out["config"]["init"] == "he-normal"


def test_exploding_net_is_valid_json(capsys):
    assert (
        main(
            [
                "stats",
                "--depth",
                "200",
                "--width",
                "50",
                "--batch",
                "20",
                "--activation",
                "relu",
                "--init",
                "he-normal",
                "--gain",
                "3",
                "--json",
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["layers"][-1]["nonfinite"] > 0


@pytest.mark.parametrize(
    "args,needle",
    [
        (["stats", "--depth", "0"], "depth"),
        (["stats", "--bogus"], "unrecognized arguments"),
        (["stats", "--init", "glorot"], "invalid choice"),
        (["stats", "--std", "nan"], "not a finite number"),
        (["stats", "--width", "10,x"], "integer"),
        (["stats", "--config", "/nonexistent.toml"], "readable"),
        (["stats", "--preset", "nope"], "preset"),
        (["stats", "--depth", "500", "--width", "20000", "--batch", "100000"], "GiB"),
        ([], "command"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, needle):
    r = cli(*args)
    assert r.returncode == 2
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in r.stderr


def test_presets_command_runs():
    r = cli("presets")
    assert r.returncode == 0
