#!/usr/bin/env bats
# loket-employees against the Loket emulator: H4, Loket -> the other system. Name, address and
# city of every employee and the contract data of every employment, as records of what
# changed since the previous run (first run: all), from the comprehensive employment list.

load helper

setup_file() {
	load helper
	loket_start
}
teardown_file() { loket_stop; }

ER=5c1e0f8a-6b2d-4c3e-9f10-000000000001
EE101=0e7f3a1c-2b4d-4e5f-8a9b-000000000101
EM104=3d2c1b0a-9f8e-4d7c-8b6a-000000000104

setup() {
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	loket_client
	loket_login
	ST="$BATS_TEST_TMPDIR/state"
	SNAP="$ST/loket-employees.snapshot"
}

state() { curl -fsS "$LK_URL/__emu/state"; }
nreq() { curl -fsS "$LK_URL/__emu/requests" | jq 'length'; }
clear_log() { curl -fsS -X POST "$LK_URL/__emu/reset-log" >/dev/null; }
# lk METHOD PATH [BODY]: one API call with a fresh token, as another Loket user would make it
lk() {
	local tok
	tok=$(loket_token)
	curl -fsS -X "$1" -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' ${3:+--data "$3"} "$LK_URL/v2$2"
}
# run_h4 OUT [ARGS...]: one run with the state directory, as of 2026-11-15
run_h4() { loket-employees -c "$CFG" --as-of "${AS:-2026-11-15}" --state "$ST" "${@:2}" >"$1"; }
# the records but stream_end, compact
recs() { grep -v '"type":"stream_end"' "$1" || true; }
# a snapshot with body $1 (a valid header and checksum)
write_snap() {
	(umask 077; { printf 'lp-snap 1 %d %08x\n' "${#1}" "$(printf '%s' "$1" | python3 -c 'import sys,zlib; print(zlib.crc32(sys.stdin.buffer.read()))')"; printf '%s' "$1"; } >"$SNAP")
}

@test "H4: first run = all: every employee and employment of the administration is new, with name, address, city and contract data; records validate" {
	run_h4 "$BATS_TEST_TMPDIR/a.ndjson"
	schema_ok "$BATS_TEST_TMPDIR/a.ndjson"
	run tail -n 1 "$BATS_TEST_TMPDIR/a.ndjson"
	assert_output --partial '"type":"stream_end","client":"acme","source":"loket","complete":true'
	# as many as the emulator holds (one administration: all of acme's)
	run jq -s -c '[(map(select(.type=="loket.change.employee" and .change=="new")) | length),
		(map(select(.type=="loket.change.employment" and .change=="new")) | length), (map(select(.change != null and .change != "new")) | length)]' "$BATS_TEST_TMPDIR/a.ndjson"
	assert_output "$(state | jq -c '[(.employees | length), (.employments | length), 0]')"
	run jq -c 'select(.type=="loket.change.employee" and .employee_number==101) | [.last_name, .prefix, .street, .house_number, .house_number_addition, .postal_code, .city, .country, .changes]' "$BATS_TEST_TMPDIR/a.ndjson"
	assert_output '["Vries","de","Westerstraat",120,"2","1015 MN","Amsterdam","NL",[]]'
	# contract data as of 2026-11-15: 101 still 40 hours (32 from 2026-12-01), 105 works 32,
	# 112 and 119 24.50, 112 has a deviating function description
	run jq -c 'select(.type=="loket.change.employment") | select(.employee_number==101 or .employee_number==105 or .employee_number==112 or .employee_number==119)
		| [.employee_number, .start_date, .end_date, .hours_per_week, .full_time_hours_per_week, .function, .department_code, .department]' "$BATS_TEST_TMPDIR/a.ndjson"
	assert_output "$(printf '%s\n' '[101,"2019-03-01",null,"40.00","40.00","Accountmanager",2,"Verkoop"]' \
		"[105,$(state | jq -c '.employments[] | select(.id | endswith("000000000105")) | .startDate'),null,\"32.00\",\"40.00\",\"Accountmanager\",2,\"Verkoop\"]" \
		"[112,$(state | jq -c '.employments[] | select(.id | endswith("000000000112")) | .startDate'),null,\"24.50\",\"40.00\",\"Senior monteur\",3,\"Techniek\"]" \
		"[119,$(state | jq -c '.employments[] | select(.id | endswith("000000000119")) | .startDate'),null,\"24.50\",\"40.00\",\"Monteur\",3,\"Techniek\"]")"
	# each employee once, followed by its employments (137 has two)
	run jq -r 'select(.type | startswith("loket.change.")) | "\(.type) \(.employee_number) \(.income_number // "")"' "$BATS_TEST_TMPDIR/a.ndjson"
	assert_line --index 0 'loket.change.employee 101 '
	assert_line --index 1 'loket.change.employment 101 1'
	[ "$(grep -c '^loket.change.employee 137 $' <<<"$output")" -eq 1 ]
	grep -A2 '^loket.change.employee 137 $' <<<"$output" | tail -n 2 | tr '\n' '|' | grep -qx 'loket.change.employment 137 1|loket.change.employment 137 2|'
	# state: private, atomic file
	[ "$(stat -c %a "$ST")" = 700 ]
	[ "$(stat -c %a "$SNAP")" = 600 ]
	# without --state: the same records, every time
	loket-employees -c "$CFG" --as-of 2026-11-15 >"$BATS_TEST_TMPDIR/plain.ndjson"
	cmp "$BATS_TEST_TMPDIR/a.ndjson" "$BATS_TEST_TMPDIR/plain.ndjson"
}

