#!/usr/bin/env bats
# map-compensation: S1, S2, S3, R1, O1, O2, K1, K2, X1 (via validate), D3, bad input.

load helper

setup() {
	IN="$BATS_TEST_TMPDIR/in.ndjson"
	OUT="$BATS_TEST_TMPDIR/out.ndjson"
}

m() {
	run --separate-stderr map-compensation -c "${CFG:-$T_CFG}" "$IN"
	printf '%s\n' "$output" >"$OUT"
}
wages() { jq -r 'select(.type=="loket.wage") | [.start_date, .end_date // "-", .gross_wage, .gross_wage_type.key, .basis] | join(" ")' "$OUT"; }
bd() { jq -r 'select(.type=="loket.benefit_deduction") | [.payroll_component_key, .value, .deduction, .start_date, .end_date // "-"] | join(" ")' "$OUT"; }
vi() { jq -r 'select(.type=="loket.variable_input") | [.personio_id, .year, .period, .payroll_component_key, .value, (.compensation_ids | join(","))] | join(" ")' "$OUT"; }

@test "output validates against schemas/; non-desired records pass through" {
	{ rec_person; rec_comp; rec_recurring; rec_bonus '.effective_from="2026-02-01"'; echo '{"type":"validation","client":"t","as_of":"2026-11-15","blocked":false,"counts":{"errors":0,"warnings":0,"info":0,"in_scope":1,"out_of_scope":0}}'; rec_end; } >"$IN"
	m
	assert_equal "$status" 0
	schema_ok "$OUT"
	run jq -r .type "$OUT"
	assert_output "$(printf '%s\n' loket.employee loket.wage loket.benefit_deduction loket.variable_input validation stream_end)"
}

@test "S1: a monthly salary is synced as is, periodic" {
	{ rec_person; rec_comp '.effective_from="2026-01-01"|.amount="3850.00"'; rec_end; } >"$IN"
	m
	run wages
	assert_output "2026-01-01 - 3850.00 1 monthly"
}

@test "S1: an annual salary / 12, rounded half away from zero to the cent" {
	# (0.05 / 12 = 0.00 and 0.06 / 12 = 0.01 round the same way, but such wages are E2 errors: see below)
	for pair in 50000.00:4166.67 60000.00:5000.00 45000.06:3750.01 45000.05:3750.00 18.06:1.51 18.05:1.50; do
		{ rec_person; rec_comp ".effective_from=\"2026-01-01\"|.interval=\"yearly\"|.amount=\"${pair%%:*}\""; rec_end; } >"$IN"
		m
		run wages
		assert_output "2026-01-01 - ${pair##*:} 1 yearly_divided_by_12"
	done
}

@test "S2: an hourly salary becomes an hourly wage (type 2)" {
	{ rec_person; rec_comp '.effective_from="2026-01-01"|.salary_basis="hourly"|.category="HOURLY_SALARY"|.interval="hourly"|.amount="18.75"'; rec_end; } >"$IN"
	m
	run wages
	assert_output "2026-01-01 - 18.75 2 hourly"
}

@test "S3: the 100% FTE salary is synced whatever the working hours" {
	{ rec_person '.weekly_hours="32.00"'; rec_comp '.effective_from="2026-01-01"|.amount="4000.00"|.weekly_hours="32.00"|.full_time_weekly_hours="40.00"'; rec_end; } >"$IN"
	m
	run wages
	assert_output "2026-01-01 - 4000.00 1 monthly"
}

@test "K1: the wage chain starts at the compensation start date; earlier salaries are not sent" {
	{
		rec_person
		rec_comp '.compensation_id="old"|.effective_from="2024-01-01"|.amount="2000.00"'
		rec_comp '.compensation_id="running"|.effective_from="2025-06-01"|.amount="2500.00"'
		rec_comp '.compensation_id="retro"|.effective_from="2026-03-01"|.amount="2600.00"'
		rec_comp '.compensation_id="future"|.effective_from="2026-12-01"|.amount="2700.00"'
		rec_end
	} >"$IN"
	m
	run wages
	assert_output "$(printf '%s\n' '2026-01-01 2026-02-28 2500.00 1 monthly' '2026-03-01 2026-11-30 2600.00 1 monthly' \
		'2026-12-01 - 2700.00 1 monthly')"
	run jq -r 'select(.type=="loket.wage") | .compensation_id' "$OUT"
	refute_line old
}

@test "K1: a salary that ends (effective_to) closes the chain there" {
	{ rec_person; rec_comp '.effective_from="2026-01-01"|.effective_to="2026-06-30"'; rec_end; } >"$IN"
	m
	run wages
	assert_output "2026-01-01 2026-06-30 3000.00 1 monthly"
}

