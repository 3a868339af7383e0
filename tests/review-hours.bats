#!/usr/bin/env bats
# review of issue 12 (hours to Loket): each test proves one finding of the review. A test marked
# skip "FINDING: ..." fails on the code as it is and describes what is left to fix; the others
# failed before the fix made with them.

load helper

ADMIN=7a9b3c2d-1e4f-4a5b-8c6d-000000000001
RANGE=(--year 2026 --from 2026-11-01 --to 2026-11-30)
EE101=0e7f3a1c-2b4d-4e5f-8a9b-000000000101

# a small Personio tenant "rvw": acme's employees 1001 (101) and 1026, attendances made here
make_rvw() {
	local d="$BATS_FILE_TMPDIR/fx/rvw"
	mkdir -p "$d"
	echo '{"client_id":"rvw-test-id","client_secret":"rvw-test-secret-0000"}' >"$d/credentials.json"
	echo '[]' >"$d/compensations.json"
	jq '[.[] | select(.attributes.id.value == (1001, 1026))]' "$SAMPLES/personio/acme/employees.json" >"$d/employees.json"
	jq -n '
	  def att($id; $d; $s; $t; $st): {id: $id, type: "AttendancePeriod", attributes: {employee: 1001, date: $d,
	    start_time: $s, end_time: $t, break: 0, comment: "", status: $st, is_holiday: false,
	    is_on_time_off: false, project: null}};
	  [ att(70001; "2026-11-02"; "08:00"; "08:20"; "confirmed"),
	    att(70002; "2026-11-02"; "09:00"; "09:20"; "confirmed"),
	    att(70003; "2026-11-02"; "10:00"; "10:20"; "confirmed"),
	    att(70004; "2026-11-19"; "08:00"; "16:00"; "pending") ]' >"$d/attendances.json"
	jq '.personio.legal_entity_id="170"' "$SAMPLES/acme.json" >"$BATS_FILE_TMPDIR/rvw.json"
}

# tenant "rvd": employee number 101 twice: 1001 and 1026 (both legal entity 170), 1033 (171)
make_rvd() {
	local d="$BATS_FILE_TMPDIR/fx/rvd"
	mkdir -p "$d"
	echo '{"client_id":"rvd-test-id","client_secret":"rvd-test-secret-0000"}' >"$d/credentials.json"
	echo '[]' >"$d/compensations.json"
	jq '[.[] | select(.attributes.id.value == (1001, 1026, 1033))]
	    | map(if .attributes.id.value != 1001 then .attributes.dynamic_1001.value = "101" else . end)' \
		"$SAMPLES/personio/acme/employees.json" >"$d/employees.json"
	jq -n '
	  def att($id; $e; $d): {id: $id, type: "AttendancePeriod", attributes: {employee: $e, date: $d,
	    start_time: "08:00", end_time: "16:00", break: 0, comment: "", status: "confirmed", is_holiday: false,
	    is_on_time_off: false, project: null}};
	  [ att(80001; 1001; "2026-11-02"), att(80002; 1026; "2026-11-03"), att(80003; 1033; "2026-11-04") ]' >"$d/attendances.json"
	jq '.personio.legal_entity_id="170"' "$SAMPLES/acme.json" >"$BATS_FILE_TMPDIR/rvd.json"
}

setup_file() {
	load helper
	mkdir -p "$BATS_FILE_TMPDIR/fx"
	make_rvw
	make_rvd
	emu_start "$BATS_FILE_TMPDIR/fx"
	loket_start
}
teardown_file() {
	emu_stop
	loket_stop
}

setup() {
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	emu_reset
	loket_client
	loket_login '.personio.base_url=$ENV.EMU_URL'
	OUT="$BATS_TEST_TMPDIR/out"
	REP="$BATS_TEST_TMPDIR/report.ndjson"
}

