#!/usr/bin/env bats
# push-documents against the Personio emulator (acme): matching (M1), scope (E1), the category,
# titles, the upload itself, exactly once (DOC1) through lost answers, 5xx, kills, a damaged or
# torn ledger and a full disk, the lock, the rate limit, the audit log (A1).

load helper
load documents

# ---------------------------------------------------------------- usage

@test "--help, --version, a usage error, a man page mandoc accepts" {
	run push-documents --help
	assert_success
	assert_output --partial "Usage: push-documents -c CONFIG"
	run push-documents --version
	assert_success
	run push-documents
	assert_failure 2
	run push-documents -c "$CFG" --as-of 2026-13-01
	assert_failure 2
	run mandoc -Tlint -Wwarning "$ROOT/man/push-documents.1"
	assert_success
}

# ---------------------------------------------------------------- the upload

@test "DOC1 each document lands once on the right profile: category, title, date, marker, file name, type, bytes" {
	standard
	run --separate-stderr push "$IN"
	assert_success
	echo "$output" >"$OUT"
	schema_ok "$OUT"
	assert_equal "$(results "$OUT")" "$(printf '%s\n' \
		"101	payslip	uploaded	Loonstrook 2026-01" "101	payslip	uploaded	Loonstrook 2026-02" \
		"101	yearend	uploaded	Jaaropgaaf 2025" "102	payslip	uploaded	Loonstrook 2026-01")"
	run landed
	assert_equal "$(jq -c 'length' <<<"$output")" 4
	local m sha
	sha=$(jq -r 'select(.employee_number==101 and .period==2) | .sha256' "$IN")
	m=$(jq -c --arg s "$sha" '.[] | select(.sha256 == $s) | [.employee_id, .category_id, .title, .date, .comment, .filename, .content_type]' <<<"$output")
	assert_equal "$m" "[1001,2,\"Loonstrook 2026-02\",\"2026-02-28\",\"loketpipe:loket:ER1:EM101:payslip:r101-2026-2-0:sha256:${sha:0:16}\",\"Loonstrook_101_2026-2.pdf\",\"application/pdf\"]"
	# every file's bytes arrived whole
	assert_equal "$(jq -r '.[].sha256' <<<"$output" | sort)" "$(jq -r 'select(.type=="loket.document") | .sha256' "$IN" | sort)"
	# the result names Personio's document id; 102 went to person 1002
	assert_equal "$(jq -r 'select(.employee_number=="102") | [.personio_id, .personio_document_id] | @tsv' "$OUT")" \
		"1002	$(jq -r '.[] | select(.employee_id==1002) | .id' <<<"$output")"
	assert_equal "$(jq -c 'select(.type=="stream_end") | [.source, .complete, .counts.uploaded]' "$OUT")" '["push",true,4]'
	# report reads the results: per employee, by number
	run report "$OUT"
	assert_success
	assert_line "  employee 101"
	assert_line "  employee 102"
	# the ledger: 0600 in a 0700 directory, an intent before each done, every line of the schema
	assert_equal "$(stat -c %a "$LEDGER")" 600
	assert_equal "$(stat -c %a "$DOCS")" 700
	assert_equal "$(jq -r .state "$LEDGER" | sort | uniq -c | tr -s ' ' | tr '\n' ' ')" " 4 done  4 intent "
	ledger_ok
}

@test "DOC1 a second run with the same input sends no POST at all: only the categories GET" {
	standard
	push "$IN" >/dev/null
	emu_reset_counters() { curl -fsS "$EMU_URL/__emu/stats" >/dev/null; }
	local before after
	before=$(emu_stats | jq -c .by_method)
	run --separate-stderr push "$IN"
	assert_success
	echo "$output" >"$OUT"
	assert_equal "$(results "$OUT" | cut -f3 | sort | uniq -c | tr -s ' ')" " 4 already"
	after=$(emu_stats | jq -c .by_method)
	assert_equal "$(jq -n --argjson a "$before" --argjson b "$after" '($b.POST // 0) - ($a.POST // 0)')" 0
	assert_equal "$(jq -n --argjson a "$before" --argjson b "$after" '($b.GET // 0) - ($a.GET // 0)')" 1
	assert_equal "$(nlanded)" 4
	# the already result names the document id of the first run
	assert_equal "$(jq -r 'select(.type=="document.result") | .personio_document_id' "$OUT" | sort)" \
		"$(landed | jq -r '.[].id | tostring' | sort)"
}

@test "DOC1 the category by name is resolved against GET /v1/company/document-categories" {
	config '.documents={category: "Payslips and year-end statements (Loket)", dir: $d}'
	{ doc 101 payslip 2026 3; cat "$PERSONS"; } >"$IN"
	run --separate-stderr push "$IN"
	assert_success
	assert_equal "$(landed | jq -c '[.[].category_id]')" '[2]'
}

