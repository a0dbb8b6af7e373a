"""The lecture canvas: what the presentation view shows (issue #18).

A scene declares its layout (core/presets.py `Scene.layout`): a lead view and up to two strips,
each named in `registry.CANVAS_VIEWS`. Every size on the canvas follows its pixel height
(`sizes.Sizes`), never points, so the same scene holds from 1280×720 to 3840×2160. What the
layout report (`--layout-report`) reads is declared by the views themselves: a plot says what it
plots (`report_name`), a text item says what it is (`report_role`), see `sizes.ROLES`.
"""
