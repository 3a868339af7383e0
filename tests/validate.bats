#!/usr/bin/env bats
# validate: what is not a rule case: pass-through, bad input, usage, gzip and stdin, huge lines,
# --only, --check-config's I/O. The rule cases (E1, D1, E2, E4, C1, C2, C3, X1, R1, S4, S5) are
# data: tests/cases/validate/ (run by tests/cases.bats, see tests/README).

load helper

setup() {
	IN="$BATS_TEST_TMPDIR/in.ndjson"
	OUT="$BATS_TEST_TMPDIR/out.ndjson"
}

# v [ARGS]: validate $IN with the test config, output in $OUT, status in $status
v() {
	run --separate-stderr validate -c "$T_CFG" --as-of 2026-11-15 "$@" "$IN"
	printf '%s\n' "$output" >"$OUT"
}

@test "records of other types pass through unchanged" {
	{ rec_person; rec_comp; echo '{"type":"something.else","client":"t","x":[1,2.50]}'; rec_end; } >"$IN"
	v
	assert_line '{"type":"something.else","client":"t","x":[1,2.50]}'   # byte for byte
	run grep -c something.else "$OUT"
	assert_output 1
}

@test "bad input: not JSON, wrong types, missing fields, no client, no config -> clear message and exit code" {
	printf '%s\n' "$(rec_person)" '{"type":"person",' >"$IN"
	run validate -c "$T_CFG" "$IN"
	assert_failure 3
	assert_output --partial "in.ndjson:2: not valid JSON"
	{ rec_person; rec_comp '.amount=3000'; rec_end; } >"$IN"
	run validate -c "$T_CFG" "$IN"
	assert_failure 3
	assert_output --partial "in.ndjson:2: amount: expected an amount as a decimal string"
	{ rec_person; rec_comp '.amount="12.345"'; rec_end; } >"$IN"
	run validate -c "$T_CFG" "$IN"
	assert_failure 3
	{ rec_person 'del(.personio_id)'; rec_end; } >"$IN"
	run validate -c "$T_CFG" "$IN"
	assert_failure 3
	assert_output --partial "in.ndjson:1: personio_id: expected a string"
	{ rec_person '.consider_nl_payroll="yes"'; } >"$IN"
	run validate -c "$T_CFG" "$IN"
	assert_failure 3
	assert_output --partial "consider_nl_payroll: expected true, false or null"
	{ rec_comp '.effective_from="2026-02-30"'; } >"$IN"
	run validate -c "$T_CFG" "$IN"
	assert_failure 3
	assert_output --partial "effective_from: expected a date"
	{ rec_comp '.kind="bonus"'; } >"$IN"
	run validate -c "$T_CFG" "$IN"
	assert_failure 3
	echo '{"type":"person"}' >"$IN"
	run validate -c "$T_CFG" "$IN"
	assert_failure 3
	assert_output --partial "in.ndjson:1: client: missing or not a string"
	rec_person '.client="nobody"' >"$IN"
	run validate -c "$T_CFG" "$IN"
	assert_failure 4
	assert_output --partial "records of client 'nobody' but no --config for it"
	{ rec_person; rec_person; rec_end; } >"$IN"
	run validate -c "$T_CFG" "$IN"
	assert_failure 3
	assert_output --partial "the same person twice"
}

@test "empty input: no output, exit 0; usage errors exit 2; duplicate client config exit 4" {
	: >"$IN"
	run validate -c "$T_CFG" "$IN"
	assert_success
	assert_output ""
	run validate "$IN"
	assert_failure 2
	run validate -c "$T_CFG" --as-of tomorrow "$IN"
	assert_failure 2
	run validate -c "$T_CFG" -c "$T_CFG" "$IN"
	assert_failure 4
}

@test "gzip input and stdin are read the same" {
	{ rec_person; rec_comp; rec_end; } >"$IN"
	v
	gzip -c "$IN" >"$IN.gz"
	run validate -c "$T_CFG" --as-of 2026-11-15 "$IN.gz"
	assert_equal "$output" "$(cat "$OUT")"
	run bash -c "validate -c '$T_CFG' --as-of 2026-11-15 - <'$IN'"
	assert_equal "$output" "$(cat "$OUT")"
}

@test "huge lines: a 3 MB last name is an E2 error; a 3 MB record of another type passes through intact" {
	big=$(head -c 3000000 /dev/zero | tr '\0' 'x')
	p=$(rec_person)
	{ printf '%s\n' "${p/\"last_name\":\"Berg\"/\"last_name\":\"$big\"}"
	  printf '{"type":"blob","client":"t","data":"%s"}\n' "$big"; rec_end; } >"$IN"
	v
	assert_equal "$status" 1
	run jq -r 'select(.rule=="E2") | .field' "$OUT"
	assert_output last_name
	[ "$(jq -r 'select(.type=="blob") | .data | length' "$OUT")" -eq 3000000 ]
}

@test "--only: one employee by Personio id or Employee number; the others are neither written nor judged" {
	{ rec_person; rec_comp; rec_person '.personio_id="2"|.employee_number="102"|.bsn="1"'; rec_comp '.personio_id="2"|.compensation_id="c2"'; rec_end; } >"$IN"
	v --only 1
	assert_equal "$status" 0
	run jq -r 'select(.type=="person" or .type=="compensation" or .type=="issue") | .personio_id' "$OUT"
	assert_output "$(printf '1\n1')"
	v --only 102
	assert_equal "$status" 1
	run jq -r 'select(.type=="issue") | "\(.personio_id) \(.field)"' "$OUT"
	assert_output "2 bsn"
}

@test "--check-config reads no records: a closed standard input is not waited for, a FILE is a usage error" {
	# the findings themselves: tests/cases/validate/C1-check-config-*, C2-check-config-*
	run --separate-stderr validate --check-config -c "$T_CFG" <&-
	assert_success
	assert_output ''
	run --separate-stderr validate --check-config -c "$T_CFG" "$IN"
	assert_failure 2
	[[ "$stderr" == *"--check-config reads no records"* ]]
}
