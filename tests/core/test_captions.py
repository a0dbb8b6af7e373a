"""Live captions (core/captions.py): fields filled from the frame, refused when they cannot be,
and a changed config described rather than the scene's claim repeated."""

from __future__ import annotations

import functools
import math

import pytest

from core import Config, captions, presets, run
from core.presets import Scene

SMALL = Config(depth=3, width=16, batch=32, activation="tanh", init="normal", std=0.1, seed=1)


@functools.cache
def snap(config: Config):
    return run(config)


def scene(claim: str = "", details: str = "", compare: Config | None = None) -> Scene:
    return Scene(
        name="t", title="Title", caption="", config=SMALL, compare=compare, claim=claim,
        details=details,
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Filling fields


def test_layer_fields_are_the_snapshots_numbers():
    s = snap(SMALL)
    text = captions.render("std {A.act_std[3]:.3e}, grad {A.grad_std[1]:.4f}", s, None)
    assert text == f"std {s.layers[2].act_std:.3e}".replace("e-0", "e-") + (
        f", grad {s.layers[0].grad_std:.4f}"
    )


def test_room_format_is_short():
    f = captions._formatted
    assert f(2.93e-07, "") == "2.9e-7"
    assert f(2.93e-07, ".0e") == "3e-7"
    assert f(1.6e15, ".1e") == "1.6e15"
    assert f(0.628, "") == "0.63" and f(22.0, "") == "22"
    assert f(0.106, "", "dead_units") == "11%" and f(0.004, "", "dead_units") == "0.4%"
    assert f(math.nan, "") == "—" and f(math.inf, "") == "∞"
    assert f((784, 512, 10), "") == "784 → 512 → 10"
    assert f(True, "") == "on" and f(500, "") == "500"


def test_ratios_and_aggregates():
    s = snap(SMALL)
    act = [layer.act_std for layer in s.layers]
    grad = [layer.grad_std for layer in s.layers]
    value = lambda text: float(captions.render(text, s, None))  # noqa: E731
    assert value("{A.factor:.6e}") == pytest.approx((act[2] / act[0]) ** 0.5, rel=1e-5)
    assert value("{A.factor[2]:.6e}") == pytest.approx(act[1] / act[0], rel=1e-5)
    assert value("{A.grad_factor:.6e}") == pytest.approx((grad[0] / grad[2]) ** 0.5, rel=1e-5)
    assert value("{A.grad_factor[1]:.6e}") == pytest.approx(grad[0] / grad[1], rel=1e-5)
    assert value("{A.act_std[max]:.6e}") == pytest.approx(max(act), rel=1e-5)
    assert value("{A.act_std[min]:.6e}") == pytest.approx(min(act), rel=1e-5)
    assert value("{A.act_std[mean]:.6e}") == pytest.approx(sum(act) / 3, rel=1e-5)


def test_config_fields_and_braces():
    s = snap(SMALL)
    text = captions.render("σ = {A.std}, {A.width} wide, {A.depth} deep, {{literal}}", s, None)
    assert text == "σ = 0.1, 16 wide, 3 deep, {literal}"


def test_a_field_the_frame_cannot_fill_reads_a_dash():
    s = snap(SMALL)
    assert captions.render("{A.act_std[10]} {B.act_std[1]}", s, None) == "— —"
    assert captions.render("{A.__class__[1]} {A.act_std}", s, None) == "— —"


# ---------------------------------------------------------------------------------------------
# Refusing fields when the scene loads

BAD_FIELDS = {
    "{A.act_stdd[3]}": "unknown name",
    "{A.act_std[4]}": "layer 4 outside 1..3",
    "{A.act_std[0]}": "layer 0 outside 1..3",
    "{A.factor[1]}": "layer 1 outside 2..3",
    "{A.act_std}": "needs a layer",
    "{A.std[2]}": "takes no [layer]",
    "{B.act_std[1]}": "no side B",
    "{A.act_std[1]:.2q}": "bad format spec",
    "{A.activation:.2f}": "bad format spec",
    "{A.depth!r}": "write {A.name}",
    "{C.depth}": "write {A.name}",
    "{A.act_std[1]:{B.depth}}": "write {A.name}",
    "{A.__class__}": "unknown name",
    "{A.act_std[1]": "expected '}'",
    "std }": "Single '}'",
}


@pytest.mark.parametrize("text", list(BAD_FIELDS))
def test_bad_field_is_refused_in_one_line(text):
    with pytest.raises(captions.FieldError) as e:
        captions.check(f"a claim with {text} in it", SMALL, None)
    message = str(e.value)
    assert "\n" not in message and BAD_FIELDS[text] in message


def test_good_fields_pass_the_check():
    captions.check(
        "{A.act_std[3]:.2g} {A.factor:.2f} {A.dead_units[1]:.0%} {A.std} {A.width} {A.depth} "
        "{A.preact_std[max]} {B.grad_std[1]:.1e} {B.grad_factor[2]}",
        SMALL,
        SMALL.replace(std=0.2),
    )


def write_preset(tmp_path, monkeypatch, scene_table: str) -> None:
    (tmp_path / "bad.toml").write_text(
        f"depth = 3\nwidth = 16\nbatch = 32\n[scene]\n{scene_table}\n", encoding="utf-8"
    )
    monkeypatch.setattr(presets, "presets_dir", lambda: tmp_path)


BAD_SCENES = {
    'claim = "std {A.act_std[11]}"': "claim: field '{A.act_std[11]}': layer 11 outside 1..3",
    'details = "{B.depth}"': "details: field '{B.depth}': this scene has no side B",
    'title = "one two three four five six seven eight nine ten eleven"': "title has 11 words",
    "claim = '" + "w " * 26 + "'": "claim has 26 words; allowed: at most 25",
    'layout = [{ view = "units", layer = 4 }]': "units layer: got 4; allowed: layers 1 to 3",
    'layout = [{ view = "histograms", rows = ["acts"] }]': "rows: got 'acts'",
    'layout = [{ view = "histograms", layers = 2 }]': "layers must be a non-empty list",
    'layout = [{ view = "ladder", layers = [1] }]': "unknown option 'layers'; allowed: fix",
    'layout = [{ view = "units", fix = "C" }]': "units fix: got 'C'; allowed: A, B",
    'layout = [{ view = "heatmap", row = "grad", rows = ["act"] }]': "unknown option 'rows'",
    'layout = [{ view = "ladder", formats = ["float8"] }]': (
        "ladder formats: got 'float8'; allowed: float16, bfloat16, float32"
    ),
    'layout = [{ view = "histograms", formats = "float16" }]': "formats must be a non-empty list",
    'layout = [{ view = "units", formats = ["float16"] }]': "unknown option 'formats'",
}


@pytest.mark.parametrize("table", list(BAD_SCENES))
def test_bad_scene_is_one_line_preset_error(table, tmp_path, monkeypatch):
    write_preset(tmp_path, monkeypatch, table)
    with pytest.raises(presets.PresetError) as e:
        presets.load("bad")
    message = str(e.value)
    assert "\n" not in message and message.startswith("preset bad.toml: [scene]")
    assert BAD_SCENES[table] in message


def test_good_scene_loads_with_its_layout(tmp_path, monkeypatch):
    write_preset(
        tmp_path,
        monkeypatch,
        'title = "t"\nclaim = "{A.act_std[3]:.2g}"\n'
        'layout = ["ladder", { view = "histograms", rows = ["act", "grad"], layers = [1, 3] }]',
    )
    s = presets.load("bad")
    assert s.layout == (("ladder", {}), ("histograms", {"rows": ["act", "grad"], "layers": [1, 3]}))


# ---------------------------------------------------------------------------------------------
# The caption of a frame: the scene's words, or what is shown and what changed


def test_unchanged_frame_shows_the_scene_with_its_numbers():
    s = snap(SMALL)
    title, claim, details = captions.live(
        scene("layer 3: {A.act_std[3]:.3g}", "σ {A.std}"), s, None
    )
    assert title == "Title"
    assert claim == f"layer 3: {s.layers[2].act_std:.3g}" and details == "σ 0.1"


def test_changed_frame_says_so_and_states_the_new_numbers():
    old = captions.render("{A.act_std[3]:.3g}", snap(SMALL), None)
    changed = SMALL.replace(std=0.06, depth=5)
    s = snap(changed)
    title, claim, details = captions.live(scene("vanishes to {A.act_std[3]:.3g}", "d"), s, None)
    assert claim.startswith("changed: depth 5, σ = 0.06. Now ")
    assert "vanishes" not in claim and old not in claim
    assert f"{captions._formatted(s.layers[-1].act_std, '')} at layer 5" in claim
    assert f"gradient std {captions._formatted(s.layers[0].grad_std, '')}" in claim
    assert title == "tanh, normal σ = 0.06, 5 × 16"
    assert details.startswith("For the scene's own settings, not the changed ones: d")


def test_b_turned_off_on_or_changed_counts_as_changed():
    a, b = snap(SMALL), snap(SMALL.replace(std=0.3))
    two = scene("A {A.std} B {B.std}", compare=SMALL.replace(std=0.3))
    assert captions.changes(two, a, b) == []
    assert captions.changes(two, a, None) == ["B off"]
    assert captions.changes(two, a, snap(SMALL.replace(std=0.5))) == ["B σ = 0.5"]
    assert captions.changes(scene("x"), a, b) == ["B on: σ = 0.3"]
    _, claim, _ = captions.live(two, a, snap(SMALL.replace(std=0.5)))
    assert claim.startswith("changed: B σ = 0.5. Now last-layer activation std A ")


def test_every_config_field_change_is_named():
    """Any control: every field of the config, changed alone, appears in 'changed: ...'."""
    s = scene("x")
    edits = {
        "seed": 7, "activation": "relu", "init": "xavier-normal", "bias": "zeros", "gain": 2.0,
        "norm": "batch", "batch": 16, "dtype": "float64", "input": "positive", "bins": 31,
    }  # fmt: skip
    for name, value in edits.items():
        changed = captions.changes(s, snap(SMALL.replace(**{name: value})), None)
        assert len(changed) == 1 and str(value).split(".")[0] in changed[0], (name, changed)


def test_units_and_weight_row_fields():
    """The copies a constant init makes, and TF's truncation as the weight row shows it."""
    const = snap(SMALL.replace(init="constant", value=0.05))
    assert captions.render("{A.distinct_units[2]} of {A.width}", const, None) == "1 of 16"
    cut = snap(SMALL.replace(width=200, init="he-normal", truncation="tf", activation="relu"))
    text = captions.render("{A.beyond_2sigma[1]:.0%}, {A.w_ratio[1]:.2f}σ", cut, None)
    assert text == "0%, 0.88σ"
    plain = snap(SMALL.replace(width=200, init="he-normal", activation="relu"))
    share = float(captions.render("{A.beyond_2sigma[1]:.4f}", plain, None))
    assert 0.035 < share < 0.057  # 4.6% of a normal lies beyond 2σ
