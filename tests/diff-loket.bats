#!/usr/bin/env bats
# diff-loket: the plan from desired (map-compensation) and current (fetch-loket) state.
# acme against the seeded Loket emulator (golden plan, applied with curl, converges); hand-made
# records for client "t" (tests/fixtures/t.json) for bad input and the pipelines from
# map-compensation. The rule cases on hand-made records are data: tests/cases/diff-loket/
# (run by tests/cases.bats, see tests/README).

load helper

setup_file() {
	load helper
	loket_start
}
teardown_file() { loket_stop; }

DESIRED="$ROOT/tests/golden/acme.fixed.desired.ndjson"
GOLDEN="$ROOT/tests/golden/acme.plan.ndjson"

setup() {
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	loket_client
	loket_login
	IN="$BATS_TEST_TMPDIR/desired.ndjson"
	CUR="$BATS_TEST_TMPDIR/current.ndjson"
	PLAN="$BATS_TEST_TMPDIR/plan.ndjson"
}

acme_plan() { # fetch acme's current state and diff the golden desired state against it
	fetch-loket -c "$CFG" >"$CUR"
	diff-loket -c "$CFG" --current "$CUR" "$DESIRED" >"$PLAN"
}
ops() { jq -r 'select(.type=="loket.op") | "\(.rule) \(.method) \(.employee_number) \(.entity) \(.action)"' "${1:-$PLAN}"; }
apply() { LOKET_ACCESS_TOKEN=$(loket_token) apply-plan "$LK_URL/v2" "$1" >/dev/null; }

# ---- acme ----------------------------------------------------------------------------

@test "acme: the plan equals the golden plan (reviewed by hand); every op names its rule; records validate" {
	acme_plan
	diff -u "$GOLDEN" "$PLAN"
	schema_ok "$PLAN"
	run jq -r 'select(.type=="loket.op") | .rule' "$PLAN"
	refute_output --partial null
	run jq -c 'select(.type=="plan") | [.blocked, .ops, .ops_by_rule]' "$PLAN"
	assert_output '[false,25,{"K3":13,"R2":2,"D2":1,"R3":1,"X3":1,"O1":2,"O3":2,"M1":2,"D3":1}]'
	run tail -n 1 "$PLAN"
	assert_output --partial '"type":"stream_end","client":"acme","source":"plan","complete":true'
}

@test "acme: every op is a request Loket's official spec accepts (path, method, body schema, no read-only field)" {
	acme_plan
	run spec-check "$LOKET_SPEC" --plan "$PLAN"
	assert_success
	# the checker itself catches a read-only field, a wrong type and an unknown path
	jq -c 'select(.type=="loket.op" and .seq==1) | .body.endDate="2026-01-31"' "$PLAN" >"$BATS_TEST_TMPDIR/bad.ndjson"
	jq -c 'select(.type=="loket.op" and .seq==1) | .body.grossWage="4166.67"' "$PLAN" >>"$BATS_TEST_TMPDIR/bad.ndjson"
	jq -c 'select(.type=="loket.op" and .seq==1) | .path="/providers/nothing/here"' "$PLAN" >>"$BATS_TEST_TMPDIR/bad.ndjson"
	run spec-check "$LOKET_SPEC" --plan "$BATS_TEST_TMPDIR/bad.ndjson"
	assert_failure 1
	assert_line --partial 'endDate: readOnly in the spec'
	assert_line --partial "grossWage: '4166.67' is not of type 'number'"
	assert_line --partial 'no operation PUT /providers/nothing/here'
}

@test "acme (K3): the plan applied with plain curl, fetched and diffed again, is empty" {
	acme_plan
	apply "$PLAN"
	fetch-loket -c "$CFG" >"$CUR"
	run diff-loket -c "$CFG" --current "$CUR" "$DESIRED"
	assert_success
	run jq -c 'select(.type=="loket.op")' <<<"$output"
	assert_output ''
}

