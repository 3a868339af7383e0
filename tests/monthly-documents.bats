#!/usr/bin/env bats
# pipelines/monthly-documents against both emulators (acme): every 2026 payslip on the right
# Personio profile exactly once (DOC1), nothing before Loket makes it available to employees,
# a second run uploads nothing, and exactly once through lost answers and SIGKILLs at every
# point of the ledger; the report and the audit log (A1).

load helper

setup_file() {
	load helper
	mkdir -p "$BATS_FILE_TMPDIR/fx"
	ln -s "$SAMPLES/personio/acme" "$BATS_FILE_TMPDIR/fx/acme"
	# the upload limit is the client's to keep (push-documents.bats tests the pacing); here off
	emu_start "$BATS_FILE_TMPDIR/fx" --rate-documents off
	loket_start
}
teardown_file() {
	emu_stop
	loket_stop
}

setup() {
	emu_reset
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	acme_credentials
	loket_client
	loket_login '.personio.base_url=$ENV.EMU_URL | .documents.dir=$ENV.BATS_TEST_TMPDIR + "/docs"
		| .personio.token_cache=$ENV.BATS_TEST_TMPDIR + "/ptoken.json"'
	export LOKETPIPE_BIN="$BUILD/bin" LOKETPIPE_RATE_DOCUMENTS=100000/60 LOKETPIPE_DOC_SETTLE_MS=0
	DOCS="$ROOT/pipelines/monthly-documents"
	O="$BATS_TEST_TMPDIR/out"
}

