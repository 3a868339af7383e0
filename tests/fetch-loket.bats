#!/usr/bin/env bats
# fetch-loket against the Loket emulator: what one administration holds, completely or not at all.

load helper

setup_file() {
	load helper
	loket_start
}
teardown_file() { loket_stop; }

setup() {
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	loket_client
	loket_login
	TOKF="$BATS_TEST_TMPDIR/token.json"
	OUT="$BATS_TEST_TMPDIR/out.ndjson"
}

state() { curl -fsS "$LK_URL/__emu/state"; }

@test "everything of the administration, checked against the emulator's state; records validate" {
	fetch-loket -c "$CFG" >"$OUT"
	schema_ok "$OUT"
	run jq -s -c '[(map(select(.type=="loket.current.employee")) | length),
		(map(select(.type=="loket.current.employment")) | length),
		(map(select(.type=="loket.current.wage")) | length),
		(map(select(.type=="loket.current.benefit_deduction")) | length),
		(map(select(.type=="loket.current.concept_employee")) | length)]' "$OUT"
	assert_output "$(state | jq -c '[(.employees | length), (.employments | length), (.wages | length),
		(.benefitsAndDeductions | length), (.conceptEmployees | length)]')"
	run tail -n 1 "$OUT"
	assert_output --partial '"type":"stream_end","client":"acme","source":"loket","complete":true'
}

@test "BSN comes from its own endpoint; amounts are exact decimal strings" {
	fetch-loket -c "$CFG" >"$OUT"
	run jq -r 'select(.type=="loket.current.employee" and .employee_number==101) | .citizen_service_number' "$OUT"
	assert_output "$(state | jq -r '.employees[] | select(.employeeNumber==101) | .citizenServiceNumber')"
	run jq -r 'select(.type=="loket.current.wage") | .gross_wage' "$OUT"
	refute_output --regexp '^[0-9]+$'
	assert_line --regexp '^[0-9]+\.[0-9]{2}$'
}

@test "what diff-loket needs: the whole employee resource, a wage's pay scale, period data keys and supplements" {
	fetch-loket -c "$CFG" >"$OUT"
	# the employee as Loket serves it (minus id), so a PUT can send it back whole
	run jq -c 'select(.type=="loket.current.employee" and .employee_number==101) | .employee | [.employeeNumber, .personalDetails.gender, .address.country, has("id")]' "$OUT"
	assert_output '[101,{"key":1,"value":"Man"},{"isoCode":"NL","key":1,"value":"Nederland"},false]'
	run jq -c 'select(.type=="loket.current.wage" and .employment_id=="3d2c1b0a-9f8e-4d7c-8b6a-000000000110" and .start_date=="2026-01-01") | [.apply_pay_grade, .pay_scale, .pay_grade]' "$OUT"
	assert_output '[true,3,5]'
	run jq -c 'select(.type=="loket.current.variable_input" and .employment_id=="3d2c1b0a-9f8e-4d7c-8b6a-000000000115") | [.payroll_component_key, .value, .is_supplement, .key.shift.shiftNumber]' "$OUT"
	assert_output "$(printf '%s\n' '[1,"160.00",false,1]' '[8102,"50.00",false,1]')"
	# period data before the compensation start date's year is not fetched (114's 2025-12 bonus)
	run jq -c 'select(.type=="loket.current.variable_input" and .year < 2026)' "$OUT"
	assert_output ''
}

@test "the saved access token is used while it lasts (no refresh); then the refresh token rotates, saved before use" {
	n=$(curl -fsS "$LK_URL/__emu/stats" | jq '.by_path["/token"] // 0')
	before=$(jq -r .refresh_token "$TOKF")
	fetch-loket -c "$CFG" >"$OUT"
	assert_equal "$(curl -fsS "$LK_URL/__emu/stats" | jq '.by_path["/token"] // 0')" "$n"
	assert_equal "$(jq -r .refresh_token "$TOKF")" "$before"
	token_expire "$TOKF"
	fetch-loket -c "$CFG" >"$OUT"
	after=$(jq -r .refresh_token "$TOKF")
	[ "$before" != "$after" ]
	assert_equal "$(curl -fsS "$LK_URL/__emu/stats" | jq '.by_path["/token"] // 0')" "$((n + 1))"
	run stat -c %a "$TOKF"
	assert_output 600
}

