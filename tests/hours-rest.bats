#!/usr/bin/env bats
# The REST route of the hours (H5, H3): hours-to-collective-mutations --plan -> push-loket
# (the collective PATCH of payroll period data) against loket-emu, compared with the CSV route
# (the same hours as the CSV, imported with POST /__emu/import-variable-data). The hours are
# acme's sample timesheet (samples/hours/acme-2026-11.csv through hours-from-csv), the
# configuration samples/acme.json with its own hours section.

load helper

RANGE=(--year 2026 --from 2026-11-01 --to 2026-11-30)
ADMIN=7a9b3c2d-1e4f-4a5b-8c6d-000000000001
IMPORTQ="payrollAdministrationId=$ADMIN&year=2026&from=2026-11-01&to=2026-11-30&distributionUnit=yes"

setup_file() {
	load helper
	loket_start
	loket_client
	export CFGF="$BATS_FILE_TMPDIR/acme.json" HOURS="$BATS_FILE_TMPDIR/hours.ndjson"
	jq --arg u "$LK_URL" --arg t "$BATS_FILE_TMPDIR/token.json" \
		'.loket.oauth_url=$u | .loket.base_url=($u + "/v2") | .loket.token_file=$t
		 | .loket.redirect_uri="http://127.0.0.1/callback"' "$SAMPLES/acme.json" >"$CFGF"
	curl -fsS -X POST "$LK_URL/__emu/authcode" | jq -r .code | loket-auth -c "$CFGF" 2>/dev/null
	hours-from-csv -c "$CFGF" "$SAMPLES/hours/acme-2026-11.csv" >"$HOURS"
}
teardown_file() { loket_stop; }

setup() {
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	CUR="$BATS_TEST_TMPDIR/current.ndjson"
	PLAN="$BATS_TEST_TMPDIR/plan.ndjson"
	J="$BATS_TEST_TMPDIR/journal"
	OUT="$BATS_TEST_TMPDIR/results.ndjson"
}

fetch() { fetch-loket -c "$CFGF" --as-of "$AS_OF" >"$CUR"; }
plan() { hours-to-collective-mutations -c "$CFGF" --current "$CUR" "${RANGE[@]}" --plan "$@" "${H:-$HOURS}" >"$PLAN"; }
push() { push-loket -c "$CFGF" --journal "$J" "$@" "$PLAN"; }
writes() { curl -fsS "$LK_URL/__emu/stats" | jq '[.by_method // {} | to_entries[] | select(.key != "GET") | .value] | add // 0'; }
outcomes() { jq -r 'select(.type=="loket.result") | .outcome' "${1:-$OUT}" | sort | uniq -c | awk '{print $2 "=" $1}' | paste -sd' '; }
ops() { jq -c 'select(.type=="loket.op")' "$PLAN"; }
# the payroll period data of 2026/11 as fetch-loket reads it back through the API: per
# employment, shift, payslip type and distribution unit the components and their values
readback() {
	fetch-loket -c "$CFGF" --as-of "$AS_OF" |
		jq -c 'select(.type=="loket.current.variable_input" and .year==2026 and .period==11)
			| [.employment_id, .key.shift.shiftNumber, .key.payslipType.key, .key.distributionUnit.key,
			   .payroll_component_key, .value, .is_supplement]' | sort
}
# the CSV of the same hours imported into the emulator as it is now
csv_import() {
	hours-to-collective-mutations -c "$CFGF" --current "$CUR" "${RANGE[@]}" "${H:-$HOURS}" >"$BATS_TEST_TMPDIR/h.csv" 2>/dev/null || true
	run curl -sS -o "$BATS_TEST_TMPDIR/imp.json" -w '%{http_code}' -X POST --data-binary @"$BATS_TEST_TMPDIR/h.csv" \
		"$LK_URL/__emu/import-variable-data?$IMPORTQ"
	assert_output 200
}
# the employment ids of employee N in the current state
employment_of() { jq -r --argjson n "$1" 'select(.type=="loket.current.employment" and .employee_number==$n) | .id' "$CUR"; }

