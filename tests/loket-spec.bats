#!/usr/bin/env bats
# The Loket emulator's answers validate against the response schemas of Loket's own
# OpenAPI spec (../shared/reference/loket-openapi-v2.json), operation by operation.

load helper

SPEC="$LOKET_SPEC"
ER=5c1e0f8a-6b2d-4c3e-9f10-000000000001
EE=0e7f3a1c-2b4d-4e5f-8a9b-000000000101
EM=3d2c1b0a-9f8e-4d7c-8b6a-000000000101

setup_file() {
	load helper
	loket_start
}
teardown_file() { loket_stop; }

setup() {
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	loket_client
	TOK=$(loket_token)
}

@test "the vendored spec is Loket's reference spec (when ../shared/reference is beside the project)" {
	ref="$ROOT/../shared/reference/loket-openapi-v2.json"
	[ -f "$ref" ] || skip "no ../shared/reference beside this checkout"
	gzip -dc "$LOKET_SPEC" | cmp - "$ref"
}

# conforms METHOD TEMPLATE REAL_PATH STATUS [JSON_BODY]
conforms() {
	local args=(-sS -o "$BATS_TEST_TMPDIR/body.json" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $TOK")
	[ -z "${5:-}" ] || args+=(-H 'Content-Type: application/json' --data "$5")
	run curl "${args[@]}" "$LK_URL/v2$3"
	assert_output "$4"
	run spec-check "$SPEC" "$1" "$2" "$4" "$BATS_TEST_TMPDIR/body.json"
	assert_success
}

@test "spec-check itself rejects a body that breaks the schema" {
	curl -fsS -H "Authorization: Bearer $TOK" "$LK_URL/v2/providers/employers/$ER/employees" |
		jq '.totalSize="x" | ._embedded[0].employeeNumber="abc"' >"$BATS_TEST_TMPDIR/bad.json"
	run spec-check "$SPEC" GET "/providers/employers/{employerId}/employees" 200 "$BATS_TEST_TMPDIR/bad.json"
	assert_failure 1
	assert_line --partial "employeeNumber: 'abc' is not of type 'integer'"
	assert_line --partial "totalSize: 'x' is not of type 'integer'"
}

@test "reads: employers, administrations, employees, BSN, employments" {
	conforms GET /providers/employers /providers/employers 200
	conforms GET "/providers/employers/{employerId}/payrolladministrations" "/providers/employers/$ER/payrolladministrations" 200
	conforms GET "/providers/employers/{employerId}/employees" "/providers/employers/$ER/employees" 200
	conforms GET "/providers/employers/employees/{employeeId}" "/providers/employers/employees/$EE" 200
	conforms GET "/providers/employers/employees/{employeeId}/citizenservicenumber" "/providers/employers/employees/$EE/citizenservicenumber" 200
	conforms GET "/providers/employers/{employerId}/employees/employments" "/providers/employers/$ER/employees/employments" 200
	conforms GET "/providers/employers/employees/{employeeId}/employments" "/providers/employers/employees/$EE/employments" 200
	conforms GET "/providers/employers/employees/employments/{employmentId}" "/providers/employers/employees/employments/$EM" 200
	conforms GET "/providers/employers/{employerId}/conceptemployees" "/providers/employers/$ER/conceptemployees" 200
}

@test "reads: wages, benefits and deductions, payroll period data" {
	conforms GET "/providers/employers/employees/employments/{employmentId}/wages" "/providers/employers/employees/employments/$EM/wages" 200
	conforms GET "/providers/employers/employees/employments/{employmentId}/benefitsanddeductions" "/providers/employers/employees/employments/$EM/benefitsanddeductions" 200
	conforms GET "/providers/employers/employees/employments/{employmentId}/payrollperioddata" "/providers/employers/employees/employments/$EM/payrollperioddata" 200
}

@test "writes: a new wage and a new benefit" {
	conforms POST "/providers/employers/employees/employments/{employmentId}/wages" "/providers/employers/employees/employments/$EM/wages" 201 \
		'{"startDate":"2026-07-01","grossWage":4000,"grossWageType":{"key":1}}'
	conforms POST "/providers/employers/employees/employments/{employmentId}/benefitsanddeductions" "/providers/employers/employees/employments/$EM/benefitsanddeductions" 201 \
		'{"payrollComponent":{"key":7002},"value":25.5,"startDate":"2026-02-01","endDate":null}'
}

@test "writes: employee PUT, BSN PUT, payroll period data PATCH, convertToEmployee, terminate" {
	curl -fsS -H "Authorization: Bearer $TOK" "$LK_URL/v2/providers/employers/employees/$EE" |
		jq -c '.content | .contactInformation.phoneNumber = "+31 20 1234567"' >"$BATS_TEST_TMPDIR/emp.json"
	conforms PUT "/providers/employers/employees/{employeeId}" "/providers/employers/employees/$EE" 200 \
		"$(cat "$BATS_TEST_TMPDIR/emp.json")"
	conforms PUT "/providers/employers/employees/{employeeId}/citizenservicenumber" "/providers/employers/employees/$EE/citizenservicenumber" 200 \
		'{"citizenServiceNumber":"111222333"}'
	# the spec declares no body for this answer: the status is what can be checked
	run curl -sS -o /dev/null -w '%{http_code}' -X PATCH -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' \
		--data '{"payrollPeriod":{"year":2026,"periodNumber":3},"payrollComponents":[{"payrollComponent":{"key":7002},"value":500}]}' \
		"$LK_URL/v2/providers/employers/employees/employments/$EM/payrollperioddata"
	assert_output 200
	run spec-check "$SPEC" PATCH "/providers/employers/employees/employments/{employmentId}/payrollperioddata" 200 /dev/null
	assert_failure 2
	assert_output --partial "has no response body in the spec"
	# PUT replaces the record's components (O3 removes an entry this way)
	pid=$(curl -fsS -H "Authorization: Bearer $TOK" "$LK_URL/v2/providers/employers/employees/employments/$EM/payrollperioddata" | jq -r '._embedded[0].id')
	conforms PUT "/providers/employers/employees/employments/payrollperioddata/{payrollperioddataId}" "/providers/employers/employees/employments/payrollperioddata/$pid" 200 \
		'{"payrollComponents":[{"payrollComponent":{"key":7002},"value":250,"isSupplement":false}]}'
	run jq -c '.content.payrollComponents | map([.payrollComponent.key, .value])' "$BATS_TEST_TMPDIR/body.json"
	assert_output '[[7002,250]]'
	# the spec declares no request body here (and the emulator refuses one)
	run gzip -dc "$SPEC"
	run jq -c '.paths["/providers/employers/conceptemployees/{conceptEmployeeId}/convertToEmployee"].patch | has("requestBody")' <<<"$output"
	assert_output false
	conforms PATCH "/providers/employers/conceptemployees/{conceptEmployeeId}/convertToEmployee" "/providers/employers/conceptemployees/c0c0c0c0-1111-4222-8333-000000000001/convertToEmployee" 200
	conforms PATCH "/providers/employers/employees/employments/{employmentId}/terminate" "/providers/employers/employees/employments/$EM/terminate" 200 \
		'{"endDate":"2026-10-31","endOfEmploymentReason":{"key":8}}'
}

@test "errors: a broken business rule answers 400 with messages as the spec describes" {
	conforms POST "/providers/employers/employees/employments/{employmentId}/wages" "/providers/employers/employees/employments/$EM/wages" 400 \
		'{"startDate":"2010-01-01","grossWage":4000}'
}

PA=7a9b3c2d-1e4f-4a5b-8c6d-000000000001
RUN3=e1e2e3e4-f5f6-4a7a-8b8b-000000202603
JR10=f1f2f3f4-a5a6-4b7b-9c8c-000002026102
JR10_REMOVED=f1f2f3f4-a5a6-4b7b-9c8c-000002026101
RUN3C=e1e2e3e4-f5f6-4a7a-8b8b-000002026031 # period 3's correction run (104 only)
JR3C=f1f2f3f4-a5a6-4b7b-9c8c-000020260311
EM104=3d2c1b0a-9f8e-4d7c-8b6a-000000000104

@test "payroll history: payroll runs, journal runs, journal run results, payroll periods with their runs" {
	conforms GET "/providers/employers/payrolladministrations/{payrollAdministrationId}/payrollruns" "/providers/employers/payrolladministrations/$PA/payrollruns" 200
	conforms GET "/providers/employers/payrolladministrations/payrollruns/{payrollrunId}" "/providers/employers/payrolladministrations/payrollruns/$RUN3" 200
	conforms GET "/providers/employers/payrolladministrations/{payrollAdministrationId}/journalruns" "/providers/employers/payrolladministrations/$PA/journalruns" 200
	conforms GET "/providers/employers/payrolladministrations/journalruns/{journalrunId}" "/providers/employers/payrolladministrations/journalruns/$JR10_REMOVED" 200
	conforms GET "/providers/employers/payrolladministrations/journalruns/{journalrunId}/results" "/providers/employers/payrolladministrations/journalruns/$JR10/results" 200
	conforms GET "/providers/employers/payrolladministrations/{payrollAdministrationId}/payrollperiods" "/providers/employers/payrolladministrations/$PA/payrollperiods" 200
	run jq '[._embedded[].payrollRuns[]] | length' "$BATS_TEST_TMPDIR/body.json"
	assert_output 11
	# a removed journal run has no results: a broken business rule
	conforms GET "/providers/employers/payrolladministrations/journalruns/{journalrunId}/results" "/providers/employers/payrolladministrations/journalruns/$JR10_REMOVED/results" 400
}

# pdf_download TEMPLATE REAL_PATH: the spec answers 200 with application/pdf; so does the emulator
pdf_download() {
	run gzip -dc "$SPEC"
	run jq -r --arg p "$1" '.paths[$p].get.responses["200"].content | keys[]' <<<"$output"
	assert_line application/pdf
	run curl -sS -o "$BATS_TEST_TMPDIR/doc.pdf" -w '%{http_code} %{content_type}' -H "Authorization: Bearer $TOK" \
		-H 'Accept: application/pdf' "$LK_URL/v2$2"
	assert_output '200 application/pdf'
	run head -c 5 "$BATS_TEST_TMPDIR/doc.pdf"
	assert_output '%PDF-'
}

@test "documents: payslip and year-end statement lists and one run's payslip results; PDF downloads" {
	conforms GET "/providers/employers/employees/employments/{employmentId}/payslips" "/providers/employers/employees/employments/$EM/payslips" 200
	conforms GET "/providers/employers/employees/employments/{employmentId}/payslips/{payrollrunId}" "/providers/employers/employees/employments/$EM/payslips/$RUN3" 200
	conforms GET "/providers/employers/employees/employments/{employmentId}/yearendstatements" "/providers/employers/employees/employments/$EM/yearendstatements" 200
	pdf_download "/providers/employers/employees/employments/{employmentId}/payslips/{payrollrunId}" "/providers/employers/employees/employments/$EM/payslips/$RUN3"
	pdf_download "/providers/employers/employees/employments/{employmentId}/payslips/{year}" "/providers/employers/employees/employments/$EM/payslips/2026"
	pdf_download "/providers/employers/employees/employments/{employmentId}/yearendstatements/{year}" "/providers/employers/employees/employments/$EM/yearendstatements/2025"
}

@test "DOC1 the correction run conforms: the run, its journal run and results, 104's payslip list with period 3 twice, the correction's payslip" {
	conforms GET "/providers/employers/payrolladministrations/payrollruns/{payrollrunId}" "/providers/employers/payrolladministrations/payrollruns/$RUN3C" 200
	# availableForEmployeeDate is a member of the spec's payroll run (a date), and ours is one
	run gzip -dc "$SPEC"
	run jq -r '.. | objects | select(has("availableForEmployeeDate")) | .availableForEmployeeDate.format // .availableForEmployeeDate.type' <<<"$output"
	assert_line --regexp '^date$'
	run jq -r '.content.availableForEmployeeDate' "$BATS_TEST_TMPDIR/body.json"
	assert_output 2026-10-30
	conforms GET "/providers/employers/payrolladministrations/journalruns/{journalrunId}" "/providers/employers/payrolladministrations/journalruns/$JR3C" 200
	conforms GET "/providers/employers/payrolladministrations/journalruns/{journalrunId}/results" "/providers/employers/payrolladministrations/journalruns/$JR3C/results" 200
	conforms GET "/providers/employers/employees/employments/{employmentId}/payslips" "/providers/employers/employees/employments/$EM104/payslips" 200
	run jq -c '[._embedded[] | select(.payrollPeriod.periodNumber == 3) | .payrollrunId]' "$BATS_TEST_TMPDIR/body.json"
	assert_output "[\"e1e2e3e4-f5f6-4a7a-8b8b-000000202603\",\"$RUN3C\"]"
	conforms GET "/providers/employers/employees/employments/{employmentId}/payslips/{payrollrunId}" "/providers/employers/employees/employments/$EM104/payslips/$RUN3C" 200
	conforms GET "/providers/employers/employees/employments/{employmentId}/yearendstatements" "/providers/employers/employees/employments/$EM104/yearendstatements" 200
	pdf_download "/providers/employers/employees/employments/{employmentId}/payslips/{payrollrunId}" "/providers/employers/employees/employments/$EM104/payslips/$RUN3C"
	# a re-issued statement's list still conforms (years only) and its PDF is still a PDF
	curl -fsS -X POST --data '{"employmentId":"'"$EM104"'","year":2025}' "$LK_URL/__emu/reissue-yearendstatement" >/dev/null
	conforms GET "/providers/employers/employees/employments/{employmentId}/yearendstatements" "/providers/employers/employees/employments/$EM104/yearendstatements" 200
	run jq -c '._embedded' "$BATS_TEST_TMPDIR/body.json"
	assert_output '[{"year":2025}]'
	pdf_download "/providers/employers/employees/employments/{employmentId}/yearendstatements/{year}" "/providers/employers/employees/employments/$EM104/yearendstatements/2025"
}

@test "R1: the payroll component catalogue of a year (GET .../payrollcomponents/year/{year})" {
	conforms GET "/providers/employers/payrolladministrations/{payrollAdministrationId}/payrollcomponents/year/{year}" "/providers/employers/payrolladministrations/$PA/payrollcomponents/year/2026" 200
	run jq '._embedded | length' "$BATS_TEST_TMPDIR/body.json"
	assert_output 13
}

# The spec documents metadata endpoints in its operations' descriptions ("adding /metadata to
# the URL"), not as paths; its one metadata response schema is the leave metadata's, which
# these answers are checked against: {_embedded[{field, options[{key, value}]}]} in a page.
META_TMPL="/providers/employers/employees/employments/{employmentId}/leave/metadata"

@test "metadata: the answers of .../metadata (PUT employee, POST wage, POST concept employee) have the spec's metadata shape; the operations say they exist" {
	run gzip -dc "$SPEC"
	spec=$output
	for op in 'put|/providers/employers/employees/{employeeId}' 'post|/providers/employers/employees/employments/{employmentId}/wages' \
		'post|/providers/employers/{employerId}/conceptemployees'; do
		run jq -r --arg m "${op%%|*}" --arg p "${op#*|}" '.paths[$p][$m].description | test("/metadata")' <<<"$spec"
		assert_output true
	done
	conforms GET "$META_TMPL" "/providers/employers/employees/$EE/metadata" 200
	conforms GET "$META_TMPL" "/providers/employers/employees/employments/$EM/wages/metadata" 200
	conforms GET "$META_TMPL" "/providers/employers/$ER/conceptemployees/metadata" 200
	# and the check can fail: an option key of the wrong type
	jq '._embedded[0].options[0].key = "one"' "$BATS_TEST_TMPDIR/body.json" >"$BATS_TEST_TMPDIR/bad.json"
	run spec-check "$SPEC" GET "$META_TMPL" 200 "$BATS_TEST_TMPDIR/bad.json"
	assert_failure 1
	assert_output --partial "'one' is not of type 'integer'"
}

@test "metadata: spec-check --requests takes a GET of PATH/metadata as declared only where PATH's operation documents it" {
	jq -n --arg ee "$EE" --arg em "$EM" '[{method:"GET",path:"/providers/employers/employees/\($ee)/metadata",query:{},body:null},
		{method:"GET",path:"/providers/employers/employees/employments/\($em)/wages/metadata",query:{},body:null},
		{method:"GET",path:"/providers/employers/employees/employments/\($em)/nothing/metadata",query:{},body:null},
		{method:"GET",path:"/providers/employers/employees/\($ee)/metadata",query:{pageSize:"9"},body:null}]' >"$BATS_TEST_TMPDIR/req.json"
	run spec-check "$SPEC" --requests "$BATS_TEST_TMPDIR/req.json"
	assert_failure 1
	assert_output --partial "request 3 (GET /providers/employers/employees/employments/$EM/nothing/metadata): no such operation"
	assert_output --partial "request 4 (GET /providers/employers/employees/$EE/metadata): query parameter 'pageSize' on a metadata request"
	refute_output --partial 'request 1'
	refute_output --partial 'request 2'
}

