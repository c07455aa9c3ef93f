# Sourced by scripts/run, scripts/test and scripts/i18n: make .venv and install the project into
# it from a lock with hashes, once per change of pyproject.toml or the lock. Needs Python 3.11+
# and network access to PyPI the first time.
#   source _venv.sh demo  -> requirements/demo.txt (the bot, with the in-process demo store)
#   source _venv.sh dev   -> requirements/dev.txt  (that, plus the tests and checks)
#   source _venv.sh       -> requirements/base.txt (what the production image installs)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
EXTRAS="${1:-}"
LOCK="$ROOT/requirements/${EXTRAS:-base}.txt"

find_python() {
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "exchange-bot needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)" >&2
  return 1
}

# A venv made without ensurepip (Debian/Ubuntu without python3-venv) has a python but no pip:
# it is useless, and keeping it would make every later run fail with "No module named pip".
venv_works() {
  [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -m pip --version >/dev/null 2>&1
}

if ! venv_works; then
  if [ -f "$VENV/pyvenv.cfg" ]; then
    echo "Removing the broken virtual environment in $VENV (it has no pip)" >&2
    rm -rf "$VENV"
  fi
  PY="$(find_python)"
  echo "Creating a virtual environment in $VENV with $PY" >&2
  if ! "$PY" -m venv "$VENV" || ! venv_works; then
    rm -rf "$VENV"
    version="$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
    echo "Could not create a virtual environment with $PY: its venv module or ensurepip is" \
      "missing. On Debian/Ubuntu: sudo apt-get install python$version-venv (or python3-venv)," \
      "then run this command again." >&2
    return 1 2>/dev/null || exit 1
  fi
fi

STAMP="$VENV/.stamp-install${EXTRAS:+-$EXTRAS}"
WANT="$(cat "$ROOT/pyproject.toml" "$LOCK" | sha256sum | cut -d' ' -f1)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
  echo "Installing exchange-bot from ${LOCK#"$ROOT"/} into $VENV" >&2
  # Every package and its hash come from the lock; the project itself adds no dependency.
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    --require-hashes -r "$LOCK" >&2
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    --no-deps -e "$ROOT" >&2
  echo "$WANT" > "$STAMP"
fi
