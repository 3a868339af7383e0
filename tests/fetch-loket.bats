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

reqs() { curl -fsS "$LK_URL/__emu/requests" | jq -r '.[] | "\(.method) \(.path)"'; }
PA=7a9b3c2d-1e4f-4a5b-8c6d-000000000001

@test "R1: the payroll component catalogue of every year the sync concerns (start date's year to --as-of + future months), one record per component, valid" {
	fetch-loket -c "$CFG" --as-of 2026-11-15 >"$OUT"
	schema_ok "$OUT"
	# 2026-11-15 + 2 months (personio.future_months) is in 2027: the catalogues of 2026 and 2027
	run reqs
	assert_line "GET /providers/employers/payrolladministrations/$PA/payrollcomponents/year/2026"
	assert_line "GET /providers/employers/payrolladministrations/$PA/payrollcomponents/year/2027"
	refute_line --partial "payrollcomponents/year/2025"
	refute_line --partial "payrollcomponents/year/2028"
	run jq -s -c 'map(select(.type=="loket.current.payroll_component")) | [length, (map(.year) | unique)]' "$OUT"
	assert_output "$(state | jq -c --arg pa "$PA" '[.payrollComponents[] | select(.payrollAdministrationId==$pa and .year>=2026 and .year<=2027)] | [length, (map(.year) | unique)]')"
	# the kind of each component, as Loket gives it: 8055 deducts, 8042 pays, hours are neither
	run jq -c 'select(.type=="loket.current.payroll_component" and .year==2026 and (.key==8055 or .key==8042 or .key==1)) | [.key, .deduction_or_payment.value, .category.value, .can_be_supplemented]' "$OUT"
	assert_output "$(printf '%s\n' '[1,"Betaling","Uren",false]' '[8042,"Betaling","Netto vergoeding",true]' '[8055,"Inhouding","Bruto inhouding",false]')"
	run jq -c 'select(.type=="stream_end") | .counts.payroll_components' "$OUT"
	assert_output 26
	# an --as-of whose future months stay in 2026 reads 2026 only
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	fetch-loket -c "$CFG" --as-of 2026-10-15 >"$OUT"
	run reqs
	assert_line --partial "payrollcomponents/year/2026"
	refute_line --partial "payrollcomponents/year/2027"
	run fetch-loket -c "$CFG" --as-of 2026-13-01
	assert_failure 2
}

@test "R1: a catalogue longer than a page is read to the end (260 components in 2026: two pages), checked against totalSize" {
	mkdir -p "$BATS_TEST_TMPDIR/fx"
	cp "$LOKET_FIX/client.json" "$BATS_TEST_TMPDIR/fx/"
	jq --arg pa "$PA" '.payrollComponents += [range(0; 247) | {payrollAdministrationId: $pa, year: 2026, key: (9000 + .),
		description: "EXTRA", category: {key: 7, value: "Bruto vergoeding volgens tabel"},
		deductionOrPayment: {key: 2, value: "Betaling"}, canBeSupplemented: false, isCollectiveMutationPossible: true}]' \
		"$LOKET_FIX/state.json" >"$BATS_TEST_TMPDIR/fx/state.json"
	LOKET_FIX="$BATS_TEST_TMPDIR/fx" LK_NAME=big loket_start
	loket_login
	fetch-loket -c "$CFG" --as-of 2026-10-15 >"$OUT"
	run jq -s 'map(select(.type=="loket.current.payroll_component")) | length' "$OUT"
	assert_output 260
	# the operation declares no paging parameters: the first page is asked for without them,
	# the second (announced by totalSize) with pageNumber only
	run bash -c "curl -fsS '$LK_URL/__emu/requests' | jq -c '.[] | select(.path | endswith(\"/year/2026\")) | .query'"
	assert_output "$(printf '%s\n' '{}' '{"pageNumber":"2"}')"
	loket_stop
}