@test "A1: each read is in the audit log (loket.read, complete, the counts), CSV runs too; the log verifies" {
	run_h4 "$BATS_TEST_TMPDIR/a.ndjson"
	loket-employees -c "$CFG" --as-of 2026-11-15 --csv >/dev/null
	run jq -c 'select(.event == "loket.read") | [.program, .as_of, .complete, (.counts | length > 0)]' "$BATS_TEST_TMPDIR/audit.ndjson"
	assert_output "$(printf '%s\n' '["loket-employees","2026-11-15",true,true]' '["loket-employees","2026-11-15",true,true]')"
	run audit-verify "$BATS_TEST_TMPDIR/audit.ndjson"
	assert_success
}

@test "H4: the first run reads the comprehensive list once (one page, the reference date, the spec's requests); no BSN is asked for" {
	clear_log
	run_h4 "$BATS_TEST_TMPDIR/a.ndjson"
	run bash -c "curl -fsS '$LK_URL/__emu/requests' | jq -r '.[] | \"\(.method) \(.path) \(.query.referenceDate // \"\") \(.query.pageNumber // \"\")\"'"
	assert_output "$(printf '%s\n' "GET /providers/employers/lastmodifiedversionnumbers  " \
		"GET /providers/employers/$ER/employees/employments/comprehensive 2026-11-15 1")"
	curl -fsS "$LK_URL/__emu/requests" >"$BATS_TEST_TMPDIR/req.json"
	run spec-check "$LOKET_SPEC" --requests "$BATS_TEST_TMPDIR/req.json"
	assert_success
}

@test "H4: no change = no records and one Loket request (the employer's version number), the state untouched" {
	run_h4 "$BATS_TEST_TMPDIR/a.ndjson"
	cp "$SNAP" "$BATS_TEST_TMPDIR/snap"
	clear_log
	run_h4 "$BATS_TEST_TMPDIR/b.ndjson"
	assert_equal "$(recs "$BATS_TEST_TMPDIR/b.ndjson")" ""
	run jq -c 'select(.type=="stream_end") | [.complete, .counts.employees, .counts.new_employees, .counts.changed_employments]' "$BATS_TEST_TMPDIR/b.ndjson"
	assert_output "[true,$(state | jq '.employees | length'),0,0]"
	assert_equal "$(nreq)" 1
	cmp "$SNAP" "$BATS_TEST_TMPDIR/snap"
	# a write Loket's numbers cover but that changes nothing shown (a wage): the list is read, no records
	lk POST "/providers/employers/employees/employments/$EM104/wages" '{"startDate":"2026-11-01","grossWage":4321.00,"grossWageType":{"key":1},"applyPayGrade":false}' >/dev/null
	clear_log
	run_h4 "$BATS_TEST_TMPDIR/c.ndjson"
	assert_equal "$(recs "$BATS_TEST_TMPDIR/c.ndjson")" ""
	assert_equal "$(nreq)" 2
	# and a later day with nothing ending or starting up to it: one request again
	clear_log
	AS=2026-11-20 run_h4 "$BATS_TEST_TMPDIR/d.ndjson"
	assert_equal "$(recs "$BATS_TEST_TMPDIR/d.ndjson")" ""
	assert_equal "$(nreq)" 1
}

