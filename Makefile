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

# The bundle (build.spec): dist/initscope/ and dist/initscope-<version>-linux-x86_64.tar.gz;
# INITSCOPE_ONEFILE=1 makes dist/initscope-onefile instead. scripts/smoke_dist.sh tests it.
dist: setup
	$(VENV_PY) -m PyInstaller --noconfirm --clean build.spec
	@case "$${INITSCOPE_ONEFILE:-0}" in 0) \
	  v=$$($(VENV_PY) -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])'); \
	  tar -C dist -czf dist/initscope-$$v-linux-x86_64.tar.gz initscope && du -h dist/initscope-$$v-linux-x86_64.tar.gz;; esac

clean:
	rm -rf build dist .pytest_cache
