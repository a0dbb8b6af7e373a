#!/usr/bin/env bash
# Smoke test of the frozen app (build it first: `make dist`).
#
#   scripts/smoke_dist.sh                          the one-folder bundle, dist/initscope
#   scripts/smoke_dist.sh dist/initscope-onefile   the one-file variant (INITSCOPE_ONEFILE=1 make dist)
#
# The bundle is copied out of the checkout and run from there with a bare environment (no venv, no
# PYTHONPATH, fresh HOME), so it cannot lean on the source tree. Checks:
#   - `--version` prints pyproject.toml's version (read through importlib.metadata in the bundle);
#   - `--list-presets` lists one scene per resources/presets/*.toml; a bad flag exits 2;
#   - `--self-test --screenshot` offscreen (QT_QPA_PLATFORM=offscreen) and in a real X window under
#     xvfb-run (QT_QPA_PLATFORM=xcb): exit 0, "self-test: ok" (the window shows finite histograms and
#     its grab is not blank; with the C kernels when the checkout built them), and the PNG is checked
#     again from outside the bundle (size, colours);
#   - one-folder only: every file under resources/ is in the bundle, byte for byte; no shared library
#     resolves into a Python installation or is missing; dev-only packages (matplotlib, pytest,
#     psutil, tkinter, unittest) are not in it.
# Prints the bundle's size and its launch-to-first-frame time. Screenshots are kept in
# $SMOKE_OUT (default build/smoke). Exit status 0 when everything passed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=$ROOT/.venv/bin/python # only for the checks made from outside the bundle
TARGET=${1:-dist/initscope}
OUT=${SMOKE_OUT:-$ROOT/build/smoke}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

fail() {
  echo "smoke: FAIL: $*" >&2
  exit 1
}
step() { echo "smoke: $*"; }

[ -e "$TARGET" ] || fail "$TARGET does not exist: run 'make dist' first"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/home"
if [ -d "$TARGET" ]; then
  ONEDIR=1
  cp -a "$TARGET" "$WORK/initscope"
  APP=$WORK/initscope/initscope
  INTERNAL=$WORK/initscope/_internal
else
  ONEDIR=0
  cp -a "$TARGET" "$WORK/initscope-onefile"
  APP=$WORK/initscope-onefile
fi
[ -x "$APP" ] || fail "$APP is not executable"

# The frozen app, run with nothing from the build machine's Python in its environment.
frozen() {
  env -i PATH=/usr/bin:/bin HOME="$WORK/home" XDG_RUNTIME_DIR="$WORK/home" LANG=C.UTF-8 \
    ${QPA:+QT_QPA_PLATFORM=$QPA} ${DISPLAY:+DISPLAY=$DISPLAY} ${XAUTHORITY:+XAUTHORITY=$XAUTHORITY} \
    ${LAUNCH_T0:+INITSCOPE_LAUNCH_T0=$LAUNCH_T0} "$APP" "$@"
}