@test "H5: --help names --plan; a range over two payroll periods is a usage error (exit 2), nothing written" {
	run hours-to-collective-mutations --help
	assert_output --partial "--plan"
	fetch
	run --separate-stderr hours-to-collective-mutations -c "$CFGF" --current "$CUR" --year 2026 --from 2026-10-15 --to 2026-11-14 --plan "$HOURS"
	assert_failure 2
	assert_output ''
	[[ "$stderr" == *"not inside one payroll period"* ]]
}

@test "H5: acme's sample hours: one PATCH per employment with hours, values as the CSV's cells, schema valid; do_not_import and TRAINING never sent" {
	fetch
	run --separate-stderr plan
	assert_success
	schema_ok "$PLAN"
	n=$(ops | wc -l)
	rows=$(hours-to-collective-mutations -c "$CFGF" --current "$CUR" "${RANGE[@]}" "$HOURS" 2>/dev/null | tail -n +2 | wc -l)
	[ "$n" -gt 0 ]
	assert_equal "$n" "$rows"
	run jq -r 'select(.type=="plan") | [.ops, .ops_by_rule.H5, .blocked] | @tsv' "$PLAN"
	assert_output "$(printf '%s\t%s\tfalse' "$n" "$n")"
	run tail -n 1 "$PLAN"
	assert_output --partial '"type":"stream_end"'
	assert_output --partial '"source":"plan","complete":true'
	# every op: the period 2026/11, shift 1, payslip type 1, only component 1 (TRAINING is unmapped, H1)
	run bash -c "jq -c 'select(.type==\"loket.op\") | [.rule, .method, .entity, .action, .body.payrollPeriod, .body.shift, .body.payslipType, [.body.payrollComponents[].payrollComponent.key]]' '$PLAN' | sort -u"
	assert_output '["H5","PATCH","variable_input","upsert",{"year":2026,"periodNumber":11},{"shiftNumber":1},{"key":1},[1]]'
	# the do_not_import employee (H2) has no op
	skip_n=$(jq -r '.hours.do_not_import[0]' "$CFGF")
	run jq -c --argjson n "$skip_n" 'select(.type=="loket.op" and .employee_number==$n)' "$PLAN"
	assert_output ''
	# the values are the CSV's cells: persnr -> employment, hours summed exactly
	hours-to-collective-mutations -c "$CFGF" --current "$CUR" "${RANGE[@]}" "$HOURS" 2>/dev/null | tail -n +2 | tr -d '\r' |
		awk -F';' '{print $2, $5}' | sort >"$BATS_TEST_TMPDIR/csv.cells"
	jq -r 'select(.type=="loket.current.employment") | "\(.id) \(.payroll_id)"' "$CUR" | sort >"$BATS_TEST_TMPDIR/ids"
	ops | jq -r '"\(.path | split("/")[5]) \(.after[0].value)"' | sort | join - "$BATS_TEST_TMPDIR/ids" |
		awk '{v=$2; sub(/\.00$/, "", v); sub(/0$/, "", v); if (v ~ /\./) sub(/\./, ",", v); print $3, v}' | sort >"$BATS_TEST_TMPDIR/plan.cells"
	run diff "$BATS_TEST_TMPDIR/csv.cells" "$BATS_TEST_TMPDIR/plan.cells"
	assert_success
	# nothing Loket holds yet: every before is null
	run bash -c "jq -c '.before[]' <<<'$(ops)' | sort -u"
	assert_output 'null'
}

@test "H5/H3: the REST route and the CSV import (Overwrite) give the same Loket state, read through the API" {
	fetch
	plan
	push >"$OUT"
	n=$(ops | wc -l)
	run outcomes
	assert_output "applied=$n"
	# the collective PATCH carried them (default 100 items per request)
	run bash -c "curl -fsS '$LK_URL/__emu/requests' | jq -c '[.[] | select(.method==\"PATCH\") | [(.path | test(\"^/providers/employers/[^/]+/payrollperioddata\$\")), (.body | length)]]'"
	assert_output "[[true,$n]]"
	rest=$(readback)
	rdig=$(loket_digest)
	[ -n "$rest" ]
	# a fresh emulator: the CSV of the same hours imported
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	fetch
	csv_import
	assert_equal "$(readback)" "$rest"
	assert_equal "$(loket_digest)" "$rdig"
}

