"""A scene's words as the screen shows them: `live(scene, a, b)` gives (title, claim, details).

Evaluated on every frame by the lecture canvas's header. This first version returns the scene's
own words; the live one (fields bound to the frame, "changed: …" when the config leaves the
scene's) replaces it with the same signature.
"""

from __future__ import annotations

from core.presets import Scene
from core.stats import Snapshot


def live(scene: Scene, a: Snapshot, b: Snapshot | None) -> tuple[str, str, str]:
    return scene.title, scene.claim or scene.caption, scene.details