@test "DOC1 an unknown category id or name, or a name two categories share, is exit 4 with the names, before anything is sent" {
	{ doc 101 payslip 2026 3; cat "$PERSONS"; } >"$IN"
	config '.documents={category_id: 99, dir: $d}'
	run --separate-stderr push "$IN"
	assert_failure 4
	assert_equal "$(jq -c 'select(.type=="stream_end") | .complete' <<<"$output")" false
	[[ "$stderr" == *'documents.category_id 99 is not a Personio document category; the categories are: 1 "Contracts", 2 "Payslips and year-end statements (Loket)", 3 "Certificates of employment", 4 "Other documents"'* ]]
	config '.documents={category: "Payslips", dir: $d}'
	run --separate-stderr push "$IN"
	assert_failure 4
	[[ "$stderr" == *'documents.category "Payslips" is not a Personio document category; the categories are: 1 "Contracts"'* ]]
	# tenant dup: "Contracts" is categories 1 and 7
	config '.documents={category: "Contracts", dir: $d}'
	PERSONIO_CLIENT_ID=dup-test-id PERSONIO_CLIENT_SECRET=dup-test-secret-0000 run --separate-stderr push "$IN"
	assert_failure 4
	[[ "$stderr" == *'documents.category "Contracts" names 2 Personio document categories; give documents.category_id'* ]]
	assert_equal "$(posts)" 0
	assert_equal "$(nlanded)" 0
}

@test "DOC1 titles: a correction run is its own document, titled as a correction; date = period end" {
	{
		doc 101 payslip 2026 3 0 run-a
		doc 101 payslip 2026 3 1 run-b
		doc 101 payslip 2026 3 2 run-c
		cat "$PERSONS"
	} >"$IN"
	run --separate-stderr push "$IN"
	assert_success
	echo "$output" >"$OUT"
	assert_equal "$(jq -r 'select(.type=="document.result") | [.title, .corrected] | @tsv' "$OUT")" \
		"$(printf 'Loonstrook 2026-03\tfalse\nLoonstrook 2026-03 correctie 1\tfalse\nLoonstrook 2026-03 correctie 2\tfalse')"
	assert_equal "$(landed | jq -c '[.[] | [.title, .date]]')" \
		'[["Loonstrook 2026-03","2026-03-31"],["Loonstrook 2026-03 correctie 1","2026-03-31"],["Loonstrook 2026-03 correctie 2","2026-03-31"]]'
}

@test "DOC1 the configured titles are used" {
	config '.documents.titles={payslip: "Salarisstrook {period}/{year}", yearend: "JO {year}"}'
	{ doc 101 payslip 2026 4; doc 101 yearend 2025 0; cat "$PERSONS"; } >"$IN"
	run --separate-stderr push "$IN"
	assert_success
	assert_equal "$(landed | jq -c '[.[].title]')" '["Salarisstrook 04/2026","JO 2025"]'
}

@test "DOC1 a year-end statement Loket re-issued (same key, new sha256) is uploaded as corrected; the first stays" {
	{ doc 101 yearend 2025 0 0 "" first; cat "$PERSONS"; } >"$IN"
	push "$IN" >/dev/null
	{ doc 101 yearend 2025 0 0 "" second; cat "$PERSONS"; } >"$IN"
	run --separate-stderr push "$IN"
	assert_success
	echo "$output" >"$OUT"
	assert_equal "$(jq -r 'select(.type=="document.result") | [.status, .title, .corrected] | @tsv' "$OUT")" \
		"$(printf 'uploaded\tJaaropgaaf 2025 gecorrigeerd 1\ttrue')"
	{ doc 101 yearend 2025 0 0 "" third; cat "$PERSONS"; } >"$IN"
	push "$IN" >"$OUT"
	assert_equal "$(landed | jq -c '[.[].title]')" '["Jaaropgaaf 2025","Jaaropgaaf 2025 gecorrigeerd 1","Jaaropgaaf 2025 gecorrigeerd 2"]'
	# the corrected one again: already, with the same title
	run --separate-stderr push "$IN"
	assert_success
	assert_equal "$(results <<<"$output")" "101	yearend	already	Jaaropgaaf 2025 gecorrigeerd 2"
}

# ---------------------------------------------------------------- matching and scope

@test "M1 DOC1 a document without a matching person, or with two persons of that number: an error issue, never a guess; the others go on" {
	{
		doc 999 payslip 2026 1
		doc 102 payslip 2026 1
		doc 101 payslip 2026 1
		cat "$PERSONS"
		jq -c 'select(.employee_number=="102") | .personio_id="1099"' "$PERSONS"
	} >"$IN"
	run --separate-stderr push "$IN"
	assert_failure 1
	echo "$output" >"$OUT"
	schema_ok "$OUT"
	assert_equal "$(issues "$OUT")" "$(printf '%s\n' \
		"error	DOC1	999	payslip 2026-01: no Personio person has Employee number (Loket) 999; not uploaded" \
		"error	DOC1	102	payslip 2026-01: 2 Personio persons have Employee number (Loket) 102; not uploaded")"
	assert_equal "$(results "$OUT")" "$(printf '999\tpayslip\tskipped\tLoonstrook 2026-01\n102\tpayslip\tskipped\tLoonstrook 2026-01\n101\tpayslip\tuploaded\tLoonstrook 2026-01')"
	assert_equal "$(landed | jq -c '[.[].employee_id]')" '[1001]'
}