@test "version numbers and one period's payroll period data for the administration (issue 11) have the spec's shapes; fetch-loket --state asks only what the spec declares" {
	PA=7a9b3c2d-1e4f-4a5b-8c6d-000000000001
	conforms GET /providers/employers/lastmodifiedversionnumbers "/providers/employers/lastmodifiedversionnumbers?filter=lastModifiedVersionNumber%20gt%201&orderBy=-lastModifiedVersionNumber" 200
	conforms GET "/providers/employers/{employerId}/employees/employments/lastmodifiedversionnumbers" "/providers/employers/$ER/employees/employments/lastmodifiedversionnumbers" 200
	conforms GET "/providers/employers/payrolladministrations/{payrollAdministrationId}/payrollPeriods/{payrollPeriodId}/payrollperioddata" "/providers/employers/payrolladministrations/$PA/payrollPeriods/202605/payrollperioddata?payslipType=1&payrollComponentCategory=7" 200
	conforms GET "/providers/employers/payrolladministrations/{payrollAdministrationId}/payrollperiods" "/providers/employers/payrolladministrations/$PA/payrollperiods" 200
	conforms GET "/providers/employers/payrolladministrations/{payrollAdministrationId}/availablepayrollcomponentsets" "/providers/employers/payrolladministrations/$PA/availablepayrollcomponentsets" 200
	conforms GET "/providers/employers/payrolladministrations/{payrollAdministrationId}/payrollPeriods/{payrollPeriodId}/payrollperioddata" "/providers/employers/payrolladministrations/$PA/payrollPeriods/202605/payrollperioddata?payslipType=1&payrollComponentSet=5e750000-0000-4000-8000-000000000001" 200
	loket_login
	curl -fsS -X POST "$LK_URL/__emu/reset-log" >/dev/null
	fetch-loket -c "$CFG" --as-of 2026-11-15 --state "$BATS_TEST_TMPDIR/state" >/dev/null
	curl -fsS "$LK_URL/v2/providers/employers/employees/employments/3d2c1b0a-9f8e-4d7c-8b6a-000000000103/wages" -X POST -H "Authorization: Bearer $TOK" \
		-H 'Content-Type: application/json' --data '{"startDate":"2026-11-01","grossWage":4321.00,"grossWageType":{"key":1},"applyPayGrade":false}' >/dev/null
	fetch-loket -c "$CFG" --as-of 2026-11-15 --state "$BATS_TEST_TMPDIR/state" >/dev/null
	curl -fsS "$LK_URL/__emu/requests" >"$BATS_TEST_TMPDIR/req.json"
	jq -e 'map(.path) | any(endswith("/lastmodifiedversionnumbers"))' "$BATS_TEST_TMPDIR/req.json"
	run spec-check "$SPEC" --requests "$BATS_TEST_TMPDIR/req.json"
	assert_success
}