@test "H4: changes made through the API between runs (an address, a new hire by a concept employee conversion, an ended employment) = exactly those records" {
	run_h4 "$BATS_TEST_TMPDIR/a.ndjson"
	# 101 moves house
	lk GET "/providers/employers/employees/$EE101" | jq -c '.content | .address.street = "Prinsengracht" | .address.houseNumber = 263 | .address.houseNumberAddition = null | .address.postalCode = "1016 GV"' >"$BATS_TEST_TMPDIR/emp.json"
	lk PUT "/providers/employers/employees/$EE101" "$(cat "$BATS_TEST_TMPDIR/emp.json")" >/dev/null
	# a new hire with contract data: a concept employee converted into an employee
	ce=$(lk POST "/providers/employers/$ER/conceptemployees" '{"uniqueName":"Sollicitant 002","employeeData":{"personalDetails":{"initials":"M.","firstName":"Mila","lastName":"Bakker","dateOfBirth":"1999-04-02","gender":{"key":2}},"address":{"street":"Dorpsstraat","houseNumber":7,"postalCode":"3511 AB","city":"Utrecht","country":{"key":1}}},"employmentData":{"payrollAdministration":{"id":"7a9b3c2d-1e4f-4a5b-8c6d-000000000001"},"startDate":"2026-11-01"},"workingHoursData":{"shift":{"shiftNumber":1,"fullTimeHoursPerWeek":40},"deviatingHoursPerWeek":28},"organizationalEntityData":{"department":{"key":"de9a0000-0000-4000-8000-000000000003","code":3,"description":"Techniek"},"function":{"key":"f0c0f0c0-0000-4000-8000-000000000003","description":"Monteur"}}}' | jq -r .content.id)
	lk PATCH "/providers/employers/conceptemployees/$ce/convertToEmployee" >/dev/null
	# 104's employment ends
	lk PATCH "/providers/employers/employees/employments/$EM104/terminate" '{"endDate":"2026-11-30"}' >/dev/null
	clear_log
	run_h4 "$BATS_TEST_TMPDIR/b.ndjson"
	schema_ok "$BATS_TEST_TMPDIR/b.ndjson"
	assert_equal "$(nreq)" 2
	n=$(state | jq '.employees[] | select(.id=="'"$ce"'") | .employeeNumber')
	run jq -c 'select(.type | startswith("loket.change.")) | [.type, .change, .employee_number, .changes]' "$BATS_TEST_TMPDIR/b.ndjson"
	assert_output "$(printf '%s\n' \
		'["loket.change.employee","changed",101,[{"field":"street","old":"Westerstraat","new":"Prinsengracht"},{"field":"house_number","old":120,"new":263},{"field":"house_number_addition","old":"2","new":null},{"field":"postal_code","old":"1015 MN","new":"1016 GV"}]]' \
		'["loket.change.employment","changed",104,[{"field":"end_date","old":null,"new":"2026-11-30"}]]' \
		"[\"loket.change.employee\",\"new\",$n,[]]" \
		"[\"loket.change.employment\",\"new\",$n,[]]")"
	# the new hire's contract data and address
	run jq -c 'select(.change=="new") | if .type=="loket.change.employee" then [.last_name, .street, .city] else [.start_date, .hours_per_week, .function, .department] end' "$BATS_TEST_TMPDIR/b.ndjson"
	assert_output "$(printf '%s\n' '["Bakker","Dorpsstraat","Utrecht"]' '["2026-11-01","28.00","Monteur","Techniek"]')"
	# the state took them: the next run writes nothing
	run_h4 "$BATS_TEST_TMPDIR/c.ndjson"
	assert_equal "$(recs "$BATS_TEST_TMPDIR/c.ndjson")" ""
}

