#!/usr/bin/env bats
# Unit tests of lib/ through tests/unit/lp-unit.c.

load helper

@test "money: decimal strings parse exactly to cents" {
	while read -r in want; do
		run lp-unit money-parse "$in"
		assert_output "$want"
	done <<-'T'
	4166.67 4166.67
	-85.4 -85.40
	3000 3000.00
	0.05 0.05
	-0.99 -0.99
	1.500 1.50
	4.16667e3 4166.67
	1234567E-2 12345.67
	+12 12.00
	.5 0.50
	0 0.00
	-0 0.00
	T
}

@test "money: more than two significant decimals, junk and huge values are refused" {
	for in in 1.005 0.001 12.345 abc "" 1e20 12,50 "1 000" 1.2.3 --1 1e 0x10 99999999999999999; do
		run lp-unit money-parse "$in"
		assert_failure
		assert_output --partial "error:"
	done
}

@test "money: annual / 12 rounds half away from zero (S1 rounding rule)" {
	while read -r amount want; do
		run lp-unit money-div "$amount" 12
		assert_output "$want"
	done <<-'T'
	50000.00 4166.67
	60000.00 5000.00
	0.05 0.00
	0.06 0.01
	0.18 0.02
	-0.06 -0.01
	-50000.00 -4166.67
	45000.06 3750.01
	45000.05 3750.00
	T
}

@test "money: div-round boundaries" {
	run lp-unit div-round 5 10; assert_output 1
	run lp-unit div-round 4 10; assert_output 0
	run lp-unit div-round -5 10; assert_output -1
	run lp-unit div-round -4 10; assert_output 0
	run lp-unit div-round 15 -10; assert_output -2
}

@test "money: 10^6 random amounts survive format, parse and the JSON path with no drift" {
	run lp-unit money-fuzz 1000000 20261121
	assert_success
	assert_output --regexp '^ok 1000000 sum -?[0-9]+\.[0-9]{2}$'
}

@test "json: fractional numbers reach the program as exact decimals and leave it as the same numbers" {
	# 12345678901234567.89 and 0.1 have no exact double: any trip through one would change them
	cat >"$BATS_TEST_TMPDIR/in.json" <<-'J'
	{"a":4166.67,"b":[1.5e2,-3],"c":0.1,"d":12345678901234567.89,"s":"x\"1.5","t":"0.25"}
	J
	run lp-unit json-exact <"$BATS_TEST_TMPDIR/in.json"
	assert_success
	assert_output '{"a":4166.67,"b":[1.5e2,-3],"c":0.1,"d":12345678901234567.89,"s":"x\"1.5","t":"0.25"}'
}

@test "json: a string holding U+001F (the decimal tag) is refused, so no string can turn into a number" {
	run bash -c "printf '%s' '{\"s\":\"\\u001f1.5\"}' | lp-unit json-exact"
	assert_failure
	assert_output --partial 'U+001F'
	run bash -c "printf '%s' '{\"s\":\"\\u001F1.5\"}' | lp-unit json-exact"
	assert_failure
	run bash -c "printf '%s' '{\"s\":\"a\\\\u001f\"}' | lp-unit json-exact"
	assert_success
	assert_output '{"s":"a\\u001f"}'
}

@test "json: duplicate keys and trailing garbage are refused" {
	run bash -c "printf '%s' '{\"a\":1,\"a\":2}' | lp-unit json-exact"
	assert_failure
	run bash -c "printf '%s' '{\"a\":1} x' | lp-unit json-exact"
	assert_failure
}

@test "date: strict ISO dates" {
	run lp-unit date-parse 2024-02-29; assert_success; assert_output --partial 2024-02-29
	for bad in 2023-02-29 2026-13-01 2026-00-10 2026-1-1 26-01-01 2026-01-01T00:00 "" 1899-12-31 2026-04-31; do
		run lp-unit date-parse "$bad"
		assert_failure
	done
}

