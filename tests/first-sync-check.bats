#!/usr/bin/env bats
# pipelines/first-sync-check and alignment: the first-sync alignment of a fresh acme (Loket's
# planted state, one difference per rule) against both emulators: the golden text and CSV, every
# R3/O3 destruction with its amount, nothing written to Loket, incomplete and bad input, a
# person without an employee number.

load helper

setup_file() {
	load helper
	monthly_sync_emus "$BATS_FILE_TMPDIR/fixed"
}
teardown_file() {
	emu_stop
	loket_stop
}

setup() {
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	monthly_sync_env
	CHECK="$ROOT/pipelines/first-sync-check"
}

# check: first-sync-check of acme into $O (exit status in $status)
check() {
	run --separate-stderr sh "$CHECK" -c "$CFG" --as-of "$AS_OF" --out "$O" --actor tester "$@"
}
# align [ARGS]: alignment over the files of a run in $O (the plan, the current and desired state)
align() {
	alignment -c "$CFG" --current "$O/current.ndjson" --plan "$O/plan.ndjson" --people "$O/personio.ndjson" \
		--title "loketpipe first-sync alignment: acme, $AS_OF" "$@"
}

@test "K3, R2, R3, O3: a fresh acme before its first sync: the golden text and CSV (reviewed by hand), the run status, the HTML" {
	check
	assert_success
	[[ "$stderr" == *"nothing was written to Loket"* ]]
	diff -u "$ROOT/tests/golden/acme.alignment.txt" "$O/alignment.txt"
	diff -u "$ROOT/tests/golden/acme.alignment.csv" "$O/alignment.csv"
	run jq -c '[.type, .outcome, .exit, .stage, .ops, .removed, .first_error]' "$O/status.json"
	assert_output '["first_sync.status","compared",0,"align",25,5,null]'
	[ "$(stat -c %a "$O/status.json")" = 600 ]
	[ "$(stat -c %a "$O")" = 700 ]
	# the HTML holds the same rows: a table per compared employee, the destructions first
	[ "$(grep -c '<table>' "$O/alignment.html")" -eq 27 ]
	grep -q '<ul class="destroyed">' "$O/alignment.html"
	[ "$(grep -o '<ul class="destroyed">' "$O/alignment.html" | wc -l)" -eq 1 ]
	xmllint --html --noout "$O/alignment.html"
	# A1: the check is in the audit log, with who ran it
	run jq -r 'select(.event == "first_sync.check") | "\(.outcome) \(.actor)"' "$BATS_TEST_TMPDIR/audit.ndjson"
	assert_output "compared tester"
}

@test "nothing is written to Loket: the emulator's request log holds only GETs, and Loket's state is unchanged" {
	before=$(loket_digest)
	check
	assert_success
	run bash -c "curl -fsS '$LK_URL/__emu/requests' | jq -r '.[].method' | sort -u"
	assert_output GET
	assert_equal "$(loket_writes)" 0
	assert_equal "$(loket_digest)" "$before"
	# the plan it shows is the one a sync would push (diff-loket's own ops)
	run jq -c 'select(.type=="plan") | [.blocked, .ops, .ops_by_rule.R3, .ops_by_rule.O3]' "$O/plan.ndjson"
	assert_output '[false,25,1,2]'
}

