#!/usr/bin/env bash
# The queue tests run sweeps through a real Redis (Debian's redis-server). Install it when it is missing
# and we may (root with apt-get); otherwise say how. Nothing is downloaded at npm-install time.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's redis-server for the queue tests (apt-get)" >&2
  (apt-get install -y -qq redis-server >/dev/null 2>&1 || (apt-get update -qq >/dev/null && apt-get install -y -qq redis-server >/dev/null))
  exit 0
fi
echo "the queue tests need Debian's redis-server: sudo apt-get install redis-server" >&2
exit 1