@test "the collective payroll period data PATCH (issue 11): its requests are the spec's; a 400 naming the item has the spec's shape" {
	C=/providers/employers/$ER/payrollperioddata
	T="/providers/employers/{employerId}/payrollperioddata"
	item='{"employmentId":"'"$EM"'","payrollPeriod":{"year":2026,"periodNumber":3},"shift":{"shiftNumber":1},"payrollComponents":[{"payrollComponent":{"key":8101},"value":12.5,"isSupplement":false}]}'
	run curl -sS -o /dev/null -w '%{http_code}' -X PATCH -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json;version=2018-01-01' --data "[$item]" "$LK_URL/v2$C"
	assert_output 200
	conforms PATCH "$T" "$C" 400 "[$item, $(jq -c '.payrollComponents[0].payrollComponent.key=9999' <<<"$item")]"
	run jq -r '.messages[0].description' "$BATS_TEST_TMPDIR/body.json"
	assert_output --partial 'item 1 (employmentId'
	curl -fsS "$LK_URL/__emu/requests" | jq -c '[.[] | select(.method=="PATCH")][0:1]' >"$BATS_TEST_TMPDIR/req.json"
	run spec-check "$SPEC" --requests "$BATS_TEST_TMPDIR/req.json"
	assert_success
	# an item the spec's schema refuses is caught (an employmentId that is not a GUID)
	jq -c '.[0].body[0].employmentId="101"' "$BATS_TEST_TMPDIR/req.json" >"$BATS_TEST_TMPDIR/bad.json"
	run spec-check "$SPEC" --requests "$BATS_TEST_TMPDIR/bad.json"
	assert_failure
}

