#!/usr/bin/env bash
# Install Debian's wrk for `make bench` when it is missing (bench/throughput.py uses it).
# Never fails the bench: without wrk it says so, and the bench falls back to
# bench/httpload.py, a Python client whose own work shares the server's cores.
set -u
command -v wrk >/dev/null && exit 0
if command -v apt-get >/dev/null; then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo -n"
  export DEBIAN_FRONTEND=noninteractive
  echo "Installing wrk (Debian package) for the throughput benchmark..."
  $SUDO apt-get install -y -qq wrk >/dev/null 2>&1 \
    || { $SUDO apt-get update -qq >/dev/null 2>&1 && $SUDO apt-get install -y -qq wrk >/dev/null 2>&1; }
fi
command -v wrk >/dev/null && exit 0
echo "WARNING: wrk could not be installed (apt-get install wrk as root); the throughput" \
  "benchmark falls back to bench/httpload.py, whose Python client takes CPU from the server." >&2
exit 0