@test "H4: an employment Loket no longer lists is gone; an employee without any employment left is gone too" {
	run_h4 "$BATS_TEST_TMPDIR/a.ndjson"
	# a state that holds one more employee and employment than Loket (as if Loket removed them)
	body=$(tail -n +2 "$SNAP" | jq -c '.employees["0e7f3a1c-2b4d-4e5f-8a9b-000000000999"] = (.employees["'"$EE101"'"] | .employee_id = "0e7f3a1c-2b4d-4e5f-8a9b-000000000999" | .employee_number = 999)
		| .employments["3d2c1b0a-9f8e-4d7c-8b6a-000000000999"] = (.employments["3d2c1b0a-9f8e-4d7c-8b6a-000000000101"] | .employment_id = "3d2c1b0a-9f8e-4d7c-8b6a-000000000999" | .employee_id = "0e7f3a1c-2b4d-4e5f-8a9b-000000000999" | .employee_number = 999)
		| .employer_version = 0')
	write_snap "$body"
	run_h4 "$BATS_TEST_TMPDIR/b.ndjson"
	schema_ok "$BATS_TEST_TMPDIR/b.ndjson"
	run jq -c 'select(.type | startswith("loket.change.")) | [.type, .change, .employee_number, .last_name // .employment_id]' "$BATS_TEST_TMPDIR/b.ndjson"
	assert_output "$(printf '%s\n' '["loket.change.employee","gone",999,"Vries"]' '["loket.change.employment","gone",999,"3d2c1b0a-9f8e-4d7c-8b6a-000000000999"]')"
	run jq -c 'select(.type=="stream_end") | [.counts.gone_employees, .counts.gone_employments]' "$BATS_TEST_TMPDIR/b.ndjson"
	assert_output '[1,1]'
}

@test "H4: date-dependent data (101's working hours from 2026-12-01) is seen on its day although no version number moves" {
	run_h4 "$BATS_TEST_TMPDIR/a.ndjson"
	v0=$(state | jq '.employers[0].lastModifiedVersionNumber')
	clear_log
	AS=2026-12-01 run_h4 "$BATS_TEST_TMPDIR/b.ndjson"
	assert_equal "$(state | jq '.employers[0].lastModifiedVersionNumber')" "$v0"
	assert_equal "$(nreq)" 2
	run jq -c 'select(.type | startswith("loket.change.")) | [.type, .change, .employee_number, .changes]' "$BATS_TEST_TMPDIR/b.ndjson"
	assert_output '["loket.change.employment","changed",101,[{"field":"hours_per_week","old":"40.00","new":"32.00"}]]'
	# 122's employment ended 2026-06-30 and 136's ends 2026-12-31: the next day to read again is 2027-01-01
	clear_log
	AS=2026-12-31 run_h4 "$BATS_TEST_TMPDIR/c.ndjson"
	assert_equal "$(nreq)" 1
	clear_log
	AS=2027-01-01 run_h4 "$BATS_TEST_TMPDIR/d.ndjson"
	assert_equal "$(nreq)" 2
	# an earlier --as-of than the state's: read again (never a difference from the future)
	clear_log
	AS=2026-11-15 run_h4 "$BATS_TEST_TMPDIR/e.ndjson"
	assert_equal "$(nreq)" 2
	run jq -c 'select(.type | startswith("loket.change.")) | [.employee_number, .changes]' "$BATS_TEST_TMPDIR/e.ndjson"
	assert_output '[101,[{"field":"hours_per_week","old":"32.00","new":"40.00"}]]'
}

@test "H4: a damaged or foreign state (a flipped byte, cut short, another client's, not this program's) -> everything new with a warning, never a wrong difference; --full on purpose" {
	run_h4 "$BATS_TEST_TMPDIR/a.ndjson"
	cp "$SNAP" "$BATS_TEST_TMPDIR/good"
	for damage in flip cut client program json; do
		cp "$BATS_TEST_TMPDIR/good" "$SNAP"
		case $damage in
		flip) printf 'X' | dd of="$SNAP" bs=1 seek=300 conv=notrunc status=none ;;
		cut) truncate -s -100 "$SNAP" ;;
		client) write_snap "$(tail -n +2 "$BATS_TEST_TMPDIR/good" | jq -c '.client="other"')" ;;
		program) write_snap "$(tail -n +2 "$BATS_TEST_TMPDIR/good" | jq -c '.program="fetch-loket"')" ;;
		json) write_snap '{"format":1,' ;;
		esac
		run --separate-stderr loket-employees -c "$CFG" --as-of 2026-11-15 --state "$ST"
		assert_success
		echo "$damage: $stderr"
		case $damage in
		flip) [[ $stderr == *"damaged snapshot (checksum mismatch); writing everything as new"* ]] ;;
		cut) [[ $stderr == *"damaged snapshot"*"writing everything as new"* ]] ;;
		client) [[ $stderr == *"another client, employer or payroll administration; writing everything as new"* ]] ;;
		program | json) [[ $stderr == *"is not a state file of this version of loket-employees; writing everything as new"* ]] ;;
		esac
		[ "$output" = "$(cat "$BATS_TEST_TMPDIR/a.ndjson")" ]
		# and the state is whole again
		run_h4 "$BATS_TEST_TMPDIR/b.ndjson"
		assert_equal "$(recs "$BATS_TEST_TMPDIR/b.ndjson")" ""
	done
	run_h4 "$BATS_TEST_TMPDIR/f.ndjson" --full
	cmp "$BATS_TEST_TMPDIR/a.ndjson" "$BATS_TEST_TMPDIR/f.ndjson"
	run loket-employees -c "$CFG" --full
	assert_failure 2
	assert_output --partial 'needs --state'
}

@test "H4: SIGKILL at any moment of a run (the state's save included) leaves the old state or the new one, never half" {
	run_h4 "$BATS_TEST_TMPDIR/a.ndjson"
	cp "$SNAP" "$BATS_TEST_TMPDIR/old"
	lk PATCH "/providers/employers/employees/employments/$EM104/terminate" '{"endDate":"2026-11-30"}' >/dev/null
	run_h4 "$BATS_TEST_TMPDIR/new.ndjson"
	cp "$SNAP" "$BATS_TEST_TMPDIR/new"
	! cmp -s "$BATS_TEST_TMPDIR/old" "$BATS_TEST_TMPDIR/new"
	for ms in $(seq 0 4 80); do
		cp "$BATS_TEST_TMPDIR/old" "$SNAP"
		loket-employees -c "$CFG" --as-of 2026-11-15 --state "$ST" >"$BATS_TEST_TMPDIR/k.ndjson" 2>/dev/null &
		pid=$!
		sleep "0.$(printf %03d "$ms")"
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" || true
		cmp -s "$SNAP" "$BATS_TEST_TMPDIR/old" || cmp "$SNAP" "$BATS_TEST_TMPDIR/new"
		# what the next run writes: the change again (old state) or nothing (new state)
		run_h4 "$BATS_TEST_TMPDIR/after.ndjson"
		recs "$BATS_TEST_TMPDIR/after.ndjson" >"$BATS_TEST_TMPDIR/after.recs"
		[ ! -s "$BATS_TEST_TMPDIR/after.recs" ] || [ "$(cat "$BATS_TEST_TMPDIR/after.recs")" = "$(recs "$BATS_TEST_TMPDIR/new.ndjson")" ]
		cmp "$SNAP" "$BATS_TEST_TMPDIR/new"
	done
}