# members TEMPLATE WHERE: the member names the spec's 200 answer of GET TEMPLATE gives its
# WHERE ("content" or "_embedded" items), sorted, as a JSON array
members() {
	gzip -dc "$SPEC" | python3 -c '
import json, sys
d = json.load(sys.stdin)
def res(o):
    if isinstance(o, dict):
        if "$ref" in o:
            x = d
            for r in o["$ref"].split("/")[1:]:
                x = x[r]
            return res(x)
        return {k: res(v) for k, v in o.items()}
    return [res(v) for v in o] if isinstance(o, list) else o
def props(s):
    out = {}
    for p in s.get("allOf", []):
        out.update(props(p))
    out.update(s.get("properties", {}))
    return out
c = d["paths"][sys.argv[1]]["get"]["responses"]["200"]["content"]
s = props(props(res(list(c.values())[0]["schema"]))[sys.argv[2]])
if sys.argv[2] == "_embedded":
    s = props(res(props(res(list(c.values())[0]["schema"]))["_embedded"]["items"]))
print(json.dumps(sorted(s)).replace(" ", ""))' "$1" "$2"
}

@test "DOC1 the document-related answers have every member the spec gives them, and no other: payroll run, journal run, payslip list, year-end statement list" {
	for t in 'content|/providers/employers/payrolladministrations/payrollruns/{payrollrunId}|/providers/employers/payrolladministrations/payrollruns/'"$RUN3C" \
		'content|/providers/employers/payrolladministrations/journalruns/{journalrunId}|/providers/employers/payrolladministrations/journalruns/'"$JR3C" \
		'_embedded|/providers/employers/employees/employments/{employmentId}/payslips|/providers/employers/employees/employments/'"$EM104"'/payslips' \
		'_embedded|/providers/employers/employees/employments/{employmentId}/yearendstatements|/providers/employers/employees/employments/'"$EM104"'/yearendstatements'; do
		IFS='|' read -r where tmpl path <<<"$t"
		want=$(members "$tmpl" "$where")
		[ "$want" != '[]' ]
		curl -fsS -H "Authorization: Bearer $TOK" "$LK_URL/v2$path" >"$BATS_TEST_TMPDIR/m.json"
		if [ "$where" = content ]; then
			got=$(jq -c '.content | keys' "$BATS_TEST_TMPDIR/m.json")
		else
			got=$(jq -c '[._embedded[] | keys] | unique | if length == 1 then .[0] else . end' "$BATS_TEST_TMPDIR/m.json")
		fi
		assert_equal "$got" "$want"
	done
}