uploads() { emu_stats | jq '.by_path["/v1/company/documents"] // 0'; }
landed() { curl -fsS "$EMU_URL/__emu/documents"; }
# run_docs AS_OF [ARGS...]: the pipeline into $O.AS_OF
run_docs() {
	local d=$1
	shift
	run --separate-stderr sh "$DOCS" -c "$CFG" --as-of "$d" --out "$O.$d" --actor tester "$@"
}
# right_profiles AS_OF: every document of the run's documents.ndjson is in Personio once, on the
# profile of the person with its employee number, in category 2, with its marker and its hash
right_profiles() {
	local d="$O.$1"
	run jq -n -c --slurpfile docs "$d/documents.ndjson" --slurpfile persons "$d/persons.ndjson" \
		--argjson landed "$(landed)" '
		($persons | map(select(.type == "person") | {key: (.employee_number // "-"), value: .personio_id}) | from_entries) as $pid
		| [$docs[] | select(.type == "loket.document")] as $want
		| [$want[] | . as $w | {key, sha256, owner: ($pid[$w.employee_number | tostring] | tonumber),
		    marker: "loketpipe:\($w.key):sha256:\($w.sha256[0:16])"}] as $w
		| [$landed[] | {owner: .employee_id, marker: .comment, sha256, category_id}] as $l
		| {want: ($w | length),
		   landed: ($l | length),
		   distinct_markers: ($l | map(.marker) | unique | length),
		   missing: [$w[] | . as $x | select(any($l[]; .marker == $x.marker and .owner == $x.owner and .sha256 == $x.sha256) | not) | .key],
		   wrong_category: [$l[] | select(.category_id != 2)] | length}'
}

@test "DOC1: acme's documents of 2026 land on the right Personio profiles, once; a second run uploads nothing" {
	run_docs 2026-11-15
	assert_success
	n=$(jq -s '[.[] | select(.type == "loket.document")] | length' "$O.2026-11-15/documents.ndjson")
	# 101-110 in 10 runs, and 104 once more in the correction run of period 3
	assert_equal "$n" 101
	right_profiles 2026-11-15
	assert_output '{"want":101,"landed":101,"distinct_markers":101,"missing":[],"wrong_category":0}'
	assert_equal "$(uploads)" 101
	# titles: the plain one, and the correction run's
	run jq -r '[.[] | select(.employee_id == 1004) | .title] | sort | .[0:4] | join("|")' <<<"$(landed)"
	assert_output 'Loonstrook 2026-01|Loonstrook 2026-02|Loonstrook 2026-03|Loonstrook 2026-03 correctie 1'
	run jq -c '[.type, .outcome, .counts]' "$O.2026-11-15/status.json"
	assert_output '["documents.status","done",{"uploaded":101,"recovered":0,"already":0,"skipped":0,"failed":0}]'
	grep -q 'Documents shared with Personio: 101 now' "$O.2026-11-15/report.txt"
	grep -q 'Loonstrook 2026-03 correctie 1 -> shared now' "$O.2026-11-15/report.txt"
	# A1: one line per document retrieved and per document shared, no BSN
	assert_equal "$(jq -s '[.[] | select(.event == "document.retrieved")] | length' "$BATS_TEST_TMPDIR/audit.ndjson")" 101
	assert_equal "$(jq -s '[.[] | select(.event == "document.shared")] | length' "$BATS_TEST_TMPDIR/audit.ndjson")" 101
	run jq -r 'select(.event == "document.shared") | .actor' "$BATS_TEST_TMPDIR/audit.ndjson"
	refute_output --partial unknown
	for bsn in $(jq -r '.[].attributes.dynamic_1004.value // empty' "$SAMPLES/personio/acme/employees.json"); do
		! grep -q "$bsn" "$BATS_TEST_TMPDIR/audit.ndjson" "$O.2026-11-15/report.txt"
	done
	# again: nothing uploaded, nothing downloaded, the same documents
	before=$(uploads)
	pdfs_before=$(curl -fsS "$LK_URL/__emu/stats" | jq '[.by_path | to_entries[] | select(.key | test("/payslips/.|/yearendstatements/.")) | .value] | add')
	run_docs 2026-11-16
	assert_success
	assert_equal "$(uploads)" "$before"
	assert_equal "$(curl -fsS "$LK_URL/__emu/stats" | jq '[.by_path | to_entries[] | select(.key | test("/payslips/.|/yearendstatements/.")) | .value] | add')" "$pdfs_before"
	run jq -c '[.outcome, .counts.already]' "$O.2026-11-16/status.json"
	assert_output '["no_changes",101]'
	assert_equal "$(landed | jq length)" 101
	# A1: each run itself, with its outcome, around its programs' events; the chain holds
	run jq -c 'select(.event | test("^documents[.]")) | [.event, .as_of, .outcome, .actor]' "$BATS_TEST_TMPDIR/audit.ndjson"
	assert_output "$(printf '%s\n' '["documents.start","2026-11-15",null,"tester"]' '["documents.run","2026-11-15","done","tester"]' \
		'["documents.start","2026-11-16",null,"tester"]' '["documents.run","2026-11-16","no_changes","tester"]')"
	run audit-verify "$BATS_TEST_TMPDIR/audit.ndjson"
	assert_success
	schema_ok "$O.2026-11-15/documents.ndjson"
	schema_ok "$O.2026-11-15/shared.ndjson"
}

@test "DOC1: a payslip whose run is not yet available to employees waits; the run after its date shares it" {
	# period 10's run is available from 2026-10-25, the correction run of period 3 from 2026-10-30
	run_docs 2026-10-24
	assert_success
	assert_equal "$(landed | jq '[.[] | select(.title | startswith("Loonstrook 2026-10"))] | length')" 0
	assert_equal "$(landed | jq length)" 90
	run_docs 2026-10-25
	assert_success
	assert_equal "$(landed | jq '[.[] | select(.title | startswith("Loonstrook 2026-10"))] | length')" 10
	assert_equal "$(landed | jq '[.[] | select(.title | contains("correctie"))] | length')" 0
	run_docs 2026-10-30
	assert_success
	assert_equal "$(landed | jq '[.[] | select(.title | contains("correctie"))] | length')" 1
	assert_equal "$(landed | jq length)" 101
	right_profiles 2026-10-30
	assert_output '{"want":101,"landed":101,"distinct_markers":101,"missing":[],"wrong_category":0}'
}

@test "DOC1: exactly once through 10% lost answers and 20 SIGKILLs at the ledger's writes and syncs, with resume" {
	emu_faults '{"rate_lost": 0.10, "seed": 13, "scope": "/v1/company/documents"}'
	enospc_preload "$BUILD/bin/push-documents"
	ledger="$BATS_TEST_TMPDIR/docs/personio-ledger.ndjson"
	# the programs, with push-documents under the shim (only it: the pipeline's sh and jq run as usual)
	mkdir "$BATS_TEST_TMPDIR/bin"
	ln -s "$BUILD"/bin/* "$BATS_TEST_TMPDIR/bin/"
	rm "$BATS_TEST_TMPDIR/bin/push-documents"
	cat >"$BATS_TEST_TMPDIR/bin/push-documents" <<-EOF
	#!/bin/sh
	LD_PRELOAD="$PRELOAD" ENOSPC_SHIM_PATTERN="$ledger" ENOSPC_SHIM_ERRNO=KILL exec "$BUILD/bin/push-documents" "\$@"
	EOF
	chmod +x "$BATS_TEST_TMPDIR/bin/push-documents"
	kills=0
	for i in $(seq 1 20); do
		# killed at its (SKIP+1)th write or fsync of the ledger: before an intent is on disk,
		# after it (the upload not sent), after an upload landed and before its done line
		ops=write
		[ $((i % 2)) -eq 0 ] || ops=fsync
		LOKETPIPE_BIN="$BATS_TEST_TMPDIR/bin" ENOSPC_SHIM_OPS=$ops ENOSPC_SHIM_SKIP=$((i % 5)) run_docs 2026-11-15
		[ "$status" -ne 0 ] && kills=$((kills + 1))
	done
	assert_equal "$kills" 20
	run_docs 2026-11-15
	assert_success
	right_profiles 2026-11-15
	assert_output '{"want":101,"landed":101,"distinct_markers":101,"missing":[],"wrong_category":0}'
	# the lost answers were there, and were resolved by reading back
	assert_equal "$(emu_stats | jq '.faults.lost > 0')" true
	run_docs 2026-11-16
	assert_success
	run jq -c '[.outcome, .counts.already]' "$O.2026-11-16/status.json"
	assert_output '["no_changes",101]'
}

@test "DOC1 M1: --dry-run uploads nothing and says what it would share; a person without a match is named in the report, the others go on (exit 1)" {
	run_docs 2026-11-15 --dry-run
	assert_success
	assert_equal "$(uploads)" 0
	assert_equal "$(jq -r .counts.uploaded "$O.2026-11-15/status.json")" 0
	grep -q 'Dry run: 101 document(s) would be shared with Personio; nothing was sent' "$O.2026-11-15/report.txt"
	[[ "$stderr" == *"(dry run: nothing uploaded)"* ]]
	# 105 has no Employee number in this Personio: his ten payslips are not shared, the rest are
	mkdir -p "$BATS_TEST_TMPDIR/fx/acme"
	cp "$SAMPLES"/personio/acme/*.json "$BATS_TEST_TMPDIR/fx/acme/"
	jq '(.[] | select(.attributes.id.value == 1005) | .attributes.dynamic_1001.value) = null' \
		"$SAMPLES/personio/acme/employees.json" >"$BATS_TEST_TMPDIR/fx/acme/employees.json"
	emu_launch personio-emu nomatch "$BATS_TEST_TMPDIR/fx" --rate-documents off
	url=$LAUNCHED_URL pid=$LAUNCHED_PID
	jq --arg u "$url" '.personio.base_url=$u' "$CFG" >"$CFG.2" && mv "$CFG.2" "$CFG"
	run_docs 2026-11-16
	assert_failure 1
	assert_equal "$(curl -fsS "$url/__emu/documents" | jq length)" 91
	assert_equal "$(curl -fsS "$url/__emu/documents" | jq '[.[] | select(.employee_id == 1005)] | length')" 0
	run jq -c '[.outcome, .counts.uploaded, .counts.skipped, (.first_error | test("employee 105"))]' "$O.2026-11-16/status.json"
	assert_output '["skipped",91,10,true]'
	grep -q 'DOC1 employee 105, employee_number: payslip 2026-01: no Personio person has Employee number (Loket) 105; not uploaded' "$O.2026-11-16/report.txt"
	grep -q 'Loonstrook 2026-01 -> NOT shared: no Personio person has this Employee number (Loket)' "$O.2026-11-16/report.txt"
	emu_kill "$pid"
}

@test "C1: a second configuration linking acme's legal entity stops the documents before any request; two runs at once: the second exits 8" {
	mkdir "$BATS_TEST_TMPDIR/clients"
	cp "$CFG" "$BATS_TEST_TMPDIR/clients/acme.json"
	jq '.client = "acme2" | .loket.payroll_administration_id = "7a9b3c2d-1e4f-4a5b-8c6d-000000000099" | .loket.tax_id = "999999999L01"' \
		"$CFG" >"$BATS_TEST_TMPDIR/clients/acme2.json"
	run --separate-stderr sh "$DOCS" -c "$BATS_TEST_TMPDIR/clients/acme.json" --as-of 2026-11-15 --out "$O.c1"
	assert_failure 4
	[[ "$stderr" == *"C1/C2 findings involve this client's configuration"* ]]
	assert_equal "$(emu_stats | jq .requests)" 0
	assert_equal "$(curl -fsS "$LK_URL/__emu/stats" | jq '.by_method.GET // 0')" 0
	# the run directory's lock held by another run
	mkdir -p "$O.busy"
	exec 9>>"$O.busy/.lock"
	flock -n 9
	run --separate-stderr sh "$DOCS" -c "$CFG" --as-of 2026-11-15 --out "$O.busy"
	exec 9>&-
	assert_failure 8
	[[ "$stderr" == *"another monthly-documents runs in $O.busy"* ]]
	assert_equal "$(uploads)" 0
}
