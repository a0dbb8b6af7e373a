"""The canvas views, one file each, registered in gui/canvas/registry.py CANVAS_VIEWS."""
