#!/usr/bin/env bash
# Installs ixpready, its test tools and the operators' probe into ./.venv (Python >= 3.11).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip >/dev/null
.venv/bin/pip install -q -e '.[test]'
# The compiled kernels (setup.py) are optional: say whether they were built.
.venv/bin/python -c 'import ixpready.kernels as k; print("ixpready compiled kernels:", k.STATUS)'
if [ -f probes/pyproject.toml ]; then
  .venv/bin/pip install -q -e ./probes
fi
