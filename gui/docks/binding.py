"""A config dock and the SessionState, bound both ways: the dock's `changed(changes, dragging)`
goes in as an edit; the edited side's config comes back out (the dock sets its widgets with its
own signals blocked), also after an edit the state refused, so the widgets show what is in force."""

from __future__ import annotations

SHOWN_BY_CONFIG_DOCKS = frozenset({"config", "compare", "editing"})


def bind_config_dock(dock, state) -> None:
    def show(what=SHOWN_BY_CONFIG_DOCKS) -> None:
        if what & SHOWN_BY_CONFIG_DOCKS:
            dock.set_config(state.edited)

    dock.changed.connect(state.apply_changes)
    state.changed.connect(show)
    state.invalid.connect(lambda _message: show())
    show()
