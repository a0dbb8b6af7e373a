"""Seeded fuzzing of what a person hands the app: config, preset and state files, and command
lines (issue 17). Every case either succeeds or raises the clean error of its entry point
(ConfigError, PresetError, ExportError, UsageError) whose message is one line, at most 400
characters (the longest "allowed:" lists, 15 presets or init schemes, are the bulk of that), with
no echoed value longer than 60 characters and "…".

The files are mutations of real ones (default and funnel configs, every preset scene, saved
states): a field given a value of the wrong type, NaN/∞, huge numbers or strings, deep nests,
unknown keys, cut or spliced text, binary garbage. Case i draws from random.Random(SEED + i), so a
failure names the case that reproduces it. The core's parsing runs in-process; a handful of cases
also run through `python -m core` and `initscope` as subprocesses.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import math
import os
import random
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import tomli_w

from core import Config, ConfigError, cli, presets
from core.activations import ACTIVATIONS
from core.cli import UsageError
from core.config import (
    DTYPES,
    GRAD_SOURCES,
    INPUTS,
    NORM_POSITIONS,
    NORM_VIEWS,
    NORMS,
)
from core.inits import INITS, MODES, TRUNCATIONS
from core.messages import MAX_LINE
from gui import app, export

ROOT = Path(__file__).resolve().parent.parent
SEED = 20_170
FILE_CASES = 300
ARGV_CASES = 300
CLEAN = (ConfigError, presets.PresetError, export.ExportError, UsageError)
REPEATED = re.compile(r"(.)\1{60}|(..)\2{30}")  # a run of junk (é…, \n…) longer than 60

FIELDS = [*Config().to_dict(), "gain", "mode", "truncation"]


@functools.cache
def base_documents() -> list[tuple[str, dict]]:
    """(kind, parsed document) of real files: the mutations start from something valid."""
    funnel = Config(depth=4, width=[8, 16, 16, 8, 4], activation=["tanh", "relu", "relu", "elu"])
    configs = [Config().to_dict(), funnel.to_dict(), Config(residual=True).to_dict()]
    scenes = [
        tomllib.loads(p.read_text(encoding="utf-8"))
        for p in sorted((ROOT / "resources" / "presets").glob("*.toml"))
    ]
    view = {"preact": False, "grad": True, "wgrad": False, "per_layer_y": False}
    anim = {"mode": "sweep", "param": "std", "from": 0.01, "to": 1.0, "period": 8.0}
    state = {"config": configs[0], "compare": configs[2], "view": view, "animation": anim}
    return (
        [("config", c) for c in configs]
        + [("preset", s) for s in scenes]
        + [("state", state), ("state", {"config": configs[1], "view": view})]
    )


def junk_value(rng: random.Random):
    """A value a field should not hold, or an odd one it might."""
    choices = [
        lambda: [],
        lambda: {},
        lambda: [rng.randint(-5, 5)],
        lambda: {"x": 1},
        lambda: [["tanh"], ["relu"]],
        lambda: rng.choice([True, False]),
        lambda: rng.choice([math.nan, math.inf, -math.inf, 1e308, -0.0, 5e-324]),
        lambda: rng.choice([2**63, -(2**63), 10**30, -1, 0, 10**4000]),
        lambda: rng.choice(["tanh", "relu", "he-normal", "batch", "", " ", "nan", "1e400"]),
        lambda: rng.choice("éx9\x00\n\"'[.") * rng.choice([1, 61, 1000, 50_000]),
        lambda: "".join(chr(rng.randint(1, 0x2FFF)) for _ in range(rng.randint(1, 80))),
        lambda: datetime.date(2020, 1, 1),
        lambda: nested(rng.randint(2, 30)),
        lambda: [rng.randint(1, 64) for _ in range(rng.randint(0, 12))],
    ]
    return rng.choice(choices)()


def nested(depth: int):
    value = [1]
    for _ in range(depth):
        value = [value]
    return value


def mutate_document(rng: random.Random, doc: dict) -> dict:
    """One to three changes at the level of keys and values."""
    doc = {k: dict(v) if isinstance(v, dict) else v for k, v in doc.items()}
    for _ in range(rng.randint(1, 3)):
        tables = [doc] + [v for v in doc.values() if isinstance(v, dict)]
        table = rng.choice(tables)
        keys = list(table) or ["depth"]
        how = rng.random()
        if how < 0.6:
            table[rng.choice(keys)] = junk_value(rng)
        elif how < 0.75:
            table[rng.choice(["depht", "colour", "é" * 80, "scene", "config"])] = junk_value(rng)
        elif how < 0.9:
            table.pop(rng.choice(keys), None)
        else:
            table[rng.choice(FIELDS)] = table.get(rng.choice(keys))
    return doc


def dumped(doc: dict) -> str:
    try:
        return tomli_w.dumps(doc)
    except TypeError:  # a None (a deleted key's value moved): TOML has no null
        return "depth = " + "9" * 5000 + "\n"


TEXT_SPLICES = [
    "x = " + "[" * 3000 + "]" * 3000,
    "x = " + "{a = " * 3000 + "1" + "}" * 3000,
    "[" + ".".join(["a"] * 100_000) + "]",
    ".".join(["k"] * 5000) + " = 1",
    "std = 0x" + "f" * 5000,
    "depth = " + "9" * 5000,
    "gain = nan",
    "batch = inf",
    "[view]\ngrad = nan",
    "[animation]\nfrom = nan",
    'input = """' + "é" * 70_000,
    "= = =",
    "[[config]]",
]