@test "date: month arithmetic clamps to the month end" {
	run lp-unit date-add 2026-01-31 1; assert_output 2026-02-28
	run lp-unit date-add 2024-01-31 1; assert_output 2024-02-29
	run lp-unit date-add 2026-03-31 -1; assert_output 2026-02-28
	run lp-unit date-add 2026-12-15 1; assert_output 2027-01-15
	run lp-unit date-add 2026-01-15 -13; assert_output 2024-12-15
	run lp-unit month-end 2100-02-03; assert_output 2100-02-28
	run lp-unit month-end 2000-02-03; assert_output 2000-02-29
}

@test "date: monthly payroll periods and human dates" {
	run lp-unit period 2026-02-14; assert_output "2026 2 2026-02-01 2026-02-28"
	run lp-unit period 2026-12-31; assert_output "2026 12 2026-12-01 2026-12-31"
	run lp-unit human 2026-01-14; assert_output "14 Jan 2026"
}

@test "address: Dutch address lines split into street, number and addition" {
	while IFS='=' read -r line want; do
		run lp-unit addr "$line"
		assert_output "$want"
	done <<-'T'
	Keizersgracht 123-A=Keizersgracht|123|A
	Oudegracht 128A=Oudegracht|128|A
	Laan van Meerdervoort 1234 bis=Laan van Meerdervoort|1234|bis
	2e Jan Steenstraat 5 hs=2e Jan Steenstraat|5|hs
	Plein 1944 12=Plein 1944|12|
	Dorpsstraat 7 / 2=Dorpsstraat|7|2
	Nergensweg=Nergensweg|| (no number)
	T
}

@test "nlid: BSN 11-check" {
	run lp-unit bsn 111222333; assert_output 1
	run lp-unit bsn 123456782; assert_output 1
	for bad in 123456789 000000000 12345678 1234567820 12345678a ""; do
		run lp-unit bsn "$bad"
		assert_output 0
	done
}

@test "nlid: IBAN mod-97 and Dutch postal codes" {
	run lp-unit iban NL91ABNA0417164300; assert_output 1
	run lp-unit iban "nl91 abna 0417 1643 00"; assert_output 1
	run lp-unit iban GB82WEST12345698765432; assert_output 1
	run lp-unit iban NL91ABNA0417164301; assert_output 0
	run lp-unit iban NL91ABNA041716430; assert_output 0
	run lp-unit postcode "1015 CJ"; assert_output "1 [1015 CJ]"
	run lp-unit postcode "1015cj"; assert_output "0 [1015 CJ]"
	run lp-unit postcode "0123 AB"; assert_output "0 []"
	run lp-unit postcode "1234 SS"; assert_output "0 []"
}

@test "csv: strict reading, quoted fields, errors name the row" {
	run bash -c "printf 'a,b\r\n\"x,1\",\"say \"\"hi\"\"\"\r\n' | lp-unit csv-read"
	assert_success
	assert_line --index 0 '1 ["a","b"]'
	assert_line --index 1 '2 ["x,1","say \"hi\""]'
	run bash -c "printf 'a,b\nc,\"unterminated\n' | lp-unit csv-read"
	assert_failure
	assert_output --partial ":2: CSV:"
}

@test "csv: writing quotes only what needs quoting, rows end in CRLF" {
	run bash -c "lp-unit csv-write plain 'a;b' 'say \"x\"' '' ' pad' | od -c | head -3"
	assert_output --partial 'p   l   a   i   n   ;   "   a   ;   b   "   ;   "   s   a   y'
	run bash -c "lp-unit csv-write a b | od -An -c"
	assert_output --partial 'a   ;   b  \r  \n'
}

@test "ndjson: files, stdin, gzip, blank lines; positions are file:line" {
	printf '{"type":"a"}\n\n{"type":"b"}\n' >"$BATS_TEST_TMPDIR/one.ndjson"
	printf '{"type":"c"}\n{"type":"d"}' | gzip >"$BATS_TEST_TMPDIR/two.ndjson.gz"
	run bash -c "printf '{\"type\":\"s\"}\n' | lp-unit ndjson '$BATS_TEST_TMPDIR/one.ndjson' - '$BATS_TEST_TMPDIR/two.ndjson.gz'"
	assert_success
	assert_line --index 0 "$BATS_TEST_TMPDIR/one.ndjson:1 a"
	assert_line --index 1 "$BATS_TEST_TMPDIR/one.ndjson:3 b"
	assert_line --index 2 "-:1 s"
	assert_line --index 3 "$BATS_TEST_TMPDIR/two.ndjson.gz:1 c"
	assert_line --index 4 "$BATS_TEST_TMPDIR/two.ndjson.gz:2 d"
}

