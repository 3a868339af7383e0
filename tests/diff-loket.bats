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

# ---- E2 without validate: a value Loket would refuse holds back that record, not the client ----

# two employees in Loket: 101 (em1) and 102 (em2), each with a wage and benefit 8042
two_current() {
	{ c_emp; c_empl; c_wage; c_ben
	  c_emp '.id="ee2"|.employee_number=102'; c_empl '.id="em2"|.employee_id="ee2"|.employee_number=102'
	  c_wage '.id="w2"|.employment_id="em2"'; c_ben '.id="b2"|.employment_id="em2"'; c_end; } >"$CUR"
}
e102() { sed 's/"personio_id":"1","employee_number":101/"personio_id":"2","employee_number":102/'; }

@test "E2: a desired wage Loket would refuse is an error for that employee; Loket's wages stay; the other employees get their ops (exit 1)" {
	two_current
	for bad in '.gross_wage="0.00"' '.gross_wage="-0.04"' '.gross_wage="1000000.00"' '.gross_wage="0.99"' \
		'.gross_wage="-18.75"|.gross_wage_type.key=2' '.gross_wage="1500.00"|.gross_wage_type.key=2'; do
		{ d_emp; d_wage "$bad"; d_wage "$bad|.start_date=\"2026-06-01\""; d_ben '.value="60.00"'
		  d_emp | e102; d_wage '.gross_wage="3100.00"' | e102; d_ben | e102; d_ok; } >"$IN"
		t_diff
		assert_failure 1
		P=$output
		run jq -r 'select(.type=="issue") | "\(.severity) \(.rule) \(.employee_number) \(.field)"' <<<"$P"
		assert_output "$(printf '%s\n' 'error E2 101 gross_wage' 'error E2 101 gross_wage')"
		run jq -r 'select(.type=="loket.op") | "\(.employee_number) \(.entity) \(.method)"' <<<"$P"
		assert_output "$(printf '%s\n' '101 benefit_deduction PUT' '102 wage POST')"
		run jq -c 'select(.type=="plan") | [.blocked, .ops]' <<<"$P"
		assert_output '[false,2]'
	done
	run jq -r 'select(.type=="issue") | .message' <<<"$P"
	assert_line "Employee 101: the wage from 2026-01-01 ($IN:2): 1500.00 is more than 1000.00 an hour, no payroll rate (a monthly or yearly amount entered as hourly?); no wage of this employee is changed"
}

@test "E2: a desired benefit Loket would refuse is an error; that component is left as Loket has it (no R3 delete); other components and employees sync" {
	two_current
	for bad in '.value="0.00"' '.value="100000.00"' '.value="-50.00"' '.end_date="2025-12-31"'; do
		{ d_emp; d_ben "$bad"; d_ben '.payroll_component_key=8055|.value="10.00"'
		  d_emp | e102; d_ben '.value="70.00"' | e102; d_ok; } >"$IN"
		t_diff
		assert_failure 1
		P=$output
		run jq -r 'select(.type=="issue") | "\(.severity) \(.rule) \(.employee_number)"' <<<"$P"
		assert_output 'error E2 101'
		run jq -r 'select(.type=="loket.op") | "\(.employee_number) \(.method) \(.path | split("/") | last) \(.body.payrollComponent.key // .body.value)"' <<<"$P"
		assert_output "$(printf '%s\n' '101 POST benefitsanddeductions 8055' '102 PUT b2 70')"
	done
	run jq -r 'select(.type=="issue") | "\(.field): \(.message)"' <<<"$P"
	assert_output "end_date: Employee 101: component 8042 from 2026-01-01, 50.00 ($IN:2): it ends before it starts; that component is left as Loket has it"
	{ d_emp; d_ben '.value="-50.00"'; d_ok; } >"$IN"
	t_diff
	P=$output
	run jq -r 'select(.type=="issue") | "\(.field): \(.message)"' <<<"$P"
	assert_output "value: Employee 101: component 8042 from 2026-01-01, -50.00 ($IN:2): it is negative, but the value of a benefit or deduction is positive (the component says which it is); that component is left as Loket has it"
}

@test "E2: a desired record without an Employee number leaves that employee out with one error, not exit 3; the others get their ops" {
	two_current
	{ d_emp '.employee_number=null'; d_wage '.employee_number=null|.gross_wage="3300.00"'; d_ben '.employee_number=null'
	  d_emp | e102; d_wage '.gross_wage="3100.00"' | e102; d_ben | e102; d_ok; } >"$IN"
	t_diff
	assert_failure 1
	P=$output
	run jq -r 'select(.type=="issue") | "\(.severity) \(.rule) \(.personio_id) \(.employee_number) \(.field): \(.message)"' <<<"$P"
	assert_output "error E2 1 null employee_number: Personio employee 1 has no Employee number (Loket): left out of the plan ($IN:1)"
	run jq -r 'select(.type=="loket.op") | "\(.employee_number) \(.entity)"' <<<"$P"
	assert_output '102 wage'
}

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

