#!/usr/bin/env bats
# lp_json_loadb, the one reader of records and answers (lib/lp_json.c), against the reader it
# replaced (lp_json_loadb_ref: jansson after a pre-scan): the same answer and the same tree on
# every case of tests/json-parser.cases and at jansson's depth limit; and lp_jalloc, the arena
# its records' trees live in (lib/lp_jalloc.h). tests/fuzz/json checks the same on random inputs.

load helper

asan_build() { ldd "$BUILD/bin/validate" 2>/dev/null | grep -q libasan; }

@test "json parser: every case of tests/json-parser.cases is accepted or refused as listed, by both readers alike, to the same tree" {
	n=0
	while IFS=$'\t' read -r want fmt; do
		case $want in accept|refuse|stricter) ;; *) continue ;; esac
		printf -- "$fmt" >"$BATS_TEST_TMPDIR/in"
		run lp-unit json-compare "$BATS_TEST_TMPDIR/in"
		if [ "$want" = stricter ]; then
			[[ "$output" == "refuse "* || "$output" == "differ: new refuses"* ]] || { echo "case '$fmt': $output" >&2; return 1; }
			n=$((n + 1))
			continue
		fi
		[ "$status" -eq 0 ] || { echo "case '$fmt': $output" >&2; return 1; }
		[[ "$output" == "$want "* ]] || { echo "case '$fmt': expected $want, got: $output" >&2; return 1; }
		n=$((n + 1))
	done <"$BATS_TEST_DIRNAME/json-parser.cases"
	[ "$n" -gt 80 ]
}

@test "json parser: 2048 nested values are read, 2049 are refused ('maximum parsing depth'), as jansson counts them" {
	nest() { awk -v n="$1" -v inner="$2" 'BEGIN { for (i = 0; i < n; i++) printf "["; printf "%s", inner; for (i = 0; i < n; i++) printf "]" }'; }
	nest 2047 1 >"$BATS_TEST_TMPDIR/a"
	run lp-unit json-compare "$BATS_TEST_TMPDIR/a"
	assert_success
	assert_output --partial 'accept [[['
	nest 2048 '' >"$BATS_TEST_TMPDIR/b"
	run lp-unit json-compare "$BATS_TEST_TMPDIR/b"
	assert_success
	assert_output --partial 'accept [[['
	nest 2048 1 >"$BATS_TEST_TMPDIR/c"
	run lp-unit json-compare "$BATS_TEST_TMPDIR/c"
	assert_success
	assert_output --partial 'refuse maximum parsing depth reached'
	{ printf '{"a":'; nest 2048 '{}'; printf '}'; } >"$BATS_TEST_TMPDIR/d"
	run lp-unit json-compare "$BATS_TEST_TMPDIR/d"
	assert_success
	assert_output --partial 'refuse maximum parsing depth reached'
}

@test "json parser: a refusal names line and column (a record's error names the file and line)" {
	printf '{"a":\n  "x",\n  "b" 1}' >"$BATS_TEST_TMPDIR/in"
	run lp-unit json-compare "$BATS_TEST_TMPDIR/in"
	assert_success
	assert_output "refuse ':' expected (line 3, column 7)"
	printf '{"type":"person","client":"t"}\n{"type":"x","s":"\\uD800"}\n' >"$BATS_TEST_TMPDIR/r.ndjson"
	run --separate-stderr validate -c "$T_CFG" --as-of 2026-11-15 "$BATS_TEST_TMPDIR/r.ndjson"
	assert_failure 3
	[[ "$stderr" == *"r.ndjson:2: not valid JSON: invalid Unicode '\\uD800' (column 18)"* ]]
}

@test "lp_jalloc: live blocks are never handed out twice, a kept tree survives, everything freed leaves none live, freed blocks are reused (the chunks stay few)" {
	run lp-unit jalloc 1 300000
	assert_success
	if asan_build; then
		assert_output 'live 0 chunks 0 max 0' # no arena: every block is the sanitizer's
	else
		[[ "$output" =~ ^live\ 0\ chunks\ ([0-9]+)\ max\ ([0-9]+)$ ]]
		# (two commands: the first of an && list cannot fail a test)
		[ "${BASH_REMATCH[1]}" -gt 0 ]
		[ "${BASH_REMATCH[1]}" -lt 64 ]
	fi
	run lp-unit jalloc 99 1000000
	assert_success
	assert_output --partial 'live 0 '
}