@test "journal runs: the run list and the results have every member the spec gives them, and no other" {
	for t in '_embedded|/providers/employers/payrolladministrations/{payrollAdministrationId}/journalruns|/providers/employers/payrolladministrations/'"$PA"'/journalruns' \
		'_embedded|/providers/employers/payrolladministrations/journalruns/{journalrunId}/results|/providers/employers/payrolladministrations/journalruns/'"$JR10"'/results' \
		'content|/providers/employers/payrolladministrations/journalruns/{journalrunId}|/providers/employers/payrolladministrations/journalruns/'"$JR10"; do
		IFS='|' read -r where tmpl path <<<"$t"
		want=$(members "$tmpl" "$where")
		[ "$want" != '[]' ]
		curl -fsS -H "Authorization: Bearer $TOK" "$LK_URL/v2$path" >"$BATS_TEST_TMPDIR/m.json"
		if [ "$where" = content ]; then
			got=$(jq -c '.content | keys' "$BATS_TEST_TMPDIR/m.json")
		else
			got=$(jq -c '[._embedded[] | keys] | unique | if length == 1 then .[0] else . end' "$BATS_TEST_TMPDIR/m.json")
		fi
		assert_equal "$got" "$want"
	done
}

JT="/providers/employers/payrolladministrations/journalruns/{journalrunId}"
JP=/providers/employers/payrolladministrations/journalruns