@test "record then replay: byte-identical, with no network and no token" {
	fetch-loket -c "$CFG" --record "$BATS_TEST_TMPDIR/rec" >"$OUT"
	rm -f "$TOKF"
	run fetch-loket -c "$CFG" --replay "$BATS_TEST_TMPDIR/rec" --base-url http://127.0.0.1:9/v2
	assert_success
	cmp "$OUT" <(echo "$output")
	run grep -rl -e "$LOKET_CLIENT_SECRET" "$BATS_TEST_TMPDIR/rec"
	assert_failure
}

@test "faults: 429, 500 and a dropped connection are retried; output identical" {
	fetch-loket -c "$CFG" >"$BATS_TEST_TMPDIR/ref.ndjson"
	curl -fsS -X POST --data '{"after":1,"429":2,"retry_after":"0","500":2,"drop":1}' "$LK_URL/__emu/faults" >/dev/null
	fetch-loket -c "$CFG" >"$OUT"
	cmp "$BATS_TEST_TMPDIR/ref.ndjson" "$OUT"
}

@test "an endpoint that always fails -> exit 5, path and status named, stream marked incomplete" {
	curl -fsS -X POST --data '{"always":{"path":"/v2/providers/employers/employees/employments","status":503}}' "$LK_URL/__emu/faults" >/dev/null
	run --separate-stderr fetch-loket -c "$CFG"
	assert_equal "$status" 5
	[[ "$stderr" == *"HTTP 503"* ]]
	[[ "$stderr" != *"$LOKET_CLIENT_SECRET"* && "$stderr" != *Bearer* ]]
	[[ "$(echo "$output" | tail -n 1)" == *'"complete":false'* ]]
}

@test "a wrong shape -> exit 5; a refused token -> exit 6 (run loket-auth); no token file -> exit 4" {
	curl -fsS -X POST --data '{"malformed":{"path":"/v2/providers/employers","kind":"wrongshape"}}' "$LK_URL/__emu/faults" >/dev/null
	run fetch-loket -c "$CFG"
	assert_failure 5
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	curl -fsS -X POST "$LK_URL/__emu/revoke-tokens" >/dev/null
	run fetch-loket -c "$CFG"
	assert_failure 6
	assert_output --partial "re-authorisation needed: run loket-auth"
	rm -f "$TOKF"
	run fetch-loket -c "$CFG"
	assert_failure 4
	assert_output --partial "run loket-auth to log in once"
}

@test "usage and configuration errors" {
	run fetch-loket
	assert_failure 2
	run fetch-loket -c "$CFG" --record a --replay b
	assert_failure 2
	jq 'del(.loket.employer_id)' "$CFG" >"$BATS_TEST_TMPDIR/c.json"
	run fetch-loket -c "$BATS_TEST_TMPDIR/c.json"
	assert_failure 4
	assert_output --partial "loket.employer_id and loket.payroll_administration_id are required"
	run fetch-loket -c "$CFG" --base-url http://api.loket.nl/v2
	assert_failure 4
	assert_output --partial "refusing plain http"
}

@test "a 429 on the token endpoint is tried again (Loket did not process it); a 500 there is not" {
	token_expire "$TOKF"
	curl -fsS -X POST --data '{"429":2,"retry_after":"0"}' "$LK_URL/__emu/faults" >/dev/null
	run fetch-loket -c "$CFG"
	assert_success
	token_expire "$TOKF"
	curl -fsS -X POST --data '{"500":1}' "$LK_URL/__emu/faults" >/dev/null
	run fetch-loket -c "$CFG"
	assert_failure 5
	assert_output --partial "POST /token: HTTP 500"
}