@test "R1: mapped monthly recurring -> benefit; negative -> deduction; clipped at the start date; ended ones dropped" {
	{
		rec_person
		rec_recurring '.compensation_id="travel"|.amount="120.00"|.effective_from="2025-05-01"|.effective_to="2026-09-30"'
		rec_recurring '.compensation_id="pension"|.type_id="pension"|.amount="-85.40"|.effective_from="2026-02-01"'
		rec_recurring '.compensation_id="gone"|.effective_to="2025-12-31"'
		rec_end
	} >"$IN"
	m
	run bd
	assert_output "$(printf '%s\n' '8042 120.00 false 2026-01-01 2026-09-30' '8055 85.40 true 2026-02-01 -')"
}

@test "K2: unmapped recurring and one-time types produce nothing; salary needs no mapping" {
	{ rec_person; rec_comp '.effective_from="2026-01-01"'; rec_recurring '.type_id="gym"'; rec_bonus '.type_id="voucher"|.effective_from="2026-03-01"'; rec_end; } >"$IN"
	m
	run jq -r .type "$OUT"
	assert_output "$(printf '%s\n' loket.employee loket.wage stream_end)"
}

@test "K2: disabled kinds produce nothing" {
	jq '.compensation.sync_salary=false|.compensation.sync_recurring=false|.compensation.sync_one_time=false' "$T_CFG" >"$BATS_TEST_TMPDIR/t.json"
	{ rec_person; rec_comp; rec_recurring; rec_bonus '.effective_from="2026-03-01"'; rec_end; } >"$IN"
	CFG="$BATS_TEST_TMPDIR/t.json" m
	run jq -r .type "$OUT"
	assert_output "$(printf '%s\n' loket.employee stream_end)"
}

@test "O1: a one-time payment goes to the payroll period (month) it falls in; none before the start date" {
	{ rec_person; rec_bonus '.compensation_id="jan"|.effective_from="2026-01-31"|.amount="10.00"'; rec_bonus '.compensation_id="feb"|.effective_from="2026-02-01"|.amount="20.00"'; rec_bonus '.compensation_id="old"|.effective_from="2025-12-31"'; rec_end; } >"$IN"
	m
	run vi
	assert_output "$(printf '%s\n' '1 2026 1 8101 10.00 jan' '1 2026 2 8101 20.00 feb')"
}

@test "O2: several one-time payments of one type in one period are summed into one entry" {
	{
		rec_person
		for i in 1 2 3; do rec_bonus ".compensation_id=\"b$i\"|.effective_from=\"2026-06-0$i\"|.amount=\"10.00\""; done
		rec_bonus '.compensation_id="g1"|.type_id="gift"|.effective_from="2026-06-10"|.amount="0.99"'
		rec_bonus '.compensation_id="b4"|.effective_from="2026-07-01"|.amount="-5.50"'
		rec_end
	} >"$IN"
	m
	run vi
	assert_output "$(printf '%s\n' '1 2026 6 8101 30.00 b1,b2,b3' '1 2026 6 8102 0.99 g1' '1 2026 7 8101 -5.50 b4')"
}

@test "D3: blank Personio fields become null in the Loket employee (they clear Loket's value)" {
	{ rec_person '.phone=null|.prefix=null|.address.house_number_addition=null|.gender="diverse"'; rec_end; } >"$IN"
	m
	run jq -c 'select(.type=="loket.employee") | [.employee.contactInformation.phoneNumber, .employee.personalDetails.prefix, .employee.address.houseNumberAddition, .employee.personalDetails.gender, .employee.address.houseNumber, .employee_number, .income_number]' "$OUT"
	assert_output '[null,null,null,null,123,101,1]'
}

@test "X1 end to end: validate holds back the mixed period, map sends the rest" {
	{ rec_person; rec_comp; rec_bonus '.compensation_id="eur"|.effective_from="2026-09-05"'; rec_bonus '.compensation_id="usd"|.effective_from="2026-09-06"|.currency="USD"'; rec_bonus '.compensation_id="oct"|.effective_from="2026-10-01"'; rec_end; } >"$IN"
	validate -c "$T_CFG" --as-of 2026-11-15 "$IN" >"$BATS_TEST_TMPDIR/v.ndjson"
	run --separate-stderr map-compensation -c "$T_CFG" "$BATS_TEST_TMPDIR/v.ndjson"
	printf '%s\n' "$output" >"$OUT"
	run vi
	assert_output "1 2026 10 8101 3000.00 oct"
}

