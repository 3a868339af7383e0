#!/usr/bin/env bats
# An adversarial review of lp_json_loadb (lib/lp_json.c), lp_jalloc (lib/lp_jalloc.c) and the
# NDJSON input path (lib/lp_ndjson.c): each test here failed before its fix.

load helper

asan_build() { ldd "$BUILD/bin/validate" 2>/dev/null | grep -q libasan; }

@test "lp_jalloc: a stream whose records each use other block sizes keeps the arena within a few times the most live at once, it does not keep a record's worth per size class" {
	asan_build && skip "the sanitizer build has no arena"
	# 256 records of 512 KiB, then of 1 MiB, in blocks of 8, 16, ... 2048 bytes: 128 MiB and
	# 256 MiB over the stream, at most 1 MiB live at once
	run lp-unit jalloc-classes 512
	assert_success
	[[ "$output" =~ ^live\ 0\ chunks\ ([0-9]+)\ peak\ 512$ ]]
	a=${BASH_REMATCH[1]}
	[ "$a" -le 128 ]
	run lp-unit jalloc-classes 1024
	assert_success
	[[ "$output" =~ ^live\ 0\ chunks\ ([0-9]+)\ peak\ 1024$ ]]
	[ "${BASH_REMATCH[1]}" -le 128 ]
}

@test "json parser: an invalid number after a multi-byte character is placed by characters, as every other refusal (and jansson) counts columns" {
	printf '{"\xc3\xa9\xe2\x82\xac":01}' >"$BATS_TEST_TMPDIR/in"
	run lp-unit json-compare "$BATS_TEST_TMPDIR/in"
	assert_success
	assert_output "refuse invalid number '01' (line 1, column 7)"
	printf '{"\xc3\xa9\xe2\x82\xac":0,}' >"$BATS_TEST_TMPDIR/in"
	run lp-unit json-compare "$BATS_TEST_TMPDIR/in"
	assert_success
	assert_output "refuse string or '}' expected (line 1, column 9)"
	printf '{"type":"person","client":"t"}\n{"type":"x","n":"\xc3\xa9","a":1.5.1}\n' >"$BATS_TEST_TMPDIR/r.ndjson"
	run --separate-stderr validate -c "$T_CFG" --as-of 2026-11-15 "$BATS_TEST_TMPDIR/r.ndjson"
	assert_failure 3
	[[ "$stderr" == *"r.ndjson:2: not valid JSON: invalid number '1.5.1' (column 25)"* ]]
}

@test "json parser: after a secret was read, a string and a long key it decoded (escapes) are gone from the blocks handed out next, as with jansson's parser" {
	asan_build && skip "the sanitizer quarantines freed blocks: the next malloc never hands one back"
	run lp-unit wipe-json
	assert_output clean
	assert_success
}