def mutate_text(rng: random.Random, text: str) -> bytes:
    """Changes a person's editor or a damaged disk might make, on the written text."""
    how = rng.random()
    if how < 0.25:
        text = text[: rng.randint(0, len(text))]
    elif how < 0.5:  # at a line's start, where the parser reaches it
        lines = text.splitlines()
        lines.insert(rng.randint(0, len(lines)), rng.choice(TEXT_SPLICES))
        text = "\n".join(lines)
    elif how < 0.6:
        lines = text.splitlines() or [""]
        text = "\n".join([*lines, rng.choice(lines)])
    elif how < 0.7:
        return bytes(rng.randint(0, 255) for _ in range(rng.randint(0, 2000)))
    elif how < 0.75:
        return rng.choice([b"", b" \n\t", b"\xef\xbb\xbfdepth = 3", text.encode("utf-16")])
    elif how < 0.78:
        return text.encode() + b"#" * (2**20 + 1)  # over the 1 MiB limit
    elif how < 0.88:
        at = rng.randint(0, len(text))
        text = text[:at] + chr(rng.randint(0, 0x10FFFF) & 0xD7FF) + text[at:]
    return text.encode("utf-8", "surrogatepass")


def file_case(i: int) -> tuple[str, bytes]:
    rng = random.Random(SEED + i)
    kind = rng.choice(["config", "preset", "state"])
    doc = rng.choice([d for k, d in base_documents() if k == kind])
    if rng.random() < 0.7:
        doc = mutate_document(rng, doc)
    text = dumped(doc)
    raw = mutate_text(rng, text) if rng.random() < 0.5 else text.encode()
    return kind, raw


def open_file(kind: str, path: Path):
    """The entry point a person reaches the file through."""
    if kind == "config":
        return Config.load(path)
    if kind == "state":
        return export.read_state(path)
    return presets.all_scenes()


def check_message(message: str) -> str | None:
    if "\n" in message or "\r" in message:
        return "more than one line"
    if len(message) > MAX_LINE:
        return f"{len(message)} characters"
    if REPEATED.search(message):
        return "an echoed value is not clipped"
    return None


def test_malformed_files_give_one_clean_line(tmp_path, monkeypatch):
    monkeypatch.setattr(presets, "presets_dir", lambda: tmp_path / "presets")
    (tmp_path / "presets").mkdir()
    failures, outcomes = [], {"ok": 0, "refused": 0}
    for i in range(FILE_CASES):
        kind, raw = file_case(i)
        path = tmp_path / ("presets/scene.toml" if kind == "preset" else f"{kind}.toml")
        path.write_bytes(raw)
        try:
            open_file(kind, path)
            outcomes["ok"] += 1
        except CLEAN as e:
            outcomes["refused"] += 1
            problem = check_message(str(e))
            if problem:
                failures.append(f"case {i} ({kind}): {problem}: {str(e)[:300]!r}")
        except Exception as e:  # the point of the test: anything else is a bug
            failures.append(f"case {i} ({kind}): {type(e).__name__}: {str(e)[:200]}")
    assert not failures, "\n".join(failures)
    assert outcomes["ok"] >= 10 and outcomes["refused"] >= FILE_CASES // 2, outcomes


# ----------------------------------------------------------------- command lines
FLAG_VALUES = [
    lambda r: str(r.randint(-3, 3000)),
    lambda r: r.choice(["nan", "inf", "-inf", "1e400", "-0", "0x10", "1_000", "", " "]),
    lambda r: ",".join(str(r.randint(-1, 50)) for _ in range(r.randint(1, 8))),
    lambda r: r.choice(["tanh", "relu,tanh", "he-normal", "fan_in", "tf", "batch", "mse"]),
    lambda r: r.choice("é9x-\n\x00") * r.choice([1, 61, 20_000]),
    lambda r: r.choice(["--depth", "-h5", "--", "-", "--=", "stats"]),
    lambda r: "".join(chr(r.randint(1, 0x2FFF)) for _ in range(r.randint(1, 40))),
]


def one_of(names):
    names = list(names)
    return lambda r: r.choice(names)


