#!/usr/bin/env bash
# Make sure Chromium and bubblewrap are present; install them when missing, say clearly when we can't.
# The panel drives Chromium's headless shell (half the CPU of the full browser per session); the full
# browser is there for browser-use and for looking at pages, and is the panel's fallback.
set -uo pipefail
UV=${1:-uv}
need=()
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
chromium_found() { command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1; }
chromium_found || need+=(chromium)
headless_shell_found() { command -v chromium-headless-shell >/dev/null 2>&1 || test -x /usr/lib/chromium/chromium-headless-shell; }
headless_shell_found || need+=(chromium-headless-shell)
[ ${#need[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo -n"
if command -v apt-get >/dev/null 2>&1; then
  echo "installing system packages: ${need[*]} ..."
  { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"; } >/tmp/variantlab-apt.log 2>&1 \
    || echo "warning: apt-get could not install ${need[*]} (see /tmp/variantlab-apt.log)"
fi
if ! headless_shell_found && chromium_found; then
  echo "note: no chromium-headless-shell; the browser panel uses the full Chromium (about half as fast)"
fi
if ! chromium_found; then
  echo "no system Chromium; trying a Playwright-managed Chromium ..."
  if "$UV" run playwright install chromium >/tmp/variantlab-playwright.log 2>&1; then
    echo "using Playwright's Chromium"
  else
    echo "error: no Chromium available. Install the Debian package 'chromium' (apt-get install chromium)" \
         "or run 'uv run playwright install chromium' with network access." >&2
    exit 1
  fi
fi
if ! command -v bwrap >/dev/null 2>&1; then
  echo "error: bubblewrap (bwrap) is missing and could not be installed; sandboxes refuse to run" \
       "untrusted code without it. Install the Debian package 'bubblewrap'." >&2
  exit 1
fi