rvw_credentials() { export PERSONIO_CLIENT_ID=rvw-test-id PERSONIO_CLIENT_SECRET=rvw-test-secret-0000; }
# the acme config with a csv section given by JQ
csvcfg() { jq "$1" "$SAMPLES/acme.json" >"$BATS_TEST_TMPDIR/c.json"; echo "$BATS_TEST_TMPDIR/c.json"; }
current() { fetch-loket -c "$CFG" --as-of 2026-11-15 >"$BATS_TEST_TMPDIR/current.ndjson"; }
hcm() { hours-to-collective-mutations -c "$CFG" --current "$BATS_TEST_TMPDIR/current.ndjson" "${RANGE[@]}" "$@"; }
hrec() {
	jq -cn --argjson n "$1" --arg d "$2" --arg c "$3" --arg h "$4" \
		'{type:"hours",client:"acme",employee_number:$n,personio_id:null,date:$d,hour_code:$c,hours:$h,
		  distribution_unit:null,source:{kind:"csv",file:"t.csv",line:2}} | '"${5:-.}"
}
lk() {
	local tok
	tok=$(loket_token)
	curl -fsS -X "$1" -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' ${3:+--data "$3"} "$LK_URL/v2$2"
}

# ---- hours-from-csv -------------------------------------------------------------------

@test "review hours-from-csv: a NUL byte inside a value is not cut there ('7<NUL>5' is never 7.00 hours)" {
	c=$(csvcfg '.hours.csv = {"delimiter": ";", "decimal": ","}')
	printf 'employee_number;date;hour_code;hours\n101;2026-11-02;WORK;7\0005\n102;2026-11-02;WORK;8\n' >"$BATS_TEST_TMPDIR/t.csv"
	run --separate-stderr hours-from-csv -c "$c" "$BATS_TEST_TMPDIR/t.csv"
	refute_output --partial '"hours":"7.00"'
	assert_failure 3
	[[ "$stderr" == *"t.csv:2: "*"NUL"* ]]
}

@test "review hours-from-csv: CR-only line ends (old Mac export): a bad row is named by its own line, not line 1" {
	c=$(csvcfg '.hours.csv = {"delimiter": ";", "decimal": ","}')
	printf 'employee_number;date;hour_code;hours\r101;2026-11-02;WORK;7,5\r102;2026-11-02;WORK;x\r' >"$BATS_TEST_TMPDIR/t.csv"
	run --separate-stderr hours-from-csv -c "$c" "$BATS_TEST_TMPDIR/t.csv"
	assert_failure 1
	[[ "$stderr" == *"t.csv:3: hours"* ]]
	run jq -r 'select(.type=="hours") | .source.line' <<<"$output"
	assert_output 2
	# the delimiter found in the first line alone (not the whole file read ahead), a quoted
	# field over a CR, mixed line ends, and a CRLF split between two reads of 64 KiB
	c=$(csvcfg 'del(.hours.csv)')
	printf 'employee_number,date,hour_code,hours\r101,2026-11-02,WORK,"7,5"\r"10\r2",2026-11-02,WORK,1\r\n103,2026-11-03,WORK,y\n' >"$BATS_TEST_TMPDIR/t.csv"
	run --separate-stderr hours-from-csv -c "$c" "$BATS_TEST_TMPDIR/t.csv"
	assert_failure 1
	[[ "$stderr" == *"t.csv:3: employee_number: '10?2'"* ]]
	[[ "$stderr" == *"t.csv:5: hours: 'y'"* ]]
	run jq -r 'select(.type=="hours") | "\(.source.line) \(.hours)"' <<<"$output"
	assert_output '2 7.50'
	{ printf 'employee_number;date;hour_code;hours'; head -c $((65536 - 37)) /dev/zero | tr '\0' ' '; printf '\r\n101;2026-11-02;WORK;1\r\n102;2026-11-02;WORK;z\r\n'; } >"$BATS_TEST_TMPDIR/t.csv"
	[ "$(head -c 65536 "$BATS_TEST_TMPDIR/t.csv" | tail -c 1 | od -An -c | tr -d ' ')" = '\r' ]
	run --separate-stderr hours-from-csv -c "$c" "$BATS_TEST_TMPDIR/t.csv"
	assert_failure 1
	[[ "$stderr" == *"t.csv:3: hours: 'z'"* ]]
	run jq -r 'select(.type=="hours") | .source.line' <<<"$output"
	assert_output 2
}

