#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian machine: the Debian packages (Chromium and a
# Chinese font for the browser tests, raptor's rapper as a second RDF parser, Virtuoso as a real
# SPARQL 1.1 store to test against) and the Python package with its test extras.
#   scripts/install.sh          the app only
#   scripts/install.sh --test   the app and everything the test suite needs
set -euo pipefail
cd "$(dirname "$0")/.."

debs=()
extras=""
if [ "${1:-}" = "--test" ]; then
  debs+=(chromium fonts-wqy-zenhei raptor2-utils virtuoso-opensource)
  extras="[test]"
fi
missing=()
for pkg in "${debs[@]+"${debs[@]}"}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

python3 -m pip install -q --disable-pip-version-check -e ".${extras}"
