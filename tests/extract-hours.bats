#!/usr/bin/env bats
# extract-hours against the Personio emulator: acme's attendances -> the same hours records
# as hours-from-csv on acme's timesheet (H5), worked time and its rounding, the hour code,
# employees without a number, paging, faults, record/replay, usage.

load helper

# the test tenant "hrs": a few acme employees (one without an Employee number, one whose
# number is not a whole number, one of legal entity 171) and attendances of every kind
make_hrs() {
	local d="$BATS_FILE_TMPDIR/fx/hrs"
	mkdir -p "$d"
	echo '{"client_id":"hrs-test-id","client_secret":"hrs-test-secret-0000"}' >"$d/credentials.json"
	echo '[]' >"$d/compensations.json"
	jq '[.[] | select(.attributes.id.value == (1001, 1002, 1026, 1033))]
	    | map(if .attributes.id.value == 1002 then .attributes.dynamic_1001.value = "12a" else . end)' \
		"$SAMPLES/personio/acme/employees.json" >"$d/employees.json"
	jq -n '
	  def att($id; $e; $d; $s; $t; $b; $p): {id: $id, type: "AttendancePeriod", attributes: {employee: $e, date: $d,
	    start_time: $s, end_time: $t, break: $b, comment: "", status: "confirmed", is_holiday: false,
	    is_on_time_off: false, project: (if $p == null then null else {id: 9, type: "Project",
	    attributes: {name: $p, active: true}} end)}};
	  [ att(60001; 1001; "2026-11-02"; "09:00"; "09:20"; 0; null),
	    att(60002; 1001; "2026-11-03"; "09:00"; "09:01"; 0; null),
	    att(60003; 1001; "2026-11-04"; "09:00"; "09:50"; 0; null),
	    att(60004; 1001; "2026-11-05"; "08:00"; "17:00"; 45; null),
	    att(60005; 1001; "2026-11-06"; "08:00"; "12:00"; 0; "Klant X"),
	    att(60006; 1001; "2026-11-09"; "08:00"; "16:30"; 30; "TRAINING"),
	    att(60007; 1026; "2026-11-02"; "08:00"; "16:00"; 0; null),
	    att(60008; 1002; "2026-11-02"; "08:00"; "16:00"; 0; null),
	    att(60009; 1033; "2026-11-02"; "08:00"; "16:00"; 0; null),
	    att(60010; 1001; "2026-11-10"; "17:00"; "09:00"; 0; null),
	    att(60011; 1001; "2026-11-11"; "08:00"; "16:00"; 600; null),
	    att(60012; 1001; "2026-11-12"; "08:00"; null; 0; null),
	    att(60013; 1001; "2026-12-01"; "08:00"; "16:00"; 0; null),
	    att(60014; 1001; "2026-11-13"; "9:00"; "16:00"; 0; null),
	    att(60015; 9999; "2026-11-16"; "08:00"; "16:00"; 0; null),
	    att(60016; 1001; "2026-11-17"; "00:00"; "24:00"; 60; " WORK ") ]' >"$d/attendances.json"
	jq '.personio.legal_entity_id="170"' "$SAMPLES/acme.json" >"$BATS_FILE_TMPDIR/hrs.json"
}

setup_file() {
	load helper
	mkdir -p "$BATS_FILE_TMPDIR/fx"
	ln -s "$SAMPLES/personio/acme" "$BATS_FILE_TMPDIR/fx/acme"
	make_hrs
	emu_start "$BATS_FILE_TMPDIR/fx"
	acme_credentials
	extract-hours -c "$SAMPLES/acme.json" --from 2026-11-01 --to 2026-11-30 --base-url "$EMU_URL" \
		>"$BATS_FILE_TMPDIR/acme.ref.ndjson"
}

teardown_file() { emu_stop; }

setup() {
	emu_reset
	acme_credentials
	REF="$BATS_FILE_TMPDIR/acme.ref.ndjson"
	OUT="$BATS_TEST_TMPDIR/out.ndjson"
	ERR="$BATS_TEST_TMPDIR/err.txt"
	HRS="$BATS_FILE_TMPDIR/hrs.json"
}

