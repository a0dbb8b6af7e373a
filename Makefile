# The README's commands. Each target does its own set-up (scripts/setup.sh) first.
VENV_PY := .venv/bin/python
export QT_QPA_PLATFORM ?=

.PHONY: setup run test lint bench dist clean

setup:
	@bash scripts/setup.sh

run: setup
	$(VENV_PY) -m gui $(ARGS)

test: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	QT_QPA_PLATFORM=offscreen $(VENV_PY) -m pytest -q

lint: setup
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

bench: setup
	QT_QPA_PLATFORM=offscreen $(VENV_PY) benchmarks/core_step.py --json
	QT_QPA_PLATFORM=offscreen $(VENV_PY) benchmarks/frame_rate.py --json

dist: setup
	$(VENV_PY) -m PyInstaller --noconfirm --clean build.spec

clean:
	rm -rf build dist .pytest_cache
