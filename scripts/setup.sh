#!/usr/bin/env bash
# Set up everything piiscan needs, on a machine with Python 3.11+ and pip:
#   bash scripts/setup.sh          the scanner (virtualenv .venv, Tesseract OCR)
#   bash scripts/setup.sh --test   also test tools: Chromium, and the local
#                                  PostgreSQL and MariaDB servers started if down
# Debian/Ubuntu packages are installed with apt-get when run as root (or with
# sudo when available); elsewhere the script says what to install by hand.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1
PY=${PYTHON:-python3}
VENV=${PIISCAN_VENV:-.venv}

say() { printf 'setup: %s\n' "$*" >&2; }

apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    say "please install: ${missing[*]} (no apt-get here)"; return 0
  fi
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      say "please install as root: apt-get install ${missing[*]}"; return 0; fi
  fi
  say "installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

apt_install tesseract-ocr tesseract-ocr-eng tesseract-ocr-fra
[ $want_test = 1 ] && apt_install chromium fonts-dejavu-core

if [ ! -x "$VENV/bin/python" ]; then
  say "creating $VENV"
  "$PY" -m venv "$VENV"
fi
extra=""
[ $want_test = 1 ] && extra="[test]"
say "installing piiscan$extra into $VENV"
# (the filter drops this machine's pip-config noise; pip's exit status is kept)
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -e ".$extra" \
  2> >(grep -v "is ignored: it is neither" >&2)
"$VENV/bin/python" -c "import piiscan" || { say "installing piiscan failed"; exit 1; }

if [ $want_test = 1 ]; then
  # The database tests need real servers; start the local ones when they are down.
  if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432; then
    say "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  fi
  if [ -x /usr/sbin/mariadbd ] && ! mariadb-admin -h 127.0.0.1 -uroot ping >/dev/null 2>&1; then
    say "starting MariaDB"
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
    for _ in $(seq 1 30); do mariadb-admin -h 127.0.0.1 -uroot ping >/dev/null 2>&1 && break; sleep 1; done
  fi
fi
say "done"