@test "M1 a person's Employee number as text matches the document's number; a person without one matches nothing" {
	{ doc 101 payslip 2026 1; jq -c 'select(.employee_number=="101") | .employee_number="0101"' "$PERSONS"
	  jq -c 'select(.personio_id=="1026" or .type=="stream_end")' "$PERSONS"; } >"$IN"
	run --separate-stderr push "$IN"
	assert_success
	assert_equal "$(landed | jq -c '[.[].employee_id]')" '[1001]'
}

@test "E1 a person out of scope (inactive, Consider in NL payroll No, another legal entity) gets nothing: an issue naming them" {
	{
		doc 122 payslip 2026 1
		doc 125 payslip 2026 1
		doc 103 payslip 2026 1
		cat "$PERSONS"
		jq -c 'select(.employee_number=="103") | .legal_entity_id="171"' "$PERSONS" >"$BATS_TEST_TMPDIR/p103"
	} >"$IN"
	# 103 moved to legal entity 171
	jq -c 'select(.employee_number != "103")' "$IN" >"$IN.2"
	cat "$BATS_TEST_TMPDIR/p103" >>"$IN.2"
	run --separate-stderr push "$IN.2"
	assert_success
	echo "$output" >"$OUT"
	schema_ok "$OUT"
	assert_equal "$(jq -r 'select(.type=="issue") | [.severity, .rule, .personio_id, .message] | @tsv' "$OUT")" "$(printf '%s\n' \
		"warning	E1	1022	payslip 2026-01: not shared: status is inactive; only Active employees are synced" \
		"warning	E1	1025	payslip 2026-01: not shared: Consider in NL payroll is No" \
		"warning	E1	1003	payslip 2026-01: not shared: legal entity 171 is not linked to this Loket administration (only 170 is)")"
	assert_equal "$(results "$OUT" | cut -f3 | sort -u)" skipped
	assert_equal "$(nlanded)" 0
}

@test "DOC1 a file over Personio's 30 MB, a missing file, a file whose bytes changed: an error issue, not sent; the others go on" {
	{
		doc 101 payslip 2026 1
		doc 101 payslip 2026 2
		doc 101 payslip 2026 3
		doc 102 payslip 2026 1
		cat "$PERSONS"
	} >"$IN"
	truncate -s $((30 * 1024 * 1024 + 1)) "$PDFS/101-payslip-2026-1-0.pdf"
	rm "$PDFS/101-payslip-2026-2-0.pdf"
	echo changed >>"$PDFS/101-payslip-2026-3-0.pdf"
	# an empty file and one that is not a PDF, each with its own (right) sha256
	: >"$PDFS/empty.pdf"
	echo '<html>oops</html>' >"$PDFS/html.pdf"
	for f in empty html; do
		jq -c --arg f "$PDFS/$f.pdf" --arg s "$(sha256sum "$PDFS/$f.pdf" | cut -d' ' -f1)" --arg k "$f" \
			'select(.key == "loket:ER1:EM101:payslip:r101-2026-1-0") | .file=$f | .sha256=$s | .key+=$k' "$IN" >>"$IN.x"
	done
	cat "$IN" >>"$IN.x" && mv "$IN.x" "$IN"
	run --separate-stderr push "$IN"
	assert_failure 1
	echo "$output" >"$OUT"
	schema_ok "$OUT"
	assert_equal "$(issues "$OUT" | cut -f1-3 | sort -u)" "error	DOC1	101"
	grep -q "31457281 bytes, over Personio's limit of 30 MB; not uploaded" "$OUT"
	grep -q "101-payslip-2026-2-0.pdf: No such file or directory; not uploaded" "$OUT"
	grep -q "101-payslip-2026-3-0.pdf no longer has the record's sha256; not uploaded" "$OUT"
	grep -q "empty.pdf is not a PDF (it does not start with %PDF-); not uploaded" "$OUT"
	grep -q "html.pdf is not a PDF (it does not start with %PDF-); not uploaded" "$OUT"
	assert_equal "$(results "$OUT" | cut -f3 | tr '\n' ' ')" "skipped skipped skipped skipped skipped uploaded "
	assert_equal "$(landed | jq -c '[.[].employee_id]')" '[1002]'
	# exactly 30 MB is sent (Personio's limit is inclusive)
	truncate -s $((30 * 1024 * 1024)) "$PDFS/101-payslip-2026-1-0.pdf"
	jq -c --arg s "$(sha256sum "$PDFS/101-payslip-2026-1-0.pdf" | cut -d' ' -f1)" \
		'select(.key == "loket:ER1:EM101:payslip:r101-2026-1-0") | .sha256=$s | .size=31457280' "$IN" >"$IN.2"
	cat "$PERSONS" >>"$IN.2"
	run --separate-stderr push "$IN.2"
	assert_success
	assert_equal "$(landed | jq -c '[.[] | select(.employee_id==1001) | .size]')" '[31457280]'
}