# ---- R1: the sign lives in the component's kind (Loket's catalogue) -------------------------

r1_issues() { jq -r 'select(.type=="issue") | "\(.severity) \(.rule) \(.employee_number) \(.field)"' <<<"$output"; }

@test "R1: a negative amount on a payment component is an error, nothing is written for it; the other records and employees still sync" {
	two_current
	{ d_emp; d_ben '.deduction=true|.compensation_id="c-neg"'; d_ben '.payroll_component_key=8061|.value="25.00"'
	  d_emp | e102; d_ben '.value="70.00"' | e102; d_ok; } >"$IN"
	t_diff
	assert_failure 1
	P=$output
	run r1_issues
	assert_output 'error R1 101 payroll_component_key'
	run jq -r 'select(.type=="issue") | .message, .hint' <<<"$P"
	assert_line "Employee 101: compensation c-neg (-50.00 a month from 2026-01-01) is a deduction, but Loket component 8042 (REISKOSTEN) is a payment (Betaling) in 2026: Loket holds only positive values and the sign is the component's, so the employee would be paid 50.00 instead of charged; component 8042 is not synced for this employee"
	assert_line --partial '{"payment": 8042, "deduction": KEY} in compensation.mapping'
	# 101's 8042 record in Loket is left as it is (no R3 delete, no update); 8061 and 102 sync
	run jq -r 'select(.type=="loket.op") | "\(.employee_number) \(.method) \(.path | split("/") | last) \(.body.payrollComponent.key // .body.value)"' <<<"$P"
	assert_output "$(printf '%s\n' '101 POST benefitsanddeductions 8061' '102 PUT b2 70')"
	run jq -c 'select(.type=="plan") | [.blocked, .ops]' <<<"$P"
	assert_output '[false,2]'
}

@test "R1: a positive amount on a deduction component is an error; no record of that component is written" {
	jq '.compensation.mapping.levy = 8050' "$T_CFG" >"$BATS_TEST_TMPDIR/t.json"
	T_CFG="$BATS_TEST_TMPDIR/t.json"
	{ d_emp; d_ben '.payroll_component_key=8050|.value="12.50"|.compensation_id="c-pos"'; d_ok; } >"$IN"
	{ c_emp; c_empl; c_ben '.payroll_component_key=8050|.value="12.50"|.start_date="2026-03-01"'; c_end; } >"$CUR"
	t_diff
	assert_failure 1
	P=$output
	run r1_issues
	assert_output 'error R1 101 payroll_component_key'
	run jq -r 'select(.type=="issue") | .message' <<<"$P"
	assert_output --partial 'compensation c-pos (12.50 a month from 2026-01-01) is a payment, but Loket component 8050 (INHOUDING) is a deduction (Inhouding) in 2026'
	assert_output --partial 'the employee would be charged 12.50 instead of paid'
	output=$P
	run t_ops
	assert_output '' # neither a POST nor the R3 delete of Loket's 8050 record
	# the same record as a deduction is written
	{ d_emp; d_ben '.payroll_component_key=8050|.value="12.50"|.deduction=true'; d_ok; } >"$IN"
	t_diff
	assert_success
	run t_ops
	assert_output "$(printf '%s\n' 'R3 DELETE /providers/employers/employees/employments/benefitsAndDeductions/b1 {}' \
		'K3 POST /providers/employers/employees/employments/em1/benefitsanddeductions {"value":12.5,"startDate":"2026-01-01","endDate":null,"payrollComponent":{"key":8050}}')"
}

