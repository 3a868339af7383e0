#!/usr/bin/env bats
# Every program in filters/ and every pipeline a person runs: --help, --version, a man page that
# renders cleanly and documents the shared exit codes.

load helper

# one file (filters/NAME.c) or one folder (filters/NAME/) per program
filters() { for f in "$ROOT"/filters/*.c "$ROOT"/filters/*/; do basename "$f" .c; done; }
pipelines() { echo monthly-sync bureau-sync hours-export monthly-documents monthly-journal first-sync-check; }

@test "every filter answers --help (exit 0, usage on stdout) and --version" {
	for f in $(filters); do
		run "$f" --help
		assert_success
		assert_output --partial "Usage: $f"
		assert_output --partial "Exit status"
		run "$f" --version
		assert_success
		assert_output --regexp "^$f \(loketpipe\) [0-9]+\.[0-9]+\.[0-9]+$"
		run "$f" --no-such-option
		assert_failure 2
	done
}

@test "every filter has a man page that mandoc accepts, with an EXIT STATUS section" {
	for f in $(filters); do
		assert_file_exists "$ROOT/man/$f.1"
		run mandoc -Tlint -W warning "$ROOT/man/$f.1"
		assert_success
		run grep -c '^\.Sh EXIT STATUS' "$ROOT/man/$f.1"
		assert_output 1
	done
	run mandoc -Tlint -W warning "$ROOT/man/loketpipe.7"
	assert_success
}

@test "every pipeline a person runs (monthly-sync, bureau-sync, hours-export, monthly-documents, monthly-journal) answers --help and --version, and has a man page mandoc accepts, with an EXIT STATUS section" {
	for p in $(pipelines); do
		run sh "$ROOT/pipelines/$p" --help
		assert_success
		assert_output --partial "Usage: $p"
		run sh "$ROOT/pipelines/$p" --version
		assert_success
		assert_output --regexp "^$p \(loketpipe\) [0-9]+\.[0-9]+\.[0-9]+$"
		run mandoc -Tlint -W warning "$ROOT/man/$p.1"
		assert_success
		run grep -c '^\.Sh EXIT STATUS' "$ROOT/man/$p.1"
		assert_output 1
	done
}

@test "loketpipe(7) documents every exit code of lib/lp_cli.h" {
	codes=$(sed -n 's/^[[:space:]]*LP_EXIT_[A-Z]* = \([0-9]*\),*.*/\1/p' "$ROOT/lib/lp_cli.h")
	[ -n "$codes" ]
	text=$(mandoc -Tmarkdown "$ROOT/man/loketpipe.7")
	for c in $codes; do
		[[ "$text" =~ [[:space:]]$c[[:space:]] ]] || { echo "exit code $c not documented"; return 1; }
	done
}

@test "the test tools answer --help and --version too" {
	run personio-emu --version
	assert_success
	run personio-emu --help
	assert_success
	run gen-personio --version
	assert_success
	run personio-emu --bogus
	assert_failure 2
}

@test "make install puts filters and man pages under DESTDIR/PREFIX" {
	run make -C "$ROOT" -s install BUILD="$BUILD" DESTDIR="$BATS_TEST_TMPDIR/root" PREFIX=/usr
	assert_success
	for f in $(filters); do
		assert_file_executable "$BATS_TEST_TMPDIR/root/usr/bin/$f"
		assert_file_exists "$BATS_TEST_TMPDIR/root/usr/share/man/man1/$f.1"
	done
	assert_file_exists "$BATS_TEST_TMPDIR/root/usr/share/man/man7/loketpipe.7"
}
