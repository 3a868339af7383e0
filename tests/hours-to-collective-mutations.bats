#!/usr/bin/env bats
# hours-to-collective-mutations (rules H1-H3) against acme's Loket state read by fetch-loket,
# and loket-emu's import of the file (POST /__emu/import-variable-data) read back through the
# API. The hours are tests/fixtures/hours/acme-2026-11.ndjson (acme's November 2026: the facts
# of the shared hours sample) or records made here.

load helper

ADMIN=7a9b3c2d-1e4f-4a5b-8c6d-000000000001
HOURS="$FIXTURES/hours/acme-2026-11.ndjson"
GOLDEN="$ROOT/tests/golden/acme-hours-2026-11.csv"
RANGE=(--year 2026 --from 2026-11-01 --to 2026-11-30)
# acme's hours section (as the shared sample describes it; do_not_import: 120)
HOURS_CFG='{"codes": {"WORK": 1}, "default_code": "WORK", "code_from": "project", "do_not_import": [120],
	"distribution_unit": true, "csv": {"employee_number": "Personeelsnummer", "date": "Datum", "hour_code": "Code",
	"hours": "Uren", "delimiter": ";", "decimal": ","}}'

setup_file() {
	load helper
	loket_start
	loket_client
	# acme pointed at the emulator, with its hours section, logged in once; its current state
	export CFGF="$BATS_FILE_TMPDIR/acme.json" CUR="$BATS_FILE_TMPDIR/current.ndjson"
	jq --arg u "$LK_URL" --arg t "$BATS_FILE_TMPDIR/token.json" --argjson h "$HOURS_CFG" \
		'.loket.oauth_url=$u | .loket.base_url=($u + "/v2") | .loket.token_file=$t
		 | .loket.redirect_uri="http://127.0.0.1/callback" | .hours=$h' "$SAMPLES/acme.json" >"$CFGF"
	curl -fsS -X POST "$LK_URL/__emu/authcode" | jq -r .code | loket-auth -c "$CFGF" 2>/dev/null
	fetch-loket -c "$CFGF" --as-of "$AS_OF" >"$CUR"
}
teardown_file() { loket_stop; }

setup() {
	OUT="$BATS_TEST_TMPDIR/out.csv"
	REP="$BATS_TEST_TMPDIR/report.ndjson"
}

hcm() { hours-to-collective-mutations -c "$CFGF" --current "$CUR" "${RANGE[@]}" "$@"; }
# cfg JQ: a copy of the acme configuration changed by JQ; prints its path
cfg() {
	local f
	f=$(mktemp "$BATS_TEST_TMPDIR/cfgXXXXXX.json")
	jq "$1" "$CFGF" >"$f"
	echo "$f"
}
# hrec NUMBER DATE CODE HOURS [JQ]: one hours record of acme
hrec() {
	jq -cn --argjson n "$1" --arg d "$2" --arg c "$3" --arg h "$4" \
		'{type:"hours",client:"acme",employee_number:$n,personio_id:null,date:$d,hour_code:$c,hours:$h,
		  distribution_unit:null,source:{kind:"csv",file:"t.csv",line:2}} | '"${5:-.}"
}
# the file's rows without CR, header left out
rows() { tail -n +2 "$1" | tr -d '\r'; }
# issue records of the report: "severity rule employee_number field"
issues() { jq -r 'select(.type=="issue") | [.severity, .rule, (.employee_number // "-"), (.field // "-")] | join(" ")' "$REP"; }

@test "--help, --version, a man page mandoc accepts; usage errors exit 2" {
	run hours-to-collective-mutations --help
	assert_success
	assert_output --partial "Usage: hours-to-collective-mutations"
	assert_output --partial "Exit status"
	run hours-to-collective-mutations --version
	assert_output --regexp '^hours-to-collective-mutations \(loketpipe\) [0-9]+\.[0-9]+\.[0-9]+$'
	run mandoc -Tlint -W warning "$ROOT/man/hours-to-collective-mutations.1"
	assert_success
	run hours-to-collective-mutations --bogus
	assert_failure 2
	run hours-to-collective-mutations -c "$CFGF" --current "$CUR" --year 2026 --from 2026-11-01
	assert_failure 2
	assert_output --partial "--to is required"
	run hcm --year 2025
	assert_failure 2
	assert_output --partial "must lie in --year 2025"
	run hours-to-collective-mutations -c "$CFGF" --current "$CUR" --year 2026 --from 2026-11-30 --to 2026-11-01
	assert_failure 2
	run hours-to-collective-mutations -c "$CFGF" --current "$CUR" --year 2026 --from 2026-11-31 --to 2026-11-30
	assert_failure 2
	run hours-to-collective-mutations -c "$CFGF" --current "$CUR" --year 26 --from 2026-11-01 --to 2026-11-30
	assert_failure 2
}