@test "acme (M2): after the administrator finalises the concept employee, the next plan sends the rest" {
	acme_plan
	apply "$PLAN"
	TOK=$(loket_token)
	ce=$(curl -fsS -H "Authorization: Bearer $TOK" "$LK_URL/v2/providers/employers/$(jq -r .loket.employer_id "$CFG")/conceptemployees" |
		jq -r '._embedded[] | select(.employeeData.employeeNumber==135) | .id')
	curl -fsS -X PATCH -H "Authorization: Bearer $TOK" "$LK_URL/v2/providers/employers/conceptemployees/$ce/convertToEmployee" >/dev/null
	fetch-loket -c "$CFG" >"$CUR"
	diff-loket -c "$CFG" --current "$CUR" "$DESIRED" >"$PLAN"
	run ops
	# the BSN came with the concept employee (M1), so nothing of the employee data is left to send
	assert_output "$(printf '%s\n' 'K3 POST 135 benefit_deduction create' 'O1 PATCH 135 variable_input upsert')"
	run jq -r 'select(.type=="plan") | .concept_employees_waiting | map(.unique_name) | join(",")' "$PLAN"
	assert_output 'Sollicitant 001'
	apply "$PLAN"
	fetch-loket -c "$CFG" >"$CUR"
	diff-loket -c "$CFG" --current "$CUR" "$DESIRED" >"$PLAN"
	run ops
	assert_output ''
}

@test "acme (M1, M2): employee 135 becomes a concept employee with employee data and base salary only" {
	acme_plan
	run jq -c 'select(.type=="loket.op" and .rule=="M1") | [.method, .path, .body.employeeData.employeeNumber,
		.body.employmentData.startDate, .body.wageData.grossWage, (.body | keys)]' "$PLAN"
	assert_output "$(printf '%s\n' '["POST","/providers/employers/5c1e0f8a-6b2d-4c3e-9f10-000000000001/conceptemployees",135,"2026-09-01",3500,["employeeData","employmentData","uniqueName","wageData"]]' \
		'["PUT","/providers/employers/conceptemployees/{conceptEmployeeId}/citizenservicenumber",null,null,null,["citizenServiceNumber"]]')"
	# the BSN goes on the concept employee's own endpoint, into the id the POST creates (M1)
	run jq -r 'select(.type=="loket.op" and .employee_number==135) | "\(.rule) \(.entity) \(.chain) \(.needs_id_of // "-")"' "$PLAN"
	post=$(jq -r 'select(.type=="loket.op" and .entity=="concept_employee") | .op_id' "$PLAN")
	assert_output "$(printf '%s\n' 'M1 concept_employee concept:135 -' "M1 citizen_service_number concept:135 $post")"
	run jq -r 'select(.type=="loket.op" and .entity=="citizen_service_number" and .employee_number==135) | .body.citizenServiceNumber' "$PLAN"
	run lp-unit bsn "$output"
	assert_output 1
	run jq -r 'select(.type=="issue" and .rule=="M2") | .message' "$PLAN"
	assert_line --partial "New concept employee 'Yara Bouzid (Personio 1035)'"
	assert_line --partial "Concept employee 'Sollicitant 001' (no employee number) waits"
}

@test "acme (E3, X2): employee 136, terminated in Loket with a future end date, is left out" {
	acme_plan
	run jq -r 'select(.type=="loket.op" and .employee_number==136)' "$PLAN"
	assert_output ''
	run jq -r 'select(.type=="issue" and .employee_number=="136" and .stage=="diff-loket") | "\(.severity) \(.rule)"' "$PLAN"
	assert_output "$(printf '%s\n' 'warning E3' 'warning X2')"
}

@test "acme (M3): income number 2 picks 137's second employment; its wage starts with that employment" {
	acme_plan
	run jq -c 'select(.type=="loket.op" and .employee_number==137) | [.method, .path, .body.startDate, .body.grossWage]' "$PLAN"
	assert_output '["POST","/providers/employers/employees/employments/3d2c1b0a-9f8e-4d7c-8b6a-000000001372/wages","2026-07-01",4050]'
}