acme() { extract-hours -c "$SAMPLES/acme.json" --from 2026-11-01 --to 2026-11-30 --base-url "$EMU_URL" "$@"; }
hrs() {
	PERSONIO_CLIENT_ID=hrs-test-id PERSONIO_CLIENT_SECRET=hrs-test-secret-0000 \
		extract-hours -c "${CFG:-$HRS}" --from 2026-11-01 --to 2026-11-30 --base-url "$EMU_URL" "$@"
}
hours() { jq -r 'select(.type=="hours") | [.source.id, .employee_number, .date, .hour_code, .hours] | @tsv' "$@"; }
issues() { jq -r 'select(.type=="issue") | [.severity, .rule, (.personio_id // "-"), (.employee_number // "-"), .field, .message] | @tsv' "$@"; }

record_acme() { REC="$BATS_TEST_TMPDIR/rec"; acme --record "$REC" >"$OUT"; }
# edit_recorded GLOB JQ: rewrite every recorded body matching GLOB with a jq program
edit_recorded() {
	local f
	for f in "$REC"/$1*.body; do
		jq -c "$2" "$f" >"$f.new" && mv "$f.new" "$f"
	done
}
replay_acme() { extract-hours -c "$SAMPLES/acme.json" --from 2026-11-01 --to 2026-11-30 --replay "$REC"; }

@test "H5: acme: one hours record per confirmed attendance of legal entity 170, ending in a complete stream_end" {
	schema_ok "$REF"
	run jq -s -c 'map(select(.type=="hours")) | length' "$REF"
	assert_output "$(($(wc -l <"$SAMPLES/hours/acme-2026-11.csv") - 1))"
	run tail -n 1 "$REF"
	assert_output --partial '"type":"stream_end","client":"acme","source":"personio","complete":true'
	assert_output --partial '"other_legal_entity":1,"issues":0'
	run jq -c -s '.[0]' "$REF"
	assert_output '{"type":"hours","client":"acme","employee_number":101,"personio_id":"1001","date":"2026-11-02","hour_code":"WORK","hours":"8.00","distribution_unit":null,"source":{"kind":"personio-attendance","id":"50001"}}'
	# the project's name is the code; no project: hours.default_code
	run jq -r 'select(.type=="hours" and .employee_number==108 and .date=="2026-11-19") | [.hour_code, .hours] | @tsv' "$REF"
	assert_output "$(printf 'WORK\t4.25\nTRAINING\t3.75')"
}

@test "H5: both sources carry the same hours: extract-hours on Personio = hours-from-csv on the timesheet (source, personio_id aside)" {
	jq -c 'select(.type=="hours") | del(.source, .personio_id)' "$REF" >"$BATS_TEST_TMPDIR/personio.ndjson"
	hours-from-csv -c "$SAMPLES/acme.json" "$SAMPLES/hours/acme-2026-11.csv" |
		jq -c 'select(.type=="hours") | del(.source, .personio_id)' >"$BATS_TEST_TMPDIR/csv.ndjson"
	[ -s "$BATS_TEST_TMPDIR/csv.ndjson" ]
	run diff "$BATS_TEST_TMPDIR/csv.ndjson" "$BATS_TEST_TMPDIR/personio.ndjson"
	assert_success
	# and what the acme month is meant to hold (samples/hours/make-acme-hours)
	run jq -r -s 'map(.hour_code) | unique | join(" ")' "$BATS_TEST_TMPDIR/csv.ndjson"
	assert_output "TRAINING WORK"
	run jq -s '[.[] | select(.employee_number == (111, 137))] | length' "$BATS_TEST_TMPDIR/csv.ndjson"
	assert_output 31
	run jq -r -s 'map(.hours) | map(select(endswith(".25") or endswith(".75"))) | length > 10' "$BATS_TEST_TMPDIR/csv.ndjson"
	assert_output true
}