# The golden file was reviewed by hand once against tests/fixtures/hours/acme-2026-11.ndjson
# and the acme Loket fixture (persnr = payrollId: 101..121 have 1..21, 127 has 26, 137's
# second employment, from 2026-07-01, 34): 101 7.75+8.00+1.25 = 17 (persnr 1); 102 5 x 8.00 =
# 40; 103 7.50+7.50 = 15, its TRAINING 4.00 left out (H1); 104 6.25 in distribution unit 1
# (the only record naming one; the others' cell is empty); 110 0.25; 115 1.25+2.50 = 3.75; 118
# 160; 120 not imported (hours.do_not_import); 127 12.50 -> "12,5" (persnr 26, not 27); 137
# 7.75+8.00 = 15.75 on persnr 34 (not 33, the employment that ended 2026-06-30). aanslnr 12345
# is the administration's clientNumber, ploeg 1 the default shift, the one column component 1
# (Uren gewerkt) that WORK maps to; rows by persnr; CRLF; ASCII.
@test "H1 H2 H3: acme's November 2026 equals the golden file (reviewed by hand), byte for byte" {
	hcm --report "$REP" "$HOURS" >"$OUT"
	cmp "$OUT" "$GOLDEN"
	run grep -c $'\r$' "$OUT"
	assert_output 10
	run env LC_ALL=C grep -c -P '[^\x20-\x7e\r]' "$OUT"
	assert_output 0
	schema_ok "$REP"
	run jq -c 'select(.type=="hours.export") | [.client_number, .client_number_from, .columns, .rows, .employees_written,
		.employees_not_imported, .hours_read, .hours_written, .hours_unmapped, .hours_not_imported, .errors, .warnings]' "$REP"
	assert_output '[12345,"loket",[1],9,9,1,"290.50","270.50","4.00","16.00",0,1]'
	# stdin works the same, and so does gzip
	hcm <"$HOURS" >"$BATS_TEST_TMPDIR/stdin.csv"
	cmp "$BATS_TEST_TMPDIR/stdin.csv" "$GOLDEN"
	gzip -c "$HOURS" >"$BATS_TEST_TMPDIR/h.ndjson.gz"
	hcm "$BATS_TEST_TMPDIR/h.ndjson.gz" >"$BATS_TEST_TMPDIR/gz.csv"
	cmp "$BATS_TEST_TMPDIR/gz.csv" "$GOLDEN"
}

@test "H1: an unmapped code is left out and reported per code with its hours; exit 0" {
	{ hrec 101 2026-11-02 TRAINING 4.00; hrec 102 2026-11-03 TRAINING 1.25; hrec 102 2026-11-03 WORK 6.75
	  hrec 103 2026-11-04 COURSE 2.00; } >"$BATS_TEST_TMPDIR/h.ndjson"
	run --separate-stderr hcm --report "$REP" "$BATS_TEST_TMPDIR/h.ndjson"
	assert_success
	assert_output "$(printf 'aanslnr;persnr;ploeg;verdelingseenheid;1\r\n12345;2;1;;6,75\r')"
	run jq -r 'select(.type=="issue" and .rule=="H1") | .message' "$REP"
	assert_line 'hour code COURSE is not mapped to a Loket payroll component: 2.00 hours (1 records) left out'
	assert_line 'hour code TRAINING is not mapped to a Loket payroll component: 5.25 hours (2 records) left out'
	run jq -r 'select(.type=="hours.export") | .hours_unmapped' "$REP"
	assert_output 7.25
	schema_ok "$REP"
}

@test "H1: codes map to component numbers: two codes to one component sum in one column, columns ascending" {
	c=$(cfg '.hours.codes = {"WORK": 1, "OVERTIME": 8102, "EVENING": 1}')
	{ hrec 101 2026-11-02 WORK 8.00; hrec 101 2026-11-02 EVENING 2.00; hrec 101 2026-11-03 OVERTIME 1.50; } >"$BATS_TEST_TMPDIR/h.ndjson"
	run --separate-stderr hours-to-collective-mutations -c "$c" --current "$CUR" "${RANGE[@]}" "$BATS_TEST_TMPDIR/h.ndjson"
	assert_success
	assert_output "$(printf 'aanslnr;persnr;ploeg;verdelingseenheid;1;8102\r\n12345;1;1;;10;1,5\r')"
}

@test "H1: a mapped component not in Loket's catalogue of the year, or no code mapped: configuration error 4" {
	c=$(cfg '.hours.codes.WORK = 4242')
	run hours-to-collective-mutations -c "$c" --current "$CUR" "${RANGE[@]}" "$HOURS"
	assert_failure 4
	assert_output --partial "hours.codes.WORK: payroll component 4242 is not in Loket's catalogue of 2026"
	c=$(cfg 'del(.hours.codes)')
	run hours-to-collective-mutations -c "$c" --current "$CUR" "${RANGE[@]}" "$HOURS"
	assert_failure 4
	assert_output --partial "hours.codes maps no hour code"
}