@test "H5: a second run (fetch again, plan again) has 0 ops and sends zero write requests" {
	fetch
	plan
	push >/dev/null
	fetch
	run --separate-stderr plan
	assert_success
	run ops
	assert_output ''
	run jq -c 'select(.type=="plan") | .ops' "$PLAN"
	assert_output 0
	w=$(writes)
	rm -f "$J"
	run --separate-stderr push
	assert_success
	assert_equal "$(writes)" "$w"
	# and after the CSV import the plan is empty too: both routes hold the same
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	fetch
	csv_import
	fetch
	plan
	run ops
	assert_output ''
}

@test "H5: a push SIGKILLed while a collective PATCH is out resumes without duplicates: the same state as a clean push" {
	fetch
	plan
	push >/dev/null
	clean=$(loket_digest)
	clean_rb=$(readback)
	for point in sent landed; do
		curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
		rm -f "$J"
		case $point in
		landed) curl -fsS -X POST --data '{"scope":"/v2/providers/employers/","lost":1,"latency_ms":150}' "$LK_URL/__emu/faults" >/dev/null ;;
		*) curl -fsS -X POST --data '{"latency_ms":150}' "$LK_URL/__emu/faults" >/dev/null ;;
		esac
		push-loket -c "$CFGF" --journal "$J" --collective-items 3 "$PLAN" >/dev/null 2>&1 &
		pid=$!
		case $point in
		sent) until grep -q '"state":"sent"' "$J" 2>/dev/null || ! kill -0 $pid 2>/dev/null; do sleep 0.005; done ;;
		landed) until [ "$(curl -fsS "$LK_URL/__emu/stats" | jq .faults.lost)" -ge 1 ] || ! kill -0 $pid 2>/dev/null; do sleep 0.005; done ;;
		esac
		kill -9 $pid 2>/dev/null || { echo "$point: the push ended before the kill"; false; }
		wait $pid 2>/dev/null || true
		curl -fsS -X POST --data '{}' "$LK_URL/__emu/faults" >/dev/null
		run --separate-stderr push --collective-items 3
		[ "$status" -eq 0 ] || { echo "$point: exit $status: $stderr"; false; }
		run jq -r 'select(.type=="loket.result" and .outcome!="applied" and .outcome!="already_applied") | .seq' <<<"$output"
		assert_output ''
		[ "$(loket_digest)" = "$clean" ] || { echo "$point: another state"; false; }
		assert_equal "$(readback)" "$clean_rb"
		# one record per employment and period: nothing doubled
		run bash -c "curl -fsS '$LK_URL/__emu/state' | jq '[.payrollPeriodData[] | [.employmentId, .payrollPeriod.year, .payrollPeriod.periodNumber]] | (length == (unique | length))'"
		assert_output true
	done
}

