#!/bin/sh
# Installs every Debian package rampart needs to build, run, test and benchmark.
# Idempotent and fast when everything is already installed (no apt-get update then).
set -eu

PACKAGES="
  build-essential cmake ninja-build pkg-config git
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libsodium-dev libsqlite3-dev libexpected-dev libcli11-dev
  libtomlplusplus-dev libspdlog-dev libfmt-dev libqrencode-dev libre2-dev zlib1g-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  python3 python3-boto3 python3-pytest awscli wrk sqlite3 openssl curl
"

missing=""
for pkg in $PACKAGES; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $pkg" ;;
  esac
done

if [ -n "$missing" ]; then
  echo "deps: installing:$missing"
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
else
  echo "deps: all packages present"
fi