@test "H2: an employee not in Loket is an error naming them; the others are written; exit 1" {
	{ hrec 101 2026-11-02 WORK 8.00; hrec 999 2026-11-02 WORK 8.00 '.personio_id="p999"'; hrec 999 2026-11-03 WORK 8.00; } >"$BATS_TEST_TMPDIR/h.ndjson"
	run --separate-stderr hcm --report "$REP" "$BATS_TEST_TMPDIR/h.ndjson"
	assert_failure 1
	assert_output "$(printf 'aanslnr;persnr;ploeg;verdelingseenheid;1\r\n12345;1;1;;8\r')"
	[[ "$stderr" == *"h.ndjson:2 (t.csv:2): employee 999: error: employee number 999 is not in Loket"* ]]
	run jq -c 'select(.type=="issue" and .severity=="error") | [.rule, .employee_number, .personio_id, .source]' "$REP"
	assert_output '["H2","999","p999","'"$BATS_TEST_TMPDIR"'/h.ndjson:2 (t.csv:2)"]'
	schema_ok "$REP"
}

@test "H2: two employments on the date is an error, never a guess; one on each date is fine" {
	# 137's first employment left open: on 2026-11-02 both hold
	jq -c 'if .type=="loket.current.employment" and .employee_number==137 and .income_number==1 then .end_date=null else . end' \
		"$CUR" >"$BATS_TEST_TMPDIR/cur.ndjson"
	{ hrec 137 2026-11-02 WORK 7.75; hrec 101 2026-11-02 WORK 8.00; } >"$BATS_TEST_TMPDIR/h.ndjson"
	run --separate-stderr hours-to-collective-mutations -c "$CFGF" --current "$BATS_TEST_TMPDIR/cur.ndjson" "${RANGE[@]}" \
		--report "$REP" "$BATS_TEST_TMPDIR/h.ndjson"
	assert_failure 1
	assert_output "$(printf 'aanslnr;persnr;ploeg;verdelingseenheid;1\r\n12345;1;1;;8\r')"
	[[ "$stderr" == *"employee 137: error: 2 employments in Loket on 2026-11-02 (income numbers 1 and 2): not guessed"* ]]
	# hours of June and July go to the employment of their date (a range over two months: warned)
	{ hrec 137 2026-06-30 WORK 8.00; hrec 137 2026-07-01 WORK 7.00; } >"$BATS_TEST_TMPDIR/h2.ndjson"
	run --separate-stderr hours-to-collective-mutations -c "$CFGF" --current "$CUR" --year 2026 --from 2026-06-01 --to 2026-07-31 \
		"$BATS_TEST_TMPDIR/h2.ndjson"
	assert_success
	assert_output "$(printf 'aanslnr;persnr;ploeg;verdelingseenheid;1\r\n12345;33;1;;8\r\n12345;34;1;;7\r')"
	[[ "$stderr" == *"covers more than one monthly payroll period"* ]]
}

@test "H2: hours on a date without an employment are an error (123 starts 2026-12-01, 122 ended 2026-06-30)" {
	{ hrec 123 2026-11-10 WORK 8.00; hrec 122 2026-11-10 WORK 8.00; hrec 102 2026-11-10 WORK 4.00; } >"$BATS_TEST_TMPDIR/h.ndjson"
	run --separate-stderr hcm --report "$REP" "$BATS_TEST_TMPDIR/h.ndjson"
	assert_failure 1
	assert_output "$(printf 'aanslnr;persnr;ploeg;verdelingseenheid;1\r\n12345;2;1;;4\r')"
	run issues
	assert_output "$(printf '%s\n' 'error H2 123 date' 'error H2 122 date' 'info H2 122 -' 'info H2 123 -')"
	run jq -r 'select(.type=="issue" and .severity=="error") | .message' "$REP"
	assert_line 'no employment in Loket on 2026-11-10'
}

@test "H2: hours.do_not_import leaves an employee out, reported as info; exit 0" {
	{ hrec 120 2026-11-02 WORK 8.00; hrec 120 2026-11-03 WORK 99.99; hrec 101 2026-11-02 WORK 8.00; } >"$BATS_TEST_TMPDIR/h.ndjson"
	run --separate-stderr hcm --report "$REP" "$BATS_TEST_TMPDIR/h.ndjson"
	assert_success
	assert_output "$(printf 'aanslnr;persnr;ploeg;verdelingseenheid;1\r\n12345;1;1;;8\r')"
	run jq -c 'select(.type=="issue") | [.severity, .rule, .employee_number, .message]' "$REP"
	assert_output '["info","H2","120","hours.do_not_import: 107.99 hours left out"]'
	# even an employee whose hours are bad: it is not imported at all
	hrec 120 2026-12-02 WORK -1.00 >"$BATS_TEST_TMPDIR/h.ndjson"
	run --separate-stderr hcm "$BATS_TEST_TMPDIR/h.ndjson"
	assert_success
}