@test "R1: a component missing from the catalogue (of any year the record runs in), of neither kind, or a year not read, is an error; no op" {
	jq '.compensation.mapping.other = 9999' "$T_CFG" >"$BATS_TEST_TMPDIR/t.json"
	for case in '.payroll_component_key=9999|not in Loket'"'"'s payroll component catalogue for 2026' \
		'.payroll_component_key=7001|not in Loket'"'"'s payroll component catalogue for 2027' \
		'.payroll_component_key=8101|which in 2026 is neither a deduction nor a payment' \
		'.start_date="2028-02-01"|has no payroll component catalogue for 2028'; do
		{ d_emp; d_ben "${case%%|*}"; d_ok; } >"$IN"
		{ c_emp; c_empl; c_meta | grep -v '"year":2027,"key":7001' | sed 's/"key":8101,\("description":"[A-Z]*",\)"category":{[^}]*},"deduction_or_payment":{[^}]*}/"key":8101,\1"category":{"key":1,"value":"Uren"},"deduction_or_payment":null/'
		  echo '{"type":"stream_end","client":"t","source":"loket","complete":true,"counts":{}}'; } >"$CUR"
		run --separate-stderr diff-loket -c "$BATS_TEST_TMPDIR/t.json" --current "$CUR" "$IN"
		assert_failure 1
		P=$output
		run r1_issues
		assert_output 'error R1 101 payroll_component_key'
		run jq -r 'select(.type=="issue") | .message' <<<"$P"
		assert_output --partial "${case#*|}"
		output=$P
		run t_ops
		assert_output ''
	done
	# an end date inside the catalogue's years: 2027 is not asked
	{ d_emp; d_ben '.payroll_component_key=7001|.end_date="2026-12-31"'; d_ok; } >"$IN"
	run --separate-stderr diff-loket -c "$BATS_TEST_TMPDIR/t.json" --current "$CUR" "$IN"
	assert_success
	run t_ops
	assert_output --partial '"payrollComponent":{"key":7001}'
}

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

# ---- Loket's keys come from Loket's metadata ---------------------------------------------------

meta_rec() { jq -cn --arg r "$1" --arg f "$2" --argjson o "$3" '{type:"loket.current.metadata",client:"t",resource:$r,field:$f,options:$o}'; }
odd_meta() { # keys that are not the ones anyone would guess; COUNTRIES and WAGE_TYPES may be given
	local c='[{"key":530,"isoCode":"NL","value":"Nederland"},{"key":540,"isoCode":"BE","value":"België"}]'
	local w='[{"key":5,"value":"Periodeloon"},{"key":6,"value":"Uurloon"}]'
	meta_rec employee gender '[{"key":7,"value":"Man"},{"key":8,"value":"Vrouw"}]'
	meta_rec employee country "${1:-$c}"
	meta_rec wage grossWageType "${2:-$w}"
	echo '{"type":"stream_end","client":"t","source":"loket","complete":true,"counts":{}}'
}

@test "LX1: a current state without Loket's metadata gives no plan for that client: keys are never guessed" {
	{ d_emp; d_wage; d_ok; } >"$IN"
	{ c_emp; c_empl; c_wage '.gross_wage="2900.00"'; c_comp; echo '{"type":"stream_end","client":"t","source":"loket","complete":true,"counts":{}}'; } >"$CUR"
	t_diff
	assert_failure 1
	P=$output
	run jq -r 'select(.type=="issue") | "\(.severity) \(.rule) \(.message)"' <<<"$P"
	assert_output --partial 'error LX1 No plan for t: the current Loket state holds no Loket metadata'
	run jq -c 'select(.type=="plan") | [.blocked, .ops]' <<<"$P"
	assert_output '[true,0]'
}

@test "metadata: gender, country and wage type keys come from Loket's metadata by label and isoCode; a differing country is an op (D2)" {
	{ d_emp '.employee.personalDetails.gender={value:"Vrouw"}|.employee.address.country={isoCode:"be"}'
	  d_wage '.start_date="2026-03-01"|.gross_wage="18.75"|.gross_wage_type.key=2'
	  d_emp '.personio_id="2"|.employee_number=102|.employee.personalDetails.gender={value:"Man"}|.employee.address.country={isoCode:"NL"}'
	  d_wage '.personio_id="2"|.employee_number=102|.gross_wage="18.75"|.gross_wage_type.key=2'; d_ok; } >"$IN"
	{ c_emp '.employee.personalDetails.gender={key:7,value:"Man"}|.employee.address.country={key:530,isoCode:"NL",value:"Nederland"}'
	  c_empl; c_wage '.gross_wage_type={key:5}'
	  c_emp '.id="ee2"|.employee_number=102|.employee.personalDetails.gender={key:7,value:"Man"}|.employee.address.country={key:530,isoCode:"NL",value:"Nederland"}'
	  c_empl '.id="em2"|.employee_id="ee2"|.employee_number=102'; c_wage '.id="w2"|.employment_id="em2"|.start_date="2026-01-01"|.gross_wage="18.75"|.gross_wage_type={key:6}'
	  odd_meta; } >"$CUR"
	t_diff
	assert_success
	run jq -c 'select(.type=="loket.op") | [.employee_number, .method, .body.personalDetails.gender // .body.grossWageType, .body.address.country // null, .after]' <<<"$output"
	assert_output "$(printf '%s\n' '[101,"PUT",{"key":8},{"key":540},{"personalDetails.gender":{"key":8},"address.country":{"key":540}}]' \
		'[101,"POST",{"key":6},null,{"start_date":"2026-03-01","gross_wage":"18.75","gross_wage_type":2}]')"
	# 102: same kind (Loket key 6 is Uurloon) and same values: nothing to do
	run jq -r 'select(.type=="loket.op" or .type=="issue") | .employee_number' <<<"$output"
	refute_output --partial 102
}