@test "journal run PATCH (PatchJournalRunByJournalRunId): 200, 409 for a second PATCH and 400 for a bad body have the spec's shapes, 404 its status; the requests are the spec's" {
	run gzip -dc "$SPEC"
	run jq -c --arg p "$JT" '.paths[$p].patch | [.operationId, (.responses | keys), .requestBody.content[].schema.properties.action.enum]' <<<"$output"
	assert_output '["PatchJournalRunByJournalRunId",["200","400","401","403","404","409","500"],["MarkAsProcessed","MarkAsProcessingFailed"]]'
	curl -fsS -X POST "$LK_URL/__emu/reset-log" >/dev/null
	conforms PATCH "$JT" "$JP/$JR10" 200 '{"action":"MarkAsProcessed","application":{"key":2},"message":"geboekt"}'
	run jq -c '.content.journalRunStatus' "$BATS_TEST_TMPDIR/body.json"
	assert_output '{"key":7,"value":"Journaal geëxporteerd"}'
	conforms PATCH "$JT" "$JP/$JR10" 409 '{"action":"MarkAsProcessed","application":{"key":2},"message":"geboekt"}'
	conforms PATCH "$JT" "$JP/$JR3C" 400 '{"action":"markAsSuccessfullyExported","application":{"key":2}}'
	conforms PATCH "$JT" "$JP/$JR3C" 200 '{"action":"MarkAsProcessingFailed","application":{"key":2},"message":null}'
	# an unknown run: 404, for which the spec declares no body (the status is what can be checked)
	run curl -sS -o /dev/null -w '%{http_code}' -X PATCH -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' \
		--data '{"action":"MarkAsProcessed","application":{"key":2}}' "$LK_URL/v2$JP/00000000-0000-4000-8000-000000000000"
	assert_output 404
	run spec-check "$SPEC" PATCH "$JT" 404 /dev/null
	assert_failure 2
	assert_output --partial "has no response body in the spec"
	curl -fsS "$LK_URL/__emu/requests" | jq -c '[.[] | select(.method == "PATCH")][:4]' >"$BATS_TEST_TMPDIR/req.json"
	run jq length "$BATS_TEST_TMPDIR/req.json"
	assert_output 4
	# the requests that were accepted are the spec's; the refused action is not (the check can fail)
	jq -c 'del(.[2])' "$BATS_TEST_TMPDIR/req.json" >"$BATS_TEST_TMPDIR/good.json"
	run spec-check "$SPEC" --requests "$BATS_TEST_TMPDIR/good.json"
	assert_success
	jq -c '[.[2]]' "$BATS_TEST_TMPDIR/req.json" >"$BATS_TEST_TMPDIR/bad.json"
	run spec-check "$SPEC" --requests "$BATS_TEST_TMPDIR/bad.json"
	assert_failure
	assert_output --partial markAsSuccessfullyExported
}

