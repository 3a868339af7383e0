#!/usr/bin/env bats
# hours-from-csv: a timesheet CSV -> hours records (rule H5), the acme sample, every bad
# value as an issue naming file, line and column, the file-level errors and exit codes.

load helper

setup() {
	OUT="$BATS_TEST_TMPDIR/out.ndjson"
	ERR="$BATS_TEST_TMPDIR/err.txt"
	CSV="$SAMPLES/hours/acme-2026-11.csv"
	# a configuration with the csv section given by a jq program ($1), based on acme's
	CFG="$BATS_TEST_TMPDIR/c.json"
	cfg '.'
}

cfg() { jq "$1" "$SAMPLES/acme.json" >"$CFG"; }
# csv TEXT: a file of printf TEXT
csv() { printf "$@" >"$BATS_TEST_TMPDIR/t.csv"; T="$BATS_TEST_TMPDIR/t.csv"; }
hours() { jq -r 'select(.type=="hours") | [.employee_number, .date, .hour_code, .hours, .source.line] | @tsv' "$@"; }
issues() { jq -r 'select(.type=="issue") | [.rule, .source, .field, .message] | @tsv' "$@"; }

@test "H5: the acme sample: one hours record per row, in the file's order, exact hours, valid records" {
	run hours-from-csv -c "$SAMPLES/acme.json" "$CSV"
	assert_success
	echo "$output" >"$OUT"
	schema_ok "$OUT"
	rows=$(($(wc -l <"$CSV") - 1))
	run jq -s 'map(select(.type=="hours")) | length' "$OUT"
	assert_output "$rows"
	run jq -s 'map(select(.type!="hours")) | length' "$OUT"
	assert_output 0
	# the first row (line 2 after the header; the BOM and CRLF are not part of any value)
	run jq -c -s '.[0]' "$OUT"
	assert_output '{"type":"hours","client":"acme","employee_number":101,"personio_id":null,"date":"2026-11-02","hour_code":"WORK","hours":"8.00","distribution_unit":null,"source":{"kind":"csv","file":"'"$CSV"'","line":2}}'
	# lines in order, quarter hours exact, the unmapped code kept (H1 is downstream)
	run jq -r '.source.line' "$OUT"
	assert_output "$(seq 2 $((rows + 1)))"
	run hours "$OUT"
	assert_line "$(printf '102\t2026-11-02\tWORK\t7.75\t3')"
	assert_line "$(printf '108\t2026-11-19\tTRAINING\t3.75')"$'\t'"$(grep -n ';TRAINING;' "$CSV" | cut -d: -f1)"
	assert_line --partial "$(printf '140\t2026-11-02\tWORK\t1.25')"
	assert_line --partial "$(printf '103\t2026-11-18\tWORK\t9.25')"
	# the do-not-import employee is kept here too (H2 is downstream)
	run jq -s 'map(select(.employee_number==111)) | length' "$OUT"
	assert_output 10
}

@test "H5: BOM, CRLF, quoted fields with the delimiter, a quote and a line end inside, blank lines and ;;; rows" {
	cfg '.hours.csv = {"employee_number":"nr","date":"dag","hour_code":"code","hours":"uren","delimiter":";","decimal":","}'
	csv '\xef\xbb\xbf"nr";"naam";dag;code;uren\r\n101;"a;b";2026-11-02;WORK;"7,5"\r\n\r\n102;"say ""hi""\r\nsecond line";2026-11-03;WORK;1\r\n;;;;\r\n103;x;03-11-2026; WORK ; 0,25 \r\n\r\n'
	run hours-from-csv -c "$CFG" "$T"
	assert_success
	echo "$output" >"$OUT"
	run hours "$OUT"
	assert_output "$(printf '101\t2026-11-02\tWORK\t7.50\t2\n102\t2026-11-03\tWORK\t1.00\t4\n103\t2026-11-03\tWORK\t0.25\t7')"
}

@test "H5: columns are found by header name wherever they are, case and spaces aside; other columns are ignored" {
	csv 'Uren;Extra;code ; DATUM;personeelsnummer\n8,00;x;WORK;2026-11-02;7\n'
	run hours-from-csv -c "$CFG" "$T"
	assert_success
	run hours <(echo "$output")
	assert_output "$(printf '7\t2026-11-02\tWORK\t8.00\t2')"
}