@test "acme (D2, D3): a hand edit in Loket is overwritten; a blank in Personio clears the field" {
	acme_plan
	run jq -c 'select(.type=="loket.op" and .entity=="employee") | [.rule, .employee_number, .before, .after]' "$PLAN"
	assert_line '["D2",102,{"contactInformation.emailAddress":"sanne.berg@gmail.example"},{"contactInformation.emailAddress":"sanne.vandenberg@acme.example"}]'
	assert_line '["D3",138,{"contactInformation.phoneNumber":"+31 6 12345678"},{"contactInformation.phoneNumber":null}]'
	# the PUT sends the whole resource back without read-only fields
	run jq -c 'select(.type=="loket.op" and .employee_number==138) | [.body.contactInformation.phoneNumber, .body.personalDetails.gender, .body.address.country, (.body|has("id"))]' "$PLAN"
	assert_output '[null,{"key":1},{"key":1},false]'
	# 140's gender is "diverse" (no sure key): Loket's value is kept, not cleared
	run jq -c 'select(.type=="loket.op" and .employee_number==140 and .entity=="employee")' "$PLAN"
	assert_output ''
}

@test "acme (R2, R3): mapped benefits across the start date are end-dated, later ones without a counterpart deleted" {
	acme_plan
	run jq -c 'select(.type=="loket.op" and (.rule=="R2" or .rule=="R3")) | [.rule, .employee_number, .method, .body.endDate, .before.payroll_component_key]' "$PLAN"
	assert_output "$(printf '%s\n' '["R2",101,"PUT","2025-12-31",8043]' '["R3",102,"DELETE",null,8042]' '["R2",104,"PUT","2025-12-31",8046]')"
}

@test "acme (K1, K2): nothing dated before the start date and no unmapped component is touched" {
	acme_plan
	# every before/after date is on or after 2026-01-01, except the end of an R2 end-dating
	run jq -r 'select(.type=="loket.op" and .rule!="R2") | [.before, .after, .body] | .. | .start_date? // .startDate? // empty | select(. < "2026-01-01")' "$PLAN"
	assert_output ''
	run jq -r 'select(.type=="loket.op") | [.before, .after] | .. | .payroll_component_key? // empty' "$PLAN"
	refute_line 7001
	refute_line 7002
	refute_line 1
	# 115's hours (component 1) stay in the record O3 rewrites
	run jq -c 'select(.type=="loket.op" and .employee_number==115) | [.rule, .method, .body.payrollComponents]' "$PLAN"
	assert_output '["O3","PUT",[{"payrollComponent":{"key":1},"value":160,"isSupplement":false}]]'
}

@test "acme (O1, O2, O3): variable input upserted per period; an entry absent from Personio removed" {
	acme_plan
	run jq -c 'select(.type=="loket.op" and .entity=="variable_input") | [.rule, .employee_number, .method, .action, (.body.payrollComponents // [] | map([.payrollComponent.key, .value]))]' "$PLAN"
	assert_output "$(printf '%s\n' '["K3",112,"PATCH","upsert",[[8102,30]]]' '["O1",113,"PATCH","upsert",[[8101,200.99]]]' \
		'["O3",114,"DELETE","delete",[]]' '["O3",115,"PUT","remove",[[1,160]]]' '["O1",140,"PATCH","upsert",[[8101,750]]]')"
	run jq -c 'select(.type=="loket.op" and .employee_number==113) | .body' "$PLAN"
	assert_output '{"payrollPeriod":{"year":2026,"periodNumber":10},"shift":{"shiftNumber":1},"payrollComponents":[{"payrollComponent":{"key":8101},"value":200.99,"isSupplement":false}]}'
}

@test "acme (K3, S2, X3): wage chain: changed, appended, deleted and re-posted in order; a pay-scale wage is warned about" {
	acme_plan
	run jq -c 'select(.type=="loket.op" and .entity=="wage") | [.rule, .employee_number, .method, (.body.startDate // .before.start_date), (.body.grossWage // null), (.body.grossWageType.key // null)]' "$PLAN"
	assert_output "$(printf '%s\n' '["K3",101,"PUT","2026-01-01",4166.67,1]' '["K3",103,"POST","2026-01-01",18.75,2]' \
		'["K3",106,"POST","2026-12-01",4250,1]' '["K3",107,"POST","2026-03-01",3350,1]' '["K3",108,"DELETE","2026-09-01",null,null]' \
		'["K3",108,"POST","2026-07-01",3300,1]' '["K3",108,"POST","2026-10-01",3450,1]' '["X3",110,"PUT","2026-01-01",3650,1]' \
		'["K3",137,"POST","2026-07-01",4050,1]')"
	run jq -r 'select(.type=="issue" and .rule=="X3") | .employee_number' "$PLAN"
	assert_output 110
}