@test "journal-unbalanced and journal-empty conform: the run list with every status, a ready run's results, a status-0 run's refusal, the empty list" {
	LOKET_FIX="$ROOT/tests/fixtures/loket/journal-unbalanced" LK_NAME=unbal loket_start
	TOK=$(loket_token)
	conforms GET "/providers/employers/payrolladministrations/{payrollAdministrationId}/journalruns" "/providers/employers/payrolladministrations/$PA/journalruns" 200
	run jq -c '._embedded | map(.journalRunStatus.key) | unique' "$BATS_TEST_TMPDIR/body.json"
	assert_output '[0,1,2,3,4,5,6,7]'
	conforms GET "/providers/employers/payrolladministrations/journalruns/{journalrunId}" "$JP/f1f2f3f4-a5a6-4b7b-9c8c-000002026011" 200
	run jq -c '.content | [.journalRunStatus.key, .processingFinishedTime]' "$BATS_TEST_TMPDIR/body.json"
	assert_output '[0,null]'
	conforms GET "/providers/employers/payrolladministrations/journalruns/{journalrunId}/results" "$JP/$JR10/results" 200
	conforms GET "/providers/employers/payrolladministrations/journalruns/{journalrunId}/results" "$JP/f1f2f3f4-a5a6-4b7b-9c8c-000002026091/results" 200
	conforms GET "/providers/employers/payrolladministrations/journalruns/{journalrunId}/results" "$JP/f1f2f3f4-a5a6-4b7b-9c8c-000002026011/results" 400
	loket_stop
	LOKET_FIX="$ROOT/tests/fixtures/loket/journal-empty" LK_NAME=jempty loket_start
	TOK=$(loket_token)
	conforms GET "/providers/employers/payrolladministrations/{payrollAdministrationId}/journalruns" "/providers/employers/payrolladministrations/$PA/journalruns" 200
	run jq -c '[.totalSize, ._embedded]' "$BATS_TEST_TMPDIR/body.json"
	assert_output '[0,[]]'
	conforms GET "/providers/employers/payrolladministrations/{payrollAdministrationId}/payrollruns" "/providers/employers/payrolladministrations/$PA/payrollruns" 200
	loket_stop
}

