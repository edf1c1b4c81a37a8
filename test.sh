#!/usr/bin/env bash
# Runs every test of Infrar: installs the pinned emulators, builds with warnings as errors, runs the suites.
set -euo pipefail
cd "$(dirname "$0")"

bash eng/fill-feed.sh

# s3rver and Azurite, pinned by tests/emulators/package-lock.json; reinstalled only when the lock changes.
if [ ! -f tests/emulators/node_modules/.installed ] || [ tests/emulators/package-lock.json -nt tests/emulators/node_modules/.installed ]; then
  (cd tests/emulators && npm ci --no-audit --no-fund --loglevel=error)
  touch tests/emulators/node_modules/.installed
fi

dotnet build Infrar.Sdk.sln -warnaserror -nologo -v:q

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test Infrar.Sdk.sln --no-build -nologo 2>&1 | tee "$log" || status=$?

# One closing line over every test project: "N passed, N failed".
awk '/^(Passed|Failed)!/ {
  for (i = 1; i <= NF; i++) { if ($i == "Passed:") p += $(i+1); if ($i == "Failed:") f += $(i+1) }
} END { printf "%d passed, %d failed\n", p, f }' "$log"
exit "$status"
