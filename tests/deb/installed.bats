#!/usr/bin/env bats
# The Debian package as installed (issue 18): make deb-check (tests/deb/run) unpacks it with
# dpkg -x into LOKETPIPE_DEB_ROOT and its control files into LOKETPIPE_DEB_CONTROL; every
# command runs from there, with PATH into that root and outside the source tree.
bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert
bats_load_library bats-file

ROOT="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
R=${LOKETPIPE_DEB_ROOT:?run by tests/deb/run}
CTL=${LOKETPIPE_DEB_CONTROL:?run by tests/deb/run}
DEB=${LOKETPIPE_DEB:?run by tests/deb/run}
export LC_ALL=C

setup() {
	# only the package's programs: no build directory, no LOKETPIPE_BIN, not in the source tree
	unset LOKETPIPE_BIN
	export PATH="$R/usr/bin:/usr/bin:/bin"
	export LOKETPIPE_RATE_DIR="$BATS_TEST_TMPDIR/rate"
	cd "$BATS_TEST_TMPDIR" || return 1
}

commands() { make -s -C "$ROOT" --no-print-directory print-commands; }
version() { dpkg-deb -f "$DEB" Version; }

@test "deb: /usr/bin holds every program and pipeline, and no emulator or test tool" {
	run ls "$R/usr/bin"
	assert_success
	assert_output "$(commands | LC_ALL=C sort)"
	local t
	for t in $(make -s -C "$ROOT" --no-print-directory print-tools) demo check-clients.sh; do
		assert_file_not_exists "$R/usr/bin/$t"
	done
	assert_file_exists "$R/usr/share/loketpipe/check-clients.sh"
}

@test "deb: every installed command says the package's version (--version)" {
	local c v
	v=$(version)
	[ -n "$v" ]
	for c in $(ls "$R/usr/bin"); do
		run "$c" --version
		assert_success
		assert_output "$c (loketpipe) $v"
		[ "$(command -v "$c")" = "$R/usr/bin/$c" ]
	done
}

@test "deb: every installed pipeline prints its --help from there" {
	local p
	for p in bureau-sync monthly-sync monthly-documents monthly-journal hours-export first-sync-check; do
		run "$p" --help
		assert_success
		assert_line --regexp "^Usage: $p "
		assert_line --partial "Exit status"
	done
}

@test "deb: monthly-sync finds check-clients.sh in /usr/share/loketpipe and the programs on PATH" {
	mkdir clients
	cp "$R/usr/share/doc/loketpipe/examples/acme.json" clients/acme.json
	printf '{"client": "beta",' >clients/beta.json # cannot be read: C1/C2 cannot be proven
	run monthly-sync -c clients/acme.json --as-of 2026-11-30 --out out
	assert_failure 4
	assert_output --partial "cannot tell whether clients/beta.json is a client configuration"
	assert_output --partial "nothing was read from Personio or Loket"
	# the same script without its share directory beside it cannot start
	mkdir -p alone/bin
	cp "$R/usr/bin/monthly-sync" alone/bin/
	run alone/bin/monthly-sync -c clients/acme.json --as-of 2026-11-30 --out out
	assert_failure
	assert_output --partial "check-clients.sh"
}

@test "deb: the sample configuration is valid (schema, validate --check-config) with server paths" {
	local ex=$R/usr/share/doc/loketpipe/examples/acme.json
	run validate --check-config -c "$ex"
	assert_success
	run python3 -c 'import json, sys, jsonschema
s = json.load(open(sys.argv[1])); jsonschema.validate(json.load(open(sys.argv[2])), s)' \
		"$R/usr/share/loketpipe/schemas/client-config.schema.json" "$ex"
	assert_success
	run jq -r '.loket.token_file, .audit_log' "$ex"
	assert_output "$(printf '%s\n' /var/lib/loketpipe/loket/token.json /var/lib/loketpipe/acme/audit.ndjson)"
}