@test "H2: an employee number another integration of the account claims (its hours or do_not_import) is an error" {
	beta=$(cfg '.client="beta" | .loket.client_number=23456 | .hours.do_not_import=[102]')
	{ hrec 101 2026-11-02 WORK 8.00; hrec 102 2026-11-02 WORK 8.00; hrec 103 2026-11-02 WORK 8.00
	  hrec 101 2026-11-05 WORK 3.00 '.client="beta"'; hrec 140 2026-11-05 WORK 3.00 '.client="beta"'; } >"$BATS_TEST_TMPDIR/h.ndjson"
	run --separate-stderr hcm --account-config "$beta" --report "$REP" "$BATS_TEST_TMPDIR/h.ndjson"
	assert_failure 1
	assert_output "$(printf 'aanslnr;persnr;ploeg;verdelingseenheid;1\r\n12345;3;1;;8\r')"
	run jq -r 'select(.type=="issue" and .severity=="error") | [.employee_number, .message] | join(": ")' "$REP"
	assert_line '101: employee number 101 is claimed by client beta too (its hours or hours.do_not_import): left out'
	assert_line '102: employee number 102 is claimed by client beta too (its hours or hours.do_not_import): left out'
	run jq -c 'select(.type=="hours.export") | .records' "$REP"
	assert_output '{"read":5,"hours":5,"other_types":0,"account":2,"other_clients":0}'
	# without --account-config, beta's records are records of another client: errors, left out
	run --separate-stderr hcm --report "$REP" "$BATS_TEST_TMPDIR/h.ndjson"
	assert_failure 1
	assert_output "$(printf 'aanslnr;persnr;ploeg;verdelingseenheid;1\r\n12345;1;1;;8\r\n12345;2;1;;8\r\n12345;3;1;;8\r')"
	run issues
	assert_output "$(printf '%s\n' 'error H3 101 client' 'error H3 140 client')"
}

@test "H2 H3: an --account-config of the client itself or of its payroll client number: configuration error 4" {
	run hcm --account-config "$CFGF" "$HOURS"
	assert_failure 4
	assert_output --partial "names the client of -c (acme) again"
	beta=$(cfg '.client="beta"')
	run hcm --account-config "$beta" "$HOURS"
	assert_failure 4
	assert_output --partial "client beta has payroll client number 12345 too"
}

@test "H3: hours dated outside the range are errors naming the record; that employee is left out whole" {
	{ hrec 101 2026-11-02 WORK 8.00; hrec 101 2026-12-01 WORK 8.00 '.source.line=7'; hrec 102 2026-11-30 WORK 8.00; } >"$BATS_TEST_TMPDIR/h.ndjson"
	run --separate-stderr hcm --report "$REP" "$BATS_TEST_TMPDIR/h.ndjson"
	assert_failure 1
	assert_output "$(printf 'aanslnr;persnr;ploeg;verdelingseenheid;1\r\n12345;2;1;;8\r')"
	[[ "$stderr" == *"h.ndjson:2 (t.csv:7): employee 101: error: date 2026-12-01 is outside the file's range 2026-11-01..2026-11-30"* ]]
	run jq -c 'select(.type=="hours.export") | [.employees_left_out, .hours_in_error, .hours_written]' "$REP"
	assert_output '[1,"16.00","8.00"]'
}

@test "H3: the client number is Loket's; loket.client_number only when the current state has none; a different one is error 4" {
	c=$(cfg '.loket.client_number = 54321')
	run hours-to-collective-mutations -c "$c" --current "$CUR" "${RANGE[@]}" "$HOURS"
	assert_failure 4
	assert_output --partial "loket.client_number is 54321, Loket's payroll administration has client number 12345"
	jq -c 'if .type=="loket.current.employment" then .client_number=null else . end' "$CUR" >"$BATS_TEST_TMPDIR/cur.ndjson"
	run --separate-stderr hours-to-collective-mutations -c "$c" --current "$BATS_TEST_TMPDIR/cur.ndjson" "${RANGE[@]}" \
		--report "$REP" "$HOURS"
	assert_success
	assert_line --index 1 "$(printf '54321;1;1;;17\r')"
	run jq -c 'select(.type=="hours.export") | [.client_number, .client_number_from]' "$REP"
	assert_output '[54321,"config"]'
	c=$(cfg 'del(.loket.client_number)')
	run hours-to-collective-mutations -c "$c" --current "$BATS_TEST_TMPDIR/cur.ndjson" "${RANGE[@]}" "$HOURS"
	assert_failure 4
	assert_output --partial "no payroll client number"
	# two client numbers in one current state: bad input
	jq -c 'if .type=="loket.current.employment" and .employee_number==140 then .client_number=99 else . end' "$CUR" >"$BATS_TEST_TMPDIR/cur2.ndjson"
	run hours-to-collective-mutations -c "$CFGF" --current "$BATS_TEST_TMPDIR/cur2.ndjson" "${RANGE[@]}" "$HOURS"
	assert_failure 3
	assert_output --partial "one payroll client number per file"
}

@test "H3: the man page and the README text say how to import it and warn that Overwrite replaces the period's values" {
	for f in "$ROOT/man/hours-to-collective-mutations.1" "$ROOT/README.md"; do
		text=$(tr '\n' ' ' <"$f")
		for want in "Collectieve mutaties" "Variabele gegevens" "year" "date range" "CSV" "Overwrite" "distribution unit Yes" \
			"replaces the period's values"; do
			[[ "$text" == *"$want"* ]] || { echo "$f does not say: $want"; return 1; }
		done
	done
	run hours-to-collective-mutations --help
	assert_output --partial "action"
	assert_output --partial "Overwrite"
}

