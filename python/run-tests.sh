#!/bin/sh
# Runs the training worker's tests with Debian's Python (torch comes from apt there).
# pytest exits 5 when it collects no test: a broken collection must fail, not pass silently.
cd "$(dirname "$0")" || exit 1
PYTHON=${DICENTRA_PYTHON:-/usr/bin/python3}
"$PYTHON" -m pytest -q -p no:cacheprovider .
rc=$?
if [ "$rc" -eq 5 ]; then echo "python: no tests collected" >&2; fi
exit "$rc"