@test "review hours-from-csv: a ',' file whose hours column is followed by another column: an unquoted 7,5 is not read as 7 hours" {
	# (fixed: such a file is refused until hours.csv.decimal says which separator it uses)
	c=$(csvcfg 'del(.hours.csv)')
	printf 'employee_number,date,hour_code,hours,comment\n101,2026-11-02,WORK,7,5\n' >"$BATS_TEST_TMPDIR/t.csv"
	run --separate-stderr hours-from-csv -c "$c" "$BATS_TEST_TMPDIR/t.csv"
	refute_output --partial '"hours":"7.00"'
	assert_failure 3
	[[ "$stderr" == *"a decimal comma in 'hours' cannot be told from the next column"* ]]
	# with the separator configured: '.' reads 7.5 quoted or not, ',' needs the hours quoted
	c=$(csvcfg '.hours.csv = {decimal: "."}')
	printf 'employee_number,date,hour_code,hours,comment\n101,2026-11-02,WORK,7.5,x\n' >"$BATS_TEST_TMPDIR/t.csv"
	run hours-from-csv -c "$c" "$BATS_TEST_TMPDIR/t.csv"
	assert_success
	assert_output --partial '"hours":"7.50"'
	# the hours the last column: an unquoted 7,5 is a long row (refused), no decimal needed
	c=$(csvcfg 'del(.hours.csv)')
	printf 'employee_number,date,hour_code,hours\n101,2026-11-02,WORK,7,5\n' >"$BATS_TEST_TMPDIR/t.csv"
	run hours-from-csv -c "$c" "$BATS_TEST_TMPDIR/t.csv"
	assert_failure 1
	refute_output --partial '"hours":"7.00"'
}

@test "review hours-from-csv: a file name that is not UTF-8 still gives records with their source (schema)" {
	cp "$SAMPLES/hours/acme-2026-11.csv" "$BATS_TEST_TMPDIR/"$'x\xff.csv'
	hours-from-csv -c "$SAMPLES/acme.json" "$BATS_TEST_TMPDIR/"$'x\xff.csv' >"$BATS_TEST_TMPDIR/h.ndjson"
	schema_ok "$BATS_TEST_TMPDIR/h.ndjson"
	run jq -r -s '.[0].source.file' "$BATS_TEST_TMPDIR/h.ndjson"
	assert_output "$BATS_TEST_TMPDIR/x?.csv"
	# an issue too (a bad row): its source is there
	{ cat "$SAMPLES/hours/acme-2026-11.csv"; printf '102;x;27-11-2026;WORK;1,255\r\n'; } >"$BATS_TEST_TMPDIR/"$'y\xff.csv'
	run --separate-stderr hours-from-csv -c "$SAMPLES/acme.json" "$BATS_TEST_TMPDIR/"$'y\xff.csv'
	assert_failure 1
	run jq -r 'select(.type=="issue") | .source' <<<"$output"
	assert_output --regexp 'y\?\.csv:[0-9]+$'
}