@test "bad input: negative hours, 1 000 hours or more, three decimals, not a number: errors, the employee left out" {
	{ hrec 101 2026-11-02 WORK -1.00; hrec 102 2026-11-02 WORK 1000.00; hrec 103 2026-11-02 WORK 1.255
	  hrec 104 2026-11-02 WORK 7,5; hrec 105 2026-11-02 WORK 999.99; hrec 106 2026-11-02 WORK 7.5e1
	  hrec 107 2026-11-02 WORK 7 '.hours=7.5'; } >"$BATS_TEST_TMPDIR/h.ndjson"
	run --separate-stderr hcm --report "$REP" "$BATS_TEST_TMPDIR/h.ndjson"
	assert_failure 1
	assert_output "$(printf 'aanslnr;persnr;ploeg;verdelingseenheid;1\r\n12345;5;1;;999,99\r\n12345;7;1;;7,5\r')"
	run jq -r 'select(.type=="issue" and .severity=="error") | [.employee_number, .message] | join(": ")' "$REP"
	assert_output "$(printf '%s\n' "101: hours: '-1.00' is negative" "102: hours: '1000.00': 1 000 hours or more in one record" \
		"103: hours: '1.255' has more than two decimals" "104: hours: '7,5' is not a decimal number" \
		"106: hours: '7.5e1' is not a decimal number")"
}

@test "bad input: an unknown code format, a date that is not one, a distribution unit that is not a code" {
	{ hrec 101 2026-11-02 ' WORK' 1.00; hrec 102 2026-11-02 $'WO\tRK' 1.00; hrec 103 2026-11-31 WORK 1.00
	  hrec 104 2026-11-02 WORK 1.00 '.distribution_unit="A"'; hrec 105 2026-11-02 "$(printf 'X%.0s' {1..65})" 1.00
	  hrec 106 2026-11-02 WORK 1.00 'del(.date)'; hrec 107 2026-11-02 WORK 2.00; } >"$BATS_TEST_TMPDIR/h.ndjson"
	run --separate-stderr hcm --report "$REP" "$BATS_TEST_TMPDIR/h.ndjson"
	assert_failure 1
	assert_output "$(printf 'aanslnr;persnr;ploeg;verdelingseenheid;1\r\n12345;7;1;;2\r')"
	run issues
	assert_output "$(printf '%s\n' 'error H1 101 hour_code' 'error H1 102 hour_code' 'error H3 103 date' \
		'error H3 104 distribution_unit' 'error H1 105 hour_code' 'error H3 106 date' \
		'info H2 101 -' 'info H2 102 -' 'info H2 103 -' 'info H2 104 -' 'info H2 105 -' 'info H2 106 -')"
}

@test "bad input: the same employee, date and code twice is summed, and said so" {
	{ hrec 101 2026-11-02 WORK 4.00; hrec 101 2026-11-02 WORK 3.75 '.source.line=3'; hrec 101 2026-11-03 WORK 1.00; } >"$BATS_TEST_TMPDIR/h.ndjson"
	run --separate-stderr hcm --report "$REP" "$BATS_TEST_TMPDIR/h.ndjson"
	assert_success
	assert_output "$(printf 'aanslnr;persnr;ploeg;verdelingseenheid;1\r\n12345;1;1;;8,75\r')"
	[[ "$stderr" == *"h.ndjson:2 (t.csv:3): employee 101: warning: hours of code WORK on 2026-11-02 again: summed"* ]]
	run issues
	assert_output 'warning H1 101 hour_code'
}

@test "bad input: a sum of 1 000 hours or more for one cell is an error for that employee" {
	{ hrec 101 2026-11-02 WORK 600.00; hrec 101 2026-11-03 WORK 400.00; hrec 102 2026-11-02 WORK 500.00; hrec 102 2026-11-03 WORK 499.99; } \
		>"$BATS_TEST_TMPDIR/h.ndjson"
	run --separate-stderr hcm --report "$REP" "$BATS_TEST_TMPDIR/h.ndjson"
	assert_failure 1
	assert_output "$(printf 'aanslnr;persnr;ploeg;verdelingseenheid;1\r\n12345;2;1;;999,99\r')"
	run jq -r 'select(.type=="issue" and .severity=="error") | .message' "$REP"
	assert_output '1000.00 hours of component 1 for payrollId 1 in 2026-11-01..2026-11-30: 1 000 or more in one cell'
}

@test "bad input that stops everything: not NDJSON, no client or employee number, an incomplete stream: exit 3, nothing written" {
	{ hrec 101 2026-11-02 WORK 8.00; echo '{"type":"hours",'; } >"$BATS_TEST_TMPDIR/h.ndjson"
	run --separate-stderr hcm "$BATS_TEST_TMPDIR/h.ndjson"
	assert_failure 3
	assert_output ''
	[[ "$stderr" == *"h.ndjson:2"* ]]
	for j in 'del(.employee_number)' '.employee_number="101"' 'del(.client)'; do
		{ hrec 101 2026-11-02 WORK 8.00; hrec 102 2026-11-02 WORK 8.00 "$j"; } >"$BATS_TEST_TMPDIR/h.ndjson"
		run --separate-stderr hcm "$BATS_TEST_TMPDIR/h.ndjson"
		assert_failure 3
		assert_output ''
		[[ "$stderr" == *"h.ndjson:2: "* ]]
	done
	{ hrec 101 2026-11-02 WORK 8.00; echo '{"type":"stream_end","client":"acme","source":"csv","complete":false,"counts":{}}'; } >"$BATS_TEST_TMPDIR/h.ndjson"
	run --separate-stderr hcm "$BATS_TEST_TMPDIR/h.ndjson"
	assert_failure 3
	assert_output ''
	[[ "$stderr" == *"the hours input is incomplete"* ]]
	# records of other types (an upstream issue, a complete stream_end) are skipped
	{ hrec 101 2026-11-02 WORK 8.00; echo '{"type":"issue","client":"acme"}'
	  echo '{"type":"stream_end","client":"acme","source":"csv","complete":true,"counts":{}}'; } >"$BATS_TEST_TMPDIR/h.ndjson"
	run --separate-stderr hcm "$BATS_TEST_TMPDIR/h.ndjson"
	assert_success
}