@test "H5: a corrected month: an employee's hours taken out is sent as null (never 0), a changed one with the new value, nothing for the unchanged" {
	fetch
	plan
	push >/dev/null
	# 102's hours all removed; 101's first day 8,00 -> 6,50 (two hours and a half less in the month)
	H="$BATS_TEST_TMPDIR/corrected.ndjson"
	first=$(jq -c 'select(.type=="hours" and .employee_number==101)' "$HOURS" | head -n 1)
	jq -c --argjson f "$first" 'select(.type!="hours" or .employee_number!=102) | if . == $f then .hours = ((.hours | tonumber) - 1.5 | . * 100 | round | tostring | .[:-2] + "." + .[-2:]) else . end' "$HOURS" >"$H"
	was101=$(jq -r --arg e "$(employment_of 101)" 'select(.type=="loket.current.variable_input" and .employment_id==$e and .year==2026 and .period==11) | .value' "$CUR")
	[ -z "$was101" ] # (the state before the first push)
	fetch
	was101=$(jq -r --arg e "$(employment_of 101)" 'select(.type=="loket.current.variable_input" and .employment_id==$e and .year==2026 and .period==11) | .value' "$CUR")
	was102=$(jq -r --arg e "$(employment_of 102)" 'select(.type=="loket.current.variable_input" and .employment_id==$e and .year==2026 and .period==11) | .value' "$CUR")
	[ -n "$was102" ]
	H="$H" plan
	schema_ok "$PLAN"
	run bash -c "jq -c 'select(.type==\"loket.op\") | [.employee_number, .body.payrollComponents, .before[0].value, .after[0]]' '$PLAN'"
	want101=$(jq -rn --arg v "$was101" '$v | tonumber - 1.5 | . * 100 | round | tostring | .[:-2] + "." + .[-2:]')
	grep -q "\"value\":$want101," "$PLAN" # the exact digits go out (an hours quantity is never a float)
	assert_line --index 0 "[101,[{\"payrollComponent\":{\"key\":1},\"value\":$(jq -n "$want101"),\"isSupplement\":false}],\"$was101\",{\"year\":2026,\"period\":11,\"payroll_component_key\":1,\"value\":\"$want101\"}]"
	assert_line --index 1 "[102,[{\"payrollComponent\":{\"key\":1},\"value\":null,\"isSupplement\":false}],\"$was102\",null]"
	[ "${#lines[@]}" -eq 2 ]
	rm -f "$J"
	push >"$OUT"
	run outcomes
	assert_output 'applied=2'
	fetch
	run jq -r --arg e "$(employment_of 102)" 'select(.type=="loket.current.variable_input" and .employment_id==$e and .year==2026 and .period==11) | .value' "$CUR"
	assert_output ''
	run jq -r --arg e "$(employment_of 101)" 'select(.type=="loket.current.variable_input" and .employment_id==$e and .year==2026 and .period==11) | .value' "$CUR"
	assert_output "$want101"
	# resumed with the same journal: already applied (the null is held: the entry is gone)
	push >"$OUT"
	run outcomes
	assert_output 'already_applied=2'
	# planned again: nothing; the CSV route cannot remove 102's value (an empty cell leaves it), so
	# the two routes differ there only: the CSV of the corrected hours has no row for 102 at all
	H="$H" plan
	run ops
	assert_output ''
	H="$H" hours-to-collective-mutations -c "$CFGF" --current "$CUR" "${RANGE[@]}" "$H" 2>/dev/null >"$BATS_TEST_TMPDIR/c.csv"
	run grep -c "^12345;$(jq -r --arg e "$(employment_of 102)" 'select(.type=="loket.current.employment" and .id==$e) | .payroll_id' "$CUR");" "$BATS_TEST_TMPDIR/c.csv"
	assert_output 0
}

@test "H5: a value changed in Loket after the plan was made (drift) is not written over, for a new value and for a removal" {
	fetch
	plan
	push >/dev/null
	fetch
	H="$BATS_TEST_TMPDIR/corrected.ndjson"
	jq -c 'select(.type!="hours" or (.employee_number!=102 and .employee_number!=101))' "$HOURS" >"$H"
	printf '%s\n' "$(jq -c 'select(.type=="hours" and .employee_number==101)' "$HOURS" | head -n 1)" >>"$H"
	H="$H" plan
	[ "$(ops | wc -l)" -eq 2 ]
	for n in 101 102; do
		curl -fsS -X PATCH -H "Authorization: Bearer $(loket_token)" -H 'Content-Type: application/json' \
			--data '{"payrollPeriod":{"year":2026,"periodNumber":11},"shift":{"shiftNumber":1},"payrollComponents":[{"payrollComponent":{"key":1},"value":99,"isSupplement":false}]}' \
			"$LK_URL/v2/providers/employers/employees/employments/$(employment_of $n)/payrollperioddata" >/dev/null
	done
	rm -f "$J"
	push >"$OUT" 2>/dev/null || true
	run outcomes
	assert_output 'failed=2'
	run grep -c 'component 1 of this period holds 99.00 in Loket' "$OUT"
	assert_output 2
	# Loket keeps the values set there
	run bash -c "curl -fsS '$LK_URL/__emu/state' | jq -c '[.payrollPeriodData[] | select(.payrollPeriod.periodNumber==11) | .payrollComponents[] | select(.value==99)] | length'"
	assert_output 2
}

