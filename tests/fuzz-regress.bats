#!/usr/bin/env bats
# What the fuzzers (tests/fuzz/, make fuzz) found, each as a test of the programs as well: the
# inputs themselves are kept in tests/fuzz/regress/NAME/ and replayed by `make check`
# (make fuzz-check).

load helper

@test "csv (fuzz: csv): a field with a tab at an edge is written quoted, and read back whole" {
	run bash -c "lp-unit csv-write \$'\\tlead' \$'trail\\t' plain | od -An -c"
	assert_success
	assert_output "$(printf '"\tlead";"trail\t";plain\r\n' | od -An -c)"
	run bash -c "lp-unit csv-write \$'\\tx ' | lp-unit csv-read"
	assert_success
	assert_output '1 ["\tx "]'
}

@test "personio (fuzz: personio): a fractional number where Personio's category is a text -> PX2 'missing category', and the next program reads the issue" {
	mkdir -p "$BATS_TEST_TMPDIR/fx"
	ln -s "$SAMPLES/personio/acme" "$BATS_TEST_TMPDIR/fx/acme"
	emu_start "$BATS_TEST_TMPDIR/fx"
	acme_credentials
	extract-personio -c "$SAMPLES/acme.json" --as-of "$AS_OF" --base-url "$EMU_URL" --record "$BATS_TEST_TMPDIR/rec" >/dev/null
	emu_stop
	# the first compensation's category becomes the number 850.5 in the recorded answer
	local body
	body=$(grep -l '"category": *"FIXED_SALARY"' "$BATS_TEST_TMPDIR/rec"/*compensations*.body | head -n 1)
	[ -n "$body" ]
	sed -i -E '0,/"category": *"FIXED_SALARY"/s//"category":850.5/' "$body"
	grep -q '"category":850.5' "$body"
	run --separate-stderr extract-personio -c "$SAMPLES/acme.json" --as-of "$AS_OF" --replay "$BATS_TEST_TMPDIR/rec"
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out.ndjson"
	run jq -r 'select(.type=="issue" and .field=="type.category") | .message' "$BATS_TEST_TMPDIR/out.ndjson"
	assert_output --regexp '^compensation .*: missing category$'
	run grep -c -i 'u001f' "$BATS_TEST_TMPDIR/out.ndjson"
	assert_output 0
	# the next program reads every record (before the fix: "a string holds the control character U+001F")
	run --separate-stderr validate -c "$SAMPLES/acme.json" --as-of "$AS_OF" "$BATS_TEST_TMPDIR/out.ndjson"
	[ "$status" -ne 3 ] || { echo "$stderr" >&2; return 1; }
	refute_output --partial 'U+001F'
}
