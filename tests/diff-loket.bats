#!/usr/bin/env bats
# diff-loket: the plan from desired (map-compensation) and current (fetch-loket) state.
# acme against the seeded Loket emulator (golden plan, applied with curl, converges), and
# hand-made records for client "t" (tests/fixtures/t.json) for each rule and each bad input.

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
	assert_output '[false,24,{"K3":13,"R2":2,"D2":1,"R3":1,"X3":1,"O1":2,"O3":2,"M1":1,"D3":1}]'
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
	curl -fsS -X PATCH -H "Authorization: Bearer $TOK" --data '{}' "$LK_URL/v2/providers/employers/conceptemployees/$ce/convertToEmployee" >/dev/null
	fetch-loket -c "$CFG" >"$CUR"
	diff-loket -c "$CFG" --current "$CUR" "$DESIRED" >"$PLAN"
	run ops
	assert_output "$(printf '%s\n' 'D2 PUT 135 citizen_service_number update' 'K3 POST 135 benefit_deduction create' 'O1 PATCH 135 variable_input upsert')"
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
	assert_output '["POST","/providers/employers/5c1e0f8a-6b2d-4c3e-9f10-000000000001/conceptemployees",135,"2026-09-01",3500,["employeeData","employmentData","uniqueName","wageData"]]'
	run jq -r 'select(.type=="loket.op" and .employee_number==135) | .rule' "$PLAN"
	assert_output M1
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
	[ "$(sort -u <<<"$output" | wc -l)" -eq 24 ]
}

