#!/usr/bin/env bats
# The Loket.nl emulator behaves like the API where the sync depends on it.

load helper

ER=5c1e0f8a-6b2d-4c3e-9f10-000000000001
PA=7a9b3c2d-1e4f-4a5b-8c6d-000000000001
EE101=0e7f3a1c-2b4d-4e5f-8a9b-000000000101
EM101=3d2c1b0a-9f8e-4d7c-8b6a-000000000101
EM137B=3d2c1b0a-9f8e-4d7c-8b6a-000000001372
CE1=c0c0c0c0-1111-4222-8333-000000000001

setup_file() {
	load helper
	loket_start
}
teardown_file() { loket_stop; }

setup() {
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	loket_client
	LK_ID=$LOKET_CLIENT_ID LK_SECRET=$LOKET_CLIENT_SECRET
}

token_json() { loket_token_json "$@"; }
token() { loket_token "$@"; }
refresh() {
	curl -sS -o "$BATS_TEST_TMPDIR/tok" -w '%{http_code}' -X POST --data-urlencode grant_type=refresh_token \
		--data-urlencode "refresh_token=$1" --data-urlencode "client_id=$LK_ID" \
		--data-urlencode "client_secret=$LK_SECRET" "${2:-$LK_URL}/token"
}
# call METHOD PATH [JSON] [extra curl args...]: status code; body in $BATS_TEST_TMPDIR/body
call() {
	local m=$1 p=$2 d=${3:-}
	shift 3 2>/dev/null || shift $#
	local args=(-sS -o "$BATS_TEST_TMPDIR/body" -D "$BATS_TEST_TMPDIR/headers" -w '%{http_code}' -X "$m"
		-H "Authorization: Bearer $TOK" -H 'Accept: application/json;version=2018-01-01')
	[ -n "$d" ] && args+=(-H 'Content-Type: application/json;version=2018-01-01' --data "$d")
	curl "${args[@]}" "$@" "$LK_URL/v2$p"
}
body() { jq -c "$1" "$BATS_TEST_TMPDIR/body"; }
EMPL=/providers/employers/employees/employments

