"""InitScope's numerical core: pure NumPy, no Qt.

from core import Config, run
snap = run(Config(depth=10, width=500, activation="tanh", init="xavier-normal"))

The names below are imported on first use (PEP 562): `python -m core` imports this package
before core/__main__.py runs, and with NumPy imported here a Ctrl-C in its first 0.3 s ended in a
traceback, before __main__ could hold SIGINT back (issue 17). For the same reason this file
imports nothing that is not loaded already at start-up (typing, importlib, __future__ are not).
"""

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from core.config import Config, ConfigError
    from core.simulate import Simulator, run
    from core.stats import Snapshot

_HOMES = {
    "Config": "core.config",
    "ConfigError": "core.config",
    "Simulator": "core.simulate",
    "run": "core.simulate",
    "Snapshot": "core.stats",
}
__all__ = ["Config", "ConfigError", "Simulator", "Snapshot", "run"]


def __getattr__(name: str):
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'core' has no attribute {name!r}")
    __import__(home)
    value = getattr(sys.modules[home], name)
    globals()[name] = value  # once: later lookups do not come here
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
