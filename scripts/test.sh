#!/usr/bin/env bash
# The test command: lint, strict typing, then the whole test suite (as root for the
# network-namespace tests). Run from anywhere: bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
[ -x "$PY" ] || PY=python3
"$PY" -m ruff check src tests benchmarks probes
"$PY" -m mypy
"$PY" -m pytest "$@"