@test "an amount written as a JSON number is still read exactly (never through a double)" {
	{ rec_person; rec_comp '.effective_from="2026-01-01"' | sed 's/"amount":"3000.00"/"amount":4166.67/'; rec_end; } >"$IN"
	m
	run wages
	assert_output "2026-01-01 - 4166.67 1 monthly"
}

@test "map never sends a non-EUR amount even without validate" {
	{ rec_person; rec_comp '.currency="USD"'; rec_recurring '.currency="GBP"'; rec_end; } >"$IN"
	m
	run jq -r .type "$OUT"
	assert_output "$(printf '%s\n' loket.employee stream_end)"
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

# ---- E2 without validate: an amount Loket would refuse never leaves map-compensation -------

# held: "type personio_id [field]" per output record, in order
held() { jq -r 'select(.type!="stream_end") | [.type, .personio_id, .field // empty] | join(" ")' "$OUT"; }

@test "E2: without validate, a zero, negative or absurd salary holds back that employee's wage chain (error, exit 1); the others are mapped" {
	hourly='.salary_basis="hourly"|.category="HOURLY_SALARY"|.interval="hourly"'
	{ rec_person; rec_comp '.effective_from="2026-01-01"|.amount="0.00"'; rec_comp '.compensation_id="c1b"|.effective_from="2026-06-01"'; rec_recurring
	  rec_person '.personio_id="2"|.employee_number="102"'; rec_comp '.personio_id="2"|.compensation_id="c2"|.interval="yearly"|.amount="-0.50"'
	  rec_person '.personio_id="3"|.employee_number="103"'; rec_comp ".personio_id=\"3\"|.compensation_id=\"c3\"|$hourly|.amount=\"-18.75\""
	  rec_person '.personio_id="4"|.employee_number="104"'; rec_comp '.personio_id="4"|.compensation_id="c4"|.interval="yearly"|.amount="99999999.00"'
	  rec_person '.personio_id="5"|.employee_number="105"'; rec_comp '.personio_id="5"|.compensation_id="c5"'
	  rec_end; } >"$IN"
	m
	assert_equal "$status" 1
	run held
	assert_output "$(printf '%s\n' 'loket.employee 1' 'issue 1 amount' 'loket.benefit_deduction 1' \
		'loket.employee 2' 'issue 2 amount' 'loket.employee 3' 'issue 3 amount' 'loket.employee 4' 'issue 4 amount' \
		'loket.employee 5' 'loket.wage 5')"
	run jq -r 'select(.type=="issue") | "\(.severity) \(.rule) \(.stage) \(.employee_number) \(.source | sub(".*:"; "line ")): \(.message)"' "$OUT"
	assert_line "error E2 map-compensation 101 line 2: salary c1 of 0.00 a month: 0.00 is not more than 0: Loket takes a gross wage of 0.01 to 999999.99; no salary of this employee is synced"
	assert_line --partial "error E2 map-compensation 102 line 6: salary c2 of -0.50 a year is -0.04 a month (/ 12)"
	assert_line --partial "error E2 map-compensation 103 line 8: salary c3 of -18.75 an hour"
	assert_line --partial "error E2 map-compensation 104 line 10: salary c4 of 99999999.00 a year is 8333333.25 a month (/ 12): 8333333.25 is more than the 999999.99"
	# nothing outside Loket's range is written anywhere
	run jq -r 'select(.type=="loket.wage") | .gross_wage' "$OUT"
	assert_output 3000.00
	schema_ok "$OUT"
}

@test "E2: without validate, a benefit or deduction Loket would refuse holds back the whole employee (a missing one would read as deleted, R3)" {
	{ rec_person; rec_comp; rec_recurring '.amount="0.00"'; rec_recurring '.compensation_id="r1b"|.type_id="pension"|.amount="-25.00"'
	  rec_person '.personio_id="2"|.employee_number="102"'; rec_comp '.personio_id="2"|.compensation_id="c2"'; rec_recurring '.personio_id="2"|.compensation_id="r2"|.amount="-100000.00"'
	  rec_person '.personio_id="3"|.employee_number="103"'; rec_comp '.personio_id="3"|.compensation_id="c3"'; rec_recurring '.personio_id="3"|.compensation_id="r3"|.amount="-99999.99"'
	  rec_end; } >"$IN"
	m
	assert_equal "$status" 1
	run held
	assert_output "$(printf '%s\n' 'issue 1 amount' 'issue 2 amount' 'loket.employee 3' 'loket.wage 3' 'loket.benefit_deduction 3')"
	run jq -r 'select(.type=="issue") | .message' "$OUT"
	assert_line "recurring compensation r1 of 0.00 a month: 0.00 is no amount: Loket takes a benefit or deduction of 0.01 to 99999.99; this employee is left out of the sync"
	assert_line "recurring compensation r2 of -100000.00 a month: -100000.00 is more than the 99999.99 Loket takes as a benefit or deduction (in absolute value); this employee is left out of the sync"
	run bd
	assert_output "8042 99999.99 true 2026-01-01 -"
	# switched off, the same records are not sent and hold nobody back
	jq '.compensation.sync_recurring=false' "$T_CFG" >"$BATS_TEST_TMPDIR/t.json"
	CFG="$BATS_TEST_TMPDIR/t.json" m
	assert_equal "$status" 0
	run jq -r 'select(.type=="loket.employee") | .personio_id' "$OUT"
	assert_output "$(printf '1\n2\n3')"
}

@test "E2: two salaries starting on one day hold back that employee's wages (error, exit 1) instead of stopping the client (was exit 3)" {
	{ rec_person; rec_comp; rec_comp '.compensation_id="c2"'; rec_person '.personio_id="2"|.employee_number="102"'; rec_comp '.personio_id="2"|.compensation_id="c3"'; rec_end; } >"$IN"
	m
	assert_equal "$status" 1
	run held
	assert_output "$(printf '%s\n' 'loket.employee 1' 'issue 1 effective_from' 'loket.employee 2' 'loket.wage 2')"
	run jq -r 'select(.type=="issue") | .message' "$OUT"
	assert_output "salaries c1 and c2 both start on 1 Jan 2025; which one counts cannot be guessed, so no salary of this employee is synced"
}

@test "E2 end to end: validate blocks a bad amount (E4); map-compensation holds the same amounts back when validate is skipped" {
	{ rec_person; rec_comp '.amount="0.00"'; rec_person '.personio_id="2"|.employee_number="102"'; rec_comp '.personio_id="2"|.compensation_id="c2"'; rec_end; } >"$IN"
	run validate -c "$T_CFG" --as-of 2026-11-15 "$IN"
	assert_failure 1
	m
	assert_equal "$status" 1
	run jq -r 'select(.type=="loket.wage") | .personio_id' "$OUT"
	assert_output 2
}

# ---- R1: mapping pairs route by sign -------------------------------------------------------

pair_cfg() { jq '.compensation.mapping.correction = {"payment": 8042, "deduction": 8050}' "$T_CFG" >"$BATS_TEST_TMPDIR/pair.json"; }

@test "R1: a mapping pair routes by sign: a negative amount to the deduction component, a positive one to the payment component" {
	pair_cfg
	{ rec_person; rec_recurring '.type_id="correction"|.amount="20.00"|.effective_from="2026-01-01"|.effective_to="2026-03-31"'
	  rec_recurring '.type_id="correction"|.compensation_id="r2"|.amount="-15.00"|.effective_from="2026-04-01"'; rec_end; } >"$IN"
	CFG="$BATS_TEST_TMPDIR/pair.json" m
	assert_equal "$status" 0
	run bd
	assert_output "$(printf '%s\n' '8042 20.00 false 2026-01-01 2026-03-31' '8050 15.00 true 2026-04-01 -')"
	schema_ok "$OUT"
}

@test "R1: a plain key takes both signs (diff-loket checks the component's kind); a pair's one-time payments go to its payment component with their sign" {
	pair_cfg
	{ rec_person; rec_recurring '.amount="-15.00"'; rec_bonus '.type_id="correction"|.amount="-40.00"|.effective_from="2026-05-10"'
	  rec_bonus '.type_id="correction"|.compensation_id="b2"|.amount="10.00"|.effective_from="2026-05-20"'; rec_end; } >"$IN"
	CFG="$BATS_TEST_TMPDIR/pair.json" m
	assert_equal "$status" 0
	run bd
	assert_output '8042 15.00 true 2026-01-01 -'
	run vi
	assert_output '1 2026 5 8042 -30.00 b1,b2'
}

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

@test "metadata: the desired employee names gender by Loket's label and country by ISO code, never by a key" {
	{ rec_person; rec_person '.personio_id="2"|.employee_number="102"|.gender="female"'; rec_person '.personio_id="3"|.employee_number="103"|.gender="diverse"'; rec_end; } >"$IN"
	m
	run jq -c 'select(.type=="loket.employee") | [.employee.personalDetails.gender, .employee.address.country]' "$OUT"
	assert_output "$(printf '%s\n' '[{"value":"Man"},{"isoCode":"NL"}]' '[{"value":"Vrouw"},{"isoCode":"NL"}]' '[null,{"isoCode":"NL"}]')"
}