@test "ndjson: a 5 MB line is read whole" {
	python3 -c 'import json; print(json.dumps({"type":"big","x":"y"*5000000}))' >"$BATS_TEST_TMPDIR/big.ndjson"
	run lp-unit ndjson "$BATS_TEST_TMPDIR/big.ndjson"
	assert_success
	assert_output "$BATS_TEST_TMPDIR/big.ndjson:1 big"
}

@test "ndjson: bad input names file and line, exit 3" {
	f="$BATS_TEST_TMPDIR/bad.ndjson"
	printf '{"type":"a"}\n{"type":\n' >"$f"
	run lp-unit ndjson "$f"
	assert_failure 3
	assert_output --partial "bad.ndjson:2: not valid JSON"
	printf '{"type":"a"}\n[1,2]\n' >"$f"
	run lp-unit ndjson "$f"
	assert_failure 3
	assert_output --partial "bad.ndjson:2: a record must be a JSON object"
	printf '{"type":"a"}\n{"kind":"x"}\n' >"$f"
	run lp-unit ndjson "$f"
	assert_failure 3
	assert_output --partial "bad.ndjson:2: type: missing or not a string"
}

@test "ndjson: a truncated gzip stream is an error, not a short read" {
	seq 1 20000 | sed 's/.*/{"type":"n","i":&}/' | gzip >"$BATS_TEST_TMPDIR/full.gz"
	head -c 20000 "$BATS_TEST_TMPDIR/full.gz" >"$BATS_TEST_TMPDIR/cut.gz"
	run lp-unit ndjson "$BATS_TEST_TMPDIR/cut.gz"
	assert_failure
	assert_output --partial "cut.gz"
	assert_output --partial "read error"
}

@test "ndjson: a missing file is an I/O error (exit 7)" {
	run lp-unit ndjson "$BATS_TEST_TMPDIR/nope.ndjson"
	assert_failure 7
	assert_output --partial "nope.ndjson: cannot open"
}

@test "map: 100000 keys, no loss, no duplicates" {
	run lp-unit map 100000
	assert_success
	assert_output "100000 0"
}

@test "http: plain http only to loopback; https anywhere; credentials in URLs refused" {
	run lp-unit http-new http://api.personio.de
	assert_failure 4
	assert_output --partial "refusing plain http to api.personio.de"
	run lp-unit http-new http://10.0.0.1:8080
	assert_failure 4
	run lp-unit http-new https://user:pw@api.personio.de
	assert_failure 4
	refute_output --partial "pw"
	run lp-unit http-new ftp://127.0.0.1/
	assert_failure 4
	for ok in https://api.personio.de http://127.0.0.1:1 http://localhost:8080 "http://[::1]:9"; do
		run lp-unit http-new "$ok"
		assert_success
	done
}

@test "secret: a credentials file must be private (0600) and a regular file" {
	f="$BATS_TEST_TMPDIR/cred.json"
	echo '{"client_id":"a","client_secret":"s3cr3t-value"}' >"$f"
	chmod 644 "$f"
	run lp-unit secret "$f"
	assert_failure 4
	assert_output --partial "too open; run: chmod 600"
	refute_output --partial "s3cr3t"
	chmod 600 "$f"
	run lp-unit secret "$f"
	assert_success
	ln -s "$f" "$BATS_TEST_TMPDIR/link.json"
	run lp-unit secret "$BATS_TEST_TMPDIR/link.json"
	assert_failure 4
}

@test "secret: a private file is replaced atomically with mode 0600, no temporary left behind" {
	f="$BATS_TEST_TMPDIR/token.json"
	run lp-unit secret-write "$f" '{"refresh_token":"one"}'
	assert_success
	run stat -c %a "$f"
	assert_output 600
	run lp-unit secret-write "$f" '{"refresh_token":"two"}'
	assert_success
	run cat "$f"
	assert_output '{"refresh_token":"two"}'
	run lp-unit secret "$f"
	assert_success
	run ls "$BATS_TEST_TMPDIR"
	assert_output token.json
	run lp-unit secret-write "$BATS_TEST_TMPDIR/no/such/dir/t.json" x
	assert_failure 7
	assert_output --partial "cannot create"
}