@test "acme: amounts in bodies are JSON numbers with their exact digits; op ids are stable across runs" {
	acme_plan
	grep -q '"grossWage":4166.67,' "$PLAN"
	grep -q '"value":200.99,' "$PLAN"
	cp "$PLAN" "$BATS_TEST_TMPDIR/first"
	diff-loket -c "$CFG" --current "$CUR" "$DESIRED" | cmp - "$BATS_TEST_TMPDIR/first"
	run jq -r 'select(.type=="loket.op") | .op_id' "$PLAN"
	[ "$(sort -u <<<"$output" | wc -l)" -eq 25 ]
}

@test "acme (E4): a blocked validation gives no ops at all, an E4 error and exit 1" {
	fetch-loket -c "$CFG" >"$CUR"
	run --separate-stderr diff-loket -c "$CFG" --current "$CUR" "$ROOT/tests/golden/acme.desired.ndjson"
	assert_failure 1
	run jq -c 'select(.type=="loket.op")' <<<"$output"
	assert_output ''
	run --separate-stderr diff-loket -c "$CFG" --current "$CUR" "$ROOT/tests/golden/acme.desired.ndjson"
	run jq -c 'select(.type=="plan") | [.blocked, .ops]' <<<"$output"
	assert_output '[true,0]'
}

@test "--only: one employee's ops, nothing else" {
	fetch-loket -c "$CFG" >"$CUR"
	diff-loket -c "$CFG" --current "$CUR" --only 108 "$DESIRED" >"$PLAN"
	run jq -r 'select(.type=="loket.op") | .employee_number' "$PLAN"
	assert_output "$(printf '108\n108\n108')"
	# by Personio id too: the same plan
	diff-loket -c "$CFG" --current "$CUR" --only 1008 "$DESIRED" | cmp - "$PLAN"
}

# ---- hand-made records (client "t") --------------------------------------------------

# desired
d_emp() { jq -cn '{type:"loket.employee",client:"t",personio_id:"1",employee_number:101,income_number:1,entry_date:"2020-01-01",
	employee:{personalDetails:{initials:"J.",lastName:"Berg"},address:{city:"Amsterdam"},contactInformation:{phoneNumber:"+31 6 1"}},
	citizen_service_number:"111222333",iban:null} | '"${1:-.}"; }
d_wage() { jq -cn '{type:"loket.wage",client:"t",personio_id:"1",employee_number:101,income_number:1,start_date:"2026-01-01",end_date:null,
	gross_wage:"3000.00",gross_wage_type:{key:1}} | '"${1:-.}"; }
d_ben() { jq -cn '{type:"loket.benefit_deduction",client:"t",personio_id:"1",employee_number:101,income_number:1,payroll_component_key:8042,
	value:"50.00",deduction:false,start_date:"2026-01-01",end_date:null} | '"${1:-.}"; }
d_ok() { echo '{"type":"validation","client":"t","as_of":"2026-11-15","blocked":false,"counts":{}}'; }
# current
c_emp() { jq -cn '{type:"loket.current.employee",client:"t",id:"ee1",employee_number:101,
	employee:{personalDetails:{initials:"J.",lastName:"Berg",gender:{key:1,value:"Man"}},address:{city:"Amsterdam"},contactInformation:{phoneNumber:"+31 6 1"}},
	citizen_service_number:"111222333"} | '"${1:-.}"; }
c_empl() { jq -cn '{type:"loket.current.employment",client:"t",id:"em1",employee_id:"ee1",employee_number:101,income_number:1,
	start_date:"2020-01-01",end_date:null,payroll_administration_id:"pa-1"} | '"${1:-.}"; }
c_wage() { jq -cn '{type:"loket.current.wage",client:"t",id:"w1",employment_id:"em1",start_date:"2020-01-01",end_date:null,
	gross_wage:"3000.00",gross_wage_type:{key:1},apply_pay_grade:false,pay_scale:null,pay_grade:null} | '"${1:-.}"; }
