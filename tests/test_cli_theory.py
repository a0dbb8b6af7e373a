"""`python -m core stats --theory`: mean-field predictions beside the measurements."""

import json

import pytest

from core import Config, prediction, theory
from core.cli import main

SMALL = ["--depth", "3", "--width", "64", "--batch", "32"]


def stats_json(capsys, *args):
    assert main(["stats", *SMALL, "--theory", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_carries_per_layer_and_fixed_point_predictions(capsys):
    out = stats_json(capsys, "--activation", "tanh", "--init", "normal", "--std", "1")
    assert len(out["layers"]) == 3
    for layer in out["layers"]:
        assert set(layer["theory"]) >= {"preact_std", "act_std", "grad_std", "preact_grad_std"}
    # σ_w² = 64·1 for the fixed point; chaotic like the §2 case
    top = out["theory"]
    assert top["sigma_w2"] == pytest.approx(64.0)
    assert top["chi1"] > 1 and top["regime"].startswith("chaotic")
    assert top["q_star"] == pytest.approx(theory.q_star("tanh", 64.0, 0.0))


def test_json_numbers_are_the_theory_modules(capsys):
    out = stats_json(capsys, "--activation", "relu", "--init", "he-normal")
    pred = prediction.predict(
        Config(depth=3, width=64, batch=32, activation="relu", init="he-normal")
    )
    assert [l["theory"]["preact_std"] for l in out["layers"]] == [l.preact_std for l in pred.layers]
    assert out["layers"][0]["theory"]["preact_std"] == pytest.approx(2**0.5)
    assert out["theory"]["regime"].startswith("critical")


def test_without_the_flag_the_output_is_unchanged(capsys):
    assert main(["stats", *SMALL, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert "theory" not in out and "theory" not in out["layers"][0]


def test_not_applicable_is_null_not_a_crash(capsys):
    out = stats_json(capsys, "--init", "constant")
    assert out["theory"] is None and out["layers"][0]["theory"] is None


def test_mse_gradients_are_null_in_valid_json(capsys):
    out = stats_json(capsys, "--grad-source", "mse")
    assert out["layers"][0]["theory"]["grad_std"] is None
    assert out["layers"][0]["theory"]["act_std"] > 0


def test_table_gets_predicted_columns_and_the_regime(capsys):
    args = ["stats", *SMALL, "--theory", "--init", "normal", "--std", "0.01"]
    assert main(args) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("h std*    a std*   ∂a std*   ∂h std*")
    assert len(lines) == 1 + 3 + 1
    assert "ordered" in lines[-1] and "×0.08 per layer" in lines[-1]  # √(64·1e-4) = 0.08
    predicted_a_std = float(lines[1].split()[-3])
    assert predicted_a_std == pytest.approx(0.08, rel=0.01)  # tanh(h) ≈ h, std(h) = 0.08