@test "metadata: what Loket's metadata endpoints answer (PUT employee, POST wage, POST concept employee) is written once per run, valid" {
	fetch-loket -c "$CFG" --as-of 2026-11-15 >"$OUT"
	schema_ok "$OUT"
	run bash -c "curl -fsS '$LK_URL/__emu/requests' | jq -r '.[] | select(.path | endswith(\"/metadata\")) | .path'"
	assert_output "$(printf '%s\n' /providers/employers/employees/0e7f3a1c-2b4d-4e5f-8a9b-000000000101/metadata \
		/providers/employers/employees/employments/3d2c1b0a-9f8e-4d7c-8b6a-000000000101/wages/metadata \
		/providers/employers/5c1e0f8a-6b2d-4c3e-9f10-000000000001/conceptemployees/metadata)"
	run jq -c 'select(.type=="loket.current.metadata" and (.field=="gender" or .field=="grossWageType")) | [.resource, .field, (.options | map(.value))]' "$OUT"
	assert_output "$(printf '%s\n' '["employee","gender",["Man","Vrouw","Onbekend"]]' '["wage","grossWageType",["Periodeloon","Uurloon"]]' \
		'["concept_employee","gender",["Man","Vrouw","Onbekend"]]' '["concept_employee","grossWageType",["Periodeloon","Uurloon"]]')"
	run jq -c 'select(.type=="loket.current.metadata" and .resource=="employee" and .field=="country") | .options[0]' "$OUT"
	assert_output '{"key":1,"isoCode":"NL","value":"Nederland"}'
	run jq -s 'map(select(.type=="loket.current.metadata")) | length' "$OUT"
	assert_output "$(state | jq '.metadata | length')"
}

@test "metadata: an answer of the wrong shape -> exit 5, the path named, stream marked incomplete" {
	curl -fsS -X POST --data '{"malformed":{"path":"/v2/providers/employers/employees/employments/3d2c1b0a-9f8e-4d7c-8b6a-000000000101/wages/metadata","kind":"wrongshape"}}' "$LK_URL/__emu/faults" >/dev/null
	run --separate-stderr fetch-loket -c "$CFG"
	assert_equal "$status" 5
	[[ "$stderr" == *"wages/metadata: the answer has the wrong shape"* ]]
	[[ "$(echo "$output" | tail -n 1)" == *'"complete":false'* ]]
}