@test "H4: a failed read (HTTP 503, a wrong shape, a refused token) -> complete:false, exit 5 (6), nothing but stream_end written, the state as it was" {
	run_h4 "$BATS_TEST_TMPDIR/a.ndjson"
	cp "$SNAP" "$BATS_TEST_TMPDIR/good"
	lk PATCH "/providers/employers/employees/employments/$EM104/terminate" '{"endDate":"2026-11-30"}' >/dev/null
	C=/v2/providers/employers/$ER/employees/employments/comprehensive
	for fault in '{"always":{"path":"'"$C"'","status":503}}' '{"malformed":{"path":"'"$C"'","kind":"wrongshape"}}' \
		'{"malformed":{"path":"'"$C"'","kind":"truncated"}}' '{"always":{"path":"/v2/providers/employers/lastmodifiedversionnumbers","status":500}}'; do
		curl -fsS -X POST --data "$fault" "$LK_URL/__emu/faults" >/dev/null
		run --separate-stderr loket-employees -c "$CFG" --as-of 2026-11-15 --state "$ST"
		assert_equal "$status" 5
		echo "$fault: $stderr"
		[[ $stderr == *"acme: "* ]]
		assert_equal "$(wc -l <<<"$output")" 1
		run jq -c '[.type, .complete, (.error | length > 0)]' <<<"$output"
		assert_output '["stream_end",false,true]'
		cmp "$SNAP" "$BATS_TEST_TMPDIR/good"
	done
	curl -fsS -X POST --data '{"malformed":{"path":"'"$C"'","kind":"status403"}}' "$LK_URL/__emu/faults" >/dev/null
	run loket-employees -c "$CFG" --as-of 2026-11-15 --state "$ST"
	assert_failure 6
	cmp "$SNAP" "$BATS_TEST_TMPDIR/good"
	# CSV: nothing on standard output, the exit status says it
	curl -fsS -X POST --data '{"always":{"path":"'"$C"'","status":503}}' "$LK_URL/__emu/faults" >/dev/null
	run --separate-stderr loket-employees -c "$CFG" --as-of 2026-11-15 --state "$ST" --csv
	assert_equal "$status" 5
	assert_equal "$output" ""
	cmp "$SNAP" "$BATS_TEST_TMPDIR/good"
	# once Loket answers again, the change comes
	curl -fsS -X POST --data '{}' "$LK_URL/__emu/faults" >/dev/null
	run_h4 "$BATS_TEST_TMPDIR/b.ndjson"
	run jq -c 'select(.type | startswith("loket.change.")) | [.employee_number, .changes[0].field]' "$BATS_TEST_TMPDIR/b.ndjson"
	assert_output '[104,"end_date"]'
}

@test "H4: a state that cannot be saved (full disk) -> exit 7, complete:false, the old state kept; the changes come again next time" {
	run_h4 "$BATS_TEST_TMPDIR/a.ndjson"
	cp "$SNAP" "$BATS_TEST_TMPDIR/good"
	lk PATCH "/providers/employers/employees/employments/$EM104/terminate" '{"endDate":"2026-11-30"}' >/dev/null
	enospc_preload "$BUILD/bin/loket-employees"
	for ops in write fsync rename; do
		run --separate-stderr env LD_PRELOAD="$PRELOAD" ENOSPC_SHIM_PATTERN="$ST/*" ENOSPC_SHIM_OPS=$ops \
			loket-employees -c "$CFG" --as-of 2026-11-15 --state "$ST"
		assert_failure 7
		[[ $stderr == *"previous state is kept"* ]]
		run jq -c 'select(.type=="stream_end") | .complete' <<<"$output"
		assert_output false
		cmp "$SNAP" "$BATS_TEST_TMPDIR/good"
	done
	run_h4 "$BATS_TEST_TMPDIR/b.ndjson"
	run jq -c 'select(.type | startswith("loket.change.")) | [.employee_number, .changes[0].field]' "$BATS_TEST_TMPDIR/b.ndjson"
	assert_output '[104,"end_date"]'
}