c_ben() { jq -cn '{type:"loket.current.benefit_deduction",client:"t",id:"b1",employment_id:"em1",payroll_component_key:8042,
	value:"50.00",start_date:"2026-01-01",end_date:null} | '"${1:-.}"; }
c_comp() { jq -cn '{type:"loket.current.payroll_component",client:"t",year:2026,key:8042,description:"REISKOSTEN",
	category:{key:9,value:"Netto vergoeding"},deduction_or_payment:{key:2,value:"Betaling"},can_be_supplemented:true,
	is_collective_mutation_possible:true} | '"${1:-.}"; }
c_meta() { # Loket's metadata and component catalogue (2026, 2027) as fetch-loket writes them
	echo '{"type":"loket.current.metadata","client":"t","resource":"employee","field":"gender","options":[{"key":1,"value":"Man"},{"key":2,"value":"Vrouw"},{"key":3,"value":"Onbekend"}]}'
	echo '{"type":"loket.current.metadata","client":"t","resource":"employee","field":"country","options":[{"key":1,"isoCode":"NL","value":"Nederland"},{"key":2,"isoCode":"BE","value":"België"}]}'
	echo '{"type":"loket.current.metadata","client":"t","resource":"wage","field":"grossWageType","options":[{"key":1,"value":"Periodeloon"},{"key":2,"value":"Uurloon"}]}'
	local y k
	for y in 2026 2027; do
		for k in 7001 8042 8055 8061 8101 8102; do c_comp ".year=$y|.key=$k"; done
		for k in 8050 8056; do c_comp ".year=$y|.key=$k|.description=\"INHOUDING\"|.category={key:13,value:\"Netto inhouding\"}|.deduction_or_payment={key:1,value:\"Inhouding\"}"; done
	done
}
c_end() { c_meta; echo '{"type":"stream_end","client":"t","source":"loket","complete":true,"counts":{}}'; }

t_diff() { # t_diff [ARGS]: diff $IN against $CUR for client t
	run --separate-stderr diff-loket -c "$T_CFG" --current "$CUR" "$@" "$IN"
}
err_has() { [[ "$stderr" == *"$1"* ]] || { echo "stderr lacks '$1': $stderr"; return 1; }; }

@test "bad input: not JSON, wrong types, records out of order name file:line and field (exit 3)" {
	{ c_emp; c_empl; c_end; } >"$CUR"
	{ d_emp; echo '{"type":"loket.wage",'; d_ok; } >"$IN"
	t_diff
	assert_failure 3
	err_has "$IN:2"
	{ d_wage; d_emp; d_ok; } >"$IN"
	t_diff
	assert_failure 3
	err_has "$IN:1: employee_number"
	{ d_emp; d_wage '.gross_wage=3000.5'; d_ok; } >"$IN"
	t_diff
	assert_success # an exact JSON number is accepted as an amount
	{ d_emp; d_wage '.gross_wage="30.005"'; d_ok; } >"$IN"
	t_diff
	assert_failure 3
	err_has "$IN:2: gross_wage"
	{ d_emp '.employee_number="101"'; d_ok; } >"$IN"
	t_diff
	assert_failure 3
	err_has 'employee_number'
	{ d_emp; d_emp; d_ok; } >"$IN"
	t_diff
	assert_failure 3
	err_has 'twice'
	{ d_emp; d_ok; } >"$IN"
	{ c_emp '.employee_number="x"'; c_end; } >"$CUR"
	t_diff
	assert_failure 3
	err_has "$CUR:1: employee_number"
}

@test "usage: --config and --current are required; unknown options exit 2; --help and --version" {
	run diff-loket --current /dev/null
	assert_failure 2
	run diff-loket -c "$T_CFG"
	assert_failure 2
	run diff-loket --bogus
	assert_failure 2
	run diff-loket --help
	assert_success
	assert_output --partial 'Usage: diff-loket'
	run diff-loket --version
	assert_success
	run diff-loket -c "$T_CFG" --current "$BATS_TEST_TMPDIR/missing.ndjson" /dev/null
	assert_failure 7
}

# ---- E2 without validate (what it holds back: tests/cases/diff-loket/E2-*) ---------------------