@test "bad input that stops everything: a current state that is incomplete, of another client, with a payrollId twice, or older than payroll_id" {
	hrec 101 2026-11-02 WORK 8.00 >"$BATS_TEST_TMPDIR/h.ndjson"
	head -n -1 "$CUR" >"$BATS_TEST_TMPDIR/cur.ndjson"
	run --separate-stderr hours-to-collective-mutations -c "$CFGF" --current "$BATS_TEST_TMPDIR/cur.ndjson" "${RANGE[@]}" "$BATS_TEST_TMPDIR/h.ndjson"
	assert_failure 3
	assert_output ''
	[[ "$stderr" == *"no stream_end of client acme"* ]]
	jq -c 'if .type=="stream_end" then .complete=false else . end' "$CUR" >"$BATS_TEST_TMPDIR/cur.ndjson"
	run --separate-stderr hours-to-collective-mutations -c "$CFGF" --current "$BATS_TEST_TMPDIR/cur.ndjson" "${RANGE[@]}" "$BATS_TEST_TMPDIR/h.ndjson"
	assert_failure 3
	jq -c '.client="beta"' "$CUR" >"$BATS_TEST_TMPDIR/cur.ndjson"
	run --separate-stderr hours-to-collective-mutations -c "$CFGF" --current "$BATS_TEST_TMPDIR/cur.ndjson" "${RANGE[@]}" "$BATS_TEST_TMPDIR/h.ndjson"
	assert_failure 3
	jq -c 'if .type=="loket.current.employment" and .employee_number==140 then .payroll_id=1 else . end' "$CUR" >"$BATS_TEST_TMPDIR/cur.ndjson"
	run --separate-stderr hours-to-collective-mutations -c "$CFGF" --current "$BATS_TEST_TMPDIR/cur.ndjson" "${RANGE[@]}" "$BATS_TEST_TMPDIR/h.ndjson"
	assert_failure 3
	[[ "$stderr" == *"payroll_id: payrollId 1 of a second employment"* ]]
	jq -c 'del(.payroll_id)' "$CUR" >"$BATS_TEST_TMPDIR/cur.ndjson"
	run --separate-stderr hours-to-collective-mutations -c "$CFGF" --current "$BATS_TEST_TMPDIR/cur.ndjson" "${RANGE[@]}" "$BATS_TEST_TMPDIR/h.ndjson"
	assert_failure 3
	[[ "$stderr" == *"payroll_id: missing: the current state was written by an older fetch-loket"* ]]
}

@test "H3: without hours.distribution_unit no column (records naming one: summed, warned); hours.shift is ploeg" {
	c=$(cfg '.hours.distribution_unit=false | .hours.shift=2')
	run --separate-stderr hours-to-collective-mutations -c "$c" --current "$CUR" "${RANGE[@]}" "$HOURS"
	assert_success
	assert_line --index 0 "$(printf 'aanslnr;persnr;ploeg;1\r')"
	assert_line --index 4 "$(printf '12345;4;2;6,25\r')"
	[[ "$stderr" == *"1 records name a distribution unit, but the file has no distribution unit column"* ]]
	# with the column, two units of one employment are two rows
	{ hrec 101 2026-11-02 WORK 8.00; hrec 101 2026-11-03 WORK 2.00 '.distribution_unit=3'; } >"$BATS_TEST_TMPDIR/h.ndjson"
	run --separate-stderr hcm "$BATS_TEST_TMPDIR/h.ndjson"
	assert_success
	assert_output "$(printf 'aanslnr;persnr;ploeg;verdelingseenheid;1\r\n12345;1;1;;8\r\n12345;1;1;3;2\r')"
}

@test "an I/O error on standard output or the report is exit 7" {
	run sh -c 'hours-to-collective-mutations -c "$1" --current "$2" --year 2026 --from 2026-11-01 --to 2026-11-30 "$3" >/dev/full' \
		sh "$CFGF" "$CUR" "$HOURS"
	assert_failure 7
	run hcm --report /dev/full "$HOURS"
	assert_failure 7
	run hcm --report "$BATS_TEST_TMPDIR/no/such/dir/r.ndjson" "$HOURS"
	assert_failure 7
}

# ---- fetch-loket: payroll_id and client_number; loket-emu: payrollId and the import