@test "review hours-from-csv: a row longer than the header never prints the extra field's value when it may be a BSN or an IBAN" {
	c=$(csvcfg '.hours.csv = {"delimiter": ";", "decimal": ","}')
	printf 'employee_number;date;hour_code;hours\n101;2026-11-02;WORK;7,5;123456782\n102;2026-11-02;WORK;7,5;NL91ABNA0417164300\n' >"$BATS_TEST_TMPDIR/t.csv"
	run --separate-stderr hours-from-csv -c "$c" "$BATS_TEST_TMPDIR/t.csv"
	assert_failure 1
	refute_output --partial 123456782
	refute_output --partial NL91ABNA0417164300
	[[ "$stderr" != *123456782* && "$stderr" != *NL91ABNA* ]]
	[[ "$stderr" == *"t.csv:2: long row: 5 fields, the header has 4 (field 5 is not empty)"* ]]
}

# ---- extract-hours ---------------------------------------------------------------------

@test "review extract-hours: the warning about an attendance that is not confirmed names its date (not the status twice)" {
	rvw_credentials
	REC="$BATS_TEST_TMPDIR/rec"
	extract-hours -c "$BATS_FILE_TMPDIR/rvw.json" --from 2026-11-01 --to 2026-11-30 --base-url "$EMU_URL" --record "$REC" >/dev/null
	for f in "$REC"/GET_v1_company_attendances*.body; do
		jq -c '.data[0].attributes.status = "rejected"' "$f" >"$f.new" && mv "$f.new" "$f"
	done
	run --separate-stderr extract-hours -c "$BATS_FILE_TMPDIR/rvw.json" --from 2026-11-01 --to 2026-11-30 --replay "$REC"
	assert_success
	run jq -r 'select(.type=="issue" and .field=="status") | .message' <<<"$output"
	assert_output 'attendance 70001 on 2026-11-02: status rejected, not confirmed; left out'
}

@test "review extract-hours: an attendance still pending approval on the day of the export is said (a warning), not silently missing from the payroll" {
	skip "FINDING: extract-hours does not send includePending=true, so Personio serves confirmed attendances only: 101's pending 8 hours of 2026-11-19 are neither in the hours nor in any issue, exit 0 (the status warning in the code can never fire against Personio)"
	rvw_credentials
	run --separate-stderr extract-hours -c "$BATS_FILE_TMPDIR/rvw.json" --from 2026-11-01 --to 2026-11-30 --base-url "$EMU_URL"
	assert_success
	run jq -r 'select(.type=="issue" and .field=="status") | .message' <<<"$output"
	assert_output 'attendance 70004 on 2026-11-19: status pending, not confirmed; left out'
}

@test "review extract-hours: three attendances of 20 minutes on a day are 1.00 hour in Loket's file, not 0.99" {
	skip "FINDING: each attendance is rounded to the hundredth on its own (20 min = 0.33) and the rounded values are summed: 3 x 20 min = 0.99 h; a month of short periods drifts by up to 0.005 h per attendance (sum the minutes per employee, code and day, or per cell, before rounding)"
	rvw_credentials
	extract-hours -c "$BATS_FILE_TMPDIR/rvw.json" --from 2026-11-01 --to 2026-11-30 --base-url "$EMU_URL" >"$BATS_TEST_TMPDIR/h.ndjson"
	current
	run --separate-stderr hcm "$BATS_TEST_TMPDIR/h.ndjson"
	assert_output "$(printf 'aanslnr;persnr;ploeg;verdelingseenheid;1\r\n12345;1;1;;1\r')"
}

@test "review extract-hours H2: an Employee number (Loket) that two Personio employees of the account have is said, whatever their legal entity" {
	skip "FINDING: extract-hours reads every employee of the account but never checks that the Employee number (Loket) is unique: 1033 (legal entity 171, another integration) has 101 like 1001 and is left out silently; within one legal entity (1026) only hours-to-collective-mutations notices, and only when both have hours"
	export PERSONIO_CLIENT_ID=rvd-test-id PERSONIO_CLIENT_SECRET=rvd-test-secret-0000
	run --separate-stderr extract-hours -c "$BATS_FILE_TMPDIR/rvd.json" --from 2026-11-01 --to 2026-11-30 --base-url "$EMU_URL"
	assert_failure 1
	run jq -r 'select(.type=="issue" and .severity=="error") | "\(.rule) \(.employee_number) \(.personio_id)"' <<<"$output"
	assert_line --partial 'H2 101'
	[[ "$output" == *1033* ]]
}