@test "H4: BSN and IBAN never in the output, even when Loket's answer carries them (an identity document, a bank account)" {
	fx="$BATS_TEST_TMPDIR/fx"
	mkdir -p "$fx"
	cp "$LOKET_FIX/client.json" "$fx/"
	jq '.employees |= map(. + {identityDocument: {documentIdentification: .citizenServiceNumber, typeOfDocument: {key: 1, value: "Paspoort"}},
		iban: "NL91ABNA0417164300", bankAccounts: [{iban: "NL91ABNA0417164300"}]})' "$LOKET_FIX/state.json" >"$fx/state.json"
	emu_launch loket-emu bsn "$fx"
	local url=$LAUNCHED_URL pid=$LAUNCHED_PID
	jq --arg u "$url" '.loket.oauth_url=$u | .loket.base_url=($u + "/v2")' "$CFG" >"$BATS_TEST_TMPDIR/bsn.json"
	curl -fsS -X POST "$url/__emu/authcode" | jq -r .code | loket-auth -c "$BATS_TEST_TMPDIR/bsn.json" 2>/dev/null
	# the answer does carry them (so this test can fail)
	tok=$(loket_token "$url")
	curl -fsS -H "Authorization: Bearer $tok" "$url/v2/providers/employers/$ER/employees/employments/comprehensive?referenceDate=2026-11-15" >"$BATS_TEST_TMPDIR/answer.json"
	grep -q NL91ABNA0417164300 "$BATS_TEST_TMPDIR/answer.json"
	grep -q "$(jq -r '.employees[0].citizenServiceNumber' "$fx/state.json")" "$BATS_TEST_TMPDIR/answer.json"
	loket-employees -c "$BATS_TEST_TMPDIR/bsn.json" --as-of 2026-11-15 >"$BATS_TEST_TMPDIR/out.ndjson"
	loket-employees -c "$BATS_TEST_TMPDIR/bsn.json" --as-of 2026-11-15 --csv >"$BATS_TEST_TMPDIR/out.csv"
	loket-employees -c "$BATS_TEST_TMPDIR/bsn.json" --as-of 2026-11-15 --state "$BATS_TEST_TMPDIR/s2" >/dev/null
	emu_kill "$pid"
	[ "$(jq -s 'map(select(.type=="loket.change.employee")) | length' "$BATS_TEST_TMPDIR/out.ndjson")" -ge 30 ]
	for f in out.ndjson out.csv s2/loket-employees.snapshot; do
		run grep -c -e NL91ABNA0417164300 -e iban -e identityDocument -e documentIdentification "$BATS_TEST_TMPDIR/$f"
		assert_output 0
		run grep -c -F -f <(jq -r '.employees[].citizenServiceNumber' "$fx/state.json") "$BATS_TEST_TMPDIR/$f"
		assert_output 0
	done
}

@test "H4: --csv: a header row, a stable column order, ';' and CRLF, UTF-8 names as Loket holds them; the same rows as the records" {
	lk GET "/providers/employers/employees/$EE101" | jq -c '.content | .personalDetails.lastName = "Öztürk-Çelik" | .address.city = "Den Haag; Centrum"' >"$BATS_TEST_TMPDIR/emp.json"
	lk PUT "/providers/employers/employees/$EE101" "$(cat "$BATS_TEST_TMPDIR/emp.json")" >/dev/null
	loket-employees -c "$CFG" --as-of 2026-11-15 --csv >"$BATS_TEST_TMPDIR/a.csv"
	loket-employees -c "$CFG" --as-of 2026-11-15 >"$BATS_TEST_TMPDIR/a.ndjson"
	run head -n 1 "$BATS_TEST_TMPDIR/a.csv"
	assert_output "$(printf 'record;change;employee_id;employee_number;initials;first_name;prefix;last_name;formatted_name;street;house_number;house_number_addition;postal_code;city;country;employment_id;income_number;payroll_id;payroll_administration_id;start_date;end_date;hours_per_week;full_time_hours_per_week;function;department_code;department;changed_fields\r')"
	# every line ends in CRLF; one row per record
	[ "$(grep -c $'\r$' "$BATS_TEST_TMPDIR/a.csv")" -eq "$(wc -l <"$BATS_TEST_TMPDIR/a.csv")" ]
	[ "$(($(wc -l <"$BATS_TEST_TMPDIR/a.csv") - 1))" -eq "$(recs "$BATS_TEST_TMPDIR/a.ndjson" | wc -l)" ]
	run sed -n 2p "$BATS_TEST_TMPDIR/a.csv"
	assert_output "$(printf 'employee;new;%s;101;J.P.;Jan Pieter;de;Öztürk-Çelik;;Westerstraat;120;2;1015 MN;"Den Haag; Centrum";NL;;;;;;;;;;;;\r' "$EE101")"
	run sed -n 3p "$BATS_TEST_TMPDIR/a.csv"
	pid=$(state | jq -r '.employments[0].payrollId // ""') # (once the fixture gives employments one)
	assert_output "$(printf 'employment;new;%s;101;;;;;;;;;;;;3d2c1b0a-9f8e-4d7c-8b6a-000000000101;1;%s;7a9b3c2d-1e4f-4a5b-8c6d-000000000001;2019-03-01;;40.00;40.00;Accountmanager;2;Verkoop;\r' "$EE101" "$pid")"
	# the CSV parses back (python's csv) with the same number of columns in every row
	python3 -c 'import csv,sys; rows=list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8"), delimiter=";")); assert len({len(r) for r in rows}) == 1, rows[:3]' "$BATS_TEST_TMPDIR/a.csv"
	# a changed row names its fields; no change: only the header
	loket-employees -c "$CFG" --as-of 2026-11-15 --state "$ST" --csv >/dev/null
	lk PATCH "/providers/employers/employees/employments/$EM104/terminate" '{"endDate":"2026-11-30"}' >/dev/null
	loket-employees -c "$CFG" --as-of 2026-11-15 --state "$ST" --csv >"$BATS_TEST_TMPDIR/b.csv"
	run tail -n 1 "$BATS_TEST_TMPDIR/b.csv"
	assert_output --regexp '^employment;changed;.*;2026-11-30;.*;end_date'$'\r''$'
	loket-employees -c "$CFG" --as-of 2026-11-15 --state "$ST" --csv >"$BATS_TEST_TMPDIR/c.csv"
	assert_equal "$(wc -l <"$BATS_TEST_TMPDIR/c.csv")" 1
}

