"""Reading the TOML files a person hands the app (configs, preset scenes, saved states): the one
place that refuses what tomllib would choke on, before tomllib sees it.

A config or state file is a few kB, its values two or three levels deep. tomllib recurses once per
level of nesting (3,000 levels raised RecursionError) and copies a dotted key's tuple once per part
(a header 100,000 keys long took 14 s, then broke the error message). So a file is at most 1 MiB,
read once, and a linear scan refuses deep nesting and long dotted keys before parsing.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, NoReturn

from core.messages import ConfigError, one_line

MAX_BYTES = 1 << 20
MAX_NESTING = 16  # brackets and braces open at once; a state file needs 2
MAX_KEY_PARTS = 8  # in one dotted key or table header; a state file needs 2

# Every alternative matches from where it starts (an unterminated string runs to the end), so the
# scan never backtracks over the text: linear in its length.
_TOKENS = re.compile(
    r'''(?P<string>"""(?:[^"\\]++|\\[\s\S]?|"{1,2}+(?!"))*+(?:"{3,5}|\Z)'''
    r"""|'''[\s\S]*?(?:'{3,5}|\Z)"""
    r"""|"(?:[^"\\\n]++|\\[^\n])*+"?"""
    r"""|'[^'\n]*+'?)"""
    r"|(?P<comment>#[^\n]*+)"
    r"|(?P<open>[\[{])"
    r"|(?P<close>[\]}])"
    r"|(?P<dot>\.)"
    r"|(?P<key>[A-Za-z0-9_+-]++|[ \t]++)"
    r"""|(?P<other>[^"'#\[\]{}.A-Za-z0-9_+\- \t]++)"""
)


def read(path: str | Path) -> dict[str, Any]:
    """The parsed file, or ConfigError("file", its name, what a file must be)."""
    p = Path(path)
    try:
        with p.open("rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise ConfigError(
            "file", p.name, f"a readable UTF-8 TOML file ({e.__class__.__name__})"
        ) from None
    if len(raw) > MAX_BYTES:
        raise ConfigError("file", p.name, "a TOML file of at most 1 MiB (a config is a few kB)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ConfigError(
            "file", p.name, f"a readable UTF-8 TOML file (not UTF-8 at byte {e.start})"
        ) from None
    return parse(text, p.name)


def parse(text: str, name: str = "TOML") -> dict[str, Any]:
    """tomllib.loads(text) for text of a person's file, refusing what would take it minutes."""
    if len(text) > MAX_BYTES:
        raise ConfigError("file", name, "a TOML file of at most 1 MiB (a config is a few kB)")
    _check_shape(text, name)
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise ConfigError("file", name, f"TOML nested at most {MAX_NESTING} deep") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError("file", name, f"valid TOML ({one_line(str(e), 120)})") from None
    except ValueError as e:  # an integer beyond 4,300 digits: only the sentence before the advice
        reason = one_line(str(e).split(":")[0], 120)
        raise ConfigError("file", name, f"TOML that Python can read ({reason})") from None


def _check_shape(text: str, name: str) -> None:
    depth = parts = 0
    for m in _TOKENS.finditer(text):
        kind = m.lastgroup
        if kind == "dot":
            parts += 1
            if parts >= MAX_KEY_PARTS:
                _too_deep(name, text, m.start(), f"keys of at most {MAX_KEY_PARTS} dotted parts")
            continue
        if kind in ("key", "string"):
            continue
        parts = 0
        if kind == "open":
            depth += 1
            if depth > MAX_NESTING:
                _too_deep(name, text, m.start(), f"TOML nested at most {MAX_NESTING} deep")
        elif kind == "close":
            depth = max(depth - 1, 0)


def _too_deep(name: str, text: str, pos: int, allowed: str) -> NoReturn:
    line = text.count("\n", 0, pos) + 1
    raise ConfigError("file", name, f"{allowed} (line {line})")