@test "LX2: a value Loket's metadata has no option for is left as it is (warning); a wage type without a key holds the wages back (error); the rest syncs" {
	{ d_emp '.employee.address.country={isoCode:"XX"}|.employee.address.city="Utrecht"'; d_wage '.gross_wage="18.75"|.gross_wage_type.key=2'; d_ok; } >"$IN"
	{ c_emp '.employee.address.country={key:530,isoCode:"NL",value:"Nederland"}'; c_empl; c_wage; odd_meta '[{"key":530,"isoCode":"NL","value":"Nederland"}]' '[{"key":5,"value":"Periodeloon"},{"key":9,"value":"Periodiek"}]'; } >"$CUR"
	t_diff
	assert_failure 1
	P=$output
	run jq -r 'select(.type=="issue") | "\(.severity) \(.rule) \(.field): \(.message)"' <<<"$P"
	assert_line "warning LX2 address.country: Employee 101: address.country 'XX' has no option in Loket's country metadata (options: NL), and the key is never guessed: left as it is in Loket"
	assert_line "error LX2 gross_wage_type: Employee 101: Loket's wage metadata has no single grossWageType option for an hourly wage (options: Periodeloon, Periodiek), and the key is never guessed: no wage of this employee is sent"
	run jq -c 'select(.type=="loket.op") | [.method, .after, .body.address.country]' <<<"$P"
	assert_output '["PUT",{"address.city":"Utrecht"},{"key":530}]'
}

@test "metadata: a concept employee's gender, country and wage type keys come from the metadata too (M1)" {
	{ d_emp '.employee_number=150|.employee.personalDetails.gender={value:"Vrouw"}|.employee.address.country={isoCode:"BE"}'
	  d_wage '.employee_number=150'; d_ok; } >"$IN"
	{ c_emp; c_empl; odd_meta; } >"$CUR"
	t_diff
	assert_success
	run jq -c 'select(.type=="loket.op" and .entity=="concept_employee") | [.rule, .body.employeeData.personalDetails.gender, .body.employeeData.address.country, .body.wageData.grossWageType]' <<<"$output"
	assert_output '["M1",{"key":8},{"key":540},{"key":5}]'
}

# ---- R1 for one-time payments: variable input only on a payment component of its period's year ----

vi_ops() { jq -r 'select(.type=="loket.op" and .entity=="variable_input") | "\(.rule) \(.method) \(.employee_number) \(.path | split("/") | last) \(.body.payrollComponents // [] | map("\(.payrollComponent.key)=\(.value)") | join(","))"' <<<"$1"; }

@test "R1: a positive one-time payment on a deduction component is an error: no PATCH, and Loket's entries of that period and component are not removed (O3); the rest syncs" {
	jq '.compensation.mapping.levy = 8050' "$T_CFG" >"$BATS_TEST_TMPDIR/t.json"
	T_CFG="$BATS_TEST_TMPDIR/t.json"
	{ d_emp; d_vi '.payroll_component_key=8050|.value="250.00"'; d_vi '.value="150.00"'
	  d_emp | e102; d_vi '.value="80.00"' | e102; d_ok; } >"$IN"
	# Loket: 8050 in period 3 twice (in p1 next to 8101, and a second record p2): O3 would remove both
	{ c_emp; c_empl; c_vi; c_vi '.payroll_component_key=8050|.value="40.00"'
	  c_vi '.id="p2"|.payroll_component_key=8050|.value="5.00"|.key.costCenter={key:2}'
	  c_emp '.id="ee2"|.employee_number=102'; c_empl '.id="em2"|.employee_id="ee2"|.employee_number=102'; c_end; } >"$CUR"
	t_diff
	assert_failure 1
	P=$output
	run r1_issues
	assert_output 'error R1 101 payroll_component_key'
	run jq -r 'select(.type=="issue") | .message, .hint' <<<"$P"
	assert_line "Employee 101: one-time payments of type 'levy' in period 2026-03 (250.00) go to component 8050 (INHOUDING), which is a deduction (Inhouding) in 2026: a one-time payment goes only to a payment component, with its sign, so the employee would be charged 250.00 instead of paid; period 2026-03 of component 8050 is not synced for this employee and Loket's entry for it stays as it is"
	assert_line 'map the compensation type to a payment component, or to a pair {"payment": KEY, "deduction": 8050} in compensation.mapping: a pair sends one-time payments to its payment member, with their sign'
	# no PATCH of 8050, no O3 PUT or DELETE of p1 or p2; 101's 8101 and employee 102 sync
	run vi_ops "$P"
	assert_output "$(printf '%s\n' 'K3 PATCH 101 payrollperioddata 8101=150' 'O1 PATCH 102 payrollperioddata 8101=80')"
	run jq -c 'select(.type=="plan") | [.blocked, .ops]' <<<"$P"
	assert_output '[false,2]'
	# the same, without a desired 8101: p1 keeps its 8101 entry untouched too (nothing at all to do)
	{ d_emp; d_vi '.payroll_component_key=8050|.value="40.00"'; d_vi; d_ok; } >"$IN"
	t_diff
	assert_failure 1
	run t_ops
	assert_output ''
}