@test "DOC1 a payslip whose run is not yet available to the employee (available_from after --as-of) is not sent; it is on the run after that date" {
	{ doc 101 payslip 2026 11 | jq -c '.available_from="2026-11-25"'; cat "$PERSONS"; } >"$IN"
	run --separate-stderr push "$IN"
	assert_success
	assert_equal "$(results <<<"$output")" "101	payslip	skipped	Loonstrook 2026-11"
	assert_equal "$(nlanded)" 0
	run --separate-stderr push-documents -c "$CFG" --as-of 2026-11-25 "$IN"
	assert_success
	assert_equal "$(results <<<"$output")" "101	payslip	uploaded	Loonstrook 2026-11"
}

@test "--only N: only that employee's documents; --dry-run: says what it would upload, sends nothing, writes no ledger" {
	standard
	run --separate-stderr push --dry-run "$IN"
	assert_success
	assert_equal "$(results <<<"$output" | cut -f1,3 | tr '\n' ' ')" "101	planned 101	planned 101	planned 102	planned "
	assert_equal "$(posts)" 0
	assert_file_not_exists "$LEDGER"
	assert_file_not_exists "$AUDIT"
	echo "$output" >"$OUT"
	schema_ok "$OUT"
	run --separate-stderr push --only 102 "$IN"
	assert_success
	assert_equal "$(results <<<"$output")" "102	payslip	uploaded	Loonstrook 2026-01"
	assert_equal "$(landed | jq -c '[.[].employee_id]')" '[1002]'
	# a dry run reads the ledger: what is there already is said so
	local n
	n=$(wc -l <"$LEDGER")
	run --separate-stderr push --dry-run "$IN"
	assert_success
	assert_equal "$(results <<<"$output" | cut -f1,3 | tr '\n' ' ')" "101	planned 101	planned 101	planned 102	already "
	assert_equal "$(wc -l <"$LEDGER")" "$n"
	assert_equal "$(posts)" 1
}

# ---------------------------------------------------------------- input

@test "records of other types pass through unchanged; bad input is exit 3 naming file, line and field" {
	standard
	printf '{"type":"other.thing","client":"acme","x":1.50}\n' >>"$IN"
	run --separate-stderr push "$IN"
	assert_success
	assert_line '{"type":"other.thing","client":"acme","x":1.50}'
	emu_reset
	doc 101 payslip 2026 1 | jq -c 'del(.sha256)' >"$IN"
	run --separate-stderr push "$IN"
	assert_failure 3
	assert_equal "$stderr" "push-documents: $IN:1: sha256: expected a string"
	doc 101 payslip 2026 1 | jq -c '.client="other"' >"$IN"
	run --separate-stderr push "$IN"
	assert_failure 3
	[[ "$stderr" == *"$IN:1: client: a record of client other; the configuration is of acme"* ]]
	{ doc 101 payslip 2026 1; doc 101 payslip 2026 1; } >"$IN"
	run --separate-stderr push "$IN"
	assert_failure 3
	[[ "$stderr" == *"$IN:2: key: document loket:ER1:EM101:payslip:r101-2026-1-0 is in the input twice"* ]]
	assert_equal "$(posts)" 0
}

@test "DOC1 an upstream stream_end that says incomplete: nothing is sent (a partial person list could match wrongly)" {
	standard
	echo '{"type":"stream_end","client":"acme","source":"personio","complete":false,"counts":{},"error":"x"}' >>"$IN"
	run --separate-stderr push "$IN"
	assert_failure 3
	assert_equal "$(posts)" 0
	assert_equal "$(nlanded)" 0
}

# ---------------------------------------------------------------- exactly once

@test "DOC1 lost answers (the upload landed, the answer did not): read back, found by the marker, never sent twice" {
	standard
	emu_faults '{"lost":2,"scope":"/v1/company/documents"}'
	run --separate-stderr push "$IN"
	assert_success
	echo "$output" >"$OUT"
	schema_ok "$OUT"
	assert_equal "$(results "$OUT" | cut -f3 | sort | uniq -c | tr -s ' ')" " 4 uploaded"
	assert_equal "$(jq -r 'select(.type=="document.result") | .reason // "-"' "$OUT" | head -2 | sort -u)" \
		"the answer was lost; found by its marker"
	assert_equal "$(nlanded)" 4
	no_duplicates
	assert_equal "$(posts)" 4
	# the ids of the results are the ids that landed
	assert_equal "$(jq -r 'select(.type=="document.result") | .personio_document_id' "$OUT" | sort)" \
		"$(landed | jq -r '.[].id | tostring' | sort)"
}

@test "DOC1 a 500 or a dropped connection on upload: read back, not there, sent again: once" {
	standard
	emu_faults '{"500":1,"drop":1,"scope":"/v1/company/documents"}'
	run --separate-stderr push "$IN"
	assert_success
	assert_equal "$(nlanded)" 4
	no_duplicates
	assert_equal "$(posts)" 6
}

@test "DOC1 Personio failing every upload: bounded rounds, error issue, exit 5; the next run sends each once" {
	standard
	emu_faults '{"always":{"path":"/v1/company/documents","status":503}}'
	run --separate-stderr push "$IN"
	assert_failure 5
	echo "$output" >"$OUT"
	schema_ok "$OUT"
	assert_equal "$(results "$OUT" | cut -f3 | sort -u)" failed
	assert_equal "$(posts)" 12
	assert_equal "$(jq -c 'select(.type=="stream_end") | .complete' "$OUT")" false
	emu_faults '{}'
	run --separate-stderr push "$IN"
	assert_success
	assert_equal "$(results <<<"$output" | cut -f3 | sort -u)" uploaded
	assert_equal "$(nlanded)" 4
}

