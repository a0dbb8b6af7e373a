"""Bad TOML files (configs, preset scenes): a one-line ConfigError or PresetError naming what is
wrong, never a TypeError or RecursionError, and never minutes of parsing (issue 17, items 1, 2, 6,
7)."""

from __future__ import annotations

import dataclasses

import pytest
import tomli_w

from core import Config, ConfigError, presets

FIELDS = [f.name for f in dataclasses.fields(Config)]
# A value of each TOML type; each field is given every one its declared type does not allow.
TOML_VALUES = {
    "string": "'tanh'",
    "integer": "3",
    "float": "0.5",
    "bool": "true",
    "empty list": "[]",
    "list of ints": "[1]",
    "list of lists": '[["tanh"], ["relu"]]',
    "table": "{}",
    "table with a key": "{x = 1}",
    "date": "1979-05-27",
}
FITS = {  # which of TOML_VALUES each declared type takes
    int: {"integer"},
    float: {"integer", "float"},
    str: {"string"},
    bool: {"bool"},
}
LISTS = {"width": {"integer", "list of ints", "empty list"}, "activation": {"string", "empty list"}}


def wrong_types():
    hints = {f.name: f.type for f in dataclasses.fields(Config)}
    for name in FIELDS:
        kind = {"int": int, "float": float, "str": str, "bool": bool}[
            hints[name].split(" ")[0].split("|")[0]
        ]
        fits = LISTS.get(name, FITS[kind])
        for label, text in TOML_VALUES.items():
            if label not in fits:
                yield pytest.param(name, text, id=f"{name}={label}")


@pytest.mark.parametrize("name,text", list(wrong_types()))
def test_a_wrong_type_in_any_field_is_a_one_line_error_naming_it(name, text):
    with pytest.raises(ConfigError) as e:
        Config.from_toml(f"{name} = {text}\n")
    assert e.value.field == name
    msg = str(e.value)
    assert msg.startswith(f"{name}: got ") and "allowed: " in msg and "\n" not in msg


@pytest.mark.parametrize(
    "text,field,allowed",
    [
        ("input = []", "input", "a string"),
        ("init = [1]", "init", "a string"),
        ("norm = {}", "norm", "a string"),
        ("activation = {x = 1}", "activation", "a string or a list of strings"),
        ('activation = [["tanh"], ["relu"]]', "activation", "a string or a list of strings"),
        ("depth = 3\nwidth = [[1], 2, 3, 4]", "width", "an integer or a list of integers"),
        ("gain = true", "gain", "a number"),
    ],
)
def test_the_issues_mistyped_fields_say_what_type_is_allowed(tmp_path, text, field, allowed):
    p = tmp_path / "f.toml"
    p.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        Config.load(p)
    assert e.value.field == field and str(e.value).endswith(f"allowed: {allowed}")


def test_a_typo_in_a_field_name_suggests_the_field():
    with pytest.raises(ConfigError, match=r"depht: got 3; allowed: .*did you mean depth\?"):
        Config.from_toml("depht = 3")


DEEP = 3000
DEEP_FILES = {
    "nested arrays": "x = " + "[" * DEEP + "]" * DEEP,
    "nested inline tables": "x = " + "{a = " * DEEP + "1" + "}" * DEEP,
    "a header 100,000 keys deep": "[" + ".".join(["a"] * 100_000) + "]\nx = 1",
    "a dotted key 100,000 parts long": ".".join(["a"] * 100_000) + " = 1",
}


@pytest.mark.parametrize("text", list(DEEP_FILES.values()), ids=list(DEEP_FILES))
def test_deep_nesting_is_refused_before_parsing_with_one_line(tmp_path, text):
    """tomllib raised RecursionError on 3,000 levels; a 100,000-key header took 14 s, then the
    error message's repr of the nest recursed too deeply."""
    p = tmp_path / "deep.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        Config.load(p)
    msg = str(e.value)
    assert e.value.field == "file" and ("nested at most" in msg or "dotted parts" in msg)
    assert "\n" not in msg and len(msg) < 200


def test_nesting_a_real_file_needs_is_accepted():
    from core import tomlfile

    text = "a.b.c.d.e.f.g = 1\nx = [[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]\n"
    assert tomlfile.parse(text)["x"][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0] == [1]
    strings = 'x = "[[[[[[[[[[[[[[[[[[[[a.b.c.d.e.f.g.h.i.j"\ny = """\n{{{{{{{{{{{{{{{{{{{{{\n"""'
    assert tomlfile.parse(strings)["x"].startswith("[[[[")


def test_a_file_over_1_mib_is_refused_without_reading_it_all(tmp_path):
    """A 50 MB file once blocked the window for 13.6 s (Open config) and 25.7 s (Open state)."""
    p = tmp_path / "big.toml"
    p.write_text("depth = 3\n" + "# a comment line of a lecturer's notes\n" * 60_000)
    assert p.stat().st_size > 2**21
    with pytest.raises(ConfigError, match=r"file: got 'big.toml'; allowed: .*at most 1 MiB"):
        Config.load(p)
    sparse = tmp_path / "sparse.toml"
    with sparse.open("wb") as f:
        f.truncate(50 * 2**20)
    with pytest.raises(ConfigError, match="at most 1 MiB"):
        Config.load(sparse)


def test_garbage_bytes_and_huge_numbers_are_one_line_errors(tmp_path):
    cases = {
        b"\xff\xfe\x00garbage": "UTF-8",
        b"depth = " + b"9" * 5000: "TOML that Python can read",
        b"std = 0x" + b"f" * 5000: "std: got <an integer of about",
        b"std = nan": "std: got nan",
        b"gain = -inf": "gain: got -inf",
    }
    for raw, expected in cases.items():
        p = tmp_path / "bad.toml"
        p.write_bytes(raw)
        with pytest.raises(ConfigError) as e:
            Config.load(p)
        assert expected in str(e.value) and "\n" not in str(e.value)


def test_echoed_values_are_clipped_to_60_characters(tmp_path):
    p = tmp_path / "long.toml"
    p.write_text(f'input = "{"é" * 20000}"\nactivation = "x"', encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        Config.load(p)
    assert str(e.value) == f"input: got '{'é' * 60}…'; allowed: one of normal, uniform, positive"
    with pytest.raises(ConfigError) as e:
        Config(depth=20, width=[10**6] * 21)
    assert len(str(e.value)) < 120 and "…" in str(e.value)


def test_a_preset_file_shares_the_loader(tmp_path, monkeypatch):
    monkeypatch.setattr(presets, "presets_dir", lambda: tmp_path)
    good = {"depth": 3, "width": 8, "scene": {"title": "t", "emphasis": ["act"]}}
    (tmp_path / "good.toml").write_text(tomli_w.dumps(good), encoding="utf-8")
    assert presets.load("good").config.depth == 3
    for name, text in {**DEEP_FILES, "wrong type": "init = [1]", "big": "#" * 2**21}.items():
        (tmp_path / "bad.toml").write_text(text, encoding="utf-8")
        with pytest.raises(presets.PresetError) as e:
            presets.all_scenes()
        msg = str(e.value)
        assert msg.startswith("preset bad.toml: ") and "\n" not in msg and len(msg) < 300, name
    (tmp_path / "bad.toml").write_text(
        f'[scene]\ntitle = "{"t" * 10000}"\nemphasis = [["act"]]', encoding="utf-8"
    )
    with pytest.raises(presets.PresetError, match=r"emphasis: got \['act'\]"):
        presets.all_scenes()
