"""Error messages a person reads in a terminal or a message box: one line, with what they typed
echoed back clipped. A 20,000-character flag or a 50 MB string in a file once came back whole."""

from __future__ import annotations

import re
from typing import Any

SHOWN_CHARS = 60  # of an echoed value, then "…"
MAX_LINE = 400  # of a whole message: the longest "allowed:" list (the init schemes) fits
_HUGE_INT_BITS = 256  # beyond this, repr is slow or refused (4,300 digits) and unreadable anyway
_QUOTED_OR_WORD = re.compile(r"""(?P<q>'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")|[^ ]+""")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


class ConfigError(ValueError):
    """One bad field: the message is a single line a person can act on."""

    def __init__(self, name: str, value: Any, allowed: str):
        self.field = name
        super().__init__(f"{clipped(name)}: got {shown(value)}; allowed: {allowed}")


def clipped(text: str, limit: int = SHOWN_CHARS) -> str:
    """text cut to `limit` characters and "…", control characters escaped (one line)."""
    text = _CONTROL.sub(lambda m: repr(m.group())[1:-1], text[: limit + 1])
    return text if len(text) <= limit else text[:limit] + "…"


def shown(value: Any) -> str:
    """repr(value), clipped: huge integers by their size, deep nests without recursing forever."""
    if isinstance(value, int) and value.bit_length() > _HUGE_INT_BITS:
        digits = int(value.bit_length() * 0.30103) + 1
        return f"{'-' if value < 0 else ''}<an integer of about {digits} digits>"
    if isinstance(value, str):
        return _clipped_quote(repr(value[: SHOWN_CHARS + 1]))
    try:
        text = repr(value)
    except (RecursionError, ValueError):  # ValueError: an int inside beyond 4,300 digits
        return f"<a {type(value).__name__} nested too deeply to show>"
    return clipped(text)


def _clipped_quote(text: str) -> str:
    """A quoted repr cut to SHOWN_CHARS inside its quotes, the closing quote kept."""
    if len(text) <= SHOWN_CHARS + 2:
        return clipped(text, SHOWN_CHARS + 2)
    return clipped(text[1:-1], SHOWN_CHARS).join(text[0] * 2)


def one_line(message: str, limit: int = MAX_LINE) -> str:
    """A message built by someone else (argparse, tomllib) made one line, its quoted values and
    long words clipped, the whole at most `limit` characters."""
    message = _QUOTED_OR_WORD.sub(
        lambda m: _clipped_quote(m.group()) if m.group("q") else clipped(m.group()), message
    )
    return clipped(message, limit - 1)
