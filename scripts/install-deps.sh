#!/usr/bin/env bash
# install-deps.sh: installs the Debian packages ferry builds and tests with,
# when any is missing, without asking. Safe to run again: it does nothing
# when everything is there.
set -euo pipefail

packages=(
	build-essential cmake pkg-config
	libcurl4-openssl-dev libsqlite3-dev libjansson-dev libyaml-dev
	libmicrohttpd-dev libssl-dev libpsl-dev libcmocka-dev
	curl ca-certificates python3
)

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing missing Debian packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null; then
		SUDO="sudo"
	else
		echo "error: not root and no sudo: install ${missing[*]} by hand" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
