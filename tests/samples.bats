#!/usr/bin/env bats
# The sample client acme and the generator: realistic, valid where meant to be valid,
# deterministic.

load helper

setup_file() {
	load helper
	emu_start "$SAMPLES/personio"
	acme_credentials
	extract-personio -c "$SAMPLES/acme.json" --as-of "$AS_OF" --base-url "$EMU_URL" >"$BATS_FILE_TMPDIR/acme.ndjson" || true
}

teardown_file() { emu_stop; }

setup() { ACME="$BATS_FILE_TMPDIR/acme.ndjson"; }

@test "acme has at least 25 employees with Dutch names and tussenvoegsels" {
	run jq -s '[.[] | select(.type=="person")] | length' "$ACME"
	[ "$output" -ge 25 ]
	run jq -r 'select(.type=="person" and .prefix != null) | .prefix' "$ACME"
	assert_line "van den"
	assert_line "de"
}

@test "acme BSNs pass the 11-check and IBANs mod-97, except the people planted to fail" {
	bad_bsn=$(jq -r 'select(.type=="person" and .bsn != null) | .bsn' "$ACME" | while read -r b; do
		[ "$(lp-unit bsn "$b")" = 1 ] || echo "$b"; done | wc -l)
	bad_iban=$(jq -r 'select(.type=="person" and .iban != null) | .iban' "$ACME" | while read -r i; do
		[ "$(lp-unit iban "$i")" = 1 ] || echo "$i"; done | wc -l)
	[ "$bad_bsn" -eq 1 ]   # Joost Maas (1028), on purpose
	[ "$bad_iban" -eq 1 ]  # Lieke Hoekstra (1029), on purpose
}

@test "acme exercises the Personio-side scenarios of DESIGN.md" {
	# E1: inactive, onboarding, Consider in NL payroll = No, another legal entity
	run jq -r 'select(.type=="person") | .status' "$ACME"
	assert_line inactive
	assert_line onboarding
	run jq -r 'select(.type=="person" and .consider_nl_payroll==false) | .personio_id' "$ACME"
	refute_output ""
	run jq -r 'select(.type=="person" and .legal_entity_id!="170") | .legal_entity_id' "$ACME"
	refute_output ""
	# E2: missing employee number and income number
	run jq -r 'select(.type=="person" and .status=="active" and (.employee_number==null or .income_number==null)) | .personio_id' "$ACME"
	[ "${#lines[@]}" -ge 2 ]
	# S1/S2: annual and hourly salaries
	run jq -r 'select(.type=="compensation" and .kind=="salary") | .interval' "$ACME"
	assert_line yearly
	assert_line hourly
	assert_line monthly
	# R1: quarterly recurring and a negative recurring deduction
	run jq -r 'select(.type=="compensation" and .kind=="recurring") | "\(.interval) \(.amount | startswith("-"))"' "$ACME"
	assert_line "quarterly false"
	assert_line "monthly true"
	# O2: three one-time payments of one type for one person in one month
	run jq -s -r 'map(select(.type=="compensation" and .kind=="one_time"))
		| group_by([.personio_id, .type_id, .effective_from[0:7]]) | map(select(length >= 3)) | length' "$ACME"
	[ "$output" -ge 1 ]
	# X1: a non-EUR compensation in a period with EUR ones
	run jq -r 'select(.type=="compensation" and .currency != "EUR") | .currency' "$ACME"
	assert_line USD
	# S4: a salary that starts after the compensation start date (a gap)
	run jq -r 'select(.type=="compensation" and .personio_id=="1005" and .kind=="salary") | .effective_from' "$ACME"
	assert_output 2026-01-15
}

@test "generator: the same seed gives byte-identical output, another seed differs" {
	gen-personio --clients 2 --employees 50 --seed 7 --out "$BATS_TEST_TMPDIR/a" >/dev/null
	gen-personio --clients 2 --employees 50 --seed 7 --out "$BATS_TEST_TMPDIR/b" >/dev/null
	gen-personio --clients 2 --employees 50 --seed 8 --out "$BATS_TEST_TMPDIR/c" >/dev/null
	diff -r "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
	run diff -rq "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/c"
	assert_failure
	run jq length "$BATS_TEST_TMPDIR/a/personio/gen0002/employees.json"
	assert_output 50
}

@test "generator: configs validate; a generated client extracts completely and validates" {
	gen-personio --clients 1 --employees 120 --seed 3 --out "$BATS_TEST_TMPDIR/g" >/dev/null
	run schema-check "$SCHEMAS" --as client-config "$BATS_TEST_TMPDIR/g/config/gen0001.json"
	assert_success
	run stat -c %a "$BATS_TEST_TMPDIR/g/personio/gen0001/credentials.json"
	assert_output 600
	emu_stop
	emu_start "$BATS_TEST_TMPDIR/g/personio"
	unset PERSONIO_CLIENT_ID PERSONIO_CLIENT_SECRET
	extract-personio -c "$BATS_TEST_TMPDIR/g/config/gen0001.json" --as-of "$AS_OF" --base-url "$EMU_URL" \
		>"$BATS_TEST_TMPDIR/g.ndjson"
	schema_ok "$BATS_TEST_TMPDIR/g.ndjson"
	run jq -s -c '[(map(select(.type=="person")) | length), (last | .complete)]' "$BATS_TEST_TMPDIR/g.ndjson"
	assert_output '[120,true]'
	bad=$(jq -r 'select(.type=="person") | .bsn' "$BATS_TEST_TMPDIR/g.ndjson" | while read -r b; do
		[ "$(lp-unit bsn "$b")" = 1 ] || echo "$b"; done | wc -l)
	[ "$bad" -eq 0 ]
	emu_stop
	emu_start "$SAMPLES/personio"
}

@test "generator: bad usage exits 2" {
	run gen-personio --clients 0 --employees 5 --out "$BATS_TEST_TMPDIR/x"
	assert_failure 2
	run gen-personio --employees 5
	assert_failure 2
}
