#!/usr/bin/env bats
# map-compensation: what is not a rule case: schemas and pass-through, X1 and E2 end to end with
# validate, determinism, bad input, huge lines, --only, the mapping pair's configuration checks.
# The rule cases (S1, S2, S3, R1, O1, O2, K1, K2, D3, C3, E2) are data: tests/cases/map-compensation/
# (run by tests/cases.bats, see tests/README).

load helper

setup() {
	IN="$BATS_TEST_TMPDIR/in.ndjson"
	OUT="$BATS_TEST_TMPDIR/out.ndjson"
}

m() {
	run --separate-stderr map-compensation -c "${CFG:-$T_CFG}" "$IN"
	printf '%s\n' "$output" >"$OUT"
}
vi() { jq -r 'select(.type=="loket.variable_input") | [.personio_id, .year, .period, .payroll_component_key, .value, (.compensation_ids | join(","))] | join(" ")' "$OUT"; }

@test "output validates against schemas/; non-desired records pass through" {
	{ rec_person; rec_comp; rec_recurring; rec_bonus '.effective_from="2026-02-01"'; echo '{"type":"validation","client":"t","as_of":"2026-11-15","blocked":false,"counts":{"errors":0,"warnings":0,"info":0,"in_scope":1,"out_of_scope":0}}'; rec_end; } >"$IN"
	m
	assert_equal "$status" 0
	schema_ok "$OUT"
	run jq -r .type "$OUT"
	assert_output "$(printf '%s\n' loket.employee loket.wage loket.benefit_deduction loket.variable_input validation stream_end)"
}

@test "X1 end to end: validate holds back the mixed period, map sends the rest" {
	{ rec_person; rec_comp; rec_bonus '.compensation_id="eur"|.effective_from="2026-09-05"'; rec_bonus '.compensation_id="usd"|.effective_from="2026-09-06"|.currency="USD"'; rec_bonus '.compensation_id="oct"|.effective_from="2026-10-01"'; rec_end; } >"$IN"
	validate -c "$T_CFG" --as-of 2026-11-15 "$IN" >"$BATS_TEST_TMPDIR/v.ndjson"
	run --separate-stderr map-compensation -c "$T_CFG" "$BATS_TEST_TMPDIR/v.ndjson"
	printf '%s\n' "$output" >"$OUT"
	run vi
	assert_output "1 2026 10 8101 3000.00 oct"
}

@test "re-running on the same input gives byte-identical output" {
	{ rec_person; rec_comp; rec_recurring; for i in 1 2 3; do rec_bonus ".compensation_id=\"b$i\"|.effective_from=\"2026-0$i-15\""; done; rec_end; } >"$IN"
	m
	cp "$OUT" "$BATS_TEST_TMPDIR/first"
	m
	cmp "$BATS_TEST_TMPDIR/first" "$OUT"
}

@test "bad input: wrong types, missing fields, no config -> clear message and exit code" {
	{ rec_person; rec_comp '.amount=true'; } >"$IN"
	run map-compensation -c "$T_CFG" "$IN"
	assert_failure 3
	assert_output --partial "in.ndjson:2: amount: expected an amount"
	{ rec_person; rec_comp '.amount="0.001"'; } >"$IN"
	run map-compensation -c "$T_CFG" "$IN"
	assert_failure 3
	{ rec_person 'del(.employee_number)'; } >"$IN"
	run map-compensation -c "$T_CFG" "$IN"
	assert_failure 3
	assert_output --partial "in.ndjson:1: employee_number: expected a string or null"
	echo 'garbage' >"$IN"
	run map-compensation -c "$T_CFG" "$IN"
	assert_failure 3
	rec_person '.client="x"' >"$IN"
	run map-compensation -c "$T_CFG" "$IN"
	assert_failure 4
	run map-compensation "$IN"
	assert_failure 2
	: >"$IN"
	run map-compensation -c "$T_CFG" "$IN"
	assert_success
	assert_output ""
}

@test "huge lines and unknown record types pass through intact" {
	big=$(head -c 3000000 /dev/zero | tr '\0' 'y')
	{ rec_person; echo "{\"type\":\"blob\",\"client\":\"t\",\"data\":\"$big\",\"n\":1.50}"; rec_end; } >"$IN"
	m
	assert_equal "$status" 0
	run grep -c "\"n\":1.50}" "$OUT"
	assert_output 1
}

@test "--only: the desired state of one employee" {
	{ rec_person; rec_comp; rec_person '.personio_id="2"|.employee_number="102"'; rec_comp '.personio_id="2"|.compensation_id="c2"'; rec_end; } >"$IN"
	run map-compensation -c "$T_CFG" --only 102 "$IN"
	assert_success
	run jq -r 'select(.type | startswith("loket.")) | "\(.type) \(.employee_number)"' <<<"$output"
	assert_output "$(printf 'loket.employee 102\nloket.wage 102')"
}

# ---- E2 without validate (the per-employee cases: tests/cases/map-compensation/E2-*) --------

@test "E2 end to end: validate blocks a bad amount (E4); map-compensation holds the same amounts back when validate is skipped" {
	{ rec_person; rec_comp '.amount="0.00"'; rec_person '.personio_id="2"|.employee_number="102"'; rec_comp '.personio_id="2"|.compensation_id="c2"'; rec_end; } >"$IN"
	run validate -c "$T_CFG" --as-of 2026-11-15 "$IN"
	assert_failure 1
	m
	assert_equal "$status" 1
	run jq -r 'select(.type=="loket.wage") | .personio_id' "$OUT"
	assert_output 2
}

# ---- R1: mapping pairs (how they route: tests/cases/map-compensation/R1-*) -----------------

pair_cfg() { jq '.compensation.mapping.correction = {"payment": 8042, "deduction": 8050}' "$T_CFG" >"$BATS_TEST_TMPDIR/pair.json"; }

@test "R1: a mapping pair is checked: both members, whole numbers, different, nothing else; the errors name the key path (exit 4)" {
	rec_person >"$IN"
	for bad in '{"payment": 8042}|compensation.mapping.correction.deduction: missing' \
		'{"payment": 8042, "deduction": "8050"}|compensation.mapping.correction.deduction: must be a Loket payroll component key' \
		'{"payment": -1, "deduction": 8050}|compensation.mapping.correction.payment: must be a Loket payroll component key' \
		'{"payment": 8042, "deduction": 8042}|compensation.mapping.correction: payment and deduction must be different components' \
		'{"payment": 8042, "deduction": 8050, "hours": 1}|compensation.mapping.correction.hours: unknown key' \
		'[8042, 8050]|compensation.mapping.correction: must be a Loket payroll component key (a whole number) or a pair'; do
		jq --argjson v "${bad%%|*}" '.compensation.mapping.correction = $v' "$T_CFG" >"$BATS_TEST_TMPDIR/bad.json"
		run map-compensation -c "$BATS_TEST_TMPDIR/bad.json" "$IN"
		assert_failure 4
		assert_output --partial "bad.json: ${bad#*|}"
		[[ "$bad" == *different* ]] && continue # the schema cannot compare the two
		run schema-check "$SCHEMAS" --as client-config "$BATS_TEST_TMPDIR/bad.json"
		assert_failure
	done
	pair_cfg
	run schema-check "$SCHEMAS" --as client-config "$BATS_TEST_TMPDIR/pair.json"
	assert_success
}