@test "DOC1 a 4xx (Personio refuses): the message in an issue, a failed ledger line, not retried in the run; the next run tries again" {
	{ doc 101 payslip 2026 1; doc 102 payslip 2026 1; cat "$PERSONS" | jq -c 'if .employee_number=="101" then .personio_id="9999" else . end'; } >"$IN"
	run --separate-stderr push "$IN"
	assert_failure 1
	echo "$output" >"$OUT"
	assert_equal "$(issues "$OUT")" "error	DOC1	101	payslip 2026-01: Personio refused the upload: HTTP 404: No query results for model [Employee] 9999"
	assert_equal "$(results "$OUT" | cut -f1,3 | tr '\n' ' ')" "101	failed 102	uploaded "
	assert_equal "$(posts)" 2
	assert_equal "$(jq -r 'select(.state=="failed") | [.status, .message] | @tsv' "$LEDGER")" "404	No query results for model [Employee] 9999"
	ledger_ok
	{ doc 101 payslip 2026 1; doc 102 payslip 2026 1; cat "$PERSONS"; } >"$IN"
	run --separate-stderr push "$IN"
	assert_success
	assert_equal "$(results <<<"$output" | cut -f1,3 | tr '\n' ' ')" "101	uploaded 102	already "
	assert_equal "$(nlanded)" 2
}

@test "DOC1 killed after the intent is on disk, before the POST: the resumed run reads back, finds nothing, sends it once" {
	standard
	enospc_preload "$BUILD/bin/push-documents"
	# the second intent's fsync kills the run: document 1 is done, document 2 has its intent only
	run --separate-stderr env LD_PRELOAD="$PRELOAD" ENOSPC_SHIM_PATTERN="$LEDGER" ENOSPC_SHIM_OPS=fsync \
		ENOSPC_SHIM_ERRNO=KILL ENOSPC_SHIM_SKIP=2 push-documents -c "$CFG" --as-of 2026-11-15 "$IN"
	assert_equal "$status" 137
	assert_equal "$(nlanded)" 1
	assert_equal "$(jq -r .state "$LEDGER" | tr '\n' ' ')" "intent done intent "
	run --separate-stderr push "$IN"
	assert_success
	assert_equal "$(results <<<"$output" | cut -f3 | tr '\n' ' ')" "already uploaded uploaded uploaded "
	assert_equal "$(nlanded)" 4
	no_duplicates
	# the read-back: once per person and run with a document not done in the ledger, before any
	# upload: 101's in the killed run, 101's and 102's in the resumed one
	assert_equal "$(emu_stats | jq '.by_path["/v2/document-management/documents"]')" 3
}

@test "DOC1 killed after the POST, before its done line: the resumed run finds it by its marker (recovered), no POST" {
	standard
	LOKETPIPE_TEST_KILL_AT=posted:2 run --separate-stderr push "$IN"
	assert_equal "$status" 137
	assert_equal "$(nlanded)" 2
	local p
	p=$(posts)
	run --separate-stderr push "$IN"
	assert_success
	echo "$output" >"$OUT"
	schema_ok "$OUT"
	assert_equal "$(results "$OUT" | cut -f3 | tr '\n' ' ')" "already recovered uploaded uploaded "
	assert_equal "$(jq -r 'select(.status=="recovered") | .reason' "$OUT")" "an earlier run's upload, found by its marker"
	assert_equal "$(($(posts) - p))" 2
	assert_equal "$(nlanded)" 4
	no_duplicates
	# A1: the recovered one is in the audit log as shared, once
	assert_equal "$(jq -r 'select(.event=="document.shared") | .how' "$AUDIT" | sort | uniq -c | tr -s ' ')" " 1 recovered
 3 uploaded"
}

@test "DOC1 twenty kills at random points, then a resume: every document exactly once" {
	{
		for p in 1 2 3 4 5; do doc 101 payslip 2026 $p; doc 102 payslip 2026 $p; done
		cat "$PERSONS"
	} >"$IN"
	enospc_preload "$BUILD/bin/push-documents"
	emu_faults '{"rate_lost":0.2,"seed":7,"scope":"/v1/company/documents"}'
	local i
	for i in $(seq 1 20); do
		if [ $((i % 2)) = 0 ]; then
			LOKETPIPE_TEST_KILL_AT=posted:$(((i % 3) + 1)) push "$IN" >/dev/null 2>&1 || true
		else
			env LD_PRELOAD="$PRELOAD" ENOSPC_SHIM_PATTERN="$LEDGER" ENOSPC_SHIM_OPS=write ENOSPC_SHIM_ERRNO=KILL \
				ENOSPC_SHIM_SKIP=$((i % 4)) push-documents -c "$CFG" --as-of 2026-11-15 "$IN" >/dev/null 2>&1 || true
		fi
	done
	emu_faults '{}'
	run --separate-stderr push "$IN"
	assert_success
	assert_equal "$(nlanded)" 10
	no_duplicates
	p=$(posts)
	run --separate-stderr push "$IN"
	assert_success
	assert_equal "$(posts)" "$p"
}

