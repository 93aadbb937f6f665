#!/usr/bin/env bash
# Set up geo-welfare on a fresh Debian/Ubuntu machine with Python 3.11+:
#   system packages (SpatiaLite; with --test also PostGIS, Redis, Chromium, a Japanese font, poppler),
#   a virtual environment in .venv, and the package itself (editable).
# Usage: scripts/setup.sh          # to run the tool
#        scripts/setup.sh --test   # to run the tests as well
set -euo pipefail
cd "$(dirname "$0")/.."

with_tests=0
[ "${1:-}" = "--test" ] && with_tests=1

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
  echo "setup: need root (or sudo) to install: $*" >&2; exit 1; fi; }

packages=(libsqlite3-mod-spatialite)
python3 -m venv --help >/dev/null 2>&1 || packages+=(python3-venv)
installed_postgresql=0
if [ "$with_tests" = 1 ]; then
  if [ -d /etc/postgresql ] && [ -n "$(ls /etc/postgresql 2>/dev/null)" ]; then
    pg_version=$(ls /etc/postgresql | sort -n | tail -n 1)
    packages+=("postgresql-${pg_version}-postgis-3")
  else
    packages+=(postgresql postgresql-postgis)
    installed_postgresql=1
  fi
  packages+=(chromium fonts-noto-cjk poppler-utils redis-server)
fi

missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ "$with_tests" = 1 ]; then
  # The tests talk to a real PostGIS server on 127.0.0.1:5432 (GEO_WELFARE_TEST_POSTGIS_URL overrides it).
  if [ "$installed_postgresql" = 1 ]; then
    # A server this script has just installed on a fresh machine: let local test connections in
    # without a password, as the test suite's default URL expects. An existing server is left as it is.
    for hba in /etc/postgresql/*/main/pg_hba.conf; do
      grep -q "geo-welfare tests" "$hba" || as_root sed -i \
        '1i host all postgres 127.0.0.1/32 trust # geo-welfare tests' "$hba"
      version=$(basename "$(dirname "$(dirname "$hba")")")
      as_root pg_ctlcluster "$version" main reload 2>/dev/null || true
    done
  fi
  if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    for cluster in /etc/postgresql/*/main; do
      version=$(basename "$(dirname "$cluster")")
      as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null \
        || as_root pg_ctlcluster "$version" main start || true
    done
  fi
  # The sign-in limit test shares its counts between two gunicorn workers through Redis on 127.0.0.1:6379.
  redis_up() { for _ in $(seq 50); do
    [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ] && return 0; sleep 0.1; done; return 1; }
  if ! redis_up; then
    as_root service redis-server start >/dev/null 2>&1 || true
    redis_up || as_root redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save "" --appendonly no >/dev/null
    redis_up || echo "setup: Redis is not answering on 127.0.0.1:6379 (the sign-in limit tests will fail)" >&2
  fi
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
if [ "$with_tests" = 1 ]; then
  .venv/bin/python -m pip install -q -e ".[test]"
else
  .venv/bin/python -m pip install -q -e .
fi
echo "setup: ready (.venv)" >&2