@test "R1: a one-time payment on a component of neither kind, missing from its period's year's catalogue, or in a year not read, is an error; no op, Loket's entry stays" {
	jq '.compensation.mapping.other = 9999 | .compensation.mapping.fee = 7001' "$T_CFG" >"$BATS_TEST_TMPDIR/t.json"
	for case in ".payroll_component_key=9999#one-time payments of type 'other' in period 2026-03 (100.00) go to component 9999, which is not in Loket's payroll component catalogue for 2026" \
		".payroll_component_key=7001|.year=2027#one-time payments of type 'fee' in period 2027-03 (100.00) go to component 7001, which is not in Loket's payroll component catalogue for 2027" \
		".payroll_component_key=8101#one-time payments of type 'bonus' in period 2026-03 (100.00) go to component 8101 (REISKOSTEN), which in 2026 is neither a deduction nor a payment in Loket" \
		".year=2028#one-time payments of type 'bonus' in period 2028-03 (100.00) cannot be checked: the current Loket state has no payroll component catalogue for 2028"; do
		# Loket has a different value for that period and component (K3 would set it) and a second
		# record of it (O3 would remove it); another one-time payment of 101 still syncs
		{ d_emp; d_vi "${case%%#*}"; d_vi '.period=4|.payroll_component_key=8102|.value="60.00"'; d_ok; } >"$IN"
		{ c_emp; c_empl; c_vi "${case%%#*}"'|.value="7.00"'; c_vi "${case%%#*}"'|.id="p2"|.value="3.00"|.key.costCenter={key:2}'
		  c_meta | grep -v '"year":2027,"key":7001' | sed 's/"key":8101,\("description":"[A-Z]*",\)"category":{[^}]*},"deduction_or_payment":{[^}]*}/"key":8101,\1"category":{"key":1,"value":"Uren"},"deduction_or_payment":null/'
		  echo '{"type":"stream_end","client":"t","source":"loket","complete":true,"counts":{}}'; } >"$CUR"
		run --separate-stderr diff-loket -c "$BATS_TEST_TMPDIR/t.json" --current "$CUR" "$IN"
		assert_failure 1
		P=$output
		run r1_issues
		assert_output 'error R1 101 payroll_component_key'
		run jq -r 'select(.type=="issue") | .message' <<<"$P"
		assert_output --partial "Employee 101: ${case#*#}"
		assert_output --partial "is not synced for this employee and Loket's entry for it stays as it is"
		run vi_ops "$P"
		assert_output 'O1 PATCH 101 payrollperioddata 8102=60'
	done
}

@test "R1: a negative one-time amount on a payment component is a correction and syncs as a negative value; a pair sends it to its payment member, a plain deduction key refuses it" {
	{ d_emp; d_vi '.value="-40.00"'; d_ok; } >"$IN"
	{ c_emp; c_empl; c_vi; c_end; } >"$CUR"
	t_diff
	assert_success
	P=$output
	run jq -c 'select(.type=="issue")' <<<"$P"
	assert_output ''
	run vi_ops "$P"
	assert_output 'K3 PATCH 101 payrollperioddata 8101=-40'
	# the body carries the exact number token, negative
	run grep -c '"payrollComponents":\[{"payrollComponent":{"key":8101},"value":-40.00,"isSupplement":false}\]' <<<"$P"
	assert_output 1
	# map-compensation -> diff-loket: one-time payments of a pair's type go to its payment member, with their sign
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