@test "E2: structural damage still stops the client (exit 3): not JSON, no type, a wrong type of value" {
	{ c_emp; c_empl; c_end; } >"$CUR"
	{ d_emp; echo 'not json'; d_ok; } >"$IN"
	t_diff
	assert_failure 3
	{ d_emp; d_wage 'del(.type)'; d_ok; } >"$IN"
	t_diff
	assert_failure 3
	err_has "$IN:2"
	{ d_emp; d_ben '.value=true'; d_ok; } >"$IN"
	t_diff
	assert_failure 3
	err_has "$IN:2: value"
}

# ---- R1: the sign lives in the component's kind (the cases: tests/cases/diff-loket/R1-*) ----

@test "R1: a mapping pair routes both signs (map-compensation -> diff-loket): each to the component of its kind; a plain key refuses the negative one" {
	jq '.compensation.mapping.correction = {"payment": 8042, "deduction": 8050}' "$T_CFG" >"$BATS_TEST_TMPDIR/pair.json"
	jq '.compensation.mapping.correction = 8042' "$T_CFG" >"$BATS_TEST_TMPDIR/plain.json"
	{ rec_person; rec_recurring '.type_id="correction"|.amount="20.00"|.effective_from="2026-01-01"|.effective_to="2026-03-31"'
	  rec_recurring '.type_id="correction"|.compensation_id="r2"|.amount="-15.00"|.effective_from="2026-04-01"'; d_ok; rec_end; } >"$BATS_TEST_TMPDIR/p.ndjson"
	map-compensation -c "$BATS_TEST_TMPDIR/pair.json" "$BATS_TEST_TMPDIR/p.ndjson" >"$IN"
	# Loket has a deduction of 8050 Personio no longer has: a pair's deduction component counts as mapped (R3)
	{ c_emp; c_empl; c_ben '.payroll_component_key=8050|.value="9.00"|.start_date="2026-02-01"|.end_date="2026-02-28"'; c_end; } >"$CUR"
	run --separate-stderr diff-loket -c "$BATS_TEST_TMPDIR/pair.json" --current "$CUR" "$IN"
	assert_success
	run bash -c 'grep benefit_deduction | jq -r "select(.type==\"loket.op\") | \"\(.rule) \(.method) \(.path) \(.body // {} | tostring)\""' <<<"$output"
	assert_output "$(printf '%s\n' 'R3 DELETE /providers/employers/employees/employments/benefitsAndDeductions/b1 {}' \
		'K3 POST /providers/employers/employees/employments/em1/benefitsanddeductions {"value":20,"startDate":"2026-01-01","endDate":"2026-03-31","payrollComponent":{"key":8042}}' \
		'K3 POST /providers/employers/employees/employments/em1/benefitsanddeductions {"value":15,"startDate":"2026-04-01","endDate":null,"payrollComponent":{"key":8050}}')"
	map-compensation -c "$BATS_TEST_TMPDIR/plain.json" "$BATS_TEST_TMPDIR/p.ndjson" >"$IN"
	run --separate-stderr diff-loket -c "$BATS_TEST_TMPDIR/plain.json" --current "$CUR" "$IN"
	assert_failure 1
	P=$output
	run jq -r 'select(.type=="issue") | "\(.rule) \(.message)"' <<<"$P"
	assert_output --partial 'R1 Employee 101: compensation r2 (-15.00 a month from 2026-04-01) is a deduction, but Loket component 8042'
	run jq -r 'select(.type=="loket.op" and .entity=="benefit_deduction")' <<<"$P"
	assert_output ''
}

# ---- R1 for one-time payments: variable input only on a payment component of its period's year ----

vi_ops() { jq -r 'select(.type=="loket.op" and .entity=="variable_input") | "\(.rule) \(.method) \(.employee_number) \(.path | split("/") | last) \(.body.payrollComponents // [] | map("\(.payrollComponent.key)=\(.value)") | join(","))"' <<<"$1"; }

