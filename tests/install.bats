#!/usr/bin/env bats
# make install (issue 18): what the Debian package holds, because debian/rules runs it too;
# here with PREFIX=/usr/local, as a server built from source has it.
load helper

setup() {
	D=$BATS_TEST_TMPDIR/root
}

@test "make install: the pipelines in BINDIR, check-clients.sh and the schemas in DATADIR/loketpipe, the completion, the units" {
	run make -C "$ROOT" -s install BUILD="$BUILD" DESTDIR="$D" PREFIX=/usr/local
	assert_success
	local p c=$D/usr/local/share/bash-completion/completions
	for p in $(make -s -C "$ROOT" --no-print-directory print-commands); do
		assert_file_executable "$D/usr/local/bin/$p"
		assert_file_exists "$D/usr/local/share/man/man1/$p.1"
		[ "$(readlink "$c/$p")" = loketpipe ] || fail "$c/$p is not a link to loketpipe"
	done
	cmp "$BUILD/completion/loketpipe" "$c/loketpipe"
	assert_file_exists "$D/usr/local/share/loketpipe/check-clients.sh"
	assert_file_not_exists "$D/usr/local/bin/check-clients.sh"
	assert_file_exists "$D/usr/local/share/loketpipe/schemas/client-config.schema.json"
	for p in loketpipe-bureau-sync.service loketpipe-bureau-sync.timer loketpipe-employees@.service \
		loketpipe-employees@.timer; do
		assert_file_exists "$D/usr/local/lib/systemd/system/$p"
	done
	# no emulator or test tool
	for p in $(make -s -C "$ROOT" --no-print-directory print-tools); do
		assert_file_not_exists "$D/usr/local/bin/$p"
	done
}

@test "make install: an installed pipeline sources check-clients.sh from ../share/loketpipe" {
	run make -C "$ROOT" -s install BUILD="$BUILD" DESTDIR="$D" PREFIX=/opt/lp
	assert_success
	cd "$BATS_TEST_TMPDIR"
	mkdir clients
	cp "$SAMPLES/acme.json" clients/acme.json
	printf '[1,' >clients/other.json
	PATH="$D/opt/lp/bin:$PATH" run "$D/opt/lp/bin/monthly-documents" -c clients/acme.json --as-of 2026-11-25 --out out
	assert_failure 4
	assert_output --partial "cannot tell whether clients/other.json is a client configuration"
	assert_file_not_exists out
}

@test "make deb: a debian/changelog at another version than the programs' stops before building" {
	run sh "$ROOT/scripts/build-deb" 9.9.9 "$BATS_TEST_TMPDIR/deb"
	assert_failure 1
	assert_output --partial "debian/changelog is at $(make -s -C "$ROOT" --no-print-directory print-version), the programs at 9.9.9"
	assert_file_not_exists "$BATS_TEST_TMPDIR/deb"
	# the version is LP_VERSION, the one every program prints
	run validate --version
	assert_output "validate (loketpipe) $(make -s -C "$ROOT" --no-print-directory print-version)"
}

@test "make deb-check: no package to test is an error, not a pass" {
	run sh "$ROOT/tests/deb/run" "$BATS_TEST_TMPDIR/nothing"
	assert_failure 1
	assert_output --partial "is missing (make deb)"
}