@test "H4: the emulator's comprehensive list has the spec's response shape (employee with address, working hours, organizational entity, wage by reference date)" {
	tok=$(loket_token)
	P=/providers/employers/$ER/employees/employments/comprehensive
	curl -fsS -H "Authorization: Bearer $tok" "$LK_URL/v2$P?referenceDate=2026-11-15" >"$BATS_TEST_TMPDIR/c.json"
	run spec-check "$LOKET_SPEC" GET "/providers/employers/{employerId}/employees/employments/comprehensive" 200 "$BATS_TEST_TMPDIR/c.json"
	assert_success
	run jq -c '._embedded[] | select(.id | endswith("000000000101")) | [.employee.address.city, .workinghours.deviatingHoursPerWeek, .organizationalEntity.department.code, .wage.grossWage, (.employee | has("citizenServiceNumber"))]' "$BATS_TEST_TMPDIR/c.json"
	assert_output '["Amsterdam",null,2,3200,false]'
	curl -fsS -H "Authorization: Bearer $tok" "$LK_URL/v2$P?referenceDate=2026-12-01" | jq -c '._embedded[] | select(.id | endswith("000000000101")) | .workinghours.deviatingHoursPerWeek' >"$BATS_TEST_TMPDIR/h"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/h")" 32
	# the check can fail: a working hours figure of the wrong type
	jq '._embedded[0].workinghours.deviatingHoursPerWeek = "many"' "$BATS_TEST_TMPDIR/c.json" >"$BATS_TEST_TMPDIR/bad.json"
	run spec-check "$LOKET_SPEC" GET "/providers/employers/{employerId}/employees/employments/comprehensive" 200 "$BATS_TEST_TMPDIR/bad.json"
	assert_failure 1
	# a reference date that is not one: 400
	run curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" "$LK_URL/v2$P?referenceDate=15-11-2026"
	assert_output 400
}

@test "H4: usage, configuration and token errors" {
	run loket-employees --help
	assert_success
	assert_output --partial 'Usage: loket-employees --config FILE'
	run loket-employees --version
	assert_success
	run loket-employees
	assert_failure 2
	run loket-employees -c "$CFG" extra
	assert_failure 2
	run loket-employees -c "$CFG" --as-of 2026-13-01
	assert_failure 2
	run loket-employees -c "$BATS_TEST_TMPDIR/none.json"
	assert_failure 4
	jq 'del(.loket.employer_id)' "$CFG" >"$BATS_TEST_TMPDIR/noer.json"
	run loket-employees -c "$BATS_TEST_TMPDIR/noer.json"
	assert_failure 4
	assert_output --partial 'employer_id'
	jq --arg t "$BATS_TEST_TMPDIR/missing-token.json" '.loket.token_file=$t' "$CFG" >"$BATS_TEST_TMPDIR/notok.json"
	run loket-employees -c "$BATS_TEST_TMPDIR/notok.json" --as-of 2026-11-15
	assert_failure 4
	# a state directory open to others is refused
	mkdir -m 0755 "$BATS_TEST_TMPDIR/open"
	run loket-employees -c "$CFG" --state "$BATS_TEST_TMPDIR/open"
	assert_failure 7
	assert_output --partial 'open to group or others'
	run mandoc -Tlint -W warning "$ROOT/man/loket-employees.1"
	assert_success
}

