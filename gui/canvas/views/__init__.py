"""The lecture canvas views, one file each; gui/canvas/registry.py names them."""
