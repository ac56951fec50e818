#!/usr/bin/env bash
# `dg check defs` and `dg list defs`: the definitions load, validated, without warnings.
# Usage: scripts/check-defs.sh [BIN] (default .venv/bin). Run by `make validate`, CI and a test.
set -euo pipefail
export BIN="${1:-.venv/bin}"
here="$(dirname "$0")"
"$here/dg" check defs
"$here/dg" list defs --json > /dev/null