@test "mask: BSNs and IBANs in free text keep only their last (and first) four characters" {
	run lp-unit mask "BSN 651499253 fails; IBAN NL53INGB0651907064, phone +31 6 21436587, 1234567890 and 12345678 stay"
	assert_output "BSN *****9253 fails; IBAN NL53**********7064, phone +31 6 21436587, 1234567890 and 12345678 stay"
	run lp-unit mask "x637017961y DE89370400440532013000"
	assert_output "x*****7961y DE89**************3000"
}

# --- journal: lib/lp_journal through `lp-unit journal` --------------------------------------
# A plan of three ops a, b, c (seq 1, 2, 3) of client acme, applied to one Loket.
LOKET_ADM="https://api.loket.nl/v2 adm-1"
jopen() { lp-unit journal "$JF" acme p1 "$LOKET_ADM" a:1,b:2,c:3 "$@"; }
# crc_ok FILE: every line's "crc" is the CRC-32 of the line's text without it
crc_ok() {
	python3 -c 'import sys, zlib
for n, l in enumerate(open(sys.argv[1], "rb").read().split(b"\n")[:-1], 1):
    t, c = l[:-18], l[-18:]
    assert c[:8] == b",\"crc\":\"" and int(c[8:16], 16) == zlib.crc32(t), "line %d" % n' "$1"
}

@test "journal: a new journal is made 0600 with its header, then one line per mark, each with its CRC" {
	JF="$BATS_TEST_TMPDIR/j"
	run jopen a=sent a=done/201@0a1b-2c3d b=sent
	assert_success
	assert_output $'new\na none\nb none\nc none'
	run stat -c %a "$JF"
	assert_output 600
	run jq -c 'del(.crc)' "$JF"
	assert_line --index 0 '{"journal":"loketpipe push-loket","format":2,"client":"acme","plan_id":"p1","loket":"https://api.loket.nl/v2 adm-1"}'
	assert_line --index 1 '{"op_id":"a","seq":1,"state":"sent"}'
	assert_line --index 2 '{"op_id":"a","seq":1,"state":"done","status":201,"id":"0a1b-2c3d"}'
	assert_line --index 3 '{"op_id":"b","seq":2,"state":"sent"}'
	assert_equal "${#lines[@]}" 4
	run crc_ok "$JF"
	assert_success
}

@test "journal: reopened, it resumes with each op's state (sent, done, failed, none) and a POST's id; done stays done" {
	JF="$BATS_TEST_TMPDIR/j"
	run jopen
	assert_output $'new\na none\nb none\nc none'
	run jopen # a header only: a run that stopped before anything was sent
	assert_output $'resumed\na none\nb none\nc none'
	jopen a=sent a=done/201@0a1b-2c3d b=sent b=failed/422 c=sent >/dev/null
	run jopen a=sent a=failed/500
	assert_success
	assert_output $'resumed\na done 0a1b-2c3d\nb failed\nc sent'
	run jopen
	assert_output $'resumed\na done 0a1b-2c3d\nb failed\nc sent'
}

@test "journal: a torn last line (no newline) is cut off on open: the op keeps its earlier state, the file its whole lines" {
	JF="$BATS_TEST_TMPDIR/j"
	jopen a=sent >/dev/null
	cp "$JF" "$BATS_TEST_TMPDIR/whole"
	printf '{"op_id":"a","seq":1,"state":"do' >>"$JF"
	run jopen
	assert_success
	assert_output $'resumed\na sent\nb none\nc none'
	cmp "$JF" "$BATS_TEST_TMPDIR/whole"
	# a whole done line but for its newline, its CRC good: still torn, the op still only sent
	jopen a=done/201@0a1b-2c3d >/dev/null
	truncate -s -1 "$JF"
	run jopen
	assert_output $'resumed\na sent\nb none\nc none'
	cmp "$JF" "$BATS_TEST_TMPDIR/whole"
	# torn inside the header: the journal starts again with a new header
	head -c 20 "$BATS_TEST_TMPDIR/whole" >"$JF"
	run jopen
	assert_output $'new\na none\nb none\nc none'
	run jq -r .plan_id "$JF"
	assert_output p1
}

