"""The window's rooms: each file one job of the window, the window only hosting them.

compute.py    the engine: the state's configs become jobs, its frames go to the presenter
animator.py   the animation pump (resample, sweep) and the sweep's steps by key
lecture.py    scenes, their captions, and snapshots for slides
compare.py    the A/B toolbar
theory.py     the theory dock: the overlay's box and the phase diagram
files.py      configs, state files, pictures and the table's text
layout.py     the docks (made from the window's table), the saved layout, config and settings
"""
