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
	for pair in 50000.00:4166.67 60000.00:5000.00 45000.06:3750.01 45000.05:3750.00 0.05:0.00 0.06:0.01; do
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

@test "bad input: wrong types, missing fields, two salaries on one day, no config -> clear message and exit code" {
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
	{ rec_person; rec_comp; rec_comp '.compensation_id="c2"'; } >"$IN"
	run map-compensation -c "$T_CFG" "$IN"
	assert_failure 3
	assert_output --partial "two salaries start on the same day"
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