@test "H4: a list longer than a page (300 employments: 2 pages of 250) is read to the end, every one new; employments without working hours or an organizational entity have null there" {
	gen-loket --clients 1 --employees 300 --seed 3 --out "$BATS_TEST_TMPDIR/g" >/dev/null
	emu_launch loket-emu big "$BATS_TEST_TMPDIR/g/loket"
	local url=$LAUNCHED_URL pid=$LAUNCHED_PID
	LOKET_CLIENT_ID=$(jq -r .client_id "$BATS_TEST_TMPDIR/g/loket/client.json")
	LOKET_CLIENT_SECRET=$(jq -r .client_secret "$BATS_TEST_TMPDIR/g/loket/client.json")
	export LOKET_CLIENT_ID LOKET_CLIENT_SECRET
	jq --arg u "$url" --slurpfile s "$BATS_TEST_TMPDIR/g/loket/state.json" '.loket.oauth_url=$u | .loket.base_url=($u + "/v2")
		| .loket.employer_id=$s[0].employers[0].id | .loket.payroll_administration_id=$s[0].payrollAdministrations[0].id' "$CFG" >"$BATS_TEST_TMPDIR/big.json"
	curl -fsS -X POST "$url/__emu/authcode" | jq -r .code | loket-auth -c "$BATS_TEST_TMPDIR/big.json" 2>/dev/null
	loket-employees -c "$BATS_TEST_TMPDIR/big.json" --as-of 2026-11-15 --state "$BATS_TEST_TMPDIR/s3" >"$BATS_TEST_TMPDIR/big.ndjson"
	curl -fsS "$url/__emu/requests" | jq -r '.[] | select(.path | endswith("/comprehensive")) | .query.pageNumber' >"$BATS_TEST_TMPDIR/pages"
	n=$(jq '[.employments[]] | length' "$BATS_TEST_TMPDIR/g/loket/state.json")
	emu_kill "$pid"
	schema_ok "$BATS_TEST_TMPDIR/big.ndjson"
	[ "$n" -gt 250 ]
	assert_equal "$(tr '\n' ' ' <"$BATS_TEST_TMPDIR/pages")" "1 2 "
	run jq -s -c '[(map(select(.type=="loket.change.employment" and .change=="new")) | length), (map(select(.type=="loket.change.employment")) | map(.hours_per_week) | unique)]' "$BATS_TEST_TMPDIR/big.ndjson"
	assert_output "[$n,[null]]"
	run jq -c 'select(.type=="stream_end") | [.complete, .counts.employments]' "$BATS_TEST_TMPDIR/big.ndjson"
	assert_output "[true,$n]"
}

@test "H4: --record then --replay: the same records with no network; a recorded list that holds more or fewer than it announces -> exit 5, complete:false, the state as it was" {
	loket-employees -c "$CFG" --as-of 2026-11-15 --state "$BATS_TEST_TMPDIR/s1" --record "$BATS_TEST_TMPDIR/rec" >"$BATS_TEST_TMPDIR/a.ndjson"
	clear_log
	LOKET_CLIENT_ID= LOKET_CLIENT_SECRET= loket-employees -c "$CFG" --as-of 2026-11-15 --state "$ST" --replay "$BATS_TEST_TMPDIR/rec" --base-url http://127.0.0.1:9/v2 >"$BATS_TEST_TMPDIR/b.ndjson"
	cmp "$BATS_TEST_TMPDIR/a.ndjson" "$BATS_TEST_TMPDIR/b.ndjson"
	assert_equal "$(nreq)" 0
	cp "$SNAP" "$BATS_TEST_TMPDIR/good"
	f=$(ls "$BATS_TEST_TMPDIR/rec"/*comprehensive*.body)
	[ "$(wc -l <<<"$f")" -eq 1 ]
	for damage in more fewer; do
		rm -rf "$BATS_TEST_TMPDIR/bad" && cp -R "$BATS_TEST_TMPDIR/rec" "$BATS_TEST_TMPDIR/bad"
		case $damage in
		# 37 items where Loket announced 36
		more) jq -c '.totalSize -= 1' "$f" >"$BATS_TEST_TMPDIR/bad/$(basename "$f")" ;;
		# one left out of the page (a page boundary that moved): 36 of 37, so page 2 is asked for (and not there)
		fewer) jq -c '._embedded |= .[1:]' "$f" >"$BATS_TEST_TMPDIR/bad/$(basename "$f")" ;;
		esac
		# the version number must look moved, or the state is used and the list not read at all
		v=$(ls "$BATS_TEST_TMPDIR/bad"/*lastmodifiedversionnumbers*.body)
		jq -c '._embedded[0].lastModifiedVersionNumber += 1' "$v" >"$v.tmp" && mv "$v.tmp" "$v"
		run --separate-stderr loket-employees -c "$CFG" --as-of 2026-11-15 --state "$ST" --replay "$BATS_TEST_TMPDIR/bad" --base-url http://127.0.0.1:9/v2
		echo "$damage: $stderr"
		assert_equal "$status" 5
		case $damage in
		more) [[ $stderr == *"/comprehensive: received 37 items, Loket announced 36"* ]] ;;
		fewer) [[ $stderr == *"pageNumber=2"* || $stderr == *"has no recorded response"* ]] ;;
		esac
		run jq -c '[.type, .complete]' <<<"$output"
		assert_output '["stream_end",false]'
		cmp "$SNAP" "$BATS_TEST_TMPDIR/good"
	done
	run loket-employees -c "$CFG" --record a --replay b
	assert_failure 2
}