@test "acme (E4): a blocked validation gives no ops at all, an E4 error and exit 1" {
	fetch-loket -c "$CFG" >"$CUR"
	run --separate-stderr diff-loket -c "$CFG" --current "$CUR" "$ROOT/tests/golden/acme.desired.ndjson"
	assert_failure 1
	run jq -c 'select(.type=="loket.op")' <<<"$output"
	assert_output ''
	run diff-loket -c "$CFG" --current "$CUR" "$ROOT/tests/golden/acme.desired.ndjson"
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
d_vi() { jq -cn '{type:"loket.variable_input",client:"t",personio_id:"1",employee_number:101,income_number:1,year:2026,period:3,
	payroll_component_key:8101,value:"100.00"} | '"${1:-.}"; }
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
c_vi() { jq -cn '{type:"loket.current.variable_input",client:"t",id:"p1",employment_id:"em1",year:2026,period:3,
	payroll_component_key:8101,value:"100.00",is_supplement:false,
	key:{shift:{shiftNumber:1},payslipType:null,distributionUnit:null,costCenter:null,costUnit:null}} | '"${1:-.}"; }
c_end() { echo '{"type":"stream_end","client":"t","source":"loket","complete":true,"counts":{}}'; }

t_diff() { # t_diff [ARGS]: diff $IN against $CUR for client t
	run --separate-stderr diff-loket -c "$T_CFG" --current "$CUR" "$@" "$IN"
}
err_has() { [[ "$stderr" == *"$1"* ]] || { echo "stderr lacks '$1': $stderr"; return 1; }; }
t_ops() { jq -r 'select(.type=="loket.op") | "\(.rule) \(.method) \(.path) \(.body // {} | tostring)"' <<<"$output"; }

@test "nothing changed: no ops, exit 0, and the plan record says so" {
	{ d_emp; d_wage; d_ben; d_vi; d_ok; } >"$IN"
	{ c_emp; c_empl; c_wage; c_ben; c_vi; c_end; } >"$CUR"
	t_diff
	assert_success
	run jq -c 'select(.type!="validation") | [.type, .ops?]' <<<"$output"
	assert_output "$(printf '%s\n' '["plan",0]' '["stream_end",null]')"
}

@test "K1: the current wage running since before the start date is kept when it equals Personio's" {
	{ d_emp; d_wage; d_ok; } >"$IN"
	{ c_emp; c_empl; c_wage; c_end; } >"$CUR"
	t_diff
	run t_ops
	assert_output ''
	{ c_emp; c_empl; c_wage '.gross_wage="2900.00"'; c_end; } >"$CUR"
	t_diff
	run t_ops
	assert_output 'K3 POST /providers/employers/employees/employments/em1/wages {"startDate":"2026-01-01","grossWage":3000,"grossWageType":{"key":1},"applyPayGrade":false}'
	[[ "$output" != *2020-* ]] # the record from 2020 is not changed: the new one closes it
}

@test "wages (K3): a change in the middle of the chain deletes the tail (last first) and posts in date order" {
	{ d_emp; d_wage '.end_date="2026-03-31"'; d_wage '.start_date="2026-04-01"|.gross_wage="3100.00"|.end_date="2026-08-31"';
	  d_wage '.start_date="2026-09-01"|.gross_wage="3300.00"'; d_ok; } >"$IN"
	{ c_emp; c_empl; c_wage; c_wage '.id="w2"|.start_date="2026-06-01"|.gross_wage="3200.00"'; c_wage '.id="w3"|.start_date="2026-09-01"|.gross_wage="3300.00"'; c_end; } >"$CUR"
	t_diff
	run jq -r 'select(.type=="loket.op") | "\(.method) \(.body.startDate // .before.start_date)"' <<<"$output"
	assert_output "$(printf '%s\n' 'DELETE 2026-09-01' 'DELETE 2026-06-01' 'POST 2026-04-01' 'POST 2026-09-01')"
}

@test "wages (S4): no desired wage for an employee leaves Loket's wages alone" {
	{ d_emp; d_ok; } >"$IN"
	{ c_emp; c_empl; c_wage '.gross_wage="1.00"'; c_end; } >"$CUR"
	t_diff
	assert_success
	run t_ops
	assert_output ''
}

@test "X3: only a wage Loket takes from a pay scale (applyPayGrade) is warned about and overwritten" {
	{ d_emp; d_wage; d_ok; } >"$IN"
	{ c_emp; c_empl; c_wage '.apply_pay_grade=true|.pay_scale=3'; c_end; } >"$CUR"
	t_diff
	run jq -r 'select(.type=="issue" or .type=="loket.op") | "\(.type) \(.rule)"' <<<"$output"
	assert_output "$(printf '%s\n' 'issue X3' 'loket.op K3')"
	{ c_emp; c_empl; c_wage '.pay_scale=3'; c_end; } >"$CUR"
	t_diff
	run jq -r 'select(.type=="issue" or .type=="loket.op") | .rule' <<<"$output"
	assert_output ''
}

@test "R1: overlapping recurring records for one component are an error; that component is left alone" {
	{ d_emp; d_ben; d_ben '.start_date="2026-05-01"|.value="10.00"'; d_ben '.payroll_component_key=8055'; d_ok; } >"$IN"
	{ c_emp; c_empl; c_end; } >"$CUR"
	t_diff
	assert_failure 1
	run jq -r 'select(.type=="issue") | "\(.severity) \(.rule)"' <<<"$output"
	assert_output 'error R1'
	t_diff
	run t_ops
	assert_output --partial '"key":8055'
	refute_output --partial '8042'
}

@test "benefits (K3): an end date moving earlier is applied before a record that takes its place" {
	{ d_emp; d_ben '.end_date="2026-04-30"'; d_ben '.start_date="2026-05-01"|.value="60.00"'; d_ok; } >"$IN"
	{ c_emp; c_empl; c_ben; c_end; } >"$CUR"
	t_diff
	run jq -r 'select(.type=="loket.op") | "\(.method) \(.body.endDate) \(.body.startDate)"' <<<"$output"
	assert_output "$(printf '%s\n' 'PUT 2026-04-30 2026-01-01' 'POST null 2026-05-01')"
}

@test "K2 and switched-off kinds: sync_recurring / sync_one_time false leave benefits and variable input alone" {
	jq '.compensation.sync_recurring=false | .compensation.sync_one_time=false' "$T_CFG" >"$BATS_TEST_TMPDIR/off.json"
	{ d_emp; d_ok; } >"$IN"
	{ c_emp; c_empl; c_ben; c_vi; c_ben '.id="b9"|.payroll_component_key=7001'; c_end; } >"$CUR"
	run diff-loket -c "$BATS_TEST_TMPDIR/off.json" --current "$CUR" "$IN"
	run t_ops
	assert_output ''
	t_diff
	run jq -r 'select(.type=="loket.op") | "\(.rule) \(.method) \(.path)"' <<<"$output"
	assert_output "$(printf '%s\n' 'R3 DELETE /providers/employers/employees/employments/benefitsAndDeductions/b1' \
		'O3 DELETE /providers/employers/employees/employments/payrollperioddata/p1')"
}

@test "O3: a second entry for the same period and component is removed; the first is kept and updated" {
	{ d_emp; d_vi '.value="150.00"'; d_ok; } >"$IN"
	{ c_emp; c_empl; c_vi; c_vi '.id="p2"|.key.costCenter={key:2}'; c_end; } >"$CUR"
	t_diff
	run jq -r 'select(.type=="loket.op") | "\(.rule) \(.method) \(.path | split("/") | last) \(.body.payrollComponents // [] | map(.value) | tostring)"' <<<"$output"
	assert_output "$(printf '%s\n' 'O3 DELETE p2 []' 'K3 PATCH payrollperioddata [150]')"
}

@test "M3: no employment with the income number: employee data syncs, compensation waits (warning)" {
	{ d_emp '.income_number=2|.employee.address.city="Utrecht"'; d_wage '.income_number=2'; d_ok; } >"$IN"
	{ c_emp; c_empl; c_wage '.gross_wage="1.00"'; c_end; } >"$CUR"
	t_diff
	assert_success
	run jq -r 'select(.type=="issue" or .type=="loket.op") | "\(.type) \(.rule)"' <<<"$output"
	assert_output "$(printf '%s\n' 'loket.op D2' 'issue M3')"
}

@test "LX1: a missing, incomplete or foreign current state gives no plan for that client (exit 1)" {
	{ d_emp; d_wage '.gross_wage="1.00"'; d_ok; } >"$IN"
	echo '{"type":"stream_end","client":"other","source":"loket","complete":true,"counts":{}}' >"$CUR"
	t_diff
	assert_failure 1
	run jq -r 'select(.type=="issue") | .rule' <<<"$output"
	assert_output LX1
	{ c_emp; c_empl; c_wage; } >"$CUR"
	t_diff
	assert_failure 1
	run jq -c 'select(.type=="plan") | [.blocked, .ops]' <<<"$output"
	assert_output '[true,0]'
	{ c_emp; c_empl '.payroll_administration_id="pa-2"'; c_wage; c_end; } >"$CUR"
	t_diff
	assert_failure 1
	run jq -r 'select(.type=="issue") | .message' <<<"$output"
	assert_output --partial 'employment em1 is in payroll administration pa-2, the configuration names pa-1'
}

@test "E4: no validation record is treated as unvalidated: no plan" {
	{ d_emp; d_wage '.gross_wage="1.00"'; } >"$IN"
	{ c_emp; c_empl; c_wage; c_end; } >"$CUR"
	t_diff
	assert_failure 1
	run jq -r 'select(.type=="issue") | .rule' <<<"$output"
	assert_output E4
}

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