@test "H5: worked time = end - start - break in hundredths, half up (20 min 0.33, 1 min 0.02, 50 min 0.83); what cannot be read is an issue" {
	run hrs
	assert_failure 1
	echo "$output" >"$OUT"
	schema_ok "$OUT"
	run hours "$OUT"
	assert_output "$(printf '60001\t101\t2026-11-02\tWORK\t0.33\n60002\t101\t2026-11-03\tWORK\t0.02\n60003\t101\t2026-11-04\tWORK\t0.83\n60004\t101\t2026-11-05\tWORK\t8.25\n60006\t101\t2026-11-09\tTRAINING\t8.00\n60016\t101\t2026-11-17\tWORK\t23.00')"
	run issues "$OUT"
	assert_line --partial "$(printf 'error\tH5\t1001\t101\tproject\tattendance 60005 on 2026-11-06: project name '"'"'Klant X'"'"' is not an hour code')"
	assert_line --partial "$(printf 'error\tH5\t1026\t-\temployee_number\tattendance 60007: the employee has no employee number (Loket)')"
	assert_line --partial "$(printf 'error\tH5\t1002\t12a\temployee_number\tattendance 60008: employee number '"'"'12a'"'"' is not a whole number')"
	assert_line --partial "$(printf 'end_time\tattendance 60010 on 2026-11-10: it ends (09:00) before it starts (17:00)')"
	assert_line --partial "$(printf 'break\tattendance 60011 on 2026-11-11: the break (600 min) is longer than the period (480 min)')"
	assert_line --partial "$(printf 'end_time\tattendance 60012 on 2026-11-12: no end_time')"
	assert_line --partial "$(printf 'start_time\tattendance 60014 on 2026-11-13: start_time is not HH:MM')"
	assert_line --partial "$(printf 'employee\tattendance 60015: employee 9999 is not in Personio'"'"'s employee list')"
	run grep -c '"type":"issue"' "$OUT"
	assert_output 8
	# 60009 (legal entity 171) is left out and counted; 60013 (December) was not asked for
	run tail -n 1 "$OUT"
	assert_output --partial '"complete":true,"counts":{"employees":4,"attendances":15,"hours":6,"other_legal_entity":1,"issues":8}'
	run jq -r 'select(.type=="issue") | .source' "$OUT"
	assert_line "GET /v1/company/attendances offset 0 item 6 (attendance 60007)"
}

@test "H5: hours.code_from none: every attendance is hours.default_code; no default and no project is an issue" {
	CFG="$BATS_TEST_TMPDIR/none.json"
	jq '.personio.legal_entity_id="170" | .hours.code_from="none"' "$SAMPLES/acme.json" >"$CFG"
	run hrs
	run hours <(echo "$output")
	assert_line "$(printf '60005\t101\t2026-11-06\tWORK\t4.00')"
	assert_line "$(printf '60006\t101\t2026-11-09\tWORK\t8.00')"
	jq '.personio.legal_entity_id="170" | del(.hours.default_code)' "$SAMPLES/acme.json" >"$CFG"
	run hrs
	assert_failure 1
	assert_output --partial "attendance 60001 on 2026-11-02: no project and no hours.default_code: no hour code"
	run hours <(echo "$output")
	assert_output "$(printf '60006\t101\t2026-11-09\tTRAINING\t8.00\n60016\t101\t2026-11-17\tWORK\t23.00')"
}

@test "H5: --only asks Personio for one employee (employees[]); by Personio id or Employee number" {
	acme --only 137 >"$OUT"
	run jq -r 'select(.type=="hours") | .personio_id' "$OUT"
	assert_output "$(printf '1037\n%.0s' $(seq 21))"
	run jq -s 'map(select(.type=="hours")) | length' "$OUT"
	assert_output 21
	acme --only 1037 | cmp - "$OUT"
	run emu_stats
	assert_output --partial '"/v1/company/attendances":2'
	run acme --only no-such-person
	assert_failure 3
	assert_output --partial "--only no-such-person: no employee"
	assert_line --partial '"complete":false'
	# the employees are read once per run (one page of 40 each time)
	run emu_stats
	assert_output --partial '"/v1/company/employees":3'
}

@test "H5: paging: page size 7 gives the same records, ceil(n/7) attendance requests" {
	jq '.personio.page_size=7' "$SAMPLES/acme.json" >"$BATS_TEST_TMPDIR/acme.json"
	extract-hours -c "$BATS_TEST_TMPDIR/acme.json" --from 2026-11-01 --to 2026-11-30 --base-url "$EMU_URL" >"$OUT"
	cmp "$REF" "$OUT"
	run emu_stats
	n=$(jq '[.[] | select(.attributes.status=="confirmed")] | length' "$SAMPLES/personio/acme/attendances.json")
	assert_output --partial "\"/v1/company/attendances\":$(( (n + 6) / 7 ))"
}

@test "record then replay gives byte-identical output; a total the pages do not deliver, an attendance twice -> exit 5" {
	record_acme
	cmp "$REF" "$OUT"
	run extract-hours -c "$SAMPLES/acme.json" --from 2026-11-01 --to 2026-11-30 --base-url http://127.0.0.1:9 --replay "$REC"
	assert_success
	cmp "$REF" <(echo "$output")
	edit_recorded GET_v1_company_attendances '.metadata.total_elements += 1'
	run replay_acme
	assert_failure 5
	assert_line --partial '"complete":false'
	record_acme
	edit_recorded 'GET_v1_company_attendances*offset_0-' '.data[1] = .data[0]'
	run replay_acme
	assert_failure 5
	assert_output --partial "attendance 50001 was returned twice"
}