@test "a bad amount in a payroll period data answer, or a metadata field of the wrong shape: what came before it is written, then exit 5 and complete:false, counted" {
	fetch-loket -c "$CFG" --record "$BATS_TEST_TMPDIR/rec" >"$OUT"
	# the first recorded period data answer with two or more components: its last one gets three decimals
	local f
	f=$(grep -l '"payrollComponents":\[{[^]]*},{' "$BATS_TEST_TMPDIR/rec"/*payrollperioddata*.body | head -n 1)
	[ -n "$f" ]
	cp -R "$BATS_TEST_TMPDIR/rec" "$BATS_TEST_TMPDIR/bad"
	local b="$BATS_TEST_TMPDIR/bad/$(basename "$f")"
	jq -c '(._embedded[0].payrollComponents[-1].value) |= 1.234' "$f" >"$b"
	local good
	good=$(jq '._embedded[0].payrollComponents | length - 1' "$f")
	run --separate-stderr fetch-loket -c "$CFG" --replay "$BATS_TEST_TMPDIR/bad" --base-url http://127.0.0.1:9/v2
	assert_equal "$status" 5
	[[ "$stderr" == *"payroll period data value: not an amount with at most two decimals"* ]]
	local id
	id=$(jq -r '._embedded[0].id' "$f")
	assert_equal "$(jq -c --arg id "$id" 'select(.type=="loket.current.variable_input" and .id==$id)' <<<"$output" | wc -l)" "$good"
	# counted: the period data entries of the records read before this one, and its good ones
	local before
	before=$(jq -r 'select(.type=="loket.current.variable_input") | .id' "$OUT" | grep -n -m 1 -xF "$id" | cut -d: -f1)
	run jq -c 'select(.type=="stream_end") | [.complete, .counts.payroll_period_data]' <<<"$output"
	assert_output "[false,$((before - 1 + good))]"
	# metadata: the second field of the employee metadata loses its options' keys
	rm -rf "$BATS_TEST_TMPDIR/bad" && cp -R "$BATS_TEST_TMPDIR/rec" "$BATS_TEST_TMPDIR/bad"
	f=$(ls "$BATS_TEST_TMPDIR/rec"/*_employees_*_metadata-*.body | grep -v -e employments -e conceptemployees)
	b="$BATS_TEST_TMPDIR/bad/$(basename "$f")"
	jq -c '._embedded[1].options = [{"value": "x"}]' "$f" >"$b"
	local field
	field=$(jq -r '._embedded[1].field' "$f")
	run --separate-stderr fetch-loket -c "$CFG" --replay "$BATS_TEST_TMPDIR/bad" --base-url http://127.0.0.1:9/v2
	assert_equal "$status" 5
	[[ "$stderr" == *"field $field: option 1: expected an object with a key"* ]]
	local P=$output
	run jq -c 'select(.type=="loket.current.metadata") | [.resource, .field]' <<<"$P"
	assert_output "[\"employee\",$(jq -c '._embedded[0].field' "$f")]"
	run jq -c 'select(.type=="stream_end") | [.complete, .counts.metadata_fields]' <<<"$P"
	assert_output '[false,1]'
}

# ---- --state DIR: Loket's request floor (issue 11)

# nreq: the Loket requests since the last reset (tokens included); reset_log: counters and log
# to zero, the state kept
nreq() { curl -fsS "$LK_URL/__emu/requests" | jq 'length'; }
reqs_since() { curl -fsS "$LK_URL/__emu/requests" | jq -r '.[] | "\(.method) \(.path)"'; }
clear_log() { curl -fsS -X POST "$LK_URL/__emu/reset-log" >/dev/null; }
# lk METHOD PATH [BODY]: one API call with a fresh token, as another Loket user would make it
lk() {
	local tok
	tok=$(loket_token)
	curl -fsS -X "$1" -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' ${3:+--data "$3"} "$LK_URL/v2$2" >/dev/null
}
# a full read with --state (into $1), then the records of one sorted
fetch_state() { fetch-loket -c "$CFG" --as-of 2026-11-15 --state "$BATS_TEST_TMPDIR/state" "${@:2}" >"$1"; }
sorted() { jq -S -c . "$1" | grep -v '"stream_end"' | sort; }

@test "state: a second run without changes makes at most 15 Loket requests (tokens included) and writes the same records" {
	fetch_state "$BATS_TEST_TMPDIR/a.ndjson"
	schema_ok "$BATS_TEST_TMPDIR/a.ndjson"
	run tail -n 1 "$BATS_TEST_TMPDIR/a.ndjson"
	assert_output --partial '"complete":true'
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/state")" = 700 ]
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/state/fetch-loket.snapshot")" = 600 ]
	clear_log
	fetch_state "$BATS_TEST_TMPDIR/b.ndjson"
	n=$(nreq)
	echo "second run: $n requests" >&3
	reqs_since >&3
	[ "$n" -le 15 ]
	cmp "$BATS_TEST_TMPDIR/a.ndjson" "$BATS_TEST_TMPDIR/b.ndjson"
	# nothing per employment, no BSN
	run bash -c "curl -fsS '$LK_URL/__emu/requests' | jq -r '.[].path' | grep -E '/wages\$|/benefitsanddeductions\$|/citizenservicenumber\$|/employments/[^/]+/payrollperioddata\$'"
	assert_output ''
}

@test "state: a wage written through the API between runs: that employment is read again and no other; the records equal a --full read's" {
	fetch_state "$BATS_TEST_TMPDIR/a.ndjson"
	em=3d2c1b0a-9f8e-4d7c-8b6a-000000000103
	lk POST "/providers/employers/employees/employments/$em/wages" '{"startDate":"2026-11-01","grossWage":4321.00,"grossWageType":{"key":1},"applyPayGrade":false}'
	clear_log
	fetch_state "$BATS_TEST_TMPDIR/b.ndjson"
	run bash -c "curl -fsS '$LK_URL/__emu/requests' | jq -r '.[].path' | grep -E '/wages\$|/benefitsanddeductions\$' | sort"
	assert_output "$(printf '%s\n' "/providers/employers/employees/employments/$em/benefitsanddeductions" "/providers/employers/employees/employments/$em/wages")"
	run jq -c "select(.type==\"loket.current.wage\" and .employment_id==\"$em\" and .start_date==\"2026-11-01\") | .gross_wage" "$BATS_TEST_TMPDIR/b.ndjson"
	assert_output '"4321.00"'
	fetch_state "$BATS_TEST_TMPDIR/full.ndjson" --full
	cmp "$BATS_TEST_TMPDIR/b.ndjson" "$BATS_TEST_TMPDIR/full.ndjson"
}

@test "state: a payroll period data write (not covered by version numbers) is seen in an open period; the records equal a --full read's" {
	fetch_state "$BATS_TEST_TMPDIR/a.ndjson"
	em=3d2c1b0a-9f8e-4d7c-8b6a-000000000103
	lk PATCH "/providers/employers/employees/employments/$em/payrollperioddata" '{"payrollPeriod":{"year":2026,"periodNumber":12},"shift":{"shiftNumber":1},"payrollComponents":[{"payrollComponent":{"key":8101},"value":777}]}'
	fetch_state "$BATS_TEST_TMPDIR/b.ndjson"
	run jq -c "select(.type==\"loket.current.variable_input\" and .employment_id==\"$em\" and .period==12) | [.payroll_component_key, .value]" "$BATS_TEST_TMPDIR/b.ndjson"
	assert_output '[8101,"777.00"]'
	fetch_state "$BATS_TEST_TMPDIR/full.ndjson" --full
	cmp "$BATS_TEST_TMPDIR/b.ndjson" "$BATS_TEST_TMPDIR/full.ndjson"
}

@test "state: payroll period data on the special-rate payslip (payslip type 2) is read as a read per employment reads it: the same records, both payslip types asked for per period" {
	em=3d2c1b0a-9f8e-4d7c-8b6a-000000000103
	lk PATCH "/providers/employers/employees/employments/$em/payrollperioddata" '{"payrollPeriod":{"year":2026,"periodNumber":11},"shift":{"shiftNumber":1},"payslipType":{"key":2},"payrollComponents":[{"payrollComponent":{"key":8101},"value":555}]}'
	clear_log
	fetch_state "$BATS_TEST_TMPDIR/a.ndjson"
	run jq -c "select(.type==\"loket.current.variable_input\" and .employment_id==\"$em\" and .period==11) | [.payroll_component_key, .value, .key.payslipType.key]" "$BATS_TEST_TMPDIR/a.ndjson"
	assert_output '[8101,"555.00",2]'
	fetch-loket -c "$CFG" --as-of 2026-11-15 >"$BATS_TEST_TMPDIR/plain.ndjson"
	want=$(jq -c "select(.type==\"loket.current.variable_input\" and .year==2026 and .period==11)" "$BATS_TEST_TMPDIR/plain.ndjson" | jq -S -c . | sort)
	got=$(jq -c "select(.type==\"loket.current.variable_input\" and .year==2026 and .period==11)" "$BATS_TEST_TMPDIR/a.ndjson" | jq -S -c . | sort)
	grep -q '"payslipType":{"key":2' <<<"$want"
	assert_equal "$got" "$want"
	run bash -c "curl -fsS '$LK_URL/__emu/requests' | jq -r '.[] | select(.path | endswith(\"/payrollPeriods/202611/payrollperioddata\")) | .query.payslipType' | sort | tr '\n' ' '"
	assert_output '1 2 '
}

@test "state: a new hire (converted concept employee) and an ended employment: read, the rest not; equal to a --full read" {
	fetch_state "$BATS_TEST_TMPDIR/a.ndjson"
	ce=$(state | jq -r '.conceptEmployees[0].id')
	lk PATCH "/providers/employers/conceptemployees/$ce/convertToEmployee"
	em=3d2c1b0a-9f8e-4d7c-8b6a-000000000104
	lk PATCH "/providers/employers/employees/employments/$em/terminate" '{"endDate":"2026-11-30"}'
	clear_log
	fetch_state "$BATS_TEST_TMPDIR/b.ndjson"
	n=$(curl -fsS "$LK_URL/__emu/requests" | jq -r '.[].path' | grep -cE '/wages$')
	[ "$n" -eq 2 ]
	run bash -c "curl -fsS '$LK_URL/__emu/requests' | jq -r '.[].path' | grep -c '/citizenservicenumber\$'"
	assert_output 2
	run jq -r "select(.type==\"loket.current.employee\" and .id==\"$ce\") | .id" "$BATS_TEST_TMPDIR/b.ndjson"
	assert_output "$ce"
	run jq -r "select(.type==\"loket.current.employment\" and .id==\"$em\") | .end_date" "$BATS_TEST_TMPDIR/b.ndjson"
	assert_output 2026-11-30
	fetch_state "$BATS_TEST_TMPDIR/full.ndjson" --full
	cmp "$BATS_TEST_TMPDIR/b.ndjson" "$BATS_TEST_TMPDIR/full.ndjson"
}

@test "state: the same records as a read without --state, but payroll period data only of the periods the sync concerns (through a component set that holds every component)" {
	fetch_state "$BATS_TEST_TMPDIR/a.ndjson"
	fetch-loket -c "$CFG" --as-of 2026-11-15 >"$BATS_TEST_TMPDIR/plain.ndjson"
	diff <(sorted "$BATS_TEST_TMPDIR/a.ndjson" | grep -v variable_input) <(sorted "$BATS_TEST_TMPDIR/plain.ndjson" | grep -v variable_input)
	# every entry of every record in 2026-01 .. 2027-01 (the mixed record of 115 in 2026-05 whole)
	want=$(jq -c 'select(.type=="loket.current.variable_input" and .year * 100 + .period <= 202701)' "$BATS_TEST_TMPDIR/plain.ndjson" | jq -S -c . | sort)
	got=$(jq -c 'select(.type=="loket.current.variable_input")' "$BATS_TEST_TMPDIR/a.ndjson" | jq -S -c . | sort)
	[ "$(wc -l <<<"$want")" -ge 5 ]
	assert_equal "$got" "$want"
	run grep -c '"payroll_component_key":1,' <<<"$got"
	assert_output 1
	# one request per period, by the set "5e75...0001" (the bonus set covers too little)
	run bash -c "curl -fsS '$LK_URL/__emu/requests' | jq -r '.[] | select(.path | test(\"/payrollPeriods/[0-9]+/payrollperioddata\$\")) | .query.payrollComponentSet' | sort -u"
	assert_output 5e750000-0000-4000-8000-000000000001
}

@test "state: without a payroll component set that holds every component, one request per category of the catalogue (complete records still)" {
	curl -fsS -X POST --data '{"malformed":{"path":"/v2/providers/employers/payrolladministrations/7a9b3c2d-1e4f-4a5b-8c6d-000000000001/availablepayrollcomponentsets","kind":"wrongshape"}}' "$LK_URL/__emu/faults" >/dev/null
	run fetch_state "$BATS_TEST_TMPDIR/a.ndjson"
	assert_failure 5
	curl -fsS -X POST --data '{}' "$LK_URL/__emu/faults" >/dev/null
	# the emulator's sets without the all-components one: the state has only the bonus set then
	tok=$(loket_token)
	fetch_state "$BATS_TEST_TMPDIR/a.ndjson"
	snap="$BATS_TEST_TMPDIR/state/fetch-loket.snapshot"
	body=$(tail -n +2 "$snap" | jq -c '.components.sets |= map(select(.id != "5e750000-0000-4000-8000-000000000001")) | .periods |= map(.closed = false)')
	(umask 077; { printf 'lp-snap 1 %d %08x\n' "${#body}" "$(printf '%s' "$body" | python3 -c 'import sys,zlib; print(zlib.crc32(sys.stdin.buffer.read()))')"; printf '%s' "$body"; } >"$snap")
	curl -fsS -X POST "$LK_URL/__emu/reset-log" >/dev/null
	fetch_state "$BATS_TEST_TMPDIR/b.ndjson"
	run bash -c "curl -fsS '$LK_URL/__emu/requests' | jq -r '.[] | select(.path | endswith(\"/payrolladministrations/7a9b3c2d-1e4f-4a5b-8c6d-000000000001/payrollPeriods/202605/payrollperioddata\")) | \"\\(.query.payslipType):\\(.query.payrollComponentCategory)\"' | sort -t: -k1,1n -k2,2n | tr '\n' ' '"
	assert_output '1:1 1:7 1:9 1:12 1:13 2:1 2:7 2:9 2:12 2:13 '
	cmp "$BATS_TEST_TMPDIR/a.ndjson" "$BATS_TEST_TMPDIR/b.ndjson"
}

@test "state: a damaged snapshot (a flipped byte, cut short, another client's) -> a full read with a warning, never wrong output" {
	fetch_state "$BATS_TEST_TMPDIR/a.ndjson"
	snap="$BATS_TEST_TMPDIR/state/fetch-loket.snapshot"
	cp "$snap" "$BATS_TEST_TMPDIR/good"
	for damage in flip cut client; do
		cp "$BATS_TEST_TMPDIR/good" "$snap"
		case $damage in
		flip) printf 'X' | dd of="$snap" bs=1 seek=200 conv=notrunc status=none ;;
		cut) truncate -s -100 "$snap" ;;
		client) body=$(tail -n +2 "$BATS_TEST_TMPDIR/good" | jq -c '.client="other"')
			(umask 077; { printf 'lp-snap 1 %d %08x\n' "${#body}" "$(printf '%s' "$body" | python3 -c 'import sys,zlib; print(zlib.crc32(sys.stdin.buffer.read()))')"; printf '%s' "$body"; } >"$snap") ;;
		esac
		clear_log
		run --separate-stderr fetch-loket -c "$CFG" --as-of 2026-11-15 --state "$BATS_TEST_TMPDIR/state"
		assert_success
		echo "$damage: $stderr"
		case $damage in
		flip) [[ $stderr == *"damaged snapshot (checksum mismatch); reading everything"* ]] ;;
		cut) [[ $stderr == *"damaged snapshot"*"reading everything"* ]] ;;
		client) [[ $stderr == *"another client, employer or payroll administration; reading everything"* ]] ;;
		esac
		[ "$output" = "$(cat "$BATS_TEST_TMPDIR/a.ndjson")" ]
		[ "$(curl -fsS "$LK_URL/__emu/requests" | jq -r '.[].path' | grep -c '/wages$')" -ge 30 ]
	done
}

@test "state: --full reads everything; --max-age: a snapshot older than DAYS (by --as-of dates) is read again; --full needs --state" {
	fetch_state "$BATS_TEST_TMPDIR/a.ndjson"
	clear_log
	fetch_state "$BATS_TEST_TMPDIR/b.ndjson" --full
	[ "$(curl -fsS "$LK_URL/__emu/requests" | jq -r '.[].path' | grep -c '/wages$')" -ge 30 ]
	cmp "$BATS_TEST_TMPDIR/a.ndjson" "$BATS_TEST_TMPDIR/b.ndjson"
	# 7 days after: still used (default --max-age 7); 8 days: read again, with a warning
	clear_log
	run --separate-stderr fetch-loket -c "$CFG" --as-of 2026-11-22 --state "$BATS_TEST_TMPDIR/state"
	assert_success
	[ "$(curl -fsS "$LK_URL/__emu/requests" | jq -r '.[].path' | grep -c '/wages$')" -eq 0 ]
	clear_log
	run --separate-stderr fetch-loket -c "$CFG" --as-of 2026-11-30 --state "$BATS_TEST_TMPDIR/state" --max-age 3
	assert_success
	[[ $stderr == *"older than --max-age days; reading everything"* ]]
	[ "$(curl -fsS "$LK_URL/__emu/requests" | jq -r '.[].path' | grep -c '/wages$')" -ge 30 ]
	# an earlier --as-of than the snapshot's: read again
	run --separate-stderr fetch-loket -c "$CFG" --as-of 2026-11-01 --state "$BATS_TEST_TMPDIR/state"
	assert_success
	[[ $stderr == *"later --as-of date; reading everything"* ]]
	run fetch-loket -c "$CFG" --full
	assert_failure 2
	run fetch-loket -c "$CFG" --state "$BATS_TEST_TMPDIR/state" --max-age x
	assert_failure 2
}

@test "state: a full disk while saving the snapshot -> exit 7, complete:false, the old snapshot intact; a failed read saves nothing" {
	fetch_state "$BATS_TEST_TMPDIR/a.ndjson"
	snap="$BATS_TEST_TMPDIR/state/fetch-loket.snapshot"
	cp "$snap" "$BATS_TEST_TMPDIR/good"
	lk POST "/providers/employers/employees/employments/3d2c1b0a-9f8e-4d7c-8b6a-000000000103/wages" '{"startDate":"2026-11-01","grossWage":4321.00,"grossWageType":{"key":1},"applyPayGrade":false}'
	enospc_preload "$BUILD/bin/fetch-loket"
	for ops in write fsync rename; do
		run --separate-stderr env LD_PRELOAD="$PRELOAD" ENOSPC_SHIM_PATTERN="$BATS_TEST_TMPDIR/state/*" ENOSPC_SHIM_OPS=$ops \
			fetch-loket -c "$CFG" --as-of 2026-11-15 --state "$BATS_TEST_TMPDIR/state"
		assert_failure 7
		[[ $stderr == *"previous snapshot is kept"* ]]
		run jq -c 'select(.type=="stream_end") | .complete' <<<"$output"
		assert_output false
		cmp "$snap" "$BATS_TEST_TMPDIR/good"
	done
	[ -z "$(ls "$BATS_TEST_TMPDIR/state" | grep -v '^fetch-loket.snapshot$')" ]
	# a read that fails: the snapshot stays
	curl -fsS -X POST --data '{"always":{"path":"/v2/providers/employers/5c1e0f8a-6b2d-4c3e-9f10-000000000001/conceptemployees","status":503}}' "$LK_URL/__emu/faults" >/dev/null
	run fetch-loket -c "$CFG" --as-of 2026-11-15 --state "$BATS_TEST_TMPDIR/state"
	assert_failure 5
	cmp "$snap" "$BATS_TEST_TMPDIR/good"
}

@test "state: SIGKILL at any moment of a run (the snapshot's save included) leaves the old snapshot or the new one, never half" {
	fetch_state "$BATS_TEST_TMPDIR/a.ndjson"
	snap="$BATS_TEST_TMPDIR/state/fetch-loket.snapshot"
	cp "$snap" "$BATS_TEST_TMPDIR/old"
	lk POST "/providers/employers/employees/employments/3d2c1b0a-9f8e-4d7c-8b6a-000000000103/wages" '{"startDate":"2026-11-01","grossWage":4321.00,"grossWageType":{"key":1},"applyPayGrade":false}'
	fetch_state "$BATS_TEST_TMPDIR/new.ndjson"
	cp "$snap" "$BATS_TEST_TMPDIR/new"
	# killed after 0, 10, ... 190 ms: whatever it was doing, the snapshot is one of the two,
	# whole, and the next run writes what Loket holds
	for ms in $(seq 0 10 190); do
		cp "$BATS_TEST_TMPDIR/old" "$snap"
		fetch-loket -c "$CFG" --as-of 2026-11-15 --state "$BATS_TEST_TMPDIR/state" >/dev/null 2>&1 &
		pid=$!
		sleep "0.$(printf %03d "$ms")"
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" || true
		cmp -s "$snap" "$BATS_TEST_TMPDIR/old" || cmp "$snap" "$BATS_TEST_TMPDIR/new"
	done
	fetch-loket -c "$CFG" --as-of 2026-11-15 --state "$BATS_TEST_TMPDIR/state" >"$BATS_TEST_TMPDIR/after.ndjson"
	cmp "$BATS_TEST_TMPDIR/after.ndjson" "$BATS_TEST_TMPDIR/new.ndjson"
}

@test "state: --record and --replay still work (the replay makes no request)" {
	fetch-loket -c "$CFG" --as-of 2026-11-15 --state "$BATS_TEST_TMPDIR/s1" --record "$BATS_TEST_TMPDIR/rec" >"$BATS_TEST_TMPDIR/a.ndjson"
	clear_log
	LOKET_CLIENT_ID= LOKET_CLIENT_SECRET= fetch-loket -c "$CFG" --as-of 2026-11-15 --state "$BATS_TEST_TMPDIR/s2" --replay "$BATS_TEST_TMPDIR/rec" >"$BATS_TEST_TMPDIR/b.ndjson"
	cmp "$BATS_TEST_TMPDIR/a.ndjson" "$BATS_TEST_TMPDIR/b.ndjson"
	assert_equal "$(nreq)" 0
}

@test "state: after a write to Loket (DIR/loket-written, made before a push) no closed period comes from the snapshot; the mark goes once a new snapshot is saved" {
	fetch_state "$BATS_TEST_TMPDIR/a.ndjson"
	# a plan writes into 2026-06, which an approved payroll run closed
	em=3d2c1b0a-9f8e-4d7c-8b6a-000000000112
	: >"$BATS_TEST_TMPDIR/state/loket-written"
	lk PATCH "/providers/employers/employees/employments/$em/payrollperioddata" '{"payrollPeriod":{"year":2026,"periodNumber":6},"shift":{"shiftNumber":1},"payrollComponents":[{"payrollComponent":{"key":8102},"value":30}]}'
	clear_log
	fetch_state "$BATS_TEST_TMPDIR/b.ndjson"
	run jq -c "select(.type==\"loket.current.variable_input\" and .employment_id==\"$em\" and .period==6) | .value" "$BATS_TEST_TMPDIR/b.ndjson"
	assert_output '"30.00"'
	[ "$(curl -fsS "$LK_URL/__emu/requests" | jq -r '.[].path' | grep -c '/payrollPeriods/[0-9]*/payrollperioddata$')" -eq 26 ] # 13 periods, 2 payslip types
	assert_file_not_exists "$BATS_TEST_TMPDIR/state/loket-written"
	# without the mark, the closed periods come from the snapshot again (3 open ones read, 2 payslip types)
	clear_log
	fetch_state "$BATS_TEST_TMPDIR/c.ndjson"
	[ "$(curl -fsS "$LK_URL/__emu/requests" | jq -r '.[].path' | grep -c '/payrollPeriods/[0-9]*/payrollperioddata$')" -eq 6 ]
	cmp "$BATS_TEST_TMPDIR/b.ndjson" "$BATS_TEST_TMPDIR/c.ndjson"
}