@test "journal: a flipped byte in a middle line is damage: exit 3 naming file and line, the file left as it was" {
	JF="$BATS_TEST_TMPDIR/j"
	jopen a=sent a=done/201 b=sent >/dev/null
	cp "$JF" "$BATS_TEST_TMPDIR/whole"
	for at in 2 3; do # the byte 10 into line $at (header is line 1)
		cp "$BATS_TEST_TMPDIR/whole" "$JF"
		python3 -c 'import sys; p, n = sys.argv[1], int(sys.argv[2]); b = bytearray(open(p, "rb").read())
i = sum(len(l) + 1 for l in b.split(b"\n")[:n - 1]) + 10; b[i] ^= 0x01; open(p, "wb").write(b)' "$JF" "$at"
		cp "$JF" "$BATS_TEST_TMPDIR/damaged"
		run jopen b=done
		assert_failure 3
		assert_output --partial "lp-unit: acme: journal $JF:$at is damaged (its checksum does not match): nothing is pushed; keep the file"
		refute_output --partial resumed
		cmp "$JF" "$BATS_TEST_TMPDIR/damaged"
	done
	# lines with good CRCs that do not fit the plan are damage too
	cp "$BATS_TEST_TMPDIR/whole" "$JF"
	jopen zz=sent >/dev/null # an op the plan does not have (seq 99)
	run jopen
	assert_failure 3
	assert_output --partial "journal $JF:5 is damaged (it names an op the plan does not have)"
	cp "$BATS_TEST_TMPDIR/whole" "$JF"
	run lp-unit journal "$JF" acme p1 "$LOKET_ADM" a:7,b:2,c:3
	assert_failure 3
	assert_output --partial "journal $JF:2 is damaged (its seq is not the op's seq in the plan)"
	cp "$BATS_TEST_TMPDIR/whole" "$JF"
	jopen b=sent@0a1b >/dev/null # an id on a line that is not done
	run jopen
	assert_failure 3
	assert_output --partial "journal $JF:5 is damaged (an id belongs to a done line only)"
}

@test "journal: one of another plan, client or Loket (base URL or administration), or not 0600, is refused with exit 4" {
	JF="$BATS_TEST_TMPDIR/j"
	jopen a=done >/dev/null
	cp "$JF" "$BATS_TEST_TMPDIR/whole"
	run lp-unit journal "$JF" acme p2 "$LOKET_ADM" a:1,b:2,c:3
	assert_failure 4
	assert_output "lp-unit: acme: journal $JF belongs to another plan or client; use one journal per plan"
	run lp-unit journal "$JF" other p1 "$LOKET_ADM" a:1,b:2,c:3
	assert_failure 4
	assert_output "lp-unit: other: journal $JF belongs to another plan or client; use one journal per plan"
	for lk in "https://other.example/v2 adm-1" "https://api.loket.nl/v2 adm-2"; do
		run lp-unit journal "$JF" acme p1 "$lk" a:1,b:2,c:3
		assert_failure 4
		assert_output "lp-unit: acme: journal $JF was written for another Loket ($LOKET_ADM), not $lk: its ops were not made here; use one journal per plan and Loket"
	done
	cmp "$JF" "$BATS_TEST_TMPDIR/whole"
	chmod 644 "$JF"
	run jopen
	assert_failure 4
	assert_output "lp-unit: acme: journal $JF: mode 644; it must be 0600"
}