@test "H5: every bad value is an issue naming file, line and column; the other rows go on; exit 1" {
	csv 'Personeelsnummer;Datum;Code;Uren\n101;2026-11-02;WORK;-1,00\n102;2026-11-02;WORK;1000\n103;2026-11-02;WORK;999,99\n104;2026-11-02;WORK;7,755\n105;2026-02-30;WORK;8\n10a;2026-11-02;WORK;8\n1,5;2026-11-02;WORK;8\n106;2026-11-02;TR AINING;8\n107;2026-11-02;%s;8\n108;2026-11-02\n109;2026-11-02;WORK;7.5\n110;2026-11-02;WORK;1.234,5\n111;2026-11-02;WORK;\n112;2026-11-02;WORK;8\n113;11/02/2026;W*;abc\n' "$(printf 'A%.0s' $(seq 65))"
	run --separate-stderr hours-from-csv -c "$CFG" "$T"
	assert_failure 1
	echo "$output" >"$OUT"
	schema_ok "$OUT"
	run hours "$OUT"
	assert_output "$(printf '103\t2026-11-02\tWORK\t999.99\t4\n112\t2026-11-02\tWORK\t8.00\t15')"
	run issues "$OUT"
	assert_line --partial "$(printf 'H5\t%s:2\tUren\t'"'"'-1,00'"'"': negative hours' "$T")"
	assert_line --partial "$(printf 'H5\t%s:3\tUren\t'"'"'1000'"'"': 1 000 hours or more' "$T")"
	assert_line --partial "$(printf '%s:5\tUren\t'"'"'7,755'"'"': 3 decimals' "$T")"
	assert_line --partial "$(printf '%s:6\tDatum\t'"'"'2026-02-30'"'"' is not a date' "$T")"
	assert_line --partial "$(printf '%s:7\tPersoneelsnummer\t'"'"'10a'"'"' is not an employee number' "$T")"
	assert_line --partial "$(printf '%s:8\tPersoneelsnummer\t'"'"'1,5'"'"' is not an employee number' "$T")"
	assert_line --partial "$(printf '%s:9\tCode\t'"'"'TR AINING'"'"' is not an hour code (1-64 of A-Z a-z 0-9 _ - .)' "$T")"
	assert_line --partial "$(printf '%s:10\tCode\t'"'"'AAAA' "$T")"
	assert_line --partial "$(printf '%s:11\tCode\tshort row: 2 fields, column '"'"'Code'"'"' is field 3' "$T")"
	assert_line --partial "$(printf '%s:12\tUren\t'"'"'7.5'"'"': '"'"'.'"'"' is not the decimal separator (hours.csv.decimal is '"'"','"'"')' "$T")"
	assert_line --partial "$(printf '%s:13\tUren\t'"'"'1.234,5'"'"': more than one separator' "$T")"
	assert_line --partial "$(printf '%s:14\tUren\tno hours' "$T")"
	# every bad value of a row is named: line 16 has three
	run grep -c "$T:16" <(issues "$OUT")
	assert_output 3
	run jq -r 'select(.type=="issue") | [.severity, .stage, (.employee_number // "-")] | @tsv' "$OUT"
	assert_line "$(printf 'error\thours-from-csv\t104')"
	assert_line "$(printf 'error\thours-from-csv\t-')"
	refute_line --partial warning
	# and on standard error as PROG: FILE:LINE: COLUMN: message
	run hours-from-csv -c "$CFG" "$T"
	assert_output --partial "hours-from-csv: $T:2: Uren: '-1,00': negative hours"
}

@test "H5: a header without a column leaves that file out (issue on line 1), the next file is still read; exit 3 (a file not readable as a timesheet)" {
	csv 'Personeelsnummer;Datum;Uren\n101;2026-11-02;8\n'
	run --separate-stderr hours-from-csv -c "$CFG" "$T" "$CSV"
	assert_failure 3
	echo "$output" >"$OUT"
	run issues "$OUT"
	assert_output "$(printf 'H5\t%s:1\tCode\tthe header has no column '"'"'Code'"'"'; the file is left out' "$T")"
	run jq -s 'map(select(.type=="hours")) | length' "$OUT"
	assert_output "$(($(wc -l <"$CSV") - 1))"
	# a column twice, an empty file
	csv 'Personeelsnummer;Datum;Code;Uren;uren\n101;2026-11-02;WORK;8;9\n'
	run hours-from-csv -c "$CFG" "$T"
	assert_failure 3
	assert_output --partial "two columns named 'Uren'"
	csv ''
	run hours-from-csv -c "$CFG" "$T"
	assert_failure 3
	assert_output --partial "the file is empty: no header line"
}