@test "DOC1 a ledger cut mid-line: the torn line is cut, its document read back (no POST); a flipped byte: exit 3 naming FILE:LINE, nothing sent" {
	standard
	push "$IN" >/dev/null
	# cut the last line (a done) in its middle
	local size
	size=$(stat -c %s "$LEDGER")
	truncate -s $((size - 20)) "$LEDGER"
	local p
	p=$(posts)
	run --separate-stderr push "$IN"
	assert_success
	[[ "$stderr" == *"a torn last line"* ]]
	assert_equal "$(results <<<"$output" | cut -f3 | tr '\n' ' ')" "already already already recovered "
	assert_equal "$(posts)" "$p"
	assert_equal "$(nlanded)" 4
	# a flipped byte in line 2
	sed -i '2s/"done"/"dône"/' "$LEDGER"
	emu_reset
	run --separate-stderr push "$IN"
	assert_failure 3
	[[ "$stderr" == *"$LEDGER:2"* ]]
	assert_equal "$(emu_stats | jq '.by_method.POST // 0')" 0
	assert_equal "$(nlanded)" 0
}

@test "DOC1 ENOSPC on the ledger: exit 7, nothing is POSTed without its intent on disk" {
	standard
	enospc_preload "$BUILD/bin/push-documents"
	for ops in write fsync; do
		rm -f "$LEDGER"
		run --separate-stderr env LD_PRELOAD="$PRELOAD" ENOSPC_SHIM_PATTERN="$LEDGER" ENOSPC_SHIM_OPS="$ops" \
			push-documents -c "$CFG" --as-of 2026-11-15 "$IN"
		assert_failure 7
		[[ "$stderr" == *"ledger $LEDGER: No space left on device; nothing more is sent"* ]]
		assert_equal "$(posts)" 0
		refute_output --partial document.result
	done
	# the done line after an upload cannot be written: exit 7; the next run finds the upload (no POST)
	rm -f "$LEDGER"
	run --separate-stderr env LD_PRELOAD="$PRELOAD" ENOSPC_SHIM_PATTERN="$LEDGER" ENOSPC_SHIM_OPS=write \
		ENOSPC_SHIM_SKIP=1 push-documents -c "$CFG" --as-of 2026-11-15 "$IN"
	assert_failure 7
	assert_equal "$(posts)" 1
	assert_equal "$(nlanded)" 1
	run --separate-stderr push "$IN"
	assert_success
	assert_equal "$(results <<<"$output" | cut -f3 | tr '\n' ' ')" "recovered uploaded uploaded uploaded "
	assert_equal "$(posts)" 4
	assert_equal "$(nlanded)" 4
}

@test "DOC1 a ledger another user can read is refused (exit 4); the lock: a second run at the same time gets exit 8" {
	standard
	push "$IN" >/dev/null
	chmod 644 "$LEDGER"
	run --separate-stderr push "$IN"
	assert_failure 4
	chmod 600 "$LEDGER"
	run flock -x "$LEDGER.lock" push-documents -c "$CFG" --as-of 2026-11-15 "$IN"
	assert_failure 8
}

@test "DOC1 the upload limit (429 with Retry-After from --rate-documents) is paced through: every document once" {
	emu_launch personio-emu rated "$BATS_FILE_TMPDIR/fx" --rate-documents 2/1
	local url=$LAUNCHED_URL pid=$LAUNCHED_PID
	config '.personio.base_url=$ENV.RURL'
	jq --arg u "$url" '.personio.base_url=$u' "$CFG" >"$CFG.2" && mv "$CFG.2" "$CFG"
	{ for p in 1 2 3 4 5 6; do doc 101 payslip 2026 $p; done; cat "$PERSONS"; } >"$IN"
	run --separate-stderr push "$IN"
	assert_success
	assert_equal "$(curl -fsS "$url/__emu/documents" | jq length)" 6
	[ "$(curl -fsS "$url/__emu/stats" | jq .rate_limited.documents)" -gt 0 ]
	emu_kill "$pid"
}

@test "A1 one document.shared event per document uploaded: employee number, Personio id, kind, period, key, sha256, document id, title; no content, no BSN" {
	standard
	push --actor tester "$IN" >/dev/null
	assert_equal "$(stat -c %a "$AUDIT")" 600
	run jq -c 'select(.event=="document.shared") | del(.time, .seq, .prev, .hash, .os_user)' "$AUDIT"
	assert_equal "${#lines[@]}" 4
	local sha id
	sha=$(jq -r 'select(.employee_number==102) | .sha256' "$IN")
	id=$(landed | jq -r '.[] | select(.employee_id==1002) | .id')
	assert_line "{\"event\":\"document.shared\",\"actor\":\"tester\",\"client\":\"acme\",\"program\":\"push-documents\",\"employee_number\":102,\"personio_id\":\"1002\",\"kind\":\"payslip\",\"year\":2026,\"period\":1,\"key\":\"loket:ER1:EM102:payslip:r102-2026-1-0\",\"sha256\":\"$sha\",\"personio_document_id\":\"$id\",\"title\":\"Loonstrook 2026-01\",\"how\":\"uploaded\"}"
	refute grep -q "$(jq -r 'select(.employee_number=="102") | .bsn' "$PERSONS")" "$AUDIT"
	refute grep -q PDF "$AUDIT"
	# a second run shares nothing: no event
	push "$IN" >/dev/null
	assert_equal "$(jq -c 'select(.event=="document.shared")' "$AUDIT" | wc -l)" 4
}