@test "journal: a full disk (ENOSPC) or a failed fsync is an I/O error (exit 7); nothing is recorded that was not written" {
	JF="$BATS_TEST_TMPDIR/j"
	enospc_preload "$BUILD/bin/lp-unit"
	shim() { LD_PRELOAD="$PRELOAD" ENOSPC_SHIM_PATTERN="$JF" ENOSPC_SHIM_OPS="$1" ENOSPC_SHIM_ERRNO="$2" "${@:3}"; }
	# a new journal whose header cannot be written, or made durable
	for ops in write fsync; do
		rm -f "$JF"
		run shim "$ops" ENOSPC lp-unit journal "$JF" acme p1 "$LOKET_ADM" a:1,b:2,c:3
		assert_failure 7
		assert_output "lp-unit: acme: journal $JF: $ops failed: No space left on device"
	done
	# an op line that cannot be written: reported, and the journal holds no trace of it
	rm -f "$JF"
	jopen >/dev/null
	run shim write ENOSPC lp-unit journal "$JF" acme p1 "$LOKET_ADM" a:1,b:2,c:3 a=sent
	assert_failure 7
	assert_line --index 1 'a none'
	assert_line --index 4 'mark a=sent: No space left on device'
	# written, but the fsync fails (EIO): the one sync of the round reports it
	run shim fsync EIO lp-unit journal "$JF" acme p1 "$LOKET_ADM" a:1,b:2,c:3 a=sent b=sent
	assert_failure 7
	assert_line --index 4 'sync: Input/output error'
	refute_line --partial 'mark'
	run jopen
	assert_output $'resumed\na sent\nb sent\nc none'
}

@test "lp_le: every Loket path, one function each" {
	run lp-unit le-paths X1
	assert_success
	assert_output - <<-'T'
	/providers/employers/X1/employees
	/providers/employers/employees/X1
	/providers/employers/employees/X1/citizenservicenumber
	/providers/employers/employees/X1/metadata
	/providers/employers/X1/employees/employments
	/providers/employers/employees/employments/X1/wages
	/providers/employers/employees/employments/wages/X1
	/providers/employers/employees/employments/X1/wages/metadata
	/providers/employers/employees/employments/X1/benefitsanddeductions
	/providers/employers/employees/employments/benefitsAndDeductions/X1
	/providers/employers/employees/employments/X1/payrollperioddata
	/providers/employers/employees/employments/payrollperioddata/X1
	/providers/employers/X1/conceptemployees
	/providers/employers/X1/conceptemployees/metadata
	/providers/employers/conceptemployees/X1/citizenservicenumber
	/providers/employers/payrolladministrations/X1/payrollcomponents/year/2025
	payrollPeriod.year eq 2025 and payrollPeriod.periodNumber eq 3
	T
}

@test "lp_le_same_record: a posted record is recognised by its entity's identity fields" {
	while IFS='|' read -r entity body item want; do
		run lp-unit le-same "$entity" "$body" "$item"
		assert_output "$want"
	done <<-'T'
	wage|{"startDate":"2025-01-01","grossWage":1}|{"id":"w","startDate":"2025-01-01","grossWage":2}|same
	wage|{"startDate":"2025-01-01"}|{"startDate":"2025-02-01"}|other
	wage|{"startDate":"2025-01-01"}|{"id":"w"}|other
	benefit_deduction|{"payrollComponent":{"key":8042},"startDate":"2025-01-01"}|{"payrollComponent":{"key":8042,"value":"x"},"startDate":"2025-01-01"}|same
	benefit_deduction|{"payrollComponent":{"key":8042},"startDate":"2025-01-01"}|{"payrollComponent":{"key":8050},"startDate":"2025-01-01"}|other
	concept_employee|{"uniqueName":"A (Personio 1)"}|{"uniqueName":"A (Personio 1)","id":"c"}|same
	concept_employee|{"uniqueName":"A (Personio 1)"}|{"uniqueName":"B (Personio 2)"}|other
	variable_input|{"payrollPeriod":{"year":2025,"periodNumber":3}}|{"payrollPeriod":{"year":2025,"periodNumber":3,"id":9}}|same
	variable_input|{"payrollPeriod":{"year":2025,"periodNumber":3}}|{"payrollPeriod":{"year":2025,"periodNumber":4}}|other
	employee|{"x":1}|{"x":1}|other
	T
}