@test "review extract-hours + hcm H2: two Personio employees of one legal entity with one Employee number: neither is written" {
	export PERSONIO_CLIENT_ID=rvd-test-id PERSONIO_CLIENT_SECRET=rvd-test-secret-0000
	extract-hours -c "$BATS_FILE_TMPDIR/rvd.json" --from 2026-11-01 --to 2026-11-30 --base-url "$EMU_URL" >"$BATS_TEST_TMPDIR/h.ndjson"
	run jq -r 'select(.type=="hours") | "\(.employee_number) \(.personio_id) \(.hours)"' "$BATS_TEST_TMPDIR/h.ndjson"
	assert_output "$(printf '101 1001 8.00\n101 1026 8.00')"
	current
	run --separate-stderr hcm --report "$REP" "$BATS_TEST_TMPDIR/h.ndjson"
	assert_failure 1
	assert_output "$(printf 'aanslnr;persnr;ploeg;verdelingseenheid;1\r')"
	[[ "$stderr" == *"employee number 101 is two Personio employees (1001 and 1026)"* ]]
}

# ---- hours-to-collective-mutations -----------------------------------------------------

@test "review hcm H2: one employee number for two Personio employees is an error naming both; the hours are not summed into one employment" {
	current
	{ hrec 101 2026-11-02 WORK 8.00 '.personio_id="1001"'; hrec 101 2026-11-03 WORK 7.00 '.personio_id="1099"'
	  hrec 102 2026-11-02 WORK 6.00; } >"$BATS_TEST_TMPDIR/h.ndjson"
	run --separate-stderr hcm --report "$REP" "$BATS_TEST_TMPDIR/h.ndjson"
	assert_failure 1
	assert_output "$(printf 'aanslnr;persnr;ploeg;verdelingseenheid;1\r\n12345;2;1;;6\r')"
	[[ "$stderr" == *"employee 101: error: "*"1001"*"1099"* ]]
	run jq -r 'select(.type=="issue" and .severity=="error") | "\(.rule) \(.employee_number) \(.field)"' "$REP"
	assert_output 'H2 101 personio_id'
	schema_ok "$REP"
}

@test "review hcm: a value cut in the middle of a UTF-8 character keeps the issue's message (valid UTF-8, schema)" {
	current
	{ hrec 101 2026-11-02 WORK "x$(printf 'é%.0s' {1..30})"; hrec 102 2026-11-02 WORK 1 '.client = "a" + ("é" * 40)'; } >"$BATS_TEST_TMPDIR/h.ndjson"
	run --separate-stderr hcm --report "$REP" "$BATS_TEST_TMPDIR/h.ndjson"
	assert_failure 1
	run jq -r 'select(.type=="issue" and .severity=="error") | .message' "$REP"
	assert_line --partial "is not a decimal number"
	assert_line --partial "a record of client"
	schema_ok "$REP"
	# and stderr is valid UTF-8 too
	iconv -f UTF-8 -t UTF-8 <<<"$stderr" >/dev/null
}

@test "review hours-export: an employee with a bad row in the source is not written with the rest of the hours (Overwrite would replace the period's value with a partial sum)" {
	export LOKETPIPE_BIN="$BUILD/bin"
	{ cat "$SAMPLES/hours/acme-2026-11.csv"; printf '102;"Berg, Sanne van den";27-11-2026;WORK;1,255\r\n'; } >"$BATS_TEST_TMPDIR/bad.csv"
	run --separate-stderr sh "$ROOT/pipelines/hours-export" -c "$CFG" "${RANGE[@]}" --csv "$BATS_TEST_TMPDIR/bad.csv" --out "$OUT"
	assert_failure 1
	run cut -d';' -f2 "$OUT/variabele-gegevens-2026-11-01-2026-11-30.csv"
	refute_line 2
}