@test "fetch-loket: every employment has its payrollId (persnr) and the administration's client number (aanslnr)" {
	schema_ok "$CUR"
	run jq -c 'select(.type=="loket.current.employment" and (.employee_number==101 or .employee_number==127 or .employee_number==137))
		| [.employee_number, .income_number, .payroll_id, .client_number]' "$CUR"
	assert_output "$(printf '%s\n' '[101,1,1,12345]' '[127,1,26,12345]' '[137,1,33,12345]' '[137,2,34,12345]')"
	run jq -s '[.[] | select(.type=="loket.current.employment") | .payroll_id] | (length == (unique | length)) and all(. != null)' "$CUR"
	assert_output true
}

@test "loket-emu: a new employment gets the administration's next payrollId; the period list names it" {
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	tok=$(loket_token)
	curl -fsS -X PATCH -H "Authorization: Bearer $tok" \
		"$LK_URL/v2/providers/employers/conceptemployees/c0c0c0c0-1111-4222-8333-000000000001/convertToEmployee" >/dev/null
	run sh -c "curl -fsS '$LK_URL/__emu/state' | jq -c '.employments[] | select(.employeeId==\"c0c0c0c0-1111-4222-8333-000000000001\") | .payrollId'"
	assert_output 38
	printf '%s\r\n' 'aanslnr;persnr;ploeg;verdelingseenheid;1' '12345;34;1;;8' >"$BATS_TEST_TMPDIR/f.csv"
	curl -fsS -X POST --data-binary @"$BATS_TEST_TMPDIR/f.csv" \
		"$LK_URL/__emu/import-variable-data?payrollAdministrationId=$ADMIN&year=2026&from=2026-11-01&to=2026-11-30&distributionUnit=yes" >/dev/null
	run sh -c "curl -fsS -H 'Authorization: Bearer $tok' '$LK_URL/v2/providers/employers/payrolladministrations/$ADMIN/payrollPeriods/202611/payrollperioddata?payslipType=1&payrollComponentId=1' | jq -c '._embedded[] | [.employment.payrollId, .employee.employeeNumber, (.payrollComponents[0].value * 100 | round)]'"
	assert_output '[34,137,800]'
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
}

# import FILE [QUERY]: POST the file to the import endpoint; prints the HTTP status, the answer in $BATS_TEST_TMPDIR/imp.json
import() {
	curl -sS -o "$BATS_TEST_TMPDIR/imp.json" -w '%{http_code}' -X POST --data-binary @"$1" \
		"$LK_URL/__emu/import-variable-data?${2:-payrollAdministrationId=$ADMIN&year=2026&from=2026-11-01&to=2026-11-30&distributionUnit=yes}"
}
ppd() { curl -fsS "$LK_URL/__emu/state" | jq -S -c '.payrollPeriodData'; }

@test "golden -> loket-emu's import (Overwrite) -> fetch-loket: Loket holds what the CSV says" {
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	run import "$GOLDEN"
	assert_output 200
	run jq -c '[.year, .periodNumber, .rows, .records_created, .values]' "$BATS_TEST_TMPDIR/imp.json"
	assert_output '[2026,11,9,9,9]'
	fetch-loket -c "$CFGF" --as-of "$AS_OF" >"$BATS_TEST_TMPDIR/after.ndjson"
	schema_ok "$BATS_TEST_TMPDIR/after.ndjson"
	# Loket's period 2026/11 by payrollId, distribution unit code, component, value; shift 1, payslip type 1;
	# the file's component (1) only: 139's 8102 of that period (payrollId 36) is the fixture's, untouched
	jq -r -s '(map(select(.type=="loket.current.employment") | {(.id): .payroll_id}) | add) as $p
		| .[] | select(.type=="loket.current.variable_input" and .year==2026 and .period==11 and .payroll_component_key==1)
		| [$p[.employment_id], .key.distributionUnit.code, .payroll_component_key, .value, .key.shift.shiftNumber, .key.payslipType.key]
		| @tsv' "$BATS_TEST_TMPDIR/after.ndjson" | sort >"$BATS_TEST_TMPDIR/loket.tsv"
	# the golden file the same way (an empty distribution unit cell: Loket's default one, code 1)
	tr -d '\r' <"$GOLDEN" | awk -F';' 'NR == 1 { for (i = 5; i <= NF; i++) c[i] = $i; next }
		{ for (i = 5; i <= NF; i++) if ($i != "") { v = $i; sub(/,/, ".", v); if (v !~ /\./) v = v ".00"; else if (v ~ /\.[0-9]$/) v = v "0"
		  print $2 "\t" ($4 == "" ? 1 : $4) "\t" c[i] "\t" v "\t" $3 "\t1" } }' | sort >"$BATS_TEST_TMPDIR/csv.tsv"
	run cat "$BATS_TEST_TMPDIR/loket.tsv"
	assert_output "$(cat "$BATS_TEST_TMPDIR/csv.tsv")"
	assert_line "$(printf '34\t1\t1\t15.75\t1\t1')"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/loket.tsv")" -eq 9 ]
	run jq -r 'select(.type=="loket.current.variable_input" and .year==2026 and .period==11 and .payroll_component_key!=1)
		| [.employment_id, .payroll_component_key, .value] | @tsv' "$BATS_TEST_TMPDIR/after.ndjson"
	assert_output "$(printf '3d2c1b0a-9f8e-4d7c-8b6a-000000000139\t8102\t100.00')"
	# importing it again changes nothing (Overwrite with the same values)
	before=$(ppd)
	run import "$GOLDEN"
	assert_output 200
	assert_equal "$(ppd)" "$before"
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
}