@test "lp_le_ppd: the record an upsert lands in, and whether it holds the upsert's components" {
	body='{"payrollPeriod":{"year":2025,"periodNumber":3},"shift":{"shiftNumber":1},"payrollComponents":[{"payrollComponent":{"key":8042},"value":100.00}]}'
	run lp-unit le-ppd "$body" '{"payrollPeriod":{"year":2025,"periodNumber":3},"shift":{"shiftNumber":1},"payrollComponents":[{"payrollComponent":{"key":8042},"value":100.00},{"payrollComponent":{"key":1},"value":5}]}'
	assert_output "lands held"
	run lp-unit le-ppd "$body" '{"payrollPeriod":{"year":2025,"periodNumber":3},"shift":{"shiftNumber":1},"payrollComponents":[{"payrollComponent":{"key":8042},"value":90.00}]}'
	assert_output "lands not held"
	run lp-unit le-ppd "$body" '{"payrollPeriod":{"year":2025,"periodNumber":3},"shift":{"shiftNumber":2},"payrollComponents":[{"payrollComponent":{"key":8042},"value":100.00}]}'
	assert_output "elsewhere not held"
}

@test "lp_rate: limits are N/SECONDS[:BURST], positive, the burst at most N (default N)" {
	while IFS='|' read -r in want; do
		run lp-unit rate-parse "$in"
		assert_output "$want"
	done <<'T'
60/60|60 per 60 s, burst 60
300/60:15|300 per 60 s, burst 15
5/2|5 per 2 s, burst 5
1/1:1|1 per 1 s, burst 1
0/60|error
5/0|error
5/60:6|error
5/60:0|error
-5/60|error
5|error
5/60:|error
5/60x|error
/60|error
T
}

@test "lp_sha256: the FIPS 180-4 example vectors, fed whole and in pieces, and sha256sum on odd lengths" {
	for chunk in 4096 1 7 63 64 65; do
		run sh -c "printf '' | lp-unit sha256 $chunk"
		assert_output e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
		run sh -c "printf abc | lp-unit sha256 $chunk"
		assert_output ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
		run sh -c "printf abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq | lp-unit sha256 $chunk"
		assert_output 248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1
	done
	run sh -c "head -c 1000000 /dev/zero | tr '\\0' a | lp-unit sha256"
	assert_output cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0
	for n in 55 56 57 119 120 1000 4097; do
		seq 1 3000 | head -c $n >"$BATS_TEST_TMPDIR/r"
		run lp-unit sha256 13 <"$BATS_TEST_TMPDIR/r"
		assert_output "$(sha256sum <"$BATS_TEST_TMPDIR/r" | cut -d' ' -f1)"
	done
}

@test "lp_crclog: lines come back in order, a torn last line is cut, any damaged byte is refused with FILE:LINE" {
	F="$BATS_TEST_TMPDIR/log"
	run lp-unit crclog "$F" '{"a":1}' '{"b":"x"}'
	assert_success
	assert_output '2 lines'
	assert_equal "$(stat -c %a "$F")" 600
	run lp-unit crclog "$F"
	assert_output $'1 {"a":1}\n2 {"b":"x"}\n2 lines'
	cp "$F" "$BATS_TEST_TMPDIR/whole"
	# torn: the last line without its newline (killed while writing it) is cut, the rest kept
	printf '{"c":3,"crc":"0' >>"$F"
	run lp-unit crclog "$F" '{"d":4}'
	assert_success
	assert_output $'1 {"a":1}\n2 {"b":"x"}\ntorn\n3 lines'
	run lp-unit crclog "$F"
	assert_output $'1 {"a":1}\n2 {"b":"x"}\n3 {"d":4}\n3 lines'
	# every single byte changed (the newlines included, but the last: without it the last line
	# is torn, and cut): refused, nothing appended
	size=$(stat -c %s "$BATS_TEST_TMPDIR/whole")
	for ((i = 0; i < size - 1; i++)); do
		cp "$BATS_TEST_TMPDIR/whole" "$F"
		printf '\x01' | dd of="$F" bs=1 seek=$i conv=notrunc status=none
		run lp-unit crclog "$F" '{"e":5}'
		[ "$status" -eq 3 ] || { echo "byte $i: status $status: $output"; return 1; }
		assert_line --regexp "^lp-unit: $F:[12]: log is damaged \((its checksum does not match|it is not a JSON object)\): nothing is done"
		refute_output --partial 'lines'
	done
	# group or other access: refused
	cp "$BATS_TEST_TMPDIR/whole" "$F"; chmod 640 "$F"
	run lp-unit crclog "$F"
	assert_failure 4
	assert_output "lp-unit: log $F: mode 640; it must be 0600"
}