@test "review hours-export: a configuration whose client is a path ('../../x') makes no directory outside --out's default before it is refused (exit 4)" {
	export LOKETPIPE_BIN="$BUILD/bin"
	mkdir -p "$BATS_TEST_TMPDIR/w/a/b"
	jq '.client = "../../escaped"' "$CFG" >"$BATS_TEST_TMPDIR/bad.json"
	cd "$BATS_TEST_TMPDIR/w/a/b"
	run --separate-stderr sh "$ROOT/pipelines/hours-export" -c "$BATS_TEST_TMPDIR/bad.json" "${RANGE[@]}" --csv "$SAMPLES/hours/acme-2026-11.csv"
	assert_failure 4
	[[ "$stderr" == *"client: must be"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/w/a/escaped" ]
	[ ! -e "$BATS_TEST_TMPDIR/w/escaped" ]
	jq --arg c "$(printf 'c%.0s' {1..65})" '.client = $c' "$CFG" >"$BATS_TEST_TMPDIR/long.json"
	run sh "$ROOT/pipelines/hours-export" -c "$BATS_TEST_TMPDIR/long.json" "${RANGE[@]}" --csv "$SAMPLES/hours/acme-2026-11.csv"
	assert_failure 4
	[ ! -e "$BATS_TEST_TMPDIR/w/a/b/out" ]
}

@test "review hours-export: a timesheet whose header names no hours column gives no import file (not a header-only file and 'import it in Loket')" {
	export LOKETPIPE_BIN="$BUILD/bin"
	sed '1s/Uren/Hours/' "$SAMPLES/hours/acme-2026-11.csv" >"$BATS_TEST_TMPDIR/hdr.csv"
	run --separate-stderr sh "$ROOT/pipelines/hours-export" -c "$CFG" "${RANGE[@]}" --csv "$BATS_TEST_TMPDIR/hdr.csv" --out "$OUT"
	[ "$status" -gt 1 ]
	[ ! -e "$OUT/variabele-gegevens-2026-11-01-2026-11-30.csv" ]
	[[ "$stderr" != *"import it in Loket"* ]]
}

# ---- loket-employees --csv -------------------------------------------------------------

@test "review loket-employees --csv: a name or city that starts with = + - @ cannot run as a spreadsheet formula" {
	# (within Loket's maximum lengths: lastName 25, firstName 28, street and city 24)
	lk GET "/providers/employers/employees/$EE101" | jq -c '.content
		| .personalDetails.lastName = "=HYPERLINK(\"//e.x\")"
		| .personalDetails.firstName = "@SUM(1+1)*cmd|\"/c calc\"!A0" | .address.city = "+31-2" | .address.street = "-2+3"' \
		>"$BATS_TEST_TMPDIR/emp.json"
	lk PUT "/providers/employers/employees/$EE101" "$(cat "$BATS_TEST_TMPDIR/emp.json")" >/dev/null
	loket-employees -c "$CFG" --as-of 2026-11-15 --csv >"$BATS_TEST_TMPDIR/a.csv"
	run python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8"), delimiter=";"))
bad = [c for r in rows[1:] for c in r if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
assert not bad, bad
r = [r for r in rows if r[3] == "101" and r[0] == "employee"][0]
print(r[5], r[7], r[9], r[13], sep="|")' "$BATS_TEST_TMPDIR/a.csv"
	assert_success
	# nothing starts a cell with a formula character; the values are kept behind a quote
	assert_output "'@SUM(1+1)*cmd|\"/c calc\"!A0|'=HYPERLINK(\"//e.x\")|'-2+3|'+31-2"
	# the NDJSON keeps the values as Loket holds them
	loket-employees -c "$CFG" --as-of 2026-11-15 >"$BATS_TEST_TMPDIR/a.ndjson"
	run jq -r 'select(.type=="loket.change.employee" and .employee_number==101) | .city' "$BATS_TEST_TMPDIR/a.ndjson"
	assert_output '+31-2'
}

@test "review loket-employees: one employment whose hours a week have more than two decimals (Loket's double, e.g. 22.8571) does not stop the night's run for every employee" {
	# (fixed: hours a week come to the hundredth, half up: 22.8571 -> 22.86)
	REC="$BATS_TEST_TMPDIR/rec"
	loket-employees -c "$CFG" --as-of 2026-11-15 --record "$REC" >/dev/null
	for f in "$REC"/*comprehensive*.body; do
		jq -c '._embedded[3].workinghours.deviatingHoursPerWeek = 22.8571' "$f" >"$f.new" && mv "$f.new" "$f"
	done
	run --separate-stderr loket-employees -c "$CFG" --as-of 2026-11-15 --replay "$REC"
	assert_success
	out=$output
	run jq -s 'map(select(.type=="loket.change.employee")) | length' <<<"$out"
	[ "$output" -gt 1 ]
	run jq -r -s 'map(select(.type=="loket.change.employment") | .hours_per_week) | map(select(. == "22.86")) | length' <<<"$out"
	assert_output 1
}

@test "review hcm H3: hours that move away from an employee after a first import do not stay in Loket (the second file, imported with Overwrite, leaves no stale value)" {
	skip "FINDING: an employment with no hours in the corrected month has no row, so Overwrite never touches it: 102's 6 hours of the first import stay in Loket after the corrected file (all hours on 101) is imported; the REST route would send null. The current state (--current) holds the period's values: hcm could write a row for them (0 or an explicit clear; what Loket's import does with either is UNCONFIRMED) or at least warn"
	current
	imp() {
		curl -fsS -X POST --data-binary @"$1" \
			"$LK_URL/__emu/import-variable-data?payrollAdministrationId=$ADMIN&year=2026&from=2026-11-01&to=2026-11-30&distributionUnit=yes" >/dev/null
	}
	{ hrec 101 2026-11-02 WORK 8.00; hrec 102 2026-11-02 WORK 6.00; } >"$BATS_TEST_TMPDIR/h1.ndjson"
	hcm "$BATS_TEST_TMPDIR/h1.ndjson" >"$BATS_TEST_TMPDIR/f1.csv" 2>/dev/null
	imp "$BATS_TEST_TMPDIR/f1.csv"
	# the timesheet is corrected: the 6 hours were 101's
	{ hrec 101 2026-11-02 WORK 8.00; hrec 101 2026-11-03 WORK 6.00; } >"$BATS_TEST_TMPDIR/h2.ndjson"
	current
	hcm "$BATS_TEST_TMPDIR/h2.ndjson" >"$BATS_TEST_TMPDIR/f2.csv" 2>/dev/null
	imp "$BATS_TEST_TMPDIR/f2.csv"
	fetch-loket -c "$CFG" --as-of 2026-11-30 >"$BATS_TEST_TMPDIR/after.ndjson"
	run jq -r -s '(map(select(.type=="loket.current.employment")) | map({key: .id, value: .payroll_id}) | from_entries) as $p
		| .[] | select(.type=="loket.current.variable_input" and .year==2026 and .period==11 and .payroll_component_key==1 and .value != null and .value != 0)
		| "\($p[.employment_id]) \(.value)"' "$BATS_TEST_TMPDIR/after.ndjson"
	assert_output '1 14.00'
}

@test "review hcm: an error issue of the hours' source naming an employee leaves that employee out; a warning, another client's issue or one without a number does not" {
	current
	iss() { jq -cn --arg s "$1" --arg c "$2" --arg n "$3" '{type:"issue",client:$c,severity:$s,rule:"H5",stage:"hours-from-csv",personio_id:null,employee_number:(if $n == "" then null else $n end),field:"hours",message:"x",hint:null,source:"t.csv:9"}'; }
	{ hrec 101 2026-11-02 WORK 8.00; hrec 102 2026-11-02 WORK 6.00; hrec 103 2026-11-02 WORK 5.00; hrec 104 2026-11-02 WORK 4.00
	  iss error acme 101; iss warning acme 102; iss error other 103; iss error acme ""; iss error acme 101; } >"$BATS_TEST_TMPDIR/h.ndjson"
	run --separate-stderr hcm --report "$REP" "$BATS_TEST_TMPDIR/h.ndjson"
	assert_failure 1
	assert_output "$(printf 'aanslnr;persnr;ploeg;verdelingseenheid;1\r\n12345;2;1;;6\r\n12345;3;1;;5\r\n12345;4;1;;4\r')"
	[[ "$stderr" == *"employee 101: error: the hours source left some of the employee's hours out (t.csv:9)"* ]]
	run jq -r 'select(.type=="issue" and .severity=="error") | "\(.rule) \(.employee_number)"' "$REP"
	assert_output 'H5 101'
	schema_ok "$REP"
}

@test "review hours-export: a bad row whose employee number cannot be read ('1O1') gives no file: its hours are someone's, and no one can be left out for it" {
	# (fixed in hours-export: such a row stops it, exit 3, nothing written)
	export LOKETPIPE_BIN="$BUILD/bin"
	{ cat "$SAMPLES/hours/acme-2026-11.csv"; printf '1O1;"Vries, Jan Pieter de";30-11-2026;WORK;8,00\r\n'; } >"$BATS_TEST_TMPDIR/bad.csv"
	run --separate-stderr sh "$ROOT/pipelines/hours-export" -c "$CFG" "${RANGE[@]}" --csv "$BATS_TEST_TMPDIR/bad.csv" --out "$OUT"
	assert_failure 3
	[[ "$stderr" == *"a bad row names no employee ("*"): whose hours it holds is unknown"* ]]
	[ ! -e "$OUT/variabele-gegevens-2026-11-01-2026-11-30.csv" ]
	run --separate-stderr sh "$ROOT/pipelines/hours-export" -c "$CFG" "${RANGE[@]}" --csv "$BATS_TEST_TMPDIR/bad.csv" --out "$OUT/r" --rest
	assert_failure 3
	[ ! -e "$OUT/r/plan.ndjson" ]
}

@test "review hours-export --rest: a timesheet whose header is unusable (the whole file left out) never sends null for the month's hours already in Loket" {
	export LOKETPIPE_BIN="$BUILD/bin"
	sh "$ROOT/pipelines/hours-export" -c "$CFG" "${RANGE[@]}" --csv "$SAMPLES/hours/acme-2026-11.csv" --out "$OUT/a" --rest 2>/dev/null
	sed '1s/Uren/Hours/' "$SAMPLES/hours/acme-2026-11.csv" >"$BATS_TEST_TMPDIR/hdr.csv"
	want=$(loket_digest)
	run --separate-stderr sh "$ROOT/pipelines/hours-export" -c "$CFG" "${RANGE[@]}" --csv "$BATS_TEST_TMPDIR/hdr.csv" --out "$OUT/b" --rest --plan-only
	assert_failure 3
	[[ "$stderr" == *"the hours source failed (exit 3)"* ]]
	[ ! -e "$OUT/b/plan.ndjson" ]
	# and without --plan-only: nothing sent, Loket as it was
	run --separate-stderr sh "$ROOT/pipelines/hours-export" -c "$CFG" "${RANGE[@]}" --csv "$BATS_TEST_TMPDIR/hdr.csv" --out "$OUT/c" --rest
	assert_failure 3
	assert_equal "$(loket_digest)" "$want"
}