@test "listens on loopback only, prints its port, --help works" {
	[[ "$LK_URL" == http://127.0.0.1:* ]]
	grep -q "^listening on 127.0.0.1:${LK_URL##*:}$" "$BATS_FILE_TMPDIR/loket.out"
	run loket-emu --help
	assert_success
	assert_output --partial "--token-ttl"
	run loket-emu --port 0
	assert_failure 2
}

@test "oauth: code exchange, refresh tokens rotate, the old one is refused" {
	run token_json
	run jq -c '[.token_type, .expires_in, .two_factor_state, (.access_token|length > 10), (.refresh_token|length > 10)]' <<<"$output"
	assert_output '["bearer",3599,"None",true,true]'
	r1=$(token_json | jq -r .refresh_token)
	run refresh "$r1"
	assert_output 200
	r2=$(jq -r .refresh_token "$BATS_TEST_TMPDIR/tok")
	[ "$r2" != "$r1" ]
	TOK=$(jq -r .access_token "$BATS_TEST_TMPDIR/tok")
	run call GET /providers/employers
	assert_output 200
	run refresh "$r1"
	assert_output 400
	run jq -r .error "$BATS_TEST_TMPDIR/tok"
	assert_output invalid_grant
	run refresh "$r2"
	assert_output 200
}

@test "oauth: a code works once; bad client and grant types are refused" {
	code=$(curl -fsS -X POST "$LK_URL/__emu/authcode" | jq -r .code)
	form=(--data-urlencode grant_type=authorization_code --data-urlencode "code=$code" --data-urlencode "client_id=$LK_ID")
	run curl -sS -o /dev/null -w '%{http_code}' -X POST "${form[@]}" --data-urlencode "client_secret=wrong" "$LK_URL/token"
	assert_output 400
	run curl -sS -o /dev/null -w '%{http_code}' -X POST "${form[@]}" --data-urlencode "client_secret=$LK_SECRET" "$LK_URL/token"
	assert_output 200
	run curl -sS -X POST "${form[@]}" --data-urlencode "client_secret=$LK_SECRET" "$LK_URL/token"
	assert_output --partial invalid_grant
	run curl -sS -X POST --data "grant_type=client_credentials&client_id=$LK_ID&client_secret=$LK_SECRET" "$LK_URL/token"
	assert_output --partial unsupported_grant_type
}

@test "401 without or with a bad token, and after the access token expired" {
	TOK=
	run curl -sS -o "$BATS_TEST_TMPDIR/body" -w '%{http_code}' "$LK_URL/v2/providers/employers"
	assert_output 401
	run body '.messages[0].type'
	assert_output '"Exception"'
	TOK=lacc-nonsense
	run call GET /providers/employers
	assert_output 401
	# expiry without waiting: with --token-ttl 0 every access token is born expired
	LK_NAME=short loket_start --token-ttl 0
	TOK=$(token)
	[ -n "$TOK" ] && [ "$TOK" != null ]
	run call GET /providers/employers
	assert_output 401
	loket_stop
}

@test "paging envelope: _embedded, totalSize, pageSize, totalPages, currentPage" {
	TOK=$(token)
	run call GET "/providers/employers/$ER/employees?pageSize=4&pageNumber=3"
	assert_output 200
	run body '[.totalSize, .pageSize, .totalPages, .currentPage, (._embedded|map(.employeeNumber)), .messages, .version.resourceVersion]'
	assert_output '[36,4,9,3,[109,110,111,112],[],"2018-01-01"]'
	run call GET "/providers/employers/$ER/employees"
	run body '[.pageSize, .totalPages, (._embedded|length), (._embedded[0]|has("citizenServiceNumber"))]'
	assert_output '[250,1,36,false]'
	run call GET "/providers/employers/$ER/employees?pageNumber=0"
	assert_output 400
	run call GET "/providers/employers/$ER/payrolladministrations"
	run body '._embedded[0] | [.clientNumber, .payrollTaxesNumber]'
	assert_output '[12345,"123456789L01"]'
	run call GET "/providers/employers/00000000-0000-4000-8000-000000000000/employees"
	assert_output 404
}

@test "reads: employee by id with ETag, BSN, employments, wages, components, periods" {
	TOK=$(token)
	run call GET "/providers/employers/employees/$EE101"
	assert_output 200
	grep -qi '^etag: "' "$BATS_TEST_TMPDIR/headers"
	run body '.content | [.employeeNumber, .personalDetails.lastName]'
	assert_output '[101,"Vries"]'
	run call GET "/providers/employers/employees/$EE101/citizenservicenumber"
	run body '.content.citizenServiceNumber'
	assert_output '"637017961"'
	run call GET "/providers/employers/employees/$EE101/employments"
	run body '._embedded[0] | [.id, .incomeRelationshipNumber, .payrollAdministration.clientNumber, .employee.employeeNumber]'
	assert_output "[\"$EM101\",1,12345,101]"
	run call GET "/providers/employers/$ER/employees/employments"
	run body .totalSize
	assert_output 37
	run call GET "$EMPL/$EM101/wages"
	run body '[._embedded[] | [.startDate, .endDate]]'
	assert_output '[["2019-03-01","2025-12-31"],["2026-01-01",null]]'
	run call GET "$EMPL/$EM101/benefitsanddeductions"
	run body '._embedded[0].payrollComponent.key'
	assert_output 7001
	run call GET "/providers/employers/payrolladministrations/$PA/payrollcomponents/year/2026"
	run body '[.totalSize, (._embedded[0]|has("key"))]'
	assert_output '[13,true]'
	run call GET "/providers/employers/payrolladministrations/$PA/payrollperiods?pageSize=12"
	run body '[.totalSize, ._embedded[0].id]'
	assert_output '[36,202501]'
	run call GET "/providers/employers/$ER/conceptemployees"
	run body '._embedded[0].uniqueName'
	assert_output '"Sollicitant 001"'
}

@test "PUT employee: If-Match with the current ETag works, a stale ETag gives 412" {
	TOK=$(token)
	call GET "/providers/employers/employees/$EE101" >/dev/null
	etag=$(grep -i '^etag:' "$BATS_TEST_TMPDIR/headers" | cut -d' ' -f2 | tr -d '\r')
	new=$(jq -c '.content | .contactInformation.emailAddress = "jan@new.example"' "$BATS_TEST_TMPDIR/body")
	run call PUT "/providers/employers/employees/$EE101" "$new" -H "If-Match: $etag"
	assert_output 200
	etag2=$(grep -i '^etag:' "$BATS_TEST_TMPDIR/headers" | cut -d' ' -f2 | tr -d '\r')
	[ "$etag2" != "$etag" ]
	run call PUT "/providers/employers/employees/$EE101" "$new" -H "If-Match: $etag"
	assert_output 412
	run body '.messages[0].type'
	assert_output '"BrokenBusinessRule"'
	run call PUT "/providers/employers/employees/$EE101" '{"employeeNumber":102}'
	assert_output 400
	run curl -fsS "$LK_URL/__emu/state"
	run jq -r ".employees[] | select(.id == \"$EE101\") | .contactInformation.emailAddress" <<<"$output"
	assert_output jan@new.example
}

@test "PUT citizenservicenumber checks the 11-test" {
	TOK=$(token)
	run call PUT "/providers/employers/employees/$EE101/citizenservicenumber" '{"citizenServiceNumber":"123456789"}'
	assert_output 400
	run call PUT "/providers/employers/employees/$EE101/citizenservicenumber" '{"citizenServiceNumber":"111222333"}'
	assert_output 200
	run call GET "/providers/employers/employees/$EE101/citizenservicenumber"
	run body .content.citizenServiceNumber
	assert_output '"111222333"'
}

@test "wages: linked chain closes the previous record, refuses records before the last start" {
	TOK=$(token)
	run call POST "$EMPL/$EM101/wages" '{"startDate":"2026-07-01","grossWage":4000,"grossWageType":{"key":1}}'
	assert_output 201
	wid=$(jq -r .content.id "$BATS_TEST_TMPDIR/body")
	run call GET "$EMPL/$EM101/wages"
	run body '[._embedded[] | [.startDate, .endDate]]'
	assert_output '[["2019-03-01","2025-12-31"],["2026-01-01","2026-06-30"],["2026-07-01",null]]'
	run call POST "$EMPL/$EM101/wages" '{"startDate":"2026-03-01","grossWage":4100}'
	assert_output 400
	run body '.messages[0] | [.type, (.description | test("chain"))]'
	assert_output '["BrokenBusinessRule",true]'
	run call POST "$EMPL/$EM101/wages" '{"startDate":"2026-08-01","grossWage":0}'
	assert_output 400
	run call PUT "$EMPL/wages/$wid" '{"grossWage":4200}'
	assert_output 200
	run body .content.grossWage
	assert_output 4200
	run call DELETE "$EMPL/wages/$wid"
	assert_output 200
	run call GET "$EMPL/$EM101/wages"
	run body '[._embedded[] | .endDate]'
	assert_output '["2025-12-31",null]'
	# an employment without wages (137's second one) accepts a first record from its start date
	run call POST "$EMPL/$EM137B/wages" '{"startDate":"2026-06-01","grossWage":3000}'
	assert_output 400
	run call POST "$EMPL/$EM137B/wages" '{"startDate":"2026-07-01","grossWage":3000}'
	assert_output 201
}

@test "benefits and deductions: no overlap per payroll component" {
	TOK=$(token)
	run call POST "$EMPL/$EM101/benefitsanddeductions" '{"payrollComponent":{"key":7001},"value":10,"startDate":"2026-01-01"}'
	assert_output 400
	run body '.messages[0].type'
	assert_output '"BrokenBusinessRule"'
	run call POST "$EMPL/$EM101/benefitsanddeductions" '{"payrollComponent":{"key":7003},"value":12.5,"startDate":"2026-01-01","endDate":"2026-03-31"}'
	assert_output 201
	id=$(jq -r .content.id "$BATS_TEST_TMPDIR/body")
	run body '.content.payrollComponent.description'
	assert_output '"PERSONEELSVER"'
	run call POST "$EMPL/$EM101/benefitsanddeductions" '{"payrollComponent":{"key":7003},"value":12.5,"startDate":"2026-03-01"}'
	assert_output 400
	run call POST "$EMPL/$EM101/benefitsanddeductions" '{"payrollComponent":{"key":7003},"value":13,"startDate":"2026-04-01"}'
	assert_output 201
	run call PUT "$EMPL/benefitsAndDeductions/$id" '{"endDate":"2026-04-15"}'
	assert_output 400
	run call PUT "$EMPL/benefitsAndDeductions/$id" '{"value":14}'
	assert_output 200
	run call POST "$EMPL/$EM101/benefitsanddeductions" '{"payrollComponent":{"key":9999},"value":1,"startDate":"2026-01-01"}'
	assert_output 400
	run call DELETE "$EMPL/benefitsAndDeductions/$id"
	assert_output 200
	run call GET "$EMPL/$EM101/benefitsanddeductions"
	run body .totalSize
	assert_output 3
}

@test "payrollperioddata: PATCH upserts on the period/shift/payslip combination" {
	TOK=$(token)
	run call PATCH "$EMPL/$EM101/payrollperioddata" '{"payrollPeriod":{"year":2026,"periodNumber":3},"payrollComponents":[{"payrollComponent":{"key":1},"value":144},{"payrollComponent":{"key":7002},"value":500}]}'
	assert_output 200
	run call PATCH "$EMPL/$EM101/payrollperioddata" '{"payrollPeriod":{"year":2026,"periodNumber":3},"shift":{"shiftNumber":1},"payrollComponents":[{"payrollComponent":{"key":7002},"value":750}]}'
	assert_output 200
	run call GET "$EMPL/$EM101/payrollperioddata"
	run body '[.totalSize, (._embedded[0].payrollComponents | map([.payrollComponent.key, .value]))]'
	assert_output '[1,[[1,144],[7002,750]]]'
	run call PATCH "$EMPL/$EM101/payrollperioddata" '{"payrollPeriod":{"year":2026,"periodNumber":3},"payslipType":{"key":2},"payrollComponents":[{"payrollComponent":{"key":7002},"value":1}]}'
	assert_output 200
	run call GET "$EMPL/$EM101/payrollperioddata"
	run body .totalSize
	assert_output 2
	run call PATCH "$EMPL/$EM101/payrollperioddata" '{"payrollPeriod":{"year":2026,"periodNumber":13},"payrollComponents":[]}'
	assert_output 400
	run call PATCH "$EMPL/$EM101/payrollperioddata" '{"payrollPeriod":{"year":2026,"periodNumber":4},"payrollComponents":[{"payrollComponent":{"key":1},"value":1,"isSupplement":true}]}'
	assert_output 400
	run call POST "$EMPL/$EM101/payrollperioddata" '{"payrollPeriod":{"year":2026,"periodNumber":3},"payrollComponents":[]}'
	assert_output 400
}

@test "concept employee: POST, convertToEmployee creates employee, employment and wage" {
	TOK=$(token)
	run call POST "/providers/employers/$ER/conceptemployees" "{\"uniqueName\":\"Sollicitant 002\",\"employeeData\":{\"personalDetails\":{\"initials\":\"P.\",\"lastName\":\"Kok\"}},\"employmentData\":{\"payrollAdministration\":{\"id\":\"$PA\"},\"startDate\":\"2026-12-01\"}}"
	assert_output 201
	# the spec declares no request body for convertToEmployee: one is refused, none is the call
	run call PATCH "/providers/employers/conceptemployees/$CE1/convertToEmployee" '{}'
	assert_output 400
	run body '.messages[0].description'
	assert_output '"convertToEmployee takes no request body"'
	run call PATCH "/providers/employers/conceptemployees/$CE1/convertToEmployee"
	assert_output 200
	mid=$(jq -r .content.employmentId "$BATS_TEST_TMPDIR/body")
	run call GET "/providers/employers/employees/$CE1"
	assert_output 200
	run body '.content | [.employeeNumber, .personalDetails.lastName]'
	assert_output '[141,"Vos"]'
	run call GET "$EMPL/$mid"
	run body '.content | [.startDate, .incomeRelationshipNumber, .payrollAdministration.clientNumber]'
	assert_output '["2026-12-01",1,12345]'
	run call GET "$EMPL/$mid/wages"
	run body '._embedded | map([.startDate, .grossWage])'
	assert_output '[["2026-12-01",2800]]'
	run call GET "/providers/employers/conceptemployees/$CE1"
	assert_output 404
}

@test "terminate: sets endDate and closes open wages and benefits" {
	TOK=$(token)
	run call PATCH "$EMPL/$EM101/terminate" '{"endDate":"2026-10-31","endOfEmploymentReason":{"key":8}}'
	assert_output 200
	run body .content.endDate
	assert_output '"2026-10-31"'
	run call GET "$EMPL/$EM101/wages"
	run body '._embedded[-1].endDate'
	assert_output '"2026-10-31"'
	run call GET "$EMPL/$EM101/benefitsanddeductions"
	run body '._embedded[0].endDate'
	assert_output '"2026-10-31"'
	run call PATCH "$EMPL/$EM101/terminate" '{"endDate":"2026-11-30"}'
	assert_output 400
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	run call GET "$EMPL/$EM101"
	run body .content.endDate
	assert_output null
}

@test "faults: 429 with Retry-After, 500, drop, always, malformed; stats count requests" {
	TOK=$(token)
	curl -fsS -X POST --data '{"429":1,"500":1,"drop":1,"retry_after":7}' "$LK_URL/__emu/faults" >/dev/null
	run call GET /providers/employers
	assert_output 429
	grep -qi '^retry-after: 7' "$BATS_TEST_TMPDIR/headers"
	run call GET /providers/employers
	assert_output 500
	run call GET /providers/employers
	assert_failure
	run call GET /providers/employers
	assert_output 200
	curl -fsS -X POST --data '{"always":{"path":"/v2/providers/employers/employees","status":503}}' "$LK_URL/__emu/faults" >/dev/null
	run call GET "/providers/employers/employees/$EE101"
	assert_output 503
	run call GET /providers/employers
	assert_output 200
	curl -fsS -X POST --data '{"malformed":{"path":"/v2/providers","kind":"notjson"}}' "$LK_URL/__emu/faults" >/dev/null
	run call GET /providers/employers
	assert_output 200
	run cat "$BATS_TEST_TMPDIR/body"
	assert_output '<html>oops</html>'
	run curl -sS -o /dev/null -w '%{http_code}' -X POST --data '{"bogus":1}' "$LK_URL/__emu/faults"
	assert_output 400
	run curl -fsS "$LK_URL/__emu/stats"
	run jq -c '[.requests >= 8, .faults["429"], .faults["500"], .faults.drop, .faults.malformed]' <<<"$output"
	assert_output '[true,1,2,1,1]'
}

@test "LOKET_EMU_FAULTS seeds the fault plan and latency_ms delays replies" {
	LOKET_EMU_FAULTS='{"429":1,"latency_ms":300}' LK_NAME=env loket_start
	run curl -sS -o /dev/null -w '%{http_code}' -X POST --data grant_type=refresh_token "$LK_URL/token"
	assert_output 429
	TOK=$(token)
	run call GET /providers/employers   # delayed, not refused (timing is for make bench, not tests)
	assert_output 200
	loket_stop
}

# payroll history (read only): runs of 2026 periods 1-10, payslips of 101-110, 2025 year-end
# statements, and a correction run of period 3 (104 only) approved after period 10's
PAADM=/providers/employers/payrolladministrations
RUN=e1e2e3e4-f5f6-4a7a-8b8b-0000002026  # + period number (01..10)
JR10=f1f2f3f4-a5a6-4b7b-9c8c-000002026102
JR10_REMOVED=f1f2f3f4-a5a6-4b7b-9c8c-000002026101
RUN3C=e1e2e3e4-f5f6-4a7a-8b8b-000002026031  # the correction run of period 3
JR3C=f1f2f3f4-a5a6-4b7b-9c8c-000020260311   # its journal run
EM104=3d2c1b0a-9f8e-4d7c-8b6a-000000000104
EM111=3d2c1b0a-9f8e-4d7c-8b6a-000000000111
EM123=3d2c1b0a-9f8e-4d7c-8b6a-000000000123
# pdf PATH: GET with Accept: application/pdf; prints "status content-type"; body in $BATS_TEST_TMPDIR/body
pdf() {
	curl -sS -o "$BATS_TEST_TMPDIR/body" -D "$BATS_TEST_TMPDIR/headers" -w '%{http_code} %{content_type}' \
		-H "Authorization: Bearer $TOK" -H 'Accept: application/pdf' "$LK_URL/v2$1"
}
# pdf_ok: the body is a PDF whose cross-reference table points at its objects and streams have their /Length
pdf_ok() {
	python3 - "$BATS_TEST_TMPDIR/body" <<'PY'
import re, sys
b = open(sys.argv[1], "rb").read()
assert b.startswith(b"%PDF-1.4\n") and b.endswith(b"%%EOF\n"), "header/trailer"
sx = int(re.search(rb"startxref\n(\d+)\n%%EOF\n$", b).group(1))
m = re.match(rb"xref\n0 (\d+)\n", b[sx:])
n, base = int(m.group(1)), sx + m.end()
for i in range(1, n):
    off = int(b[base + 20 * i:base + 20 * i + 10])
    assert b[off:].startswith(b"%d 0 obj\n" % i), "object %d not at %d" % (i, off)
for s in re.finditer(rb"<< /Length (\d+) >>\nstream\n", b):
    assert b[s.end() + int(s.group(1)):].startswith(b"endstream\n"), "stream length"
PY
}

@test "payroll runs: approved runs for 2026 periods 1-10 and period 3's correction run with paging, detail with ETag, 404s" {
	TOK=$(token)
	run call GET "$PAADM/$PA/payrollruns?pageSize=4&pageNumber=3"
	assert_output 200
	run body '[.totalSize, .pageSize, .totalPages, .currentPage, (._embedded | map(.payrollPeriod.periodNumber))]'
	assert_output '[11,4,3,3,[9,10,3]]'
	run call GET "$PAADM/$PA/payrollruns"
	run body '[._embedded[] | select(.payrollRunStatus.key == 9 and .approvalTime != null and .payrollPeriod.year == 2026)] | length'
	assert_output 11
	run body '._embedded[0] | has("payrollAdministrationId")'
	assert_output false
	run call GET "$PAADM/payrollruns/${RUN}03"
	assert_output 200
	grep -qi '^etag: "' "$BATS_TEST_TMPDIR/headers"
	run body '.content | [.payrollPeriod.periodNumber, .sequenceNumberApproved, .textPayment]'
	assert_output '[3,3,"Salaris maart 2026"]'
	run call GET "$PAADM/payrollruns/${RUN}11"
	assert_output 404
	run call GET "$PAADM/00000000-0000-4000-8000-000000000000/payrollruns"
	assert_output 404
	# the correction run: period 3 again, approved after period 10's run, available to
	# employees after its approval
	run call GET "$PAADM/payrollruns/$RUN3C"
	assert_output 200
	run body '.content | [.payrollPeriod, .payrollRunStatus.key, .sequenceNumber, .sequenceNumberApproved, .approvalTime, .availableForEmployeeDate, .textPayment]'
	assert_output '[{"year":2026,"periodNumber":3},9,11,11,"2026-10-28T10:00:00+01:00","2026-10-30","Correctie salaris maart 2026"]'
	run call GET "$PAADM/payrollruns/${RUN}10"
	run body '.content | [.sequenceNumberApproved, .approvalTime < "2026-10-28", .availableForEmployeeDate]'
	assert_output '[10,true,"2026-10-25"]'
	# the payroll periods list their runs and journal runs
	run call GET "$PAADM/$PA/payrollperiods?pageSize=1&pageNumber=22"
	run body '._embedded[0] | [.id, (.payrollRuns | map([.sequenceNumberApproved, (.journalRuns | map(.journalRunStatus.key))]))]'
	assert_output '[202610,[[10,[3,4]]]]'
	run call GET "$PAADM/$PA/payrollperiods?pageSize=1&pageNumber=15"
	run body '._embedded[0] | [.id, (.payrollRuns | map([.id, .sequenceNumberApproved, (.journalRuns | map(.journalRunStatus.key))]))]'
	assert_output "[202603,[[\"${RUN}03\",3,[7]],[\"$RUN3C\",11,[4]]]]"
	run call GET "$PAADM/$PA/payrollperiods?pageSize=1&pageNumber=23"
	run body '._embedded[0].payrollRuns'
	assert_output '[]'
}

@test "journal runs: one per payroll run, results are balanced ledger lines, a removed run has none" {
	TOK=$(token)
	run call GET "$PAADM/$PA/journalruns"
	assert_output 200
	run body '[.totalSize, (._embedded | map(.journalRunStatus.key)), ._embedded[-2].payrollRun.payrollRunId, ._embedded[-1].payrollRun.payrollRunId]'
	assert_output "[12,[7,7,7,7,7,7,7,7,7,3,4,4],\"${RUN}10\",\"$RUN3C\"]"
	for id in $(body '._embedded[] | select(.journalRunStatus.key >= 4) | .id' | tr -d '"'); do
		run call GET "$PAADM/journalruns/$id/results"
		assert_output 200
		# debet == credit, compared in cents; every line is either a debet or a credit
		run body '[(._embedded | map(.debetAmount * 100 | round) | add) == (._embedded | map(.creditAmount * 100 | round) | add),
			(._embedded | all((.debetAmount == 0) != (.creditAmount == 0)))]'
		assert_output '[true,true]'
	done
	run call GET "$PAADM/journalruns/$JR10/results?pageSize=5&pageNumber=3"
	run body '[.totalSize, .totalPages, (._embedded | length)]'
	assert_output '[12,3,2]'
	run call GET "$PAADM/journalruns/$JR10/results"
	run body '._embedded[0] | [.generalLedgerAccount.code, .debetAmount, .creditAmount, .costCenter.code, .costUnit, .payrollComponent.description]'
	assert_output '["4000",16950,0,"KPL100",null,"SALARIS"]'
	run body '._embedded[0] | has("journalRunId")'
	assert_output false
	run call GET "$PAADM/journalruns/$JR10"
	run body '.content | [.sequenceNumber, .journalRunStatus.value, .payrollRun.payrollPeriod.periodEndDate]'
	assert_output '[11,"Journaal gereed","2026-10-31"]'
	run call GET "$PAADM/journalruns/$JR10_REMOVED/results"
	assert_output 400
	run body '.messages[0].type'
	assert_output '"BrokenBusinessRule"'
	# the correction run's journal books the difference to the first run of period 3: 104's
	# commission 100.00 -> 350.00 and what follows from it (30% tax, 20% employer charges)
	run call GET "$PAADM/journalruns/$JR3C"
	run body '.content | [.sequenceNumber, .journalRunStatus.key, .payrollRun.payrollRunId, .payrollRun.sequenceNumberApproved, .payrollRun.payrollPeriod.periodNumber]'
	assert_output "[12,4,\"$RUN3C\",11,3]"
	run call GET "$PAADM/journalruns/$JR3C/results"
	run body '._embedded | map([.generalLedgerAccount.code, .debetAmount, .creditAmount, .costCenter.code, .payrollComponent.key])'
	assert_output '[["4010",250,0,"KPL100",8046],["4100",50,0,"KPL100",40],["1600",0,175,null,30],["1610",0,75,null,20],["1620",0,50,null,40]]'
	run call GET "$PAADM/journalruns/00000000-0000-4000-8000-000000000000/results"
	assert_output 404
}

@test "payslips: one per approved run, JSON results or a PDF by Accept, a year in one PDF, 404s" {
	TOK=$(token)
	run call GET "$EMPL/$EM101/payslips?pageSize=4&pageNumber=3"
	assert_output 200
	run body '[.totalSize, .totalPages, (._embedded | map([.payrollPeriod.periodNumber, .numberOfPayslips]))]'
	assert_output '[10,3,[[9,1],[10,1]]]'
	run body '._embedded[0] | [.payrollrunId, has("payslipTypes"), has("employmentId")]'
	assert_output "[\"${RUN}09\",false,false]"
	run call GET "$EMPL/$EM111/payslips"
	run body '[.totalSize, .totalPages, ._embedded]'
	assert_output '[0,1,[]]'
	# the underlying results as JSON (the Accept header of call asks for JSON)
	run call GET "$EMPL/$EM101/payslips/${RUN}01"
	assert_output 200
	run body '.content | [.employmentId == "'"$EM101"'", (.payrollPeriods[0].payslipTypes[0].payrollComponentResults | map([.payrollComponent.key, .value]))]'
	assert_output '[true,[[10,3200],[7001,95.5],[8043,25],[20,960],[30,2360.5],[40,640]]]'
	run pdf "$EMPL/$EM101/payslips/${RUN}01"
	assert_output '200 application/pdf'
	pdf_ok
	grep -qi '^content-disposition: attachment; filename="Loonstrook_101_2026-01.pdf"' "$BATS_TEST_TMPDIR/headers"
	grep -q '(Werknemer: *101 J.P. de Vries)' "$BATS_TEST_TMPDIR/body"
	grep -q '(Loonstrook periode 1 2026 \\(2026-01-01 t/m 2026-01-31\\))' "$BATS_TEST_TMPDIR/body"
	grep -q '(10 *SALARIS *3200.00)' "$BATS_TEST_TMPDIR/body"
	# the same bytes every time
	cp "$BATS_TEST_TMPDIR/body" "$BATS_TEST_TMPDIR/first.pdf"
	pdf "$EMPL/$EM101/payslips/${RUN}01" >/dev/null
	cmp "$BATS_TEST_TMPDIR/body" "$BATS_TEST_TMPDIR/first.pdf"
	# a year: every payslip of it, one page each
	run pdf "$EMPL/$EM101/payslips/2026"
	assert_output '200 application/pdf'
	pdf_ok
	run grep -c '/Type /Page ' "$BATS_TEST_TMPDIR/body"
	assert_output 10
	grep -qi 'filename="Loonstroken_101_2026.pdf"' "$BATS_TEST_TMPDIR/headers"
	run pdf "$EMPL/$EM101/payslips/2025"
	assert_output '404 application/json'
	run pdf "$EMPL/$EM101/payslips/${RUN}11"
	assert_output '404 application/json'
	run pdf "$EMPL/$EM111/payslips/${RUN}01"
	assert_output '404 application/json'
	run pdf "$EMPL/00000000-0000-4000-8000-000000000000/payslips/${RUN}01"
	assert_output '404 application/json'
}

@test "DOC1 payslips of a correction run: 104 has period 3 twice (a new payrollrunId), the correction recomputes the period, its PDF differs; nobody else has one" {
	TOK=$(token)
	run call GET "$EMPL/$EM104/payslips"
	run body '[.totalSize, (._embedded | map([.payrollPeriod.periodNumber, .approvalTime[0:10]]) | .[-2:])]'
	assert_output '[11,[[10,"2026-10-21"],[3,"2026-10-28"]]]'
	run body '[._embedded[] | select(.payrollPeriod.periodNumber == 3) | .payrollrunId]'
	assert_output "[\"${RUN}03\",\"$RUN3C\"]"
	run call GET "$EMPL/$EM104/payslips/${RUN}03"
	run body '.content.payrollPeriods[0].payslipTypes[0].payrollComponentResults | map([.payrollComponent.key, .value])'
	assert_output '[[10,4000],[8046,100],[20,1230],[30,2870],[40,820]]'
	run call GET "$EMPL/$EM104/payslips/$RUN3C"
	assert_output 200
	run body '.content.payrollPeriods[0] | [.payrollPeriod, (.payslipTypes[0].payrollComponentResults | map([.payrollComponent.key, .value]))]'
	assert_output '[{"year":2026,"periodNumber":3,"periodStartDate":"2026-03-01","periodEndDate":"2026-03-31","testYear":false},[[10,4000],[8046,350],[20,1305],[30,3045],[40,870]]]'
	run pdf "$EMPL/$EM104/payslips/$RUN3C"
	assert_output '200 application/pdf'
	pdf_ok
	grep -qi '^content-disposition: attachment; filename="Loonstrook_104_2026-03.pdf"' "$BATS_TEST_TMPDIR/headers"
	grep -q '(8046 *PROVISIE *350.00)' "$BATS_TEST_TMPDIR/body"
	cp "$BATS_TEST_TMPDIR/body" "$BATS_TEST_TMPDIR/corr.pdf"
	pdf "$EMPL/$EM104/payslips/${RUN}03" >/dev/null
	grep -q '(8046 *PROVISIE *100.00)' "$BATS_TEST_TMPDIR/body"
	run cmp -s "$BATS_TEST_TMPDIR/body" "$BATS_TEST_TMPDIR/corr.pdf"
	assert_failure
	# the year's PDF has both
	run pdf "$EMPL/$EM104/payslips/2026"
	run grep -c '/Type /Page ' "$BATS_TEST_TMPDIR/body"
	assert_output 11
	# the correction run has a payslip of 104 only
	for n in 101 102 103 105 106 107 108 109 110; do
		run pdf "$EMPL/3d2c1b0a-9f8e-4d7c-8b6a-000000000$n/payslips/$RUN3C"
		assert_output '404 application/json'
	done
}

@test "year-end statements: 2025 for employments that existed then, PDF download, 404 for other years" {
	TOK=$(token)
	run call GET "$EMPL/$EM101/yearendstatements"
	assert_output 200
	run body '[.totalSize, ._embedded]'
	assert_output '[1,[{"year":2025}]]'
	for em in "$EM123" "$EM137B"; do  # employments that started in 2026
		run call GET "$EMPL/$em/yearendstatements"
		run body .totalSize
		assert_output 0
	done
	run pdf "$EMPL/$EM101/yearendstatements/2025"
	assert_output '200 application/pdf'
	pdf_ok
	grep -qi '^content-disposition: attachment; filename="Jaaropgave_101_2025.pdf"' "$BATS_TEST_TMPDIR/headers"
	grep -q '(Jaaropgave 2025)' "$BATS_TEST_TMPDIR/body"
	grep -q '(Werknemer: *101 J.P. de Vries)' "$BATS_TEST_TMPDIR/body"
	grep -q '(Tijdvak: 2025-01-01 t/m 2025-12-31)' "$BATS_TEST_TMPDIR/body"
	run pdf "$EMPL/$EM101/yearendstatements/2024"
	assert_output '404 application/json'
	run pdf "$EMPL/$EM123/yearendstatements/2025"
	assert_output '404 application/json'
	run pdf "$EMPL/$EM101/yearendstatements/twenty"
	assert_output '400 application/json'
}

# reissue JSON: status of POST /__emu/reissue-yearendstatement; body in $BATS_TEST_TMPDIR/rb
reissue() {
	curl -sS -o "$BATS_TEST_TMPDIR/rb" -w '%{http_code}' -X POST --data "$1" "$LK_URL/__emu/reissue-yearendstatement"
}

@test "DOC1 a re-issued year-end statement: the PDF differs (Herzien: N), the list stays the same, reset restores it; 404 and 400" {
	TOK=$(token)
	pdf "$EMPL/$EM101/yearendstatements/2025" >/dev/null
	cp "$BATS_TEST_TMPDIR/body" "$BATS_TEST_TMPDIR/v1.pdf"
	run grep -q 'Herzien' "$BATS_TEST_TMPDIR/v1.pdf"
	assert_failure
	call GET "$EMPL/$EM101/yearendstatements" >/dev/null
	cp "$BATS_TEST_TMPDIR/body" "$BATS_TEST_TMPDIR/list1.json"
	assert_equal "$(reissue '{"employmentId":"'"$EM101"'","year":2025}')" 200
	assert_equal "$(jq -c . "$BATS_TEST_TMPDIR/rb")" '{"employmentId":"'"$EM101"'","year":2025,"revision":2}'
	run pdf "$EMPL/$EM101/yearendstatements/2025"
	assert_output '200 application/pdf'
	pdf_ok
	grep -q '(Herzien: 2)' "$BATS_TEST_TMPDIR/body"
	grep -q '(Jaaropgave 2025)' "$BATS_TEST_TMPDIR/body"
	grep -qi 'filename="Jaaropgave_101_2025.pdf"' "$BATS_TEST_TMPDIR/headers"
	run cmp -s "$BATS_TEST_TMPDIR/body" "$BATS_TEST_TMPDIR/v1.pdf"
	assert_failure
	cp "$BATS_TEST_TMPDIR/body" "$BATS_TEST_TMPDIR/v2.pdf"
	# the same bytes until the next re-issue, then other bytes again
	pdf "$EMPL/$EM101/yearendstatements/2025" >/dev/null
	cmp "$BATS_TEST_TMPDIR/body" "$BATS_TEST_TMPDIR/v2.pdf"
	assert_equal "$(reissue '{"employmentId":"'"$EM101"'","year":2025}')" 200
	pdf "$EMPL/$EM101/yearendstatements/2025" >/dev/null
	grep -q '(Herzien: 3)' "$BATS_TEST_TMPDIR/body"
	# Loket lists years only: the list has not changed
	call GET "$EMPL/$EM101/yearendstatements" >/dev/null
	cmp "$BATS_TEST_TMPDIR/body" "$BATS_TEST_TMPDIR/list1.json"
	# another employment's statement is untouched
	pdf "$EMPL/$EM104/yearendstatements/2025" >/dev/null
	run grep -q 'Herzien' "$BATS_TEST_TMPDIR/body"
	assert_failure
	# no such statement: 404; a bad body: 400
	assert_equal "$(reissue '{"employmentId":"'"$EM101"'","year":2024}')" 404
	assert_equal "$(reissue '{"employmentId":"3d2c1b0a-9f8e-4d7c-8b6a-000000000123","year":2025}')" 404
	for bad in '' '[]' '{"employmentId":"'"$EM101"'"}' '{"employmentId":"'"$EM101"'","year":"2025"}' \
		'{"employmentId":101,"year":2025}' '{"employmentId":"'"$EM101"'","year":2025,"x":1}'; do
		assert_equal "$(reissue "$bad")" 400
	done
	run curl -sS -o /dev/null -w '%{http_code}' "$LK_URL/__emu/reissue-yearendstatement"
	assert_output 405
	# a reset restores the statement as loaded
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	pdf "$EMPL/$EM101/yearendstatements/2025" >/dev/null
	cmp "$BATS_TEST_TMPDIR/body" "$BATS_TEST_TMPDIR/v1.pdf"
}

@test "DOC1 bad PDF answers from the fault plan: empty (200, the content type, no body), html (200 text/html error page), notpdf (200 application/pdf, no %PDF-); only under the malformed path" {
	TOK=$(token)
	P="$EMPL/$EM101/payslips/${RUN}01"
	faults() { curl -fsS -X POST --data "$1" "$LK_URL/__emu/faults" >/dev/null; }
	faults '{"malformed":{"path":"/v2'"$P"'","kind":"empty"}}'
	run pdf "$P"
	assert_output '200 application/pdf'
	assert_equal "$(stat -c %s "$BATS_TEST_TMPDIR/body")" 0
	# outside the path: the real PDF
	run pdf "$EMPL/$EM101/yearendstatements/2025"
	assert_output '200 application/pdf'
	pdf_ok
	faults '{"malformed":{"path":"/v2'"$P"'","kind":"html"}}'
	run pdf "$P"
	assert_output '200 text/html; charset=utf-8'
	grep -q '<html' "$BATS_TEST_TMPDIR/body"
	run grep -qi '^content-disposition:' "$BATS_TEST_TMPDIR/headers"
	assert_failure
	faults '{"malformed":{"path":"/v2'"$P"'","kind":"notpdf"}}'
	run pdf "$P"
	assert_output '200 application/pdf'
	[ -s "$BATS_TEST_TMPDIR/body" ]
	[ "$(head -c 5 "$BATS_TEST_TMPDIR/body")" != "%PDF-" ]
	grep -qi '^content-disposition: attachment' "$BATS_TEST_TMPDIR/headers"
	# empty keeps a JSON answer's content type too
	faults '{"malformed":{"path":"/v2'"$EMPL/$EM101"'/yearendstatements","kind":"empty"}}'
	run call GET "$EMPL/$EM101/yearendstatements"
	assert_output 200
	assert_equal "$(stat -c %s "$BATS_TEST_TMPDIR/body")" 0
	grep -qi '^content-type: application/json' "$BATS_TEST_TMPDIR/headers"
	assert_equal "$(curl -fsS "$LK_URL/__emu/stats" | jq .faults.malformed)" 4
	# an unknown kind is refused, naming the kinds
	run curl -sS -X POST --data '{"malformed":{"path":"/v2","kind":"broken"}}' "$LK_URL/__emu/faults"
	assert_output --partial 'empty|html|notpdf'
}

@test "payroll history: 401 without a token, 405 for a write" {
	TOK=
	for p in "$PAADM/$PA/payrollruns" "$PAADM/payrollruns/${RUN}01" "$PAADM/$PA/journalruns" "$PAADM/journalruns/$JR10" \
		"$PAADM/journalruns/$JR10/results" "$EMPL/$EM101/payslips" "$EMPL/$EM101/payslips/${RUN}01" \
		"$EMPL/$EM101/payslips/2026" "$EMPL/$EM101/yearendstatements" "$EMPL/$EM101/yearendstatements/2025"; do
		run curl -sS -o "$BATS_TEST_TMPDIR/body" -D "$BATS_TEST_TMPDIR/headers" -w '%{http_code}' "$LK_URL/v2$p"
		assert_output 401
		grep -qi '^www-authenticate: Bearer' "$BATS_TEST_TMPDIR/headers"
		run pdf "$p"
		assert_output '401 application/json'
	done
	TOK=$(token)
	run call DELETE "$PAADM/payrollruns/${RUN}01"
	assert_output 405
	grep -qi '^allow: GET' "$BATS_TEST_TMPDIR/headers"
}

@test "R1: the component catalogue holds every component acme maps and the unmapped ones the state uses, each with its kind" {
	TOK=$(token)
	run call GET "/providers/employers/payrolladministrations/$PA/payrollcomponents/year/2026"
	assert_output 200
	cp "$BATS_TEST_TMPDIR/body" "$BATS_TEST_TMPDIR/cat.json"
	# every value of samples/acme.json compensation.mapping, and every component the state's records use
	for k in $(jq -r '.compensation.mapping[] | numbers, (objects | .payment, .deduction)' "$SAMPLES/acme.json") \
		$(jq -r '[.benefitsAndDeductions[].payrollComponent.key, .payrollPeriodData[].payrollComponents[].payrollComponent.key] | unique[]' "$LOKET_FIX/state.json"); do
		run jq -e --argjson k "$k" '._embedded[] | select(.key == $k)' "$BATS_TEST_TMPDIR/cat.json"
		assert_success
	done
	run jq -c '._embedded[] | select(.key == 8055 or .key == 8050 or .key == 8042 or .key == 8103) | [.key, .deductionOrPayment.value, .category.value]' "$BATS_TEST_TMPDIR/cat.json"
	assert_output "$(printf '%s\n' '[8042,"Betaling","Netto vergoeding"]' '[8050,"Inhouding","Netto inhouding"]' '[8055,"Inhouding","Bruto inhouding"]' '[8103,"Betaling","Bruto vergoeding volgens tabel"]')"
	# the spec's item shape, descriptions at most 14 characters; another year has its own catalogue, an unknown year none
	run jq -c '[._embedded[] | keys] | unique' "$BATS_TEST_TMPDIR/cat.json"
	assert_output '[["canBeSupplemented","category","deductionOrPayment","description","isCollectiveMutationPossible","key"]]'
	run jq '[._embedded[] | select(.description | length > 14)] | length' "$BATS_TEST_TMPDIR/cat.json"
	assert_output 0
	run call GET "/providers/employers/payrolladministrations/$PA/payrollcomponents/year/2030"
	run body .totalSize
	assert_output 0
	run call GET "/providers/employers/payrolladministrations/$PA/payrollcomponents/year/20x6"
	assert_output 400
}

@test "metadata: GET .../metadata of a PUT employee, a POST wage and a POST concept employee: {field, options}, 404 for an unknown id" {
	TOK=$(token)
	run call GET "/providers/employers/employees/$EE101/metadata"
	assert_output 200
	run body '[.totalSize, (._embedded | map(.field))]'
	assert_output '[5,["gender","civilStatus","nationality","country","howToFormatLastName"]]'
	run body '._embedded[] | select(.field=="gender") | .options'
	assert_output '[{"key":1,"value":"Man"},{"key":2,"value":"Vrouw"},{"key":3,"value":"Onbekend"}]'
	run body '._embedded[] | select(.field=="country") | .options[1]'
	assert_output '{"key":2,"isoCode":"BE","value":"België"}'
	run call GET "$EMPL/$EM101/wages/metadata"
	assert_output 200
	run body '._embedded[] | select(.field=="grossWageType") | .options'
	assert_output '[{"key":1,"value":"Periodeloon"},{"key":2,"value":"Uurloon"}]'
	run call GET "/providers/employers/$ER/conceptemployees/metadata"
	assert_output 200
	run body '._embedded | map(.field) | index("grossWageType") != null'
	assert_output true
	run call GET "/providers/employers/employees/00000000-0000-4000-8000-000000000000/metadata"
	assert_output 404
	run call GET "$EMPL/00000000-0000-4000-8000-000000000000/wages/metadata"
	assert_output 404
	run call GET "/providers/employers/00000000-0000-4000-8000-000000000000/conceptemployees/metadata"
	assert_output 404
}

@test "metadata: writes take keys the metadata lists (else 400) and Loket fills the labels in from it" {
	TOK=$(token)
	call GET "/providers/employers/employees/$EE101" >/dev/null
	jq -c '.content | .personalDetails.gender = {key: 2} | .address.country = {key: 2}' "$BATS_TEST_TMPDIR/body" >"$BATS_TEST_TMPDIR/emp.json"
	run call PUT "/providers/employers/employees/$EE101" "$(cat "$BATS_TEST_TMPDIR/emp.json")"
	assert_output 200
	run body '.content | [.personalDetails.gender, .address.country]'
	assert_output '[{"key":2,"value":"Vrouw"},{"key":2,"isoCode":"BE","value":"België"}]'
	run call PUT "/providers/employers/employees/$EE101" "$(jq -c '.personalDetails.gender = {key: 9}' "$BATS_TEST_TMPDIR/emp.json")"
	assert_output 400
	run body '.messages[0].description'
	assert_output '"personalDetails.gender.key 9 is not one of the options of the gender metadata"'
	run call PUT "/providers/employers/employees/$EE101" "$(jq -c '.address.country = {key: 530}' "$BATS_TEST_TMPDIR/emp.json")"
	assert_output 400
	run call POST "$EMPL/$EM101/wages" '{"startDate":"2026-07-01","grossWage":21.5,"grossWageType":{"key":7}}'
	assert_output 400
	run call POST "$EMPL/$EM101/wages" '{"startDate":"2026-07-01","grossWage":21.5,"grossWageType":{"key":2}}'
	assert_output 201
	run body '.content.grossWageType'
	assert_output '{"key":2,"value":"Uurloon"}'
}

# ---- version numbers (issue 11): lastmodifiedversionnumbers of employers and employments

# ver PATH JQ: the answer of a version list, through jq
ver() { call GET "$1" >/dev/null; jq -c "$2" "$BATS_TEST_TMPDIR/body"; }

@test "version numbers: deterministic at load, int64 {id, lastModifiedVersionNumber}; the employer holds its highest employment's" {
	TOK=$(token)
	run ver /providers/employers/lastmodifiedversionnumbers '._embedded'
	assert_output "[{\"id\":\"$ER\",\"lastModifiedVersionNumber\":1000037}]"
	run ver "/providers/employers/$ER/employees/employments/lastmodifiedversionnumbers" '[.totalSize, ._embedded[0], (._embedded | map(.lastModifiedVersionNumber) | max)]'
	assert_output "[37,{\"id\":\"$EM101\",\"lastModifiedVersionNumber\":1000001},1000037]"
	# a reset gives the same numbers again
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	run ver /providers/employers/lastmodifiedversionnumbers '._embedded[0].lastModifiedVersionNumber'
	assert_output 1000037
	# the views of the employments and employers do not carry them (the spec's do not)
	call GET "/providers/employers/employees/employments/$EM101" >/dev/null
	run jq 'has("content") and (.content | has("lastModifiedVersionNumber") | not) and (.content | has("employerId") | not)' "$BATS_TEST_TMPDIR/body"
	assert_output true
}

@test "version numbers: a wage, benefit, employee, BSN or termination write moves the employment's and the employer's number (one global counter); payroll period data and a refused write do not" {
	TOK=$(token)
	emv() { ver "/providers/employers/$ER/employees/employments/lastmodifiedversionnumbers" "._embedded[] | select(.id==\"$1\") | .lastModifiedVersionNumber"; }
	erv() { ver /providers/employers/lastmodifiedversionnumbers '._embedded[0].lastModifiedVersionNumber'; }
	run call POST "/providers/employers/employees/employments/$EM101/wages" '{"startDate":"2026-12-01","grossWage":4000.00,"grossWageType":{"key":1},"applyPayGrade":false}'
	assert_output 201
	assert_equal "$(emv "$EM101")" 1000038
	assert_equal "$(erv)" 1000038
	# the filter of the spec's recommended usage: only what moved
	run ver "/providers/employers/$ER/employees/employments/lastmodifiedversionnumbers?filter=lastModifiedVersionNumber%20gt%201000037" '[._embedded[].id]'
	assert_output "[\"$EM101\"]"
	run ver "/providers/employers/lastmodifiedversionnumbers?filter=lastModifiedVersionNumber%20gt%201000038" '.totalSize'
	assert_output 0
	run ver "/providers/employers/$ER/employees/employments/lastmodifiedversionnumbers?orderBy=-lastModifiedVersionNumber&pageSize=2" '[._embedded[].lastModifiedVersionNumber]'
	assert_output '[1000038,1000037]'
	# an employee write moves its employments' numbers (the spec: employee data included)
	run call PUT "/providers/employers/employees/$EE101/citizenservicenumber" '{"citizenServiceNumber":"111222333"}'
	assert_output 200
	assert_equal "$(emv "$EM101")" 1000039
	# a wage DELETE moves the number of the employment it was of
	w=$(curl -fsS "$LK_URL/__emu/state" | jq -r ".wages[] | select(.employmentId==\"$EM101\" and .startDate==\"2026-12-01\") | .id")
	run call DELETE "/providers/employers/employees/employments/wages/$w"
	assert_output 200
	assert_equal "$(emv "$EM101")" 1000040
	# payroll period data: no move
	run call PATCH "/providers/employers/employees/employments/$EM101/payrollperioddata" '{"payrollPeriod":{"year":2026,"periodNumber":12},"payrollComponents":[{"payrollComponent":{"key":8101},"value":10}]}'
	assert_output 200
	assert_equal "$(erv)" 1000040
	# a refused write: no move
	run call POST "/providers/employers/employees/employments/$EM101/wages" '{"grossWage":1}'
	assert_output 400
	assert_equal "$(erv)" 1000040
	run call GET "/providers/employers/lastmodifiedversionnumbers?orderBy=companyName"
	assert_output 400
	run call GET "/providers/employers/lastmodifiedversionnumbers?filter=id%20gt%20'x'"
	assert_output 400
}

@test "payroll period data of one period for the whole administration: payslipType and a component filter required; the active employments' entries of that category" {
	TOK=$(token)
	run call GET "/providers/employers/payrolladministrations/$PA/payrollPeriods/202605/payrollperioddata?payrollComponentCategory=7"
	assert_output 400
	run call GET "/providers/employers/payrolladministrations/$PA/payrollPeriods/202605/payrollperioddata?payslipType=1"
	assert_output 400
	run call GET "/providers/employers/payrolladministrations/$PA/payrollPeriods/209901/payrollperioddata?payslipType=1&payrollComponentCategory=7"
	assert_output 404
	run call GET "/providers/employers/payrolladministrations/$PA/payrollPeriods/202605/payrollperioddata?payslipType=1&payrollComponentCategory=7"
	assert_output 200
	run jq -c '[.totalSize, [._embedded[] | [.employment.id, .payrollPeriod.periodNumber, [.payrollComponents[].payrollComponent.key]]]]' "$BATS_TEST_TMPDIR/body"
	assert_output '[1,[["3d2c1b0a-9f8e-4d7c-8b6a-000000000115",5,[8102]]]]'
	run call GET "/providers/employers/payrolladministrations/$PA/payrollPeriods/202605/payrollperioddata?payslipType=1&payrollComponentCategory=1"
	run jq -c '[._embedded[] | [.payrollComponents[].payrollComponent.key]]' "$BATS_TEST_TMPDIR/body"
	assert_output '[[1]]'
	run call GET "/providers/employers/payrolladministrations/$PA/payrollPeriods/202605/payrollperioddata?payslipType=2&payrollComponentCategory=1"
	run jq -c '.totalSize' "$BATS_TEST_TMPDIR/body"
	assert_output 0
}

@test "payroll component sets: GET .../availablepayrollcomponentsets lists the administration's, labelled from the catalogue; payrollComponentSet selects their entries (an unknown set: 400)" {
	TOK=$(token)
	run call GET "/providers/employers/payrolladministrations/$PA/availablepayrollcomponentsets"
	assert_output 200
	run jq -c '[._embedded[] | [.id, (.payrollComponents | length)]], ._embedded[1].payrollComponents[0].payrollComponent' "$BATS_TEST_TMPDIR/body"
	assert_output "$(printf '%s\n' '[["5e750000-0000-4000-8000-000000000001",13],["5e750000-0000-4000-8000-000000000002",3]]' \
		'{"key":8101,"value":"PRESTATIEBONUS","category":{"key":7,"value":"Bruto vergoeding volgens tabel"},"deductionOrPayment":{"key":2,"value":"Betaling"},"canBeSupplemented":true}')"
	run call GET "/providers/employers/payrolladministrations/$PA/payrollPeriods/202605/payrollperioddata?payslipType=1&payrollComponentSet=5e750000-0000-4000-8000-000000000001"
	run jq -c '[._embedded[] | [.payrollComponents[].payrollComponent.key]]' "$BATS_TEST_TMPDIR/body"
	assert_output '[[1,8102]]'
	run call GET "/providers/employers/payrolladministrations/$PA/payrollPeriods/202605/payrollperioddata?payslipType=1&payrollComponentSet=5e750000-0000-4000-8000-000000000002"
	run jq -c '[._embedded[] | [.payrollComponents[].payrollComponent.key]]' "$BATS_TEST_TMPDIR/body"
	assert_output '[[8102]]'
	run call GET "/providers/employers/payrolladministrations/$PA/payrollPeriods/202605/payrollperioddata?payslipType=1&payrollComponentSet=00000000-0000-4000-8000-000000000000"
	assert_output 400
}

@test "collective payroll period data PATCH: each item upserts as the per-employment PATCH (others untouched, null deletes); one invalid item refuses the whole request, naming it; version numbers stay" {
	TOK=$(token)
	EM102=3d2c1b0a-9f8e-4d7c-8b6a-000000000102
	C=/providers/employers/$ER/payrollperioddata
	v0=$(curl -fsS "$LK_URL/__emu/state" | jq -c '[.employers[].lastModifiedVersionNumber, .employments[].lastModifiedVersionNumber]')
	run call PATCH "$EMPL/$EM101/payrollperioddata" '{"payrollPeriod":{"year":2026,"periodNumber":3},"payrollComponents":[{"payrollComponent":{"key":1},"value":144},{"payrollComponent":{"key":7002},"value":500}]}'
	assert_output 200
	run call PATCH "$C" '[{"employmentId":"'"$EM101"'","payrollPeriod":{"year":2026,"periodNumber":3},"shift":{"shiftNumber":1},"payrollComponents":[{"payrollComponent":{"key":7002},"value":750},{"payrollComponent":{"key":1},"value":null}]},
		{"employmentId":"'"$EM102"'","payrollPeriod":{"year":2026,"periodNumber":3},"payrollComponents":[{"payrollComponent":{"key":8101},"value":12.5,"isSupplement":false}]}]'
	assert_output 200
	run body '[.messages, .content]'
	assert_output '[[],null]'
	run call GET "$EMPL/$EM101/payrollperioddata?filter=payrollPeriod.year%20eq%202026%20and%20payrollPeriod.periodNumber%20eq%203"
	run body '[.totalSize, (._embedded[0].payrollComponents | map([.payrollComponent.key, .value]))]'
	assert_output '[1,[[7002,750]]]'
	run call GET "$EMPL/$EM102/payrollperioddata?filter=payrollPeriod.year%20eq%202026%20and%20payrollPeriod.periodNumber%20eq%203"
	run body '[._embedded[0].payrollComponents[] | [.payrollComponent.key, .value]]'
	assert_output '[[8101,12.5]]'
	# one bad item (a component not in the catalogue; an unknown employment): 400, nothing applied
	before=$(curl -fsS "$LK_URL/__emu/state" | jq -c .payrollPeriodData)
	run call PATCH "$C" '[{"employmentId":"'"$EM101"'","payrollPeriod":{"year":2026,"periodNumber":4},"payrollComponents":[{"payrollComponent":{"key":8101},"value":1}]},
		{"employmentId":"'"$EM102"'","payrollPeriod":{"year":2026,"periodNumber":4},"payrollComponents":[{"payrollComponent":{"key":9999},"value":1}]},
		{"employmentId":"3d2c1b0a-9f8e-4d7c-8b6a-00000000ffff","payrollPeriod":{"year":2026,"periodNumber":4},"payrollComponents":[]},
		{"employmentId":"'"$EM101"'","payrollPeriod":{"year":2026,"periodNumber":5},"payrollComponents":[{"payrollComponent":{"key":8101},"value":100000000}]}]'
	assert_output 400
	run body '[.messages[] | [.code, .id, .type, .description]]'
	assert_output "$(jq -cn --arg a "$EM102" --arg b 3d2c1b0a-9f8e-4d7c-8b6a-00000000ffff --arg c "$EM101" '[
		[1705, $a, "BrokenBusinessRule", "item 1 (employmentId \($a)): payrollComponent 9999 is not available for this payroll administration"],
		[1708, $b, "BrokenBusinessRule", "item 2 (employmentId \($b)): employmentId: not an employment of this employer"],
		[1709, $c, "BrokenBusinessRule", "item 3 (employmentId \($c)): payrollComponents[0].value: an amount lies between -100000000 and 100000000"]]')"
	assert_equal "$(curl -fsS "$LK_URL/__emu/state" | jq -c .payrollPeriodData)" "$before"
	# not an array, an empty one, an unknown employer
	run call PATCH "$C" '{"employmentId":"'"$EM101"'"}'
	assert_output 400
	run call PATCH "$C" '[]'
	assert_output 400
	run call PATCH "/providers/employers/5c1e0f8a-6b2d-4c3e-9f10-00000000ffff/payrollperioddata" '[{"employmentId":"'"$EM101"'","payrollPeriod":{"year":2026,"periodNumber":3},"payrollComponents":[]}]'
	assert_output 404
	# payroll period data is not covered by the version numbers
	assert_equal "$(curl -fsS "$LK_URL/__emu/state" | jq -c '[.employers[].lastModifiedVersionNumber, .employments[].lastModifiedVersionNumber]')" "$v0"
	# what was sent is what the spec declares
	curl -fsS "$LK_URL/__emu/requests" | jq -c '[.[] | select(.method=="PATCH" and (.path | endswith("ffff/payrollperioddata") | not) and (.body | type) == "array" and (.body | length) > 0 and .body[0].employmentId != null and (.body | length) == 2)]' >"$BATS_TEST_TMPDIR/req.json"
	[ "$(jq length "$BATS_TEST_TMPDIR/req.json")" -eq 1 ]
	run spec-check "$LOKET_SPEC" --requests "$BATS_TEST_TMPDIR/req.json"
	assert_success
}