# --version against pyproject.toml
want=$("$PY" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
got=$(QPA=offscreen frozen --version)
[ "$got" = "InitScope $want" ] || fail "--version printed '$got', pyproject.toml says $want"
step "version ok ($got)"

# presets, and a bad flag
n_files=$(find resources/presets -maxdepth 1 -name '*.toml' | wc -l)
n_listed=$(QPA=offscreen frozen --list-presets | wc -l)
[ "$n_listed" -eq "$n_files" ] || fail "--list-presets listed $n_listed scenes, resources/presets has $n_files"
step "presets ok ($n_listed scenes)"
rc=0
QPA=offscreen frozen --depth nope >/dev/null 2>"$WORK/bad.err" || rc=$?
[ "$rc" -eq 2 ] || fail "a bad flag exited $rc, not 2: $(cat "$WORK/bad.err")"
step "bad flag ok (exit 2)"

# the window: self-test and a screenshot, checked again from outside the bundle
check_png() {
  "$PY" - "$1" <<'EOF'
import sys

import numpy as np
from PIL import Image

img = np.asarray(Image.open(sys.argv[1]).convert("RGB")).astype(np.int16)
h, w, _ = img.shape
assert w >= 800 and h >= 500, f"screenshot is only {w}x{h}"
colours = len(np.unique(img.reshape(-1, 3), axis=0))
assert colours >= 50, f"screenshot has only {colours} colours: blank or nearly"
background = np.median(img.reshape(-1, 3), axis=0)
drawn = (np.abs(img - background).sum(axis=2) > 30).mean()
assert drawn > 0.02, f"only {drawn:.1%} of the screenshot differs from the background"
print(f"{w}x{h}, {colours} colours, {drawn:.0%} drawn")
EOF
}

run_window() { # name, then how to start it
  local name=$1
  shift
  local png=$OUT/$name.png
  rm -f "$png"
  rc=0
  LAUNCH_T0=$(date +%s.%N) "$@" --self-test --screenshot "$png" >"$WORK/$name.out" 2>"$WORK/$name.err" || rc=$?
  if [ "$rc" -ne 0 ] || ! grep -q "self-test: ok" "$WORK/$name.out"; then
    cat "$WORK/$name.out" "$WORK/$name.err" >&2
    fail "$name: --self-test exited $rc"
  fi
  if compgen -G "$ROOT/core/_fused*.so" >/dev/null && ! grep -q "C kernels" "$WORK/$name.out"; then
    fail "$name: the checkout built core/_fused.c but the bundle computes without it"
  fi
  if grep -qi "could not load the qt platform plugin\|cannot open display\|Traceback" "$WORK/$name.err"; then
    cat "$WORK/$name.err" >&2
    fail "$name: errors on stderr"
  fi
  [ -s "$png" ] || fail "$name: no screenshot written"
  local what
  what=$(check_png "$png") || fail "$name: $png looks wrong"
  step "$name ok: self-test ok, $what, $(grep -o 'first frame: .*' "$WORK/$name.err") ($png)"
}

QPA=offscreen run_window offscreen frozen
command -v xvfb-run >/dev/null || fail "xvfb-run is missing (scripts/setup.sh installs xvfb)"
# xvfb-run is a /bin/sh script and dash drops exported bash functions: a wrapper starts the app
# (and takes the launch time itself, so Xvfb's start-up is not counted)
cat >"$WORK/in-xvfb" <<WRAPPER
#!/bin/sh
exec env -i PATH=/usr/bin:/bin HOME="$WORK/home" XDG_RUNTIME_DIR="$WORK/home" LANG=C.UTF-8 \\
  QT_QPA_PLATFORM=xcb DISPLAY="\$DISPLAY" XAUTHORITY="\$XAUTHORITY" \\
  INITSCOPE_LAUNCH_T0="\$(date +%s.%N)" "$APP" "\$@"
WRAPPER
chmod +x "$WORK/in-xvfb"
xcb() { xvfb-run -a -s "-screen 0 1920x1080x24" "$WORK/in-xvfb" "$@"; }
run_window xcb xcb

if [ "$ONEDIR" -eq 1 ]; then
  # every file under resources/ is in the bundle, unchanged
  while IFS= read -r f; do
    cmp -s "$f" "$INTERNAL/$f" || fail "the bundle lacks $f (or holds another version of it)"
  done < <(find resources -type f)
  step "resources ok ($(find resources -type f | wc -l) files)"

  # no shared library resolves into a Python installation or goes missing
  bad=$(find "$INTERNAL" -name '*.so*' -type f -print0 |
    xargs -0 -n 50 env LD_LIBRARY_PATH="$INTERNAL" ldd 2>/dev/null |
    grep -E "not found|\.venv/|\.pyenv/|/site-packages/" | sort -u || true)
  [ -z "$bad" ] || fail "libraries resolve outside the bundle or not at all:"$'\n'"$bad"
  step "libraries ok (self-contained)"

  # dev-only packages stay out
  dev='^(matplotlib|mpl_toolkits|pytest|_pytest|pytestqt|psutil|tkinter|_tkinter|unittest|IPython)(\.|$)'
  leaked=$("$ROOT/.venv/bin/pyi-archive_viewer" -r -b "$APP" | sed 's/^ *//' | grep -E "$dev" || true)
  leaked+=$(cd "$INTERNAL" && find . -maxdepth 1 | sed 's|^\./||' | grep -E "$dev" || true)
  [ -z "$leaked" ] || fail "dev-only packages in the bundle:"$'\n'"$leaked"
  step "dev-only packages absent"
fi

size=$(du -sm "$TARGET" | cut -f1)
step "PASS: $TARGET is $size MiB"
