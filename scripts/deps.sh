#!/bin/sh
# Install the Debian packages loketpipe needs, when they are missing.
# Run by `make deps` (and so by `make demo` and `make check`). As root it installs what is
# missing with apt-get; as another user it lists what is missing and fails. parallel (GNU parallel)
# runs pipelines/bureau-sync; chromium renders its HTML overview in tests/bureau-sync.bats.
# clang and libclang-rt-14-dev (libFuzzer and the sanitizer runtimes) build tests/fuzz/ (make fuzz,
# and briefly in make check).
# dpkg-dev, debhelper, fakeroot and lintian build and check the Debian package (make deb, and
# make deb-check in make check); bash-completion, systemd (systemd-analyze verify) and man-db
# test what it installs.
set -eu
PKGS="gcc make libc6-dev pkg-config libcsv-dev libjansson-dev libcurl4-openssl-dev zlib1g-dev
libmicrohttpd-dev bats bats-assert bats-support bats-file python3 python3-jsonschema jq curl
ca-certificates mandoc parallel chromium libxml2-utils clang libclang-rt-14-dev
dpkg-dev debhelper fakeroot lintian bash-completion systemd man-db"
missing=""
for p in $PKGS; do
	s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$s" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
# make conformance (make check's last step) installs Stoplight Prism with npm: node 18.20.1 or
# later (Debian 12's nodejs is 18.20.4) and npm, present when the commands are (a NodeSource
# nodejs bundles npm and conflicts with Debian's npm package), else Debian's are installed;
# python3-yaml reads Personio's spec (tests/conformance/specs).
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
python3 -c 'import yaml' 2>/dev/null || missing="$missing python3-yaml"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing Debian packages:$missing" >&2
	echo "deps: run as root: apt-get install$missing" >&2
	exit 1
fi
echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >&2