# jpatch ID JSON: PATCH a journal run (MarkAsProcessed...); status code, body in $BATS_TEST_TMPDIR/body
jpatch() { call PATCH "$PAADM/journalruns/$1" "$2"; }
JDONE='{"action":"MarkAsProcessed","application":{"key":2},"message":"geboekt in memoriaal MEM"}'

@test "journal run PATCH: MarkAsProcessed moves a ready run (4) to 7, the list and the period show it; a second PATCH is 409 Conflict and changes nothing" {
	TOK=$(token)
	run jpatch "$JR10" "$JDONE"
	assert_output 200
	run body '[.content.id, .content.journalRunStatus, .messages]'
	assert_output "[\"$JR10\",{\"key\":7,\"value\":\"Journaal geëxporteerd\"},[]]"
	run body '.content | has("emuExports")'
	assert_output false
	run call GET "$PAADM/journalruns/$JR10"
	run body '.content.journalRunStatus.key'
	assert_output 7
	run call GET "$PAADM/$PA/journalruns"
	run body '._embedded | map(.journalRunStatus.key)'
	assert_output '[7,7,7,7,7,7,7,7,7,3,7,4]'
	run call GET "$PAADM/$PA/payrollperiods?pageSize=1&pageNumber=22"
	run body '._embedded[0].payrollRuns[0].journalRuns | map(.journalRunStatus.key)'
	assert_output '[3,7]'
	# an exported run still has its results
	run call GET "$PAADM/journalruns/$JR10/results"
	assert_output 200
	# the second PATCH, either action: refused, the status stays 7
	for b in "$JDONE" '{"action":"MarkAsProcessingFailed","application":{"key":2},"message":"x"}'; do
		run jpatch "$JR10" "$b"
		assert_output 409
		run body '.messages[0] | [.type, .code, (.description | test("journalRunStatus 7 \\(Journaal geëxporteerd\\)"))]'
		assert_output '["BrokenBusinessRule",1914,true]'
	done
	run call GET "$PAADM/journalruns/$JR10"
	run body '.content.journalRunStatus.key'
	assert_output 7
	# the emulator's state keeps the one PATCH that moved it (action, application key, message)
	run bash -c "curl -fsS '$LK_URL/__emu/state' | jq -c '.journalRuns[] | select(.id == \"$JR10\") | .emuExports'"
	assert_output '[{"action":"MarkAsProcessed","application":2,"message":"geboekt in memoriaal MEM"}]'
	# reset restores the fixture
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	run call GET "$PAADM/journalruns/$JR10"
	run body '.content.journalRunStatus.key'
	assert_output 4
}

