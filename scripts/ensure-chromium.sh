#!/usr/bin/env bash
# The HTML-report test opens the report in Debian's chromium (headless). Install it when it is missing
# and we may (root with apt-get); otherwise say how. Nothing is downloaded at npm-install time.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's chromium for the browser test (apt-get)" >&2
  (apt-get install -y -qq chromium >/dev/null 2>&1 || (apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null))
  exit 0
fi
echo "the browser test needs Debian's chromium: sudo apt-get install chromium" >&2
exit 1