@test "H5: the plan passes push-loket's own checks (--dry-run) and its requests are the spec's (spec-check)" {
	fetch
	H="$BATS_TEST_TMPDIR/h.ndjson"
	jq -c 'select(.type!="hours" or .employee_number!=102)' "$HOURS" >"$H"
	H="$H" plan
	push >/dev/null
	fetch
	unset H
	plan # 102's hours back, and the removal of nothing: one op at least
	run --separate-stderr push-loket -c "$CFGF" --dry-run "$PLAN"
	assert_success
	run jq -r 'select(.type=="loket.request") | .outcome' <<<"$output"
	[ -n "$output" ]
	curl -fsS -X POST "$LK_URL/__emu/reset-log" >/dev/null
	rm -f "$J"
	push >/dev/null
	curl -fsS "$LK_URL/__emu/requests" >"$BATS_TEST_TMPDIR/req.json"
	jq -e 'map(select(.method=="PATCH")) | length > 0' "$BATS_TEST_TMPDIR/req.json"
	run spec-check "$LOKET_SPEC" --requests "$BATS_TEST_TMPDIR/req.json"
	assert_success
	# and with the removal (null) in it
	H="$BATS_TEST_TMPDIR/h2.ndjson"
	jq -c 'select(.type!="hours" or .employee_number!=101)' "$HOURS" >"$H"
	fetch
	H="$H" plan
	ops | jq -e 'select(.body.payrollComponents[0].value == null)' >/dev/null
	curl -fsS -X POST "$LK_URL/__emu/reset-log" >/dev/null
	rm -f "$J"
	push >/dev/null
	curl -fsS "$LK_URL/__emu/requests" >"$BATS_TEST_TMPDIR/req.json"
	run spec-check "$LOKET_SPEC" --requests "$BATS_TEST_TMPDIR/req.json"
	assert_success
}

@test "H5: an hours record with a distribution unit code is an error for its employee (left out of the plan), the others are planned" {
	fetch
	H="$BATS_TEST_TMPDIR/du.ndjson"
	jq -c 'if .type=="hours" and .employee_number==101 then .distribution_unit = 1 else . end' "$HOURS" >"$H"
	run --separate-stderr plan --report "$BATS_TEST_TMPDIR/rep.ndjson"
	assert_failure 1
	[[ "$stderr" == *"employee 101: error: distribution unit 1"* ]]
	run jq -c 'select(.type=="issue" and .rule=="H5") | [.severity, .employee_number, .field]' "$BATS_TEST_TMPDIR/rep.ndjson"
	assert_output '["error","101","distribution_unit"]'
	run jq -c 'select(.type=="loket.op" and .employee_number==101)' "$PLAN"
	assert_output ''
	[ "$(ops | wc -l)" -gt 0 ]
	schema_ok "$PLAN"
}

@test "H5: a current state whose variable input is not an amount or has no upsert key is bad input (exit 3), nothing planned" {
	fetch
	for bad in '.value="8,00"' '.key=null' '.payroll_component_key="1"'; do
		jq -c 'if .type=="loket.current.employment" and .employee_number==101 then ., ({type:"loket.current.variable_input",client:"acme",id:"x",
			employment_id:.id,year:2026,period:11,payroll_component_key:1,value:"8.00",is_supplement:false,key:{}} | '"$bad"') else . end' \
			"$BATS_TEST_TMPDIR/current.ndjson" >"$BATS_TEST_TMPDIR/cur.bad"
		run --separate-stderr hours-to-collective-mutations -c "$CFGF" --current "$BATS_TEST_TMPDIR/cur.bad" "${RANGE[@]}" --plan "$HOURS"
		assert_failure 3
		assert_output ''
		[[ "$stderr" == *"cur.bad:"* ]]
	done
	# an entry of an employment the state does not have: no op for it, no error
	jq -c 'if .type=="stream_end" then ({type:"loket.current.variable_input",client:"acme",id:"x",employment_id:"nope",year:2026,
		period:11,payroll_component_key:1,value:"8.00",is_supplement:false,key:{}}), . else . end' "$CUR" >"$BATS_TEST_TMPDIR/cur.x"
	run --separate-stderr hours-to-collective-mutations -c "$CFGF" --current "$BATS_TEST_TMPDIR/cur.x" "${RANGE[@]}" --plan "$HOURS"
	assert_success
	run jq -c 'select(.type=="loket.op" and (.path | contains("nope")))' <<<"$output"
	assert_output ''
}