@test "H5: delimiter and decimal from the configuration, or found: ',' and ';' files, either decimal; a thousands separator is an error anyway" {
	cfg 'del(.hours.csv.delimiter, .hours.csv.decimal)'
	csv 'Personeelsnummer,Datum,Code,Uren\n101,2026-11-02,WORK,7.5\n102,2026-11-02,WORK,"7,25"\n'
	run hours-from-csv -c "$CFG" "$T"
	assert_success
	run hours <(echo "$output")
	assert_output "$(printf '101\t2026-11-02\tWORK\t7.50\t2\n102\t2026-11-02\tWORK\t7.25\t3')"
	csv '"Personeelsnummer";"Datum, dag";Datum;Code;Uren\n101;x;2026-11-02;WORK;7,5\n102;x;2026-11-02;WORK;1.234,5\n'
	run --separate-stderr hours-from-csv -c "$CFG" "$T"
	assert_failure 1
	run hours <(echo "$output")
	assert_output "$(printf '101\t2026-11-02\tWORK\t7.50\t2')"
	# a decimal comma left unquoted in a ',' file is never read as whole hours; empty extra fields are fine
	csv 'Personeelsnummer,Datum,Code,Uren\n101,2026-11-02,WORK,7,5\n102,2026-11-02,WORK,8,,\n'
	run --separate-stderr hours-from-csv -c "$CFG" "$T"
	assert_failure 1
	echo "$output" >"$OUT"
	run hours "$OUT"
	assert_output "$(printf '102\t2026-11-02\tWORK\t8.00\t3')"
	run issues "$OUT"
	assert_output "$(printf 'H5\t%s:2\t\tlong row: 5 fields, the header has 4 (field 5 is '"'"'5'"'"'); the row is left out' "$T")"
	# a ',' file read with the configured ';': the header has one column, and the hint says why
	cfg '.'
	csv 'Personeelsnummer,Datum,Code,Uren\n101,2026-11-02,WORK,7\n'
	run hours-from-csv -c "$CFG" "$T"
	assert_failure 3
	assert_output --partial "the file's delimiter looks like ',', not ';' (hours.csv.delimiter)"
}

@test "H5: standard input, '-', and the default header names without an hours.csv section" {
	cfg 'del(.hours.csv)'
	run bash -c "printf 'employee_number,date,hour_code,hours\n7,2026-11-02,WORK,8\n' | hours-from-csv -c '$CFG'"
	assert_success
	run hours <(echo "$output")
	assert_output "$(printf '7\t2026-11-02\tWORK\t8.00\t2')"
	run bash -c "printf 'employee_number,date,hour_code,hours\n7,2026-11-02,WORK,8\n' | hours-from-csv -c '$CFG' -"
	assert_success
	assert_output --partial '"file":"-","line":2'
}

@test "exit 3: a file that cannot be read to its end (missing, an unclosed quote); the rows before and the other files are still written" {
	csv 'Personeelsnummer;Datum;Code;Uren\n101;2026-11-02;WORK;8\n102;"2026-11-02;WORK;8\n'
	run hours-from-csv -c "$CFG" "$BATS_TEST_TMPDIR/none.csv" "$T" "$CSV"
	assert_failure 3
	assert_output --partial "none.csv: cannot open"
	assert_output --partial "$T:3: CSV:"
	run bash -c "hours-from-csv -c '$CFG' '$T' '$CSV' 2>/dev/null | jq -s 'map(select(.type==\"hours\")) | length'"
	assert_output "$(($(wc -l <"$CSV") - 1 + 1))"
}

@test "exit 4 on a bad configuration, 2 on usage; --help and --version" {
	echo '{"client":"x","hours":{"csv":{"delimiter":"|"}}}' >"$CFG"
	run hours-from-csv -c "$CFG" "$CSV"
	assert_failure 4
	assert_output --partial "hours.csv.delimiter"
	run hours-from-csv "$CSV"
	assert_failure 2
	assert_output --partial "-c CONFIG is required"
	run hours-from-csv --bogus
	assert_failure 2
	run hours-from-csv --help
	assert_success
	assert_output --partial "Usage: hours-from-csv"
	run hours-from-csv --version
	assert_output --regexp '^hours-from-csv \(loketpipe\) [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "H5: streaming: memory stays flat from 2 000 to 200 000 rows" {
	[ -x /usr/bin/time ] || skip "no /usr/bin/time"
	! ldd "$(command -v hours-from-csv)" | grep -q libasan || skip "AddressSanitizer keeps freed memory in quarantine"
	gen() { awk -v n="$1" 'BEGIN { print "Personeelsnummer;Datum;Code;Uren"; for (i = 0; i < n; i++) printf "%d;2026-11-%02d;WORK;7,75\n", 100 + i % 900, 1 + i % 28 }' >"$2"; }
	gen 2000 "$BATS_TEST_TMPDIR/s.csv"
	gen 200000 "$BATS_TEST_TMPDIR/l.csv"
	/usr/bin/time -f %M -o "$BATS_TEST_TMPDIR/s.kb" hours-from-csv -c "$CFG" "$BATS_TEST_TMPDIR/s.csv" >/dev/null
	/usr/bin/time -f %M -o "$BATS_TEST_TMPDIR/l.kb" hours-from-csv -c "$CFG" "$BATS_TEST_TMPDIR/l.csv" >"$OUT"
	run jq -s 'length' "$OUT"
	assert_output 200000
	s=$(tail -n 1 "$BATS_TEST_TMPDIR/s.kb") l=$(tail -n 1 "$BATS_TEST_TMPDIR/l.kb")
	echo "max RSS: $s kB for 2 000 rows, $l kB for 200 000" >&3
	[ "$l" -lt $((s * 3 / 2 + 2048)) ]
}