@test "the audit trail of employee data (GetEmployeeDataAuditTrailByEmployerId): a PUT naming X-Emu-User is an entry with every member the spec gives it; the dates are required" {
	W=9a8b7c6d-5e4f-4a3b-9c2d-000000001012
	curl -fsS -X PUT -H "Authorization: Bearer $TOK" -H 'X-Emu-User: Jong, I' -H 'X-Emu-Time: 2026-11-15T10:24:00.000Z' \
		-H 'Content-Type: application/json' --data '{"startDate":"2026-01-01","grossWage":4000,"grossWageType":{"key":1}}' \
		"$LK_URL/v2/providers/employers/employees/employments/wages/$W" >/dev/null
	# a PUT without the header (loketpipe's push) is no entry
	curl -fsS -X PUT -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' --data '{"grossWage":4100}' \
		"$LK_URL/v2/providers/employers/employees/employments/wages/$W" >/dev/null
	T="/providers/employers/{employerId}/auditTrail/EmployeeData"
	conforms GET "$T" "/providers/employers/$ER/auditTrail/EmployeeData?startDate=2026-11-15T00:00:00Z&endDate=2026-11-15T23:59:59Z&pageNumber=1&pageSize=250" 200
	run jq -c '[.totalSize, (._embedded[] | [.employee.employeeNumber, .entity.value, .field.value, .oldValue, .newValue, .performedBy.formattedName, .timeStamp])]' "$BATS_TEST_TMPDIR/body.json"
	assert_output '[1,[101,"wage","grossWage","3200","4000","Jong, I","2026-11-15T10:24:00.000Z"]]'
	assert_equal "$(jq -c '[._embedded[] | keys] | unique | .[0]' "$BATS_TEST_TMPDIR/body.json")" "$(members "$T" _embedded)"
	# outside the period: none; a date alone as endDate takes in its day
	conforms GET "$T" "/providers/employers/$ER/auditTrail/EmployeeData?startDate=2026-11-16&endDate=2026-11-30" 200
	assert_equal "$(jq .totalSize "$BATS_TEST_TMPDIR/body.json")" 0
	conforms GET "$T" "/providers/employers/$ER/auditTrail/EmployeeData?startDate=2026-11-15&endDate=2026-11-15" 200
	assert_equal "$(jq .totalSize "$BATS_TEST_TMPDIR/body.json")" 1
	conforms GET "$T" "/providers/employers/$ER/auditTrail/EmployeeData?startDate=2026-11-15" 400
}