EXTRA_FLAGS = ["--depht", "--d", "-x", "--json"]
SWITCHES = {"--residual", "--no-residual", "--rezero", "--fixup"}
PLAUSIBLE = {  # a value each flag could take, right or just out of range
    "--depth": lambda r: str(r.choice([1, 2, 4, 10, 0, 1001])),
    "--width": lambda r: r.choice(["8", "64", "4,8,8", "8,16,16,8,4", "0", "100001"]),
    "--batch": lambda r: str(r.choice([1, 16, 1000, 0, 10**7])),
    "--seed": lambda r: str(r.choice([0, 7, -1, 2**63])),
    "--branch-layers": lambda r: str(r.choice([1, 2, 3])),
    "--activation": lambda r: ",".join(r.choices(list(ACTIVATIONS), k=r.choice([1, 1, 2, 4]))),
    "--bias": lambda r: r.choice(["default", "zeros", "0.1", "-1e7"]),
    "--preset": lambda r: r.choice(["he-relu", "rezero", "xavier", "zeros"]),
    "--config": lambda r: r.choice(["", ".", "missing.toml", "resources/presets/he-relu.toml"]),
    **dict.fromkeys(
        ["--std", "--limit", "--gain", "--memory-limit"],
        lambda r: r.choice(["0.01", "1", "2.5", "0", "-1", "1e7"]),
    ),
    **{
        flag: one_of(names)
        for flag, names in (
            ("--init", INITS),
            ("--input", INPUTS),
            ("--mode", MODES),
            ("--truncation", TRUNCATIONS),
            ("--dtype", DTYPES),
            ("--grad-source", GRAD_SOURCES),
            ("--norm", NORMS),
            ("--norm-position", NORM_POSITIONS),
            ("--norm-view", NORM_VIEWS),
        )
    },
}


def option_strings() -> list[str]:
    """The config flags both command lines share, read off their --help."""
    p = argparse.ArgumentParser()
    cli.add_config_flags(p)
    return sorted(set(re.findall(r"--[a-z][a-z-]+", p.format_help())) - {"--help"})


def argv_case(i: int, options: list[str]) -> list[str]:
    """Up to six flags, each with a plausible value, a junk value or (rarely) none."""
    rng = random.Random(SEED + 10_000 + i)
    argv = []
    for _ in range(rng.randint(0, 6)):
        flag = rng.choice(options + EXTRA_FLAGS)
        argv.append(flag)
        if flag in SWITCHES or rng.random() < 0.05:
            continue
        plausible = PLAUSIBLE.get(flag)
        if plausible and rng.random() < 0.8:
            argv.append(plausible(rng))
        else:
            argv.append(rng.choice(FLAG_VALUES)(rng))
    if rng.random() < 0.1:
        argv.append(rng.choice(FLAG_VALUES)(rng))  # a stray positional
    return argv


def parse_core(argv: list[str]):
    args = cli.parser().parse_args(["stats", *argv])
    return cli.config_from_args(args)


def parse_initscope(argv: list[str]):
    return cli.config_from_args(app.parse(argv))


@pytest.mark.parametrize("entry", [parse_core, parse_initscope], ids=["core", "initscope"])
def test_random_command_lines_give_one_clean_line(entry, capsys):
    options = [*option_strings(), "--screenshot", "--size", "--scale", "--frames"]
    failures, refused = [], 0
    for i in range(ARGV_CASES):
        argv = argv_case(i, options)
        try:
            entry(argv)
        except CLEAN as e:
            refused += 1
            problem = check_message(str(e))
            if problem:
                failures.append(f"case {i}: {problem}: {str(e)[:300]!r}")
        except Exception as e:
            failures.append(f"case {i} {argv!r:.200}: {type(e).__name__}: {str(e)[:200]}")
    assert not failures, "\n".join(failures)
    assert refused >= ARGV_CASES // 3
    assert capsys.readouterr().err == ""  # argparse printed nothing of its own


def cli_run(*args):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env
    )


def test_a_few_fuzzed_cases_through_the_real_command_lines(tmp_path):
    """The in-process message is what the shell sees: status 2 and that one line."""
    refused = []
    for i in range(FILE_CASES):
        kind, raw = file_case(i)
        if kind != "config" or len(raw) > 2**20:
            continue
        p = tmp_path / f"case{i}.toml"
        p.write_bytes(raw)
        try:
            Config.load(p)
        except ConfigError as e:
            refused.append((p, str(e)))
        if len(refused) == 3:
            break
    for n, (p, message) in enumerate(refused):
        module = ["-m", "gui"] if n == 0 else ["-m", "core", "stats", "--json"]
        r = cli_run(*module, "--config", str(p))
        assert (r.returncode, r.stderr) == (2, f"error: {message}\n"), p.read_bytes()[:200]


def test_a_few_fuzzed_command_lines_through_the_real_command_line():
    options = option_strings()
    picked = {}
    for i in range(ARGV_CASES):
        argv = argv_case(i, options)
        if any("\x00" in a for a in argv):  # not passable to a process
            continue
        try:
            parse_core(argv)
        except CLEAN as e:
            picked.setdefault(type(e), (argv, str(e)))
        if len(picked) == 3:
            break
    assert set(picked) == {UsageError, ConfigError, presets.PresetError}
    for argv, message in picked.values():
        r = cli_run("-m", "core", "stats", *argv)
        assert (r.returncode, r.stderr) == (2, f"error: {message}\n"), argv