@test "H5: an attendance that is not confirmed is a warning and left out; a page of the wrong shape -> exit 5" {
	record_acme
	edit_recorded 'GET_v1_company_attendances*offset_0-' '.data[0].attributes.status = "rejected"'
	run replay_acme
	assert_success
	assert_line --partial '"severity":"warning","rule":"H5","stage":"extract-hours","personio_id":"1001","employee_number":"101","field":"status"'
	refute_output --partial '"id":"50001"'
	edit_recorded 'GET_v1_company_attendances*offset_0-' '.data = "x"'
	run replay_acme
	assert_failure 5
	assert_output --partial "GET /v1/company/attendances: the answer has the wrong shape"
}

@test "faults: 429 and 500 are retried and the stream completes; an attendances endpoint that keeps failing -> complete:false, exit 5" {
	emu_faults '{"after":2,"429":1,"retry_after":"0","500":1}'
	acme >"$OUT"
	cmp "$REF" "$OUT"
	emu_faults '{"always":{"path":"/v1/company/attendances","status":503}}'
	run acme
	assert_failure 5
	assert_output --partial "GET /v1/company/attendances: HTTP 503 after retries"
	assert_line --partial '"type":"stream_end","client":"acme","source":"personio","complete":false'
	emu_faults '{"malformed":{"path":"/v1/company/attendances","kind":"status401"}}'
	run acme
	assert_failure 6
}

@test "usage: --from and --to required, --to not before --from, dates checked; credentials never on the command line; exit 4 without them" {
	run extract-hours -c "$SAMPLES/acme.json" --from 2026-11-01
	assert_failure 2
	assert_output --partial "--from and --to are required"
	run extract-hours -c "$SAMPLES/acme.json" --from 2026-11-30 --to 2026-11-01
	assert_failure 2
	assert_output --partial "is before --from"
	run extract-hours -c "$SAMPLES/acme.json" --from 2026-11-31 --to 2026-12-01
	assert_failure 2
	run extract-hours -c "$SAMPLES/acme.json" --from 2026-11-01 --to 2026-11-30 secret
	assert_failure 2
	assert_output --partial "credentials are never taken from the command line"
	run env -u PERSONIO_CLIENT_ID -u PERSONIO_CLIENT_SECRET extract-hours -c "$SAMPLES/acme.json" --from 2026-11-01 --to 2026-11-30 --base-url "$EMU_URL"
	assert_failure 4
	run extract-hours --help
	assert_success
	assert_output --partial "Usage: extract-hours"
	run extract-hours --version
	assert_output --regexp '^extract-hours \(loketpipe\) [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "token cache and rate limits are extract-personio's (lp_psession): a second run logs in no more; the attendance pages wait for the per-IP v1 limit" {
	CACHE="$BATS_TEST_TMPDIR/cache/acme.personio-token.json"
	mkdir -p "$BATS_TEST_TMPDIR/cache"
	jq --arg f "$CACHE" '.personio.token_cache=$f | .personio.page_size=10' "$SAMPLES/acme.json" >"$BATS_TEST_TMPDIR/acme.json"
	run_cfg() { extract-hours -c "$BATS_TEST_TMPDIR/acme.json" --from 2026-11-01 --to 2026-11-30 --base-url "$EMU_URL" "$@"; }
	run_cfg >"$OUT"
	run_cfg >"$BATS_TEST_TMPDIR/out2.ndjson"
	cmp "$OUT" "$BATS_TEST_TMPDIR/out2.ndjson"
	run emu_stats
	assert_output --partial '"/v1/auth":1,'
	run stat -c %a "$CACHE"
	assert_output 600
	# 4 employee pages + 11 attendance pages at 5 a second: the limiter makes them wait
	LOKETPIPE_RATE_V1=5/1 run_cfg -v >"$OUT" 2>"$ERR"
	cmp "$OUT" "$BATS_TEST_TMPDIR/out2.ndjson"
	run cat "$ERR"
	assert_output --regexp "15 HTTP requests \(([1-9][0-9]*) waited [1-9][0-9]* ms for the rate limits\)"
}
