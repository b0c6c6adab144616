#!/usr/bin/env bash
# Runs the whole test suite, as root on Debian 12 with the .NET 10 SDK: installs what the tests
# need, builds the whole solution (so a program no test references cannot stay broken), runs every
# test project, and ends with one line: "tests: N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/prerequisites.sh
require_root
require_dotnet
install_packages --for-tests
remove_stale_test_namespaces
remove_stale_test_postgres
remove_stale_test_libvirt

results=artifacts/test-results
rm -rf "$results"
mkdir -p artifacts
if ! dotnet build DaemonNet.sln -c Release -v q -nologo; then
    echo "build failed"
    echo "tests: 0 passed, 0 failed, 0 skipped"
    exit 1
fi
# The native executables that scripts/publish.sh makes for real hosts are tested too.
if ! bash scripts/publish.sh artifacts/publish >artifacts/publish.log 2>&1; then
    cat artifacts/publish.log
    echo "publish failed"
    echo "tests: 0 passed, 0 failed, 0 skipped"
    exit 1
fi
dotnet test DaemonNet.sln -c Release --no-build -nologo --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" \
    > "$results.log" 2>&1
status=$?
if [ $status -ne 0 ]; then
    cat "$results.log"
fi
grep -E '^Results File:|^Total tests:|^\s+(Passed|Failed|Skipped): |^ Total time:' "$results.log" | sed 's#^Results File: .*/#project: #'
echo "full log: $results.log"
# Repeat the failures last, so that a CI page showing only the end of the output still names them.
failures=$(grep -E -A14 '^\s+Failed [A-Za-z]' "$results.log" | head -90)
if [ -n "$failures" ]; then
    echo "failed tests, with the start of each message (the whole log is above):"
    echo "$failures"
fi

# Sum the counters of every project's TRX file.
awk '
    match($0, /<Counters [^>]*>/) {
        counters = substr($0, RSTART, RLENGTH)
        if (match(counters, /passed="[0-9]+"/)) passed += substr(counters, RSTART + 8, RLENGTH - 9)
        if (match(counters, /failed="[0-9]+"/)) failed += substr(counters, RSTART + 8, RLENGTH - 9)
        if (match(counters, /notExecuted="[0-9]+"/)) skipped += substr(counters, RSTART + 13, RLENGTH - 14)
        files++
    }
    END {
        if (files == 0) { failed = 1 }
        printf "tests: %d passed, %d failed, %d skipped\n", passed, failed, skipped
    }' "$results"/*.trx 2>/dev/null || echo "tests: 0 passed, 1 failed, 0 skipped"
exit $status