@test "R3, O3: every R3 and O3 op of the plan is listed in its own section before the employees, with the employee and its amount" {
	check
	assert_success
	section=$(sed -n '/^What the first sync removes or ends in Loket/,/^Per employee$/p' "$O/alignment.txt")
	[ -n "$section" ]
	n=0
	while IFS=' ' read -r num amount; do
		n=$((n + 1))
		printf '%s\n' "$section" | grep -F "employee $num," | grep -qF " $amount" ||
			{ echo "employee $num: $amount not listed"; return 1; }
	done < <(jq -r 'select(.type=="loket.op" and (.rule=="R3" or .rule=="O3"))
		| "\(.employee_number) \(if (.before | type) == "array" then .before[0].value else .before.value end)"' "$O/plan.ndjson")
	[ $n -eq 3 ]
	# and marked in the CSV: R3 ends, O3 deletes, each with Loket's value
	run bash -c "grep -c ';end;R3;' '$O/alignment.csv'"
	assert_output 1
	run bash -c "grep -c ';delete;O3;' '$O/alignment.csv'"
	assert_output 2
	grep -q '^Sanne van den Berg;102;1002;recurring;8042;2026-03-01;50,00;per month;;;end;R3;' "$O/alignment.csv"
	grep -q '^Femke Brouwer;114;1014;one-time;8101;2026-04;500,00;;;;delete;O3;' "$O/alignment.csv"
}

@test "the marks follow the plan's ops: every op on a wage, benefit or variable input has its row, with its rule" {
	check
	assert_success
	# rows per rule in the CSV (column 12) against the plan's ops per rule (one row per variable input entry)
	want=$(jq -r 'select(.type=="loket.op" and (.entity=="wage" or .entity=="benefit_deduction" or .entity=="variable_input"))
		| .rule as $r | if .entity == "variable_input" then ((.after // .before) | .[] | $r) else $r end' "$O/plan.ndjson" | sort | uniq -c)
	have=$(tail -n +2 "$O/alignment.csv" | tr -d '\r' | awk -F';' '$12 != "" && $12 != "M1" { print $12 }' | sort | uniq -c)
	assert_equal "$have" "$want"
}

@test "a stream without its stream_end: the report says the comparison is incomplete at the top (exit 3); no CSV" {
	check
	assert_success
	for f in current plan personio; do
		cp "$O/$f.ndjson" "$BATS_TEST_TMPDIR/$f.ndjson"
	done
	cp "$O/desired.ndjson" "$BATS_TEST_TMPDIR/desired.ndjson"
	for f in current desired plan; do
		head -n -1 "$BATS_TEST_TMPDIR/$f.ndjson" >"$O/$f.ndjson"
		run --separate-stderr align "$O/desired.ndjson"
		assert_failure 3
		printf '%s\n' "$output" | sed -n '1,12p' | grep -q '^The comparison is incomplete$'
		[[ "$output" == *"ends early"*"its end record (stream_end) is missing"* ]]
		run --separate-stderr align --csv "$O/desired.ndjson"
		assert_failure 3
		assert_output ""
		[[ "$stderr" == *"no CSV written: the comparison is incomplete"* ]]
		cp "$BATS_TEST_TMPDIR/$f.ndjson" "$O/$f.ndjson"
	done
	# a stage that failed remotely: complete:false (exit 5)
	jq -c 'if .type == "stream_end" then .complete = false | .error = "HTTP 503" else . end' \
		"$BATS_TEST_TMPDIR/current.ndjson" >"$O/current.ndjson"
	run --separate-stderr align "$O/desired.ndjson"
	assert_failure 5
	[[ "$output" == *"did not finish (HTTP 503): the comparison is incomplete"* ]]
	# a plan that holds fewer ops than its plan record announces
	cp "$BATS_TEST_TMPDIR/current.ndjson" "$O/current.ndjson"
	grep -v '"seq":5,' "$BATS_TEST_TMPDIR/plan.ndjson" >"$O/plan.ndjson"
	run --separate-stderr align "$O/desired.ndjson"
	assert_failure 3
	[[ "$output" == *"The plan announces 25 change(s) but holds 24"* ]]
}

@test "bad input: no plan (usage, exit 2), a plan that cannot be read, an empty plan, the wrong file as the plan, another client's records" {
	check
	assert_success
	run --separate-stderr alignment -c "$CFG" --current "$O/current.ndjson" "$O/desired.ndjson"
	assert_failure 2
	[[ "$stderr" == *"--plan FILE is required"* ]]
	run --separate-stderr alignment -c "$CFG" --plan "$O/plan.ndjson" "$O/desired.ndjson"
	assert_failure 2
	run --separate-stderr alignment -c "$CFG" --current "$O/current.ndjson" --plan "$BATS_TEST_TMPDIR/none" "$O/desired.ndjson"
	assert_failure
	[[ "$stderr" == *"$BATS_TEST_TMPDIR/none"* ]]
	: >"$BATS_TEST_TMPDIR/empty"
	run --separate-stderr alignment -c "$CFG" --current "$O/current.ndjson" --plan "$BATS_TEST_TMPDIR/empty" "$O/desired.ndjson"
	assert_failure 3
	[[ "$output" == *"holds no records"* ]]
	run --separate-stderr alignment -c "$CFG" --current "$O/current.ndjson" --plan "$O/desired.ndjson" "$O/desired.ndjson"
	assert_failure 3
	[[ "$output" == *"ends with the end record of another stage (source 'personio', not 'plan')"* ]]
	[[ "$output" == *"The plan has no summary record"* ]]
	jq -c 'if .type == "loket.wage" then .client = "other" else . end' "$O/desired.ndjson" >"$BATS_TEST_TMPDIR/other.ndjson"
	run --separate-stderr alignment -c "$CFG" --current "$O/current.ndjson" --plan "$O/plan.ndjson" "$BATS_TEST_TMPDIR/other.ndjson"
	assert_failure 3
	[[ "$stderr" == *"other.ndjson:"*": client: a record of client 'other'"* ]]
	run --separate-stderr alignment -c "$CFG" --current "$O/current.ndjson" --plan "$O/plan.ndjson" --html --csv "$O/desired.ndjson"
	assert_failure 2
}

@test "E2, E4: a person without an employee number (acme as shipped, blocked): named by name and Personio id; the values compared (differs), no plan; BSN and IBAN masked" {
	emu_launch personio-emu shipped "$SAMPLES/personio"
	pid=$LAUNCHED_PID
	mkdir "$BATS_TEST_TMPDIR/shipped"
	jq --arg p "$LAUNCHED_URL" '.personio.base_url=$p' "$CFG" >"$BATS_TEST_TMPDIR/shipped/acme.json"
	run --separate-stderr sh "$CHECK" -c "$BATS_TEST_TMPDIR/shipped/acme.json" --as-of "$AS_OF" --out "$O"
	emu_kill $pid
	assert_failure 1
	assert_equal "$(loket_writes)" 0
	run jq -c '[.outcome, .exit, .removed, .csv != null]' "$O/status.json"
	assert_output '["blocked",1,null,true]'
	grep -q 'Removed or ended in Loket: unknown (no plan)\.' "$O/alignment.txt"
	grep -q '^Stijn Kuipers (no employee number, Personio 1026)$' "$O/alignment.txt"
	sed -n '/^Stijn Kuipers (no employee number, Personio 1026)$/,/^$/p' "$O/alignment.txt" | grep -q 'E2 error: Employee number (Loket) is missing'
	grep -q '^Stijn Kuipers;;1026;salary;;2026-01-01;;;3250,00;;differs;;' "$O/alignment.csv"
	grep -q '^No plan: validation found errors (E4)' "$O/alignment.txt"
	! grep -q ';overwrite;\|;end;\|;delete;\|;create;' "$O/alignment.csv"
	# 1028's invalid BSN and 1029's IBAN, masked in every output
	! grep -q 651499253 "$O/alignment.txt" "$O/alignment.html" "$O/alignment.csv"
	! grep -q NL53INGB0651907064 "$O/alignment.txt" "$O/alignment.html" "$O/alignment.csv"
	grep -q '\*\*\*\*\*9253' "$O/alignment.txt"
}

@test "CSV: formula-safe and masked names; usage of the pipeline: -c required, unknown arguments exit 2" {
	check
	assert_success
	jq -c 'if .type == "loket.employee" and .employee_number == 101 then .employee.personalDetails.firstName = "=HYPERLINK(\"x\")" | .employee.personalDetails.prefix = "" | .employee.personalDetails.lastName = "637017961" else . end' \
		"$O/desired.ndjson" >"$BATS_TEST_TMPDIR/evil.ndjson"
	run --separate-stderr align --csv "$BATS_TEST_TMPDIR/evil.ndjson"
	assert_success
	[[ "$output" == *"\"'=HYPERLINK(\"\"x\"\") *****7961\";101;1001;salary"* ]]
	! grep -q 637017961 <<<"$output"
	run --separate-stderr sh "$CHECK"
	assert_failure 2
	run --separate-stderr sh "$CHECK" -c "$CFG" --bogus
	assert_failure 2
}

@test "K3: a wage diff-loket deletes only to post it again after an earlier change (Loket only appends) is keep, not a destruction" {
	check
	assert_success
	# 108 in Personio: the wage of 2026-09-01 that Loket holds stays, a new one comes before it (2026-07-01)
	jq -c 'if .type == "loket.wage" and .employee_number == 108 and .start_date == "2026-10-01" then .start_date = "2026-09-01" | .gross_wage = "3250.00"
	       elif .type == "loket.wage" and .employee_number == 108 and .start_date == "2026-07-01" then .end_date = "2026-08-31" else . end' \
		"$O/desired.ndjson" >"$BATS_TEST_TMPDIR/moved.ndjson"
	run diff-loket -c "$CFG" --current "$O/current.ndjson" "$BATS_TEST_TMPDIR/moved.ndjson"
	printf '%s\n' "$output" >"$O/plan.ndjson"
	run jq -r 'select(.type == "loket.op" and .employee_number == 108) | "\(.action) \(.before.start_date // .after.start_date)"' "$O/plan.ndjson"
	assert_output $'delete 2026-09-01\ncreate 2026-07-01\ncreate 2026-09-01'
	run --separate-stderr align --csv "$BATS_TEST_TMPDIR/moved.ndjson"
	assert_success
	run grep '^Fleur de Jong;108;' <<<"$output"
	assert_line --index 2 --partial ';salary;;2026-07-01;3200,00;since 2026-04-01;3300,00;;overwrite;K3;'
	assert_line --index 3 --partial ';salary;;2026-09-01;3250,00;;3250,00;;keep;K3;deleted and posted again'
	run --separate-stderr align "$BATS_TEST_TMPDIR/moved.ndjson"
	! sed -n '/^What the first sync removes/,/^Per employee$/p' <<<"$output" | grep -q 'employee 108'
}

@test "bad input: a field the comparison reads is wrong in an op, a current or a desired record: exit 3 naming file, line and field, nothing written" {
	check
	assert_success
	n=$(grep -n '"rule":"R3"' "$O/plan.ndjson" | cut -d: -f1)
	jq -c 'if .type == "loket.op" and .rule == "R3" then .before.value = "fifty" else . end' "$O/plan.ndjson" >"$BATS_TEST_TMPDIR/plan.ndjson"
	run --separate-stderr alignment -c "$CFG" --current "$O/current.ndjson" --plan "$BATS_TEST_TMPDIR/plan.ndjson" "$O/desired.ndjson"
	assert_failure 3
	assert_output ""
	[[ "$stderr" == *"plan.ndjson:$n: before.value: expected an amount"* ]]
	jq -c 'if .type == "loket.op" and .rule == "O3" then .before = null else . end' "$O/plan.ndjson" >"$BATS_TEST_TMPDIR/plan.ndjson"
	run --separate-stderr alignment -c "$CFG" --current "$O/current.ndjson" --plan "$BATS_TEST_TMPDIR/plan.ndjson" "$O/desired.ndjson"
	assert_failure 3
	[[ "$stderr" == *": before: expected an array of entries"* ]]
	jq -c 'if .type == "loket.current.wage" then .start_date = "2026-02-30" else . end' "$O/current.ndjson" >"$BATS_TEST_TMPDIR/current.ndjson"
	run --separate-stderr alignment -c "$CFG" --current "$BATS_TEST_TMPDIR/current.ndjson" --plan "$O/plan.ndjson" "$O/desired.ndjson"
	assert_failure 3
	[[ "$stderr" == *"current.ndjson:"*": start_date: expected a date YYYY-MM-DD"* ]]
	jq -c 'if .type == "loket.benefit_deduction" then del(.payroll_component_key) else . end' "$O/desired.ndjson" >"$BATS_TEST_TMPDIR/desired.ndjson"
	run --separate-stderr alignment -c "$CFG" --current "$O/current.ndjson" --plan "$O/plan.ndjson" --csv "$BATS_TEST_TMPDIR/desired.ndjson"
	assert_failure 3
	assert_output ""
	[[ "$stderr" == *"desired.ndjson:"*": payroll_component_key: expected an integer"* ]]
}

@test "R3, K2: with recurring compensation not synced (compensation.sync_recurring false) nothing recurring is ended: every recurring row that differs is leave, and says why" {
	check
	assert_success
	jq '.compensation.sync_recurring = false' "$CFG" >"$BATS_TEST_TMPDIR/norec.json"
	run diff-loket -c "$BATS_TEST_TMPDIR/norec.json" --current "$O/current.ndjson" "$O/desired.ndjson"
	assert_success
	printf '%s\n' "$output" >"$O/plan.ndjson"
	run --separate-stderr alignment -c "$BATS_TEST_TMPDIR/norec.json" --current "$O/current.ndjson" --plan "$O/plan.ndjson" --csv "$O/desired.ndjson"
	assert_success
	# equal ones are keep; every other is leave
	recurring=$(grep ';recurring;' <<<"$output" | grep -vc ';keep;')
	[ "$recurring" -gt 0 ]
	assert_equal "$(grep ';recurring;' <<<"$output" | grep -c ';leave;;not synced: compensation.sync_recurring is false in the configuration')" "$recurring"
	! grep -q ';R3;\|;R2;' <<<"$output"
}
