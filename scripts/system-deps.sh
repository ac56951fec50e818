#!/usr/bin/env bash
# The system packages leanetl needs besides Python 3.11 and make, installed when we may:
#   java     (Java 17+) for Spark, the leads answers: make demo, make test
#   chromium (Debian's) for the UI and map tests and the reach maps' PNGs: make test
#            (make demo draws the maps without PNGs when it is missing)
# Usage: scripts/system-deps.sh test|demo. As root, or with passwordless sudo, on Debian/Ubuntu it
# installs what is missing with apt-get; otherwise it prints the one command to run and stops.
set -euo pipefail
mode="${1:-test}"

missing=()
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  missing+=(chromium)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    as_root=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo)
  else
    as_root=(none)
  fi
  if [ "${as_root[0]:-}" != none ]; then
    echo "leanetl: installing ${missing[*]} (Debian packages) ..." >&2
    "${as_root[@]}" apt-get update -qq
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    exit 0
  fi
  fix="sudo apt-get install -y ${missing[*]}"
else
  fix="install ${missing[*]/default-jre-headless/Java 17 or newer} with your system's package manager"
fi

if [ "$mode" = demo ] && [ "${missing[*]}" = chromium ]; then
  echo "leanetl: chromium not found: the demo draws reach maps without PNGs ($fix adds them)." >&2
  exit 0
fi
echo "leanetl: missing system packages: ${missing[*]}. Run:" >&2
echo "  $fix" >&2
echo "then run make $mode again." >&2
exit 1