@test "journal run PATCH: MarkAsProcessingFailed moves a ready run to 6 (export failed), then it is refused; an exported (7) or removed (3) run is refused with its status" {
	TOK=$(token)
	run jpatch "$JR3C" '{"action":"MarkAsProcessingFailed","application":{"key":2,"value":"Financieel pakket 1"},"message":null}'
	assert_output 200
	run body '.content.journalRunStatus'
	assert_output '{"key":6,"value":"Exporteren mislukt"}'
	run jpatch "$JR3C" "$JDONE"
	assert_output 409
	run body '.messages[0].description'
	assert_output --partial 'journalRunStatus 6 (Exporteren mislukt)'
	# exported already (7) and removed by the user (3)
	for id in f1f2f3f4-a5a6-4b7b-9c8c-000002026011 "$JR10_REMOVED"; do
		run jpatch "$id" "$JDONE"
		assert_output 409
	done
	run body '.messages[0].description'
	assert_output --partial 'journalRunStatus 3 (Verwijderd door gebruiker)'
	run call GET "$PAADM/journalruns/$JR10_REMOVED"
	run body '.content.journalRunStatus.key'
	assert_output 3
	run jpatch 00000000-0000-4000-8000-000000000000 "$JDONE"
	assert_output 404
}

@test "journal run PATCH: bad bodies are 400 and change nothing" {
	TOK=$(token)
	for b in '' '[]' 'not json' '{"application":{"key":2}}' '{"action":"markAsSuccessfullyExported","application":{"key":2}}' \
		'{"action":"MarkAsProcessed"}' '{"action":"MarkAsProcessed","application":{"key":"2"}}' \
		'{"action":"MarkAsProcessed","application":{"key":0}}' '{"action":"MarkAsProcessed","application":2}' \
		'{"action":"MarkAsProcessed","application":{"key":2,"other":1}}' \
		'{"action":"MarkAsProcessed","application":{"key":2},"message":5}' \
		"{\"action\":\"MarkAsProcessed\",\"application\":{\"key\":2},\"message\":\"$(printf 'é%.0s' {1..256})\"}" \
		'{"action":"MarkAsProcessed","application":{"key":2},"status":7}'; do
		if [ -z "$b" ]; then
			run curl -sS -o "$BATS_TEST_TMPDIR/body" -w '%{http_code}' -X PATCH -H "Authorization: Bearer $TOK" "$LK_URL/v2$PAADM/journalruns/$JR10"
		else
			run jpatch "$JR10" "$b"
		fi
		assert_output 400
	done
	run body '.messages[0].description'
	assert_output --partial "Unknown field 'status'"
	run call GET "$PAADM/journalruns/$JR10"
	run body '.content.journalRunStatus.key'
	assert_output 4
	# 255 characters (not bytes) are allowed
	run jpatch "$JR10" "{\"action\":\"MarkAsProcessed\",\"application\":{\"key\":2},\"message\":\"$(printf 'é%.0s' {1..255})\"}"
	assert_output 200
}

