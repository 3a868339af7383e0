#!/usr/bin/env bats
# Rule cases as data: tests/cases/FILTER/RULE-slug/ (args, input.ndjson, expected.ndjson, ...;
# see tests/README). One test per filter runs all of its cases through tests/cases/run and
# fails with the diff of every case that failed. Also: every rule a filter implements has a
# case, what the filters write validates, the runner cannot pass a wrong case, and the
# hand-readable Loket fixture tests/fixtures/loket/mini is read completely by fetch-loket.

load helper

CASES="$ROOT/tests/cases"
export LOKETPIPE_BUILD="$BUILD"

# each_case FILTER: run every case of FILTER; on failure print the failing cases with their diffs
each_case() {
	run "$CASES/run" "$CASES/$1"/[A-Z]*/
	printf '%s\n' "$output" | grep -v '^ok ' || true
	assert_success
	[ "$(grep -c '^ok ' <<<"$output")" -eq "$(ls -d "$CASES/$1"/[A-Z]*/ | wc -l)" ]
}

@test "validate rule cases (C1 C2 C3 D1 E1 E2 E4 R1 S4 S5 X1)" { each_case validate; }
@test "map-compensation rule cases (C3 D3 E2 K1 K2 O1 O2 R1 S1 S2 S3)" { each_case map-compensation; }
@test "diff-loket rule cases (D2 D3 E2 E3 E4 K1 K2 K3 LX1 LX2 M1 M2 M3 O1 O2 O3 R1 R2 R3 S4 X2 X3)" { each_case diff-loket; }

# rules: the rule ids FILTER emits (its source's "E2" strings) and those its rule map names
rules() {
	local extra
	case $1 in
	map-compensation) extra="S1 S2 S3 R1 O1 O2 K1 K2 D3" ;;
	diff-loket) extra="K1 K2 O2" ;;
	*) extra="" ;;
	esac
	{ grep -rhoE '"[A-Z][A-Z0-9]*[0-9]"' "$ROOT/filters/$1".c "$ROOT/filters/$1" 2>/dev/null | tr -d '"'
	  printf '%s\n' $extra; } | sort -u
}

@test "every rule id validate, map-compensation and diff-loket implement has a case: ls tests/cases/*/RULE-*" {
	local f r missing=""
	for f in validate map-compensation diff-loket; do
		[ -n "$(rules $f)" ]
		for r in $(rules $f); do
			compgen -G "$CASES/$f/$r-*/" >/dev/null || missing="$missing $f:$r"
		done
	done
	assert_equal "$missing" ""
}

@test "in every case, the records the filter writes itself (not passed through) validate against schemas/" {
	local d
	for d in "$CASES"/*/[A-Z]*/; do
		[ -f "$d/expected.ndjson" ] || continue
		if [ -f "$d/input.ndjson" ]; then grep -vxFf "$d/input.ndjson" "$d/expected.ndjson" || true; else cat "$d/expected.ndjson"; fi \
			>"$BATS_TEST_TMPDIR/own.ndjson"
		run schema-check "$SCHEMAS" "$BATS_TEST_TMPDIR/own.ndjson"
		[ "$status" -eq 0 ] || { echo "$d: $output"; return 1; }
	done
}

@test "the runner fails a case whose expected value, exit status or stderr is changed, or that has no expectation; --bless writes it back" {
	local t="$BATS_TEST_TMPDIR/cases"
	mkdir -p "$t/diff-loket" "$t/validate"
	cp -RL "$CASES/diff-loket/default" "$CASES/diff-loket/K3-wage-change-mid-chain-deletes-tail-then-posts" "$t/diff-loket/"
	cp -RL "$CASES/validate/default" "$CASES/validate/E4-one-error-blocks-administration" "$t/validate/"
	local k3="$t/diff-loket/K3-wage-change-mid-chain-deletes-tail-then-posts" e4="$t/validate/E4-one-error-blocks-administration"
	run "$CASES/run" "$k3" "$e4"
	assert_success
	# a value in the expected output
	sed -i 's/"grossWage":3100.00/"grossWage":3101.00/' "$k3/expected.ndjson"
	run "$CASES/run" "$k3"
	assert_failure 1
	assert_line "FAIL $k3"
	assert_line --partial '+{"type":"loket.op"'
	assert_line --partial '"grossWage":3101.00'
	# the exit status, a line of standard error
	echo 0 >"$e4/expected-exit"
	run "$CASES/run" "$e4"
	assert_failure 1
	assert_line --partial 'exit status 1, expected 0'
	echo 1 >"$e4/expected-exit"
	sed -i 's/1 error (E4)/2 errors (E4)/' "$e4/expected-stderr"
	run "$CASES/run" "$e4"
	assert_failure 1
	assert_line --partial '-validate: t: sync blocked: 2 errors (E4)'
	# no expectation at all
	rm "$e4"/expected*
	run "$CASES/run" "$e4"
	assert_failure 1
	assert_output --partial "FAIL $e4: no expectation"
	# --bless writes what the filter does now; then the cases pass again
	run "$CASES/run" --bless "$k3" "$e4"
	assert_success
	run "$CASES/run" "$k3" "$e4"
	assert_success
	cmp "$k3/expected.ndjson" "$CASES/diff-loket/K3-wage-change-mid-chain-deletes-tail-then-posts/expected.ndjson"
	cmp "$e4/expected-stderr" "$CASES/validate/E4-one-error-blocks-administration/expected-stderr"
	assert_equal "$(cat "$e4/expected-exit")" 1
}

teardown() { loket_stop; }

@test "the hand-readable Loket fixture tests/fixtures/loket/mini: fetch-loket reads all of it (counts in stream_end)" {
	LOKET_FIX="$FIXTURES/loket/mini" LK_NAME=mini loket_start
	LOKET_FIX="$FIXTURES/loket/mini" loket_client
	loket_login '.loket.employer_id="00000000-0000-4000-8000-0000000e0001" | .loket.payroll_administration_id="00000000-0000-4000-8000-0000000a0001"'
	fetch-loket -c "$CFG" --as-of 2026-11-15 >"$BATS_TEST_TMPDIR/current.ndjson"
	schema_ok "$BATS_TEST_TMPDIR/current.ndjson"
	run tail -n 1 "$BATS_TEST_TMPDIR/current.ndjson"
	# 2 employees (one terminated in Loket), 3 wages, 1 benefit, 1 period entry, 1 concept employee,
	# the catalogue of 2026 and 2027 (the start date's year to --as-of + 2 months) and 6 metadata fields
	assert_output '{"type":"stream_end","client":"acme","source":"loket","complete":true,"counts":{"employees":2,"employments":2,"wages":3,"benefits_deductions":1,"payroll_period_data":1,"concept_employees":1,"payroll_components":6,"metadata_fields":6}}'
	run jq -c 'select(.type=="loket.current.employment") | [.employee_number, .end_date]' "$BATS_TEST_TMPDIR/current.ndjson"
	assert_output "$(printf '%s\n' '[201,null]' '[202,"2026-12-31"]')"
	run jq -r 'select(.type=="loket.current.employee") | .citizen_service_number' "$BATS_TEST_TMPDIR/current.ndjson"
	assert_output "$(printf '%s\n' 111222333 123456782)"
}
