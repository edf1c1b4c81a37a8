#!/usr/bin/env bash
# Installs the Debian packages the tests run: chromium (the dashboard driven headless), bubblewrap (the sandbox every
# OpenTofu run of the deployment service goes through), rclone (what the migration benchmark compares the copy with),
# and for images built from source: skopeo (the service pushes images with it), docker-registry (a real registry on a
# loopback port) and umoci (makes the tests' base image from this machine's .NET runtime). Installs what is missing when this user can (root, or sudo
# without a password); otherwise says what to install, and the tests that need it fail naming it.
set -euo pipefail
missing=()
command -v chromium > /dev/null || [ -x /usr/bin/chromium ] || missing+=(chromium)
command -v bwrap > /dev/null || missing+=(bubblewrap)
command -v rclone > /dev/null || missing+=(rclone)
command -v skopeo > /dev/null || missing+=(skopeo)
command -v umoci > /dev/null || missing+=(umoci)
command -v docker-registry > /dev/null || missing+=(docker-registry)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" = 0 ]; then
  sudo=""
elif sudo -n true 2> /dev/null; then
  sudo="sudo -n"
else
  echo "install-debian-packages: ${missing[*]} missing; install Debian's package(s) for the tests that need them." >&2
  exit 0
fi

# A failed install must not stop the other suites: the tests that need the package then fail and name it.
export DEBIAN_FRONTEND=noninteractive
if ! { $sudo apt-get update -qq > /dev/null && $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null; }; then
  echo "install-debian-packages: could not install ${missing[*]}; the tests that need them will fail." >&2
fi