@test "deb: the JSON Schemas are in /usr/share/loketpipe/schemas, every one of them" {
	run diff <(cd "$ROOT/schemas" && ls) <(cd "$R/usr/share/loketpipe/schemas" && ls)
	assert_success
	local f
	for f in "$R"/usr/share/loketpipe/schemas/*.json; do
		jq -e '."$schema"' "$f" >/dev/null || fail "$f: not a JSON Schema"
	done
}

@test "deb: a manual page for every command, and loketpipe(7)" {
	local c
	for c in $(commands); do
		assert_file_exists "$R/usr/share/man/man1/$c.1.gz"
	done
	assert_file_exists "$R/usr/share/man/man7/loketpipe.7.gz"
	run man -l -Tutf8 "$R/usr/share/man/man1/monthly-sync.1.gz"
	assert_success
	assert_output --partial "monthly-sync"
}

@test "deb: bash-completion loads the completion of any command by its name" {
	local c d=$R/usr/share/bash-completion/completions
	for c in $(commands); do
		[ "$(readlink "$d/$c")" = loketpipe ] || fail "$d/$c is not a link to loketpipe"
	done
	run env XDG_DATA_DIRS="$R/usr/share" BASH_COMPLETION_USER_DIR=/nonexistent bash -c \
		'. /usr/share/bash-completion/bash_completion; __load_completion hours-export && complete -p hours-export validate'
	assert_success
	assert_output "$(printf '%s\n' 'complete -F _loketpipe hours-export' 'complete -F _loketpipe validate')"
}

# a root in which systemd-analyze verify finds the package's units, systemd's own units and
# the commands the units run (dpkg -x installs none of them on this machine)
verify_root() {
	V=$BATS_TEST_TMPDIR/vroot
	mkdir -p "$V/lib/systemd" "$V/bin"
	cp -a "$R/." "$V/"
	cp -r /lib/systemd/system/. "$V/lib/systemd/system/"
	cp "$(readlink -f /bin/sh)" "$V/bin/sh"
}

@test "deb: the systemd units are systemd-analyze verify clean" {
	verify_root
	run env MANPATH="$V/usr/share/man" systemd-analyze verify --root="$V" loketpipe-bureau-sync.service \
		loketpipe-bureau-sync.timer loketpipe-employees@acme.service loketpipe-employees@acme.timer
	assert_success
	assert_output ''
	# a unit that runs a command the package does not have fails the check
	sed 's/^ExecStart=bureau-sync /ExecStart=bureau-synk /' "$V/lib/systemd/system/loketpipe-bureau-sync.service" \
		>"$V/lib/systemd/system/loketpipe-broken.service"
	run env MANPATH="$V/usr/share/man" systemd-analyze verify --root="$V" loketpipe-broken.service
	assert_failure
	assert_output --partial "bureau-synk"
}

@test "deb: both services run as loketpipe, in a 0700 state directory, hardened" {
	local u s=$R/lib/systemd/system
	for u in loketpipe-bureau-sync.service loketpipe-employees@.service; do
		for l in User=loketpipe StateDirectoryMode=0700 UMask=0077 ProtectSystem=strict ProtectHome=yes \
			PrivateTmp=yes NoNewPrivileges=yes 'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' \
			CapabilityBoundingSet= Environment=LOKETPIPE_RATE_DIR=/var/lib/loketpipe/rate; do
			grep -qxF "$l" "$s/$u" || fail "$u: no line $l"
		done
		# nothing outside the state directory is writable: no ReadWritePaths
		run grep -c '^ReadWritePaths=' "$s/$u"
		assert_output 0
	done
	grep -qx 'ExecStart=bureau-sync -d /etc/loketpipe --out /var/lib/loketpipe/out -j 4' "$s/loketpipe-bureau-sync.service"
	grep -qx 'StateDirectory=loketpipe loketpipe/%i/h4' "$s/loketpipe-employees@.service"
	grep -qx 'OnCalendar=\*-\*-20 03:00:00' "$s/loketpipe-bureau-sync.timer"
	grep -qx 'OnCalendar=\*-\*-\* 02:30:00' "$s/loketpipe-employees@.timer"
}

@test "deb: Depends holds the libraries and what the pipelines run (jq, GNU parallel)" {
	run dpkg-deb -f "$DEB" Depends
	assert_success
	local d
	for d in libc6 libcsv3 libcurl4 libjansson4 zlib1g jq parallel adduser ca-certificates; do
		[[ ", $output," == *", $d"[\ ,]* ]] || fail "Depends lacks $d: $output"
	done
}

# postinst with the system's tools replaced by stubs that log their arguments
stub_postinst() { # stub_postinst USER_EXISTS
	mkdir -p stubs
	local t
	for t in adduser chown mkdir deb-systemd-helper; do
		printf '#!/bin/sh\necho "%s $*" >>%s/calls\n' "$t" "$PWD" >"stubs/$t"
	done
	printf '#!/bin/sh\n[ "$1" = passwd ] && exit %s\nexit 2\n' "$1" >stubs/getent
	printf '#!/bin/sh\necho "dpkg-statoverride $*" >>%s/calls\n[ "$1" = --list ] && exit 1\nexit 0\n' "$PWD" \
		>stubs/dpkg-statoverride
	chmod +x stubs/*
	: >calls
	PATH="$PWD/stubs:$PATH" sh "$CTL/postinst" configure
}

@test "deb: postinst makes the system user loketpipe and /etc/loketpipe root:loketpipe 0750" {
	run stub_postinst 2
	assert_success
	run grep -c '^adduser --quiet --system --group --no-create-home --home /var/lib/loketpipe .* loketpipe$' calls
	assert_output 1
	grep -qx 'dpkg-statoverride --update --add root loketpipe 0750 /etc/loketpipe' calls
	if [ ! -d /var/lib/loketpipe ]; then
		grep -qx 'mkdir -m 0700 /var/lib/loketpipe' calls
		grep -qx 'chown loketpipe:loketpipe /var/lib/loketpipe' calls
	fi
	# again with the user there: no second user
	run stub_postinst 0
	assert_success
	run grep -c '^adduser' calls
	assert_output 0
	# the timers are not enabled by the install (payroll writes start when the bureau says so)
	run grep -c 'deb-systemd-helper enable' "$CTL/postinst"
	assert_output 1 # only inside "was-enabled": an upgrade keeps what the administrator chose
	run grep -A2 'deb-systemd-helper --quiet was-enabled' "$CTL/postinst"
	assert_output --partial 'deb-systemd-helper enable'
}

@test "deb: lintian reported no error and no warning" {
	run grep -E '^(E|W): ' "$(dirname "$DEB")/lintian.txt"
	assert_failure
}