@test "lp_crclog: a full disk leaves no half line behind; the next open reads every good line" {
	F="$BATS_TEST_TMPDIR/log"
	lp-unit crclog "$F" '{"a":1}' >/dev/null
	enospc_preload "$BUILD/bin/lp-unit"
	run env LD_PRELOAD="$PRELOAD" ENOSPC_SHIM_PATTERN="$F" ENOSPC_SHIM_OPS=write lp-unit crclog "$F" '{"b":2}'
	assert_failure 7
	assert_output --partial 'append failed: No space left on device'
	run env LD_PRELOAD="$PRELOAD" ENOSPC_SHIM_PATTERN="$F" ENOSPC_SHIM_OPS=fsync ENOSPC_SHIM_ERRNO=EIO lp-unit crclog "$F" '{"b":2}'
	assert_failure 7
	assert_output --partial 'append failed: Input/output error'
	run lp-unit crclog "$F"
	assert_success
	assert_output $'1 {"a":1}\n2 {"b":2}\n2 lines'
}

@test "config: the documents section (DOC1): defaults, titles, the directory beside the token file, bad values named" {
	C="$BATS_TEST_TMPDIR/c.json"
	run lp-unit doc-config "$SAMPLES/acme.json"
	assert_output $'category_id 2\ncategory -\nfrom 2026-01-01\ndir -'
	jq '.loket.token_file = "tok/acme.token" | .documents = {category: "Loonstroken", from: "2025-01-01"}' \
		"$SAMPLES/acme.json" >"$C"
	run lp-unit doc-config "$C"
	assert_output $'category_id -1\ncategory Loonstroken\nfrom 2025-01-01\ndir '"$BATS_TEST_TMPDIR/tok/acme.documents"
	jq '.documents.dir = "docs/a"' "$C" >"$C.2"
	run lp-unit doc-config "$C.2"
	assert_line "dir $BATS_TEST_TMPDIR/docs/a"
	while IFS='|' read -r args want; do
		run lp-unit doc-config "$C" $args
		assert_output "$want"
	done <<-'T'
	0 0 2026 3|Loonstrook 2026-03
	0 1 2026 3|Loonstrook 2026-03 correctie 1
	1 0 2025 0|Jaaropgaaf 2025
	1 2 2025 0|Jaaropgaaf 2025 gecorrigeerd 2
	0 0 2026 13|Loonstrook 2026-13
	T
	jq '.documents.titles = {payslip: "Salarisstrook {period}/{year} {x}", yearend_corrected: "JO {year} (v{n})"}' "$C" >"$C.2"
	run lp-unit doc-config "$C.2" 0 0 2026 4
	assert_output 'Salarisstrook 04/2026 {x}'
	run lp-unit doc-config "$C.2" 1 3 2025 0
	assert_output 'JO 2025 (v3)'
	# a title over Personio's 255 bytes is cut, never in the middle of a character
	jq --arg t "$(printf 'é%.0s' $(seq 200))" '.documents.titles.payslip = $t' "$C" >"$C.2"
	run lp-unit doc-config "$C.2" 0 0 2026 1
	assert_equal "$(printf %s "$output" | wc -c)" 254
	printf %s "$output" | iconv -f UTF-8 -t UTF-8 >/dev/null
	while IFS='|' read -r edit want; do
		jq "$edit" "$C" >"$C.2"
		run lp-unit doc-config "$C.2"
		assert_failure 4
		assert_output --partial "$want"
	done <<-'T'
	.documents.category_id = 2|documents.category: names the category a second time
	.documents.category = ""|documents.category: must be a non-empty string
	.documents.from = "2026-02-30"|documents.from: must be a date YYYY-MM-DD, got '2026-02-30'
	.documents.titles.yearend = ""|documents.titles.yearend: must be a non-empty string
	.documents.titles.other = "x"|documents.titles.other: unknown key
	.documents.ledger = "x"|documents.ledger: unknown key
	.documents.category_id = 0|documents.category_id
	T
}