@test "E1 a document shared before its person left scope stays already (no issue); the same person twice in the input is one person" {
	{ doc 101 payslip 2026 1; cat "$PERSONS" "$PERSONS"; } >"$IN"
	run --separate-stderr push "$IN"
	assert_success
	assert_equal "$(results <<<"$output")" "101	payslip	uploaded	Loonstrook 2026-01"
	{ doc 101 payslip 2026 1; jq -c 'if .employee_number=="101" then .status="inactive" else . end' "$PERSONS"; } >"$IN"
	run --separate-stderr push "$IN"
	assert_success
	assert_equal "$(results <<<"$output")" "101	payslip	already	Loonstrook 2026-01"
	refute_output --partial '"type":"issue"'
}

@test "DOC1 the read-back pages through the person's documents (v2 cursor): an upload on the second page is found" {
	emu_launch personio-emu paged "$BATS_FILE_TMPDIR/fx" --rate-documents off
	local url=$LAUNCHED_URL pid=$LAUNCHED_PID tok i
	jq --arg u "$url" '.personio.base_url=$u' "$CFG" >"$CFG.2" && mv "$CFG.2" "$CFG"
	tok=$(curl -fsS -X POST -H 'Content-Type: application/json' \
		--data "{\"client_id\":\"$PERSONIO_CLIENT_ID\",\"client_secret\":\"$PERSONIO_CLIENT_SECRET\"}" \
		"$url/v1/auth" | jq -r .data.token)
	pdf other.pdf >/dev/null
	# 200 documents of person 1001 in the category before ours: ours lands on page 2 (oldest first)
	for i in $(seq 1 200); do
		curl -fsS -o /dev/null -H "Authorization: Bearer $tok" -H "X-Personio-App-ID: LOKETPIPE" -F title="other $i" \
			-F employee_id=1001 -F category_id=2 -F file=@"$PDFS/other.pdf;type=application/pdf" "$url/v1/company/documents"
	done
	{ doc 101 payslip 2026 1; cat "$PERSONS"; } >"$IN"
	LOKETPIPE_TEST_KILL_AT=posted:1 run --separate-stderr push "$IN"
	assert_equal "$status" 137
	local before
	before=$(curl -fsS "$url/__emu/stats" | jq '.by_path["/v2/document-management/documents"]')
	run --separate-stderr push "$IN"
	assert_success
	assert_equal "$(results <<<"$output" | cut -f3)" recovered
	assert_equal "$(curl -fsS "$url/__emu/documents" | jq length)" 201
	# the resumed run read both pages
	assert_equal "$(($(curl -fsS "$url/__emu/stats" | jq '.by_path["/v2/document-management/documents"]') - before))" 2
	emu_kill "$pid"
}

@test "DOC1 two runs at once: the second stops with exit 8 while the first uploads; every document once" {
	standard
	emu_faults '{"latency_ms":400,"scope":"/v1/company/documents"}'
	push "$IN" >"$OUT" 2>"$BATS_TEST_TMPDIR/err1" &
	local first=$! i=0
	# the first run holds the lock once its first intent is on disk
	until [ -s "$LEDGER" ]; do
		i=$((i + 1))
		[ $i -lt 400 ] || fail "the first run wrote no intent"
		sleep 0.01
	done
	run --separate-stderr push "$IN"
	assert_failure 8
	refute_output --partial document.result
	wait "$first"
	assert_equal "$(results "$OUT" | cut -f3 | sort -u)" uploaded
	assert_equal "$(nlanded)" 4
	no_duplicates
}

@test "credentials Personio refuses: exit 6 before anything is sent, the stream marked incomplete" {
	standard
	PERSONIO_CLIENT_SECRET=wrong-secret-0000 run --separate-stderr push "$IN"
	assert_failure 6
	assert_equal "$(jq -c 'select(.type=="stream_end") | .complete' <<<"$output")" false
	assert_equal "$(posts)" 0
	refute_output --partial document.result
	[[ "$stderr" != *wrong-secret* ]]
}