@test "journal run PATCH under the fault plan: a lost answer moved the status (the retry is refused, a GET shows 7); a 500 before it did not" {
	TOK=$(token)
	curl -fsS -X POST --data '{"lost":1,"scope":"/v2/providers/employers/payrolladministrations/journalruns"}' "$LK_URL/__emu/faults" >/dev/null
	run jpatch "$JR10" "$JDONE"
	assert_line 000
	assert_line --partial 'Empty reply from server'
	run jpatch "$JR10" "$JDONE"
	assert_output 409
	run call GET "$PAADM/journalruns/$JR10"
	run body '.content.journalRunStatus.key'
	assert_output 7
	curl -fsS -X POST --data '{"500":1,"scope":"/v2/providers/employers/payrolladministrations/journalruns"}' "$LK_URL/__emu/faults" >/dev/null
	run jpatch "$JR3C" "$JDONE"
	assert_output 500
	run call GET "$PAADM/journalruns/$JR3C"
	run body '.content.journalRunStatus.key'
	assert_output 4
	run jpatch "$JR3C" "$JDONE"
	assert_output 200
}

# the small journal fixtures (tests/fixtures/loket/make-journal-fixtures)
JFIX="$ROOT/tests/fixtures/loket"
JRP=f1f2f3f4-a5a6-4b7b-9c8c-00000202  # + period (6011 .. 6102)

