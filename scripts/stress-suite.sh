#!/usr/bin/env bash
# Runs the whole test suite (`CI=true npx jest`) N times back to back while another process keeps
# one core busy, as on a loaded CI runner or a shared machine. Prints one summary line per run and a
# closing line; exits 1 when any run failed. The busy loop is killed on exit (also on Ctrl-C).
#
#   scripts/stress-suite.sh [N] [jest args]   # N defaults to 5; e.g. `2 test/probe` runs only those
#   STRESS_LOG_DIR=/tmp/stress scripts/stress-suite.sh 2
#
# Each run's output and jest's JSON report are kept in $STRESS_LOG_DIR (a new temporary directory
# by default): run-<i>.log and run-<i>.json.
set -uo pipefail
cd "$(dirname "$0")/.."

runs="${1:-5}"
if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: scripts/stress-suite.sh [N] [jest args]   (N: how many runs, a whole number >= 1; got \"$runs\")" >&2
  exit 2
fi
shift $(($# > 0 ? 1 : 0))
logdir="${STRESS_LOG_DIR:-$(mktemp -d /tmp/ws-exposure-stress-XXXXXX)}"
mkdir -p "$logdir"

node -e 'for (;;) {}' &
busy=$!
trap 'kill "$busy" 2>/dev/null' EXIT
trap 'exit 130' INT TERM

echo "stress: $runs run(s) of CI=true npx jest${*:+ $*}, one core kept busy by pid $busy; logs in $logdir"
failed=0
for i in $(seq 1 "$runs"); do
  start=$(date +%s)
  CI=true npx jest --json --outputFile="$logdir/run-$i.json" "$@" >"$logdir/run-$i.log" 2>&1
  rc=$?
  secs=$(($(date +%s) - start))
  # The suite's own closing line: "jest: N passed, N failed, N skipped".
  summary=$(grep -E '^jest: ' "$logdir/run-$i.log" | tail -n 1)
  echo "run $i/$runs: ${summary#jest: } in ${secs} s, exit $rc, load $(cut -d' ' -f1-3 /proc/loadavg)"
  if [ "$rc" -ne 0 ]; then
    failed=$((failed + 1))
    if [ -f "$logdir/run-$i.json" ]; then
      node -e '
        const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
        for (const f of r.testResults)
          for (const t of f.assertionResults)
            if (t.status === "failed") console.log(`  failed: ${f.name.replace(process.cwd() + "/", "")} > ${t.fullName}`);
        for (const f of r.testResults)
          if (f.status === "failed" && f.assertionResults.every((t) => t.status !== "failed"))
            console.log(`  failed: ${f.name.replace(process.cwd() + "/", "")}: ${(f.message || "").split("\n").find((l) => l.trim()) ?? ""}`);
      ' "$logdir/run-$i.json"
    fi
  fi
done
echo "stress: $((runs - failed)) of $runs run(s) passed"
[ "$failed" -eq 0 ]
