#!/usr/bin/env bash
# The dashboard tests drive Debian's chromium headless. Installs it when it is missing and this user can (root, or
# sudo without a password); otherwise says what to install, and those tests fail naming it.
set -euo pipefail
if command -v chromium > /dev/null || [ -x /usr/bin/chromium ]; then
  exit 0
fi

if [ "$(id -u)" = 0 ]; then
  sudo=""
elif sudo -n true 2> /dev/null; then
  sudo="sudo -n"
else
  echo "install-chromium: chromium is missing; install Debian's 'chromium' package for the dashboard tests." >&2
  exit 0
fi

# A failed install must not stop the other suites: the dashboard tests then fail and name what is missing.
export DEBIAN_FRONTEND=noninteractive
if ! { $sudo apt-get update -qq > /dev/null && $sudo apt-get install -y -qq --no-install-recommends chromium > /dev/null; }; then
  echo "install-chromium: could not install Debian's 'chromium' package; the dashboard tests will fail." >&2
fi