@test "journal fixtures: the committed journal-unbalanced and journal-empty are what make-journal-fixtures makes of acme; acme's journal stays balanced" {
	"$JFIX/make-journal-fixtures" "$BATS_TEST_TMPDIR/fx"
	for d in journal-unbalanced journal-empty; do
		cmp "$BATS_TEST_TMPDIR/fx/$d/state.json" "$JFIX/$d/state.json"
		cmp "$BATS_TEST_TMPDIR/fx/$d/client.json" "$JFIX/$d/client.json"
	done
	run jq -c '[.journalRunResults | group_by(.journalRunId)[] | (map(.debetAmount * 100 | round) | add) - (map(.creditAmount * 100 | round) | add)] | unique' "$JFIX/acme/state.json"
	assert_output '[0]'
}

@test "journal-unbalanced: every journalRunStatus 0-7 with its value; 0-3 refuse results (400), 4-7 serve them; period 10's ready run is one cent off, period 9's has a zero line and a negative amount" {
	LOKET_FIX="$JFIX/journal-unbalanced" LK_NAME=unbal loket_start
	TOK=$(token)
	run call GET "$PAADM/$PA/journalruns"
	assert_output 200
	run body '._embedded | map(.journalRunStatus.key) | unique'
	assert_output '[0,1,2,3,4,5,6,7]'
	run body '._embedded | map(.journalRunStatus | "\(.key)=\(.value)") | unique | join("|")'
	assert_output '"0=Staat klaar voor journaliseren|1=Geen journaal resultaten|2=Fout bij aanmaken|3=Verwijderd door gebruiker|4=Journaal gereed|5=Wordt geëxporteerd|6=Exporteren mislukt|7=Journaal geëxporteerd"'
	for id in $(body '._embedded[] | "\(.id)=\(.journalRunStatus.key)"' | tr -d '"'); do
		run call GET "$PAADM/journalruns/${id%=*}/results"
		if [ "${id#*=}" -le 3 ]; then
			assert_output 400
			run body '.messages[0] | [.type, .code]'
			assert_output '["BrokenBusinessRule",1901]'
		else
			assert_output 200
		fi
	done
	run call GET "$PAADM/journalruns/${JRP}6102/results"
	run body '[(._embedded | map(.debetAmount * 100 | round) | add), (._embedded | map(.creditAmount * 100 | round) | add), ._embedded[0].debetAmount]'
	assert_output '[4202601,4202600,16950.01]'
	run call GET "$PAADM/journalruns/${JRP}6091/results"
	run body '[(._embedded | map(.debetAmount * 100 | round) | add) == (._embedded | map(.creditAmount * 100 | round) | add),
		(._embedded | map(select(.debetAmount == 0 and .creditAmount == 0)) | length), (._embedded | map(select(.debetAmount < 0)) | map(.debetAmount))]'
	assert_output '[true,1,[-15.25]]'
	# the ready runs can be marked; a run "being exported" (5) or failed (6) cannot
	run jpatch "${JRP}6102" "$JDONE"
	assert_output 200
	run jpatch "${JRP}6051" "$JDONE"
	assert_output 409
	run jpatch "${JRP}6011" "$JDONE"
	assert_output 409
	run body '.messages[0].description'
	assert_output --partial 'journalRunStatus 0 (Staat klaar voor journaliseren)'
	loket_stop
}

@test "journal-empty: no journal runs while the administration has its approved payroll runs" {
	LOKET_FIX="$JFIX/journal-empty" LK_NAME=jempty loket_start
	TOK=$(token)
	run call GET "$PAADM/$PA/journalruns"
	assert_output 200
	run body '[.totalSize, ._embedded]'
	assert_output '[0,[]]'
	run call GET "$PAADM/$PA/payrollruns"
	run body '[.totalSize, (._embedded | map(select(.payrollRunStatus.key == 9)) | length)]'
	assert_output '[11,11]'
	run call GET "$PAADM/$PA/payrollperiods?pageSize=1&pageNumber=10"
	run body '._embedded[0] | [.id, (.payrollRuns | map(.journalRuns))]'
	assert_output '[202610,[[]]]'
	loket_stop
}
