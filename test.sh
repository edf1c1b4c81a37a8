#!/usr/bin/env bash
# Runs every test of Infrar: installs the pinned emulators, builds with warnings as errors, runs the suites.
set -euo pipefail
cd "$(dirname "$0")"

bash eng/install-debian-packages.sh

# s3rver and Azurite, pinned by tests/emulators/package-lock.json; reinstalled only when the lock changes.
if [ ! -f tests/emulators/node_modules/.installed ] || [ tests/emulators/package-lock.json -nt tests/emulators/node_modules/.installed ]; then
  (cd tests/emulators && npm ci --no-audit --no-fund --loglevel=error)
  touch tests/emulators/node_modules/.installed
fi

dotnet build Infrar.Sdk.sln -warnaserror -nologo -v:q

mkdir -p artifacts
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test Infrar.Sdk.sln --no-build -nologo 2>&1 | tee "$log" || status=$?

# One closing line over every test project: "N passed, N failed".
awk '/^(Passed|Failed)!/ {
  for (i = 1; i <= NF; i++) { if ($i == "Passed:") p += $(i+1); if ($i == "Failed:") f += $(i+1) }
} END { printf "%d passed, %d failed\n", p, f }' "$log"

# The benchmarks in smoke mode (each case once, in process), the load and migration benchmarks on tiny numbers, and the
# build-overhead script on a small project, so that all keep compiling and running; real figures come from the commands in
# docs/benchmarks.md.
dotnet bench/Infrar.Benchmarks/bin/Debug/net10.0/Infrar.Benchmarks.dll --smoke > artifacts/benchmarks-smoke.log 2>&1 \
  && echo "benchmarks (smoke): every case ran" \
  || { tail -40 artifacts/benchmarks-smoke.log; echo "benchmarks (smoke): failed" >&2; status=1; }
dotnet bench/Infrar.LoadBench/bin/Debug/net10.0/Infrar.LoadBench.dll --smoke > artifacts/load-bench-smoke.log 2>&1 \
  && echo "load benchmark (smoke): every case ran" \
  || { tail -40 artifacts/load-bench-smoke.log; echo "load benchmark (smoke): failed" >&2; status=1; }
dotnet bench/Infrar.MigrationBench/bin/Debug/net10.0/Infrar.MigrationBench.dll --smoke > artifacts/migration-bench-smoke.log 2>&1 \
  && echo "migration benchmark (smoke): every case ran" \
  || { tail -40 artifacts/migration-bench-smoke.log; echo "migration benchmark (smoke): failed" >&2; status=1; }
bench/build-overhead.sh --files 20 --runs 1 > artifacts/build-overhead-smoke.log 2>&1 \
  && echo "build overhead (smoke): ran" \
  || { tail -40 artifacts/build-overhead-smoke.log; echo "build overhead (smoke): failed" >&2; status=1; }
exit "$status"