@test "DOC1 end to end: acme's documents from fetch-documents (Loket emulator) land once on the right Personio profiles; a second run uploads nothing" {
	loket_start
	loket_client
	loket_login '.compensation.start_date="2025-01-01"'
	jq --arg u "$EMU_URL" --arg d "$DOCS" --arg t "$BATS_TEST_TMPDIR/ptoken.json" \
		'.personio.base_url=$u | .personio.token_cache=$t | .documents={category_id: 2, dir: $d}' "$CFG" >"$CFG.2"
	mv "$CFG.2" "$CFG"
	# three employees' documents (one of them out of scope): within Personio's 60 uploads a minute
	fetch-documents -c "$CFG" --as-of 2026-11-15 |
		jq -c 'select(.type != "loket.document" or (.employee_number | IN(101, 104, 122)))' >"$BATS_TEST_TMPDIR/docs.ndjson"
	local n
	n=$(jq -c 'select(.type=="loket.document")' "$BATS_TEST_TMPDIR/docs.ndjson" | wc -l)
	[ "$n" -gt 0 ]
	run --separate-stderr push "$BATS_TEST_TMPDIR/docs.ndjson" "$PERSONS"
	echo "$output" >"$OUT"
	schema_ok "$OUT"
	# every document either landed once on the person of its number, or has an issue saying why not
	local up
	up=$(jq -c 'select(.type=="document.result" and .status=="uploaded")' "$OUT" | wc -l)
	assert_equal "$(nlanded)" "$up"
	[ "$up" -gt 0 ]
	assert_equal "$(issues "$OUT" | cut -f1-3 | sort -u)" "warning	E1	122"
	assert_equal "$(jq -r 'select(.type=="document.result" and .status=="skipped") | .employee_number' "$OUT" | sort -u)" 122
	# both kinds and a correction run's payslip are among them
	assert_equal "$(jq -r 'select(.type=="document.result" and .status=="uploaded") | .kind' "$OUT" | sort -u | tr '\n' ' ')" "payslip yearend "
	assert_equal "$(landed | jq -r '.[] | select(.employee_id==1004 and (.title | test("^Loonstrook 2026-03"))) | .title')" \
		"$(printf 'Loonstrook 2026-03\nLoonstrook 2026-03 correctie 1')"
	no_duplicates
	assert_equal "$(jq -c 'select(.type=="document.result")' "$OUT" | wc -l)" "$n"
	# the owner of each upload is the person with the document's employee number
	landed | jq -r '.[] | "\(.employee_id) \(.sha256)"' | sort >"$BATS_TEST_TMPDIR/got"
	jq -r 'select(.type=="document.result" and .status=="uploaded") | "\(.personio_id) \(.sha256)"' "$OUT" | sort >"$BATS_TEST_TMPDIR/want"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/got")" "$(cat "$BATS_TEST_TMPDIR/want")"
	jq -r 'select(.type=="document.result" and .status=="uploaded") | "\(.employee_number) \(.personio_id)"' "$OUT" | sort -u |
		while read -r en pid; do
			assert_equal "$(jq -r --arg e "$en" 'select(.employee_number==$e) | .personio_id' "$PERSONS")" "$pid"
		done
	local p
	p=$(posts)
	run --separate-stderr push "$BATS_TEST_TMPDIR/docs.ndjson" "$PERSONS"
	assert_equal "$(posts)" "$p"
	assert_equal "$(results <<<"$output" | cut -f3 | grep -c uploaded)" 0
	loket_stop
}

@test "DOC1 a ledger that is lost (deleted, or moved aside after damage): nothing is uploaded twice, the marker in Personio decides" {
	standard
	run --separate-stderr push "$IN"
	assert_success
	assert_equal "$(nlanded)" 4
	p=$(posts)
	mv "$LEDGER" "$LEDGER.damaged"
	run --separate-stderr push "$IN"
	assert_success
	assert_equal "$(results <<<"$output" | cut -f3 | tr '\n' ' ')" "recovered recovered recovered recovered "
	assert_equal "$(posts)" "$p"
	assert_equal "$(nlanded)" 4
	no_duplicates
	# the new ledger knows them now: the next run reads nothing back
	g=$(emu_stats | jq '.by_path["/v2/document-management/documents"]')
	run --separate-stderr push "$IN"
	assert_success
	assert_equal "$(results <<<"$output" | cut -f3 | tr '\n' ' ')" "already already already already "
	assert_equal "$(emu_stats | jq '.by_path["/v2/document-management/documents"]')" "$g"
	# a document uploaded by hand with the same title and date (no marker) is not taken for ours
	# when the ledger holds no intent for it: ours is uploaded
	rm "$LEDGER"
	tok=$(curl -fsS -X POST -H 'Content-Type: application/json' \
		--data "{\"client_id\":\"$PERSONIO_CLIENT_ID\",\"client_secret\":\"$PERSONIO_CLIENT_SECRET\"}" \
		"$EMU_URL/v1/auth" | jq -r .data.token)
	pdf hand.pdf >/dev/null
	curl -fsS -o /dev/null -H "Authorization: Bearer $tok" -H "X-Personio-App-ID: LOKETPIPE" -F title="Loonstrook 2026-03" \
		-F date=2026-03-31 -F employee_id=1001 -F category_id=2 -F file=@"$PDFS/hand.pdf;type=application/pdf" \
		"$EMU_URL/v1/company/documents"
	{ doc 101 payslip 2026 3; cat "$PERSONS"; } >"$IN"
	run --separate-stderr push "$IN"
	assert_success
	assert_equal "$(results <<<"$output" | cut -f3)" uploaded
}
