#!/usr/bin/env bash
# Exit codes of the command line: an unknown command is a usage error (2),
# also when --help follows it; a known command's --help exits 0.
# Usage: usage.sh INTERDICT_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
fail() { echo "FAIL: $*" >&2; exit 1; }
expect() {  # CODE ARGS...
  local want=$1; shift
  "$bin" "$@" > /dev/null 2>&1
  local got=$?
  [ "$got" -eq "$want" ] || fail "interdict $* exited $got, expected $want"
}
expect 2 nosuchcommand
expect 2 nosuchcommand --help
expect 2 --tz +08:00 nosuchcommand --help
expect 2 --lateness=30 nosuchcommand
expect 0 --help
expect 0 run --help
expect 0 --log-level quiet cut --help
expect 2 cut  # missing required options
msg=$("$bin" nosuchcommand 2>&1)
grep -q "unknown command 'nosuchcommand'" <<< "$msg" || fail "no message naming the command: $msg"
echo "PASS usage"