@test "R1: one-time payments of a pair's type go to its payment member with their sign (map-compensation -> diff-loket); a plain deduction key refuses them" {
	# a negative one-time amount on a plain payment key: tests/cases/diff-loket/R1-one-time-negative-on-payment-component-is-correction
	jq '.compensation.mapping.correction = {"payment": 8102, "deduction": 8050}' "$T_CFG" >"$BATS_TEST_TMPDIR/pair.json"
	jq '.compensation.mapping.correction = 8050' "$T_CFG" >"$BATS_TEST_TMPDIR/plain.json"
	{ rec_person; rec_bonus '.type_id="correction"|.amount="-25.00"|.effective_from="2026-05-10"'; d_ok; rec_end; } >"$BATS_TEST_TMPDIR/p.ndjson"
	{ c_emp; c_empl; c_end; } >"$CUR"
	map-compensation -c "$BATS_TEST_TMPDIR/pair.json" "$BATS_TEST_TMPDIR/p.ndjson" >"$IN"
	run --separate-stderr diff-loket -c "$BATS_TEST_TMPDIR/pair.json" --current "$CUR" "$IN"
	assert_success
	run vi_ops "$output"
	assert_output 'O1 PATCH 101 payrollperioddata 8102=-25'
	map-compensation -c "$BATS_TEST_TMPDIR/plain.json" "$BATS_TEST_TMPDIR/p.ndjson" >"$IN"
	run --separate-stderr diff-loket -c "$BATS_TEST_TMPDIR/plain.json" --current "$CUR" "$IN"
	assert_failure 1
	P=$output
	run jq -r 'select(.type=="issue") | "\(.rule) \(.message)"' <<<"$P"
	assert_output --partial "R1 Employee 101: one-time payments of type 'correction' in period 2026-05 (-25.00) go to component 8050 (INHOUDING), which is a deduction (Inhouding) in 2026: a one-time payment goes only to a payment component, with its sign, so the employee would be paid 25.00 instead of charged"
	run vi_ops "$P"
	assert_output ''
}

@test "R1: acme with performance-bonus mapped to the deduction 8050: an error for 113, 139 and 140, no op on 8050, the rest of the plan as before" {
	fetch-loket -c "$CFG" >"$CUR"
	jq '.compensation.mapping["performance-bonus"] = 8050' "$CFG" >"$BATS_TEST_TMPDIR/acme-8050.json"
	jq -c 'if .type=="loket.variable_input" and .payroll_component_key==8101 then .payroll_component_key=8050 else . end' "$DESIRED" >"$IN"
	run --separate-stderr diff-loket -c "$BATS_TEST_TMPDIR/acme-8050.json" --current "$CUR" "$IN"
	assert_failure 1
	P=$output
	run jq -r 'select(.type=="issue" and .rule=="R1" and .stage=="diff-loket") | "\(.severity) \(.employee_number) \(.message)"' <<<"$P"
	assert_line --index 0 --partial "error 113 Employee 113: one-time payments of type 'performance-bonus' in period 2026-10 (200.99) go to component 8050 (INH CORRECTIE), which is a deduction (Inhouding) in 2026"
	assert_line --index 0 --partial 'the employee would be charged 200.99 instead of paid'
	assert_line --index 1 --partial "error 139 Employee 139: one-time payments of type 'performance-bonus' in period 2026-10 (250.00) go to component 8050"
	assert_line --index 2 --partial "error 140 Employee 140: one-time payments of type 'performance-bonus' in period 2026-12 (750.00) go to component 8050"
	assert_equal "${#lines[@]}" 3
	run jq -r 'select(.type=="loket.op" and .entity=="variable_input") | "\(.rule) \(.method) \(.employee_number)"' <<<"$P"
	# 8101 is no longer mapped (K2): 114's 8101 entry stays; 112 and 115 (8102) as in the golden plan
	assert_output "$(printf '%s\n' 'K3 PATCH 112' 'O3 PUT 115')"
	run jq -c 'select(.type=="plan") | .blocked' <<<"$P"
	assert_output 'false'
	# every other op is the one the acme mapping plans (the golden plan's)
	diff-loket -c "$CFG" --current "$CUR" "$DESIRED" >"$PLAN"
	diff <(jq -c 'select(.type=="loket.op" and .entity!="variable_input") | del(.seq)' "$PLAN") \
		<(jq -c 'select(.type=="loket.op" and .entity!="variable_input") | del(.seq)' <<<"$P")
}
