#!/usr/bin/env bash
# Install what Jinghai needs on a Debian/Ubuntu machine. Safe to run again: it only installs
# what is missing.
#   - chromium: the browser the Playwright tests drive (Playwright's own download is not
#     used; the platform runs on offline intranets)
#   - fonts-wqy-microhei: the CJK font embedded in the PDF report
#   - poppler-utils: pdftotext, used by the tests to read the PDF back
#   - fonts-arphic-uming: AR PL UMing (Ming/Song style), embedded in the PDF of circulars,
#     minutes and the leader's brief (GB/T 9704 asks for 仿宋/小标宋, which are not free)
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(chromium fonts-wqy-microhei poppler-utils fonts-arphic-uming)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]})); then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "Installing Debian packages: ${missing[*]}"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
# Reinstall only when the project's metadata changed since the last successful install.
stamp=.venv/.jinghai-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || ! .venv/bin/python -c "import jinghai" 2>/dev/null; then
  .venv/bin/python -m pip install --quiet -e '.[test]'
  touch "$stamp"
fi