@test "loket-emu import: Overwrite replaces a component's value; an empty cell leaves it; a range inside one period writes it" {
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	printf '%s\r\n' 'aanslnr;persnr;ploeg;1;8102' '12345;1;1;8;' >"$BATS_TEST_TMPDIR/a.csv"
	printf '%s\r\n' 'aanslnr;persnr;ploeg;1;8102' '12345;1;1;5,5;' >"$BATS_TEST_TMPDIR/b.csv"
	printf '%s\r\n' 'aanslnr;persnr;ploeg;1;8102' '12345;1;1;;20' >"$BATS_TEST_TMPDIR/c.csv"
	q="payrollAdministrationId=$ADMIN&year=2026&from=2026-11-01&to=2026-11-15&distributionUnit=no"
	for f in a b c; do
		run import "$BATS_TEST_TMPDIR/$f.csv" "$q"
		assert_output 200
	done
	run sh -c "curl -fsS '$LK_URL/__emu/state' | jq -c '.payrollPeriodData[] | select(.employmentId==\"3d2c1b0a-9f8e-4d7c-8b6a-000000000101\")
		| [.payrollPeriod.periodNumber, .shift.shiftNumber, .payslipType.key, .distributionUnit.code, [.payrollComponents[] | [.payrollComponent.key, (.value * 100 | round)]]]'"
	assert_output '[11,1,1,1,[[1,550],[8102,2000]]]'
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
}

@test "loket-emu import: wrong aanslnr, unknown persnr, non-numeric cells, a component not in the catalogue: 400 naming row and column, nothing applied" {
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	before=$(ppd)
	H='aanslnr;persnr;ploeg;verdelingseenheid;1'
	check() { # check EXPECTED-ERROR LINE... : the file of the header and the lines is refused
		local want=$1
		shift
		printf '%s\r\n' "$@" >"$BATS_TEST_TMPDIR/bad.csv"
		run import "$BATS_TEST_TMPDIR/bad.csv" "${Q:-}"
		assert_output 400
		run jq -r .error "$BATS_TEST_TMPDIR/imp.json"
		assert_output --partial "$want"
		assert_equal "$(ppd)" "$before"
	}
	check "row 3, column 1 (aanslnr): '99999' is not this payroll administration's client number" "$H" '12345;1;1;;8' '99999;2;1;;8'
	check "row 2, column 2 (persnr): no employment with payrollId '999'" "$H" '12345;999;1;;8'
	check "row 2, column 5 (1): '8.5' is not a number" "$H" '12345;1;1;;8.5'
	check "row 2, column 5 (1): 'acht' is not a number" "$H" '12345;1;1;;acht'
	check "row 2, column 5 (1): '1,255' is not a number" "$H" '12345;1;1;;1,255'
	check "row 1, column 5 (4242): payroll component 4242 is not in the catalogue of 2026" 'aanslnr;persnr;ploeg;verdelingseenheid;4242' '12345;1;1;;8'
	check "row 1, column 4 (1): expected verdelingseenheid" 'aanslnr;persnr;ploeg;1' '12345;1;1;8'
	check "row 2, column 4 (verdelingseenheid): '7' is not a distribution unit code" "$H" '12345;1;1;7;8'
	check "row 2, column 3 (ploeg): 'x' is not a shift number" "$H" '12345;1;x;;8'
	check "row 2: 4 columns, the header has 5" "$H" '12345;1;1;8'
	check "row 3: payrollId 1, shift 1 and this distribution unit again (row 2)" "$H" '12345;1;1;;8' '12345;1;1;1;2'
	check "row 2, column 2 (persnr): the employment with payrollId 22 is not active in payroll period 2026/11" "$H" '12345;22;1;;8'
	check "row 2: not ASCII" "$H" "12345;1;1;;8$(printf '\xc3\xa9')"
	Q="payrollAdministrationId=$ADMIN&year=2026&from=2026-10-15&to=2026-11-15&distributionUnit=yes" \
		check "the date range covers 2 payroll periods of 2026" "$H" '12345;1;1;;8'
	Q="payrollAdministrationId=$ADMIN&year=2025&from=2026-11-01&to=2026-11-30&distributionUnit=yes" \
		check "the date range must lie in the year 2025" "$H" '12345;1;1;;8'
	Q="payrollAdministrationId=$ADMIN&year=2026&from=2026-11-01&to=2026-11-30" check "distributionUnit: yes or no is required" "$H" '12345;1;1;;8'
	Q="payrollAdministrationId=nope&year=2026&from=2026-11-01&to=2026-11-30&distributionUnit=yes" check "no such payroll administration" "$H" '12345;1;1;;8'
	run curl -sS -o /dev/null -w '%{http_code}' "$LK_URL/__emu/import-variable-data"
	assert_output 405
}
