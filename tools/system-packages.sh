#!/usr/bin/env bash
# What `make test` needs from the system besides Python 3.11: Debian's Chromium (the
# browser tests drive it through Playwright, which downloads no browser) and a C compiler
# (setup.py compiles the parser with mypyc). Installed with apt-get when missing: as root,
# or through sudo. Does nothing when both are there.
set -euo pipefail
packages=""
command -v chromium >/dev/null 2>&1 || packages="$packages chromium"
command -v gcc >/dev/null 2>&1 || packages="$packages gcc"
[ -z "$packages" ] && exit 0
as_root=""
if [ "$(id -u)" != 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "make test needs:$packages (Debian packages); install them as root: apt-get install$packages" >&2
        exit 1
    fi
    as_root="sudo"
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "make test needs:$packages; this system has no apt-get: install them with its package manager" >&2
    exit 1
fi
echo "installing$packages (Debian packages) for the tests" >&2
export DEBIAN_FRONTEND=noninteractive
$as_root apt-get update -qq
# shellcheck disable=SC2086
$as_root apt-get install -y -qq $packages >/dev/null
