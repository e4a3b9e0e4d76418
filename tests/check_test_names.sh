#!/bin/sh
# CTest splits a discovered Catch test name at ';' (a CMake list separator),
# so such a test turns into broken entries that look like flaky failures.
# This check names the offending test instead.
#   check_test_names.sh TEST_BINARY...
status=0
for binary in "$@"; do
  # Catch2 v2 exits with the number of tests listed, so the status says
  # nothing; an empty list does.
  names=$("$binary" --list-test-names-only)
  [ -n "$names" ] || { echo "cannot list the tests of $binary"; exit 1; }
  bad=$(printf '%s\n' "$names" | grep ';')
  if [ -n "$bad" ]; then
    printf '%s: test names with a semicolon (CTest would split them):\n%s\n' "$binary" "$bad"
    status=1
  fi
done
exit $status
