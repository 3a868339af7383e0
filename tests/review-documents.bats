#!/usr/bin/env bats
# Adversarial review of issue 13 (DOC1/A1): payroll documents Loket -> Personio. Each test
# failed on the code it was written against (14 findings, all fixed since); each is named
# after its rule and "(review N)".

load helper
load documents

hand_upload() { # hand_upload PERSON TITLE DATE FILE: an administrator's upload, no marker
	local tok
	tok=$(curl -fsS -X POST -H 'Content-Type: application/json' \
		--data "{\"client_id\":\"$PERSONIO_CLIENT_ID\",\"client_secret\":\"$PERSONIO_CLIENT_SECRET\"}" \
		"$EMU_URL/v1/auth" | jq -r .data.token)
	curl -fsS -o /dev/null -H "Authorization: Bearer $tok" -H "X-Personio-App-ID: LOKETPIPE" -F title="$2" \
		-F date="$3" -F employee_id="$1" -F category_id=2 -F file=@"$4;type=application/pdf" \
		"$EMU_URL/v1/company/documents"
}

# ---------------------------------------------------------------- findings

@test "DOC1 (review 1): a payslip downloaded again with other bytes (same run, same key) is not uploaded a second time" {
	{ doc 101 payslip 2026 3 0 run-a "first rendering"; cat "$PERSONS"; } >"$IN"
	push "$IN" >/dev/null
	assert_equal "$(nlanded)" 1
	# the PDF was lost (index moved aside after damage, or the file removed) and fetched again:
	# Loket rendered the same payslip with other bytes (a creation date in the PDF)
	{ doc 101 payslip 2026 3 0 run-a "second rendering"; cat "$PERSONS"; } >"$IN"
	run --separate-stderr push "$IN"
	echo "$output" >"$OUT"
	landed | jq -c '[.[] | [.employee_id, .title]]'
	assert_equal "$(nlanded)" 1
}

@test "DOC1 M1 (review 2): a document shared with the person an Employee number named before: an error naming both, and the person it names now gets it" {
	{ doc 101 payslip 2026 3; cat "$PERSONS"; } >"$IN"
	# 101 was wrongly entered on person 1002 (and 102 left empty)
	jq -c 'if .employee_number=="101" then .employee_number=null elif .personio_id=="1002" then .employee_number="101" else . end' \
		"$PERSONS" >"$BATS_TEST_TMPDIR/wrong.ndjson"
	{ doc 101 payslip 2026 3; cat "$BATS_TEST_TMPDIR/wrong.ndjson"; } >"$IN"
	push "$IN" >/dev/null
	assert_equal "$(landed | jq -c '[.[].employee_id]')" '[1002]'
	# corrected in Personio: 101 is person 1001 again
	{ doc 101 payslip 2026 3; cat "$PERSONS"; } >"$IN"
	run --separate-stderr push "$IN"
	echo "$output" >"$OUT"
	results "$OUT"
	jq -c 'select(.type=="document.result") | [.status, .personio_id, .personio_document_id]' "$OUT"
	# the result must not claim the document is on 1001's profile when it is on 1002's
	local claimed on
	claimed=$(jq -r 'select(.type=="document.result") | "\(.status) \(.personio_id)"' "$OUT")
	on=$(landed | jq -r '[.[].employee_id] | map(tostring) | join(",")')
	[ "$claimed" != "already 1001" ] || fail "result says already on 1001; the document is on $on"
}

@test "DOC1 (review 3): after a 500, a document uploaded by hand under the same title and date is not taken for ours: ours is uploaded" {
	pdf hand.pdf "an administrator's own scan" >/dev/null
	hand_upload 1001 "Loonstrook 2026-03" 2026-03-31 "$PDFS/hand.pdf"
	{ doc 101 payslip 2026 3; cat "$PERSONS"; } >"$IN"
	# the first upload fails with a 500 (nothing stored): the read-back after it
	emu_faults '{"500":1,"scope":"/v1/company/documents"}'
	run --separate-stderr push "$IN"
	echo "$output" >"$OUT"
	jq -c 'select(.type=="document.result") | [.status, .reason]' "$OUT"
	# ours (with its marker) must be on the profile
	local sha
	sha=$(jq -r 'select(.type=="loket.document") | .sha256' "$IN")
	assert_equal "$(landed | jq --arg s "$sha" '[.[] | select(.sha256 == $s)] | length')" 1
}

@test "A1 (review 4): the document.shared event is written before the done line: an audit log that cannot be written never loses it" {
	standard
	enospc_preload "$BUILD/bin/push-documents"
	run --separate-stderr env LD_PRELOAD="$PRELOAD" ENOSPC_SHIM_PATTERN="$AUDIT" ENOSPC_SHIM_OPS=write \
		push-documents -c "$CFG" --as-of 2026-11-15 "$IN"
	assert_failure 7
	assert_equal "$(nlanded)" 1
	run --separate-stderr push "$IN"
	assert_success
	# every document on a profile has its document.shared event
	local id
	for id in $(landed | jq -r '.[].id'); do
		assert_equal "$(jq -c --arg i "$id" 'select(.event=="document.shared" and .personio_document_id==$i)' "$AUDIT" | wc -l)" 1
	done
}

@test "DOC1 (review 5): --as-of after today never lets a payslip out before Loket's availableForEmployeeDate" {
	local avail future
	avail=$(date -u -d '+20 days' +%F)
	future=$(date -u -d '+40 days' +%F)
	{ doc 101 payslip 2026 11 | jq -c --arg a "$avail" '.available_from=$a'; cat "$PERSONS"; } >"$IN"
	run --separate-stderr push-documents -c "$CFG" --as-of "$future" "$IN"
	echo "$output" | results
	assert_equal "$(nlanded)" 0
}

@test "DOC1 (review 6): a payslip record whose available_from is null is refused (exit 3), never uploaded without an availability date" {
	{ doc 101 payslip 2026 11 | jq -c '.available_from=null'; cat "$PERSONS"; } >"$IN"
	run --separate-stderr push "$IN"
	assert_failure 3
	[[ "$stderr" == *"available_from: a payslip needs the date Loket makes it available to the employee"* ]]
	assert_equal "$(nlanded)" 0
}

@test "M1 E1 (review 7): a person of another legal entity with the same Employee number does not block the in-scope person's documents" {
	# the company's second legal entity (171) has its own Loket administration numbering from 1:
	# its person 1099 also has number 102
	{
		doc 102 payslip 2026 1
		cat "$PERSONS"
		jq -c 'select(.employee_number=="102") | .personio_id="1099" | .legal_entity_id="171"' "$PERSONS"
	} >"$IN"
	run --separate-stderr push "$IN"
	echo "$output" | issues
	assert_equal "$(landed | jq -c '[.[].employee_id]')" '[1002]'
}

@test "DOC1 (review 8): a year-end statement re-issued while its first upload's done line is missing is titled 'gecorrigeerd', as the ledger knows the first may be there" {
	{ doc 101 yearend 2025 0 0 "" first; cat "$PERSONS"; } >"$IN"
	LOKETPIPE_TEST_KILL_AT=posted:1 run --separate-stderr push "$IN"
	assert_equal "$status" 137
	assert_equal "$(nlanded)" 1
	{ doc 101 yearend 2025 0 0 "" second; cat "$PERSONS"; } >"$IN"
	run --separate-stderr push "$IN"
	echo "$output" >"$OUT"
	jq -c 'select(.type=="document.result") | [.status, .title, .corrected]' "$OUT"
	landed | jq -c '[.[].title]'
	assert_equal "$(landed | jq -c '[.[].title]')" '["Jaaropgaaf 2025","Jaaropgaaf 2025 gecorrigeerd 1"]'
	assert_equal "$(jq -c 'select(.type=="document.result") | .corrected' "$OUT")" true
}

@test "DOC1 (review 9): a record naming a PDF outside the client's document directory (another client's, a symbolic link out) is not uploaded" {
	# another client's document directory, with one of its employees' payslips
	local other="$BATS_TEST_TMPDIR/globex.documents" sha
	mkdir -m 700 "$other"
	printf '%%PDF-1.4\n%% globex employee 7 payslip\n%%%%EOF\n' >"$other/payslip-globex-7.pdf"
	sha=$(sha256sum "$other/payslip-globex-7.pdf" | cut -d' ' -f1)
	mkdir -p -m 700 "$DOCS"
	{
		doc 101 payslip 2026 3 | jq -c --arg f "$other/payslip-globex-7.pdf" --arg s "$sha" '.file=$f | .sha256=$s'
		cat "$PERSONS"
	} >"$IN"
	run --separate-stderr push "$IN"
	echo "$output" | results
	assert_equal "$(nlanded)" 0
}

@test "DOC1 M1 (review 2b): an upload that landed on the person who had the number then, resumed after the number moved: the copy there is named" {
	jq -c 'if .employee_number=="101" then .employee_number=null elif .personio_id=="1002" then .employee_number="101" else . end' \
		"$PERSONS" >"$BATS_TEST_TMPDIR/wrong.ndjson"
	{ doc 101 payslip 2026 3; cat "$BATS_TEST_TMPDIR/wrong.ndjson"; } >"$IN"
	# killed after the POST landed on 1002, before its done line
	LOKETPIPE_TEST_KILL_AT=posted:1 run --separate-stderr push "$IN"
	assert_equal "$status" 137
	assert_equal "$(landed | jq -c '[.[].employee_id]')" '[1002]'
	# the number corrected in Personio, then the resume
	{ doc 101 payslip 2026 3; cat "$PERSONS"; } >"$IN"
	run --separate-stderr push "$IN"
	echo "$output" >"$OUT"
	results "$OUT"
	landed | jq -c '[.[].employee_id]'
	# the ledger's intent named person 1002: the run must say the document is (also) on 1002's profile
	jq -s -e 'any(.[]; .type == "issue" and (.message | test("1002")))' "$OUT" >/dev/null ||
		fail "the payslip is on 1002's profile and 1001's; no issue names 1002"
}

@test "DOC1 M1 (review 10): a person list cut short (no stream_end: extract-personio killed, a partial copy) is refused (exit 3), nothing sent" {
	# the whole list has two persons with Employee number 102 (refused: never a guess); the copy
	# was cut before the second one and before extract-personio's stream_end
	{
		jq -c 'select(.type=="person")' "$PERSONS"
		jq -c 'select(.employee_number=="102") | .personio_id="1099"' "$PERSONS"
		echo '{"type":"stream_end","client":"acme","source":"personio","complete":true,"counts":{}}'
	} >"$BATS_TEST_TMPDIR/persons.full"
	head -n "$(($(wc -l <"$BATS_TEST_TMPDIR/persons.full") - 2))" "$BATS_TEST_TMPDIR/persons.full" >"$BATS_TEST_TMPDIR/persons.cut"
	{ doc 102 payslip 2026 1; cat "$BATS_TEST_TMPDIR/persons.cut"; } >"$IN"
	run --separate-stderr push "$IN"
	results <<<"$output"
	assert_failure 3
	assert_equal "$(nlanded)" 0
}

@test "DOC1 (review 11): a run resumed at once after a kill mid-POST waits the settle time before reading back: one copy" {
	{ doc 101 payslip 2026 3; cat "$PERSONS"; } >"$IN"
	# Personio takes 2 s to store an upload, and goes on with a request whose client has gone
	python3 "$ROOT/tests/tools/slow-upload-proxy.py" "$EMU_URL" "$BATS_TEST_TMPDIR/proxy.port" 2 &
	local proxy=$! i=0
	until [ -s "$BATS_TEST_TMPDIR/proxy.port" ]; do sleep 0.05; done
	PPORT=$(cat "$BATS_TEST_TMPDIR/proxy.port") config '.personio.base_url="http://127.0.0.1:" + $ENV.PPORT'
	export LOKETPIPE_DOC_SETTLE_MS=5000
	push-documents -c "$CFG" --as-of 2026-11-15 "$IN" >/dev/null 2>&1 &
	local first=$!
	until [ -s "$LEDGER" ]; do
		i=$((i + 1))
		[ $i -lt 1000 ] || fail "no intent"
		sleep 0.01
	done
	sleep 0.3
	kill -9 "$first"
	wait "$first" || true
	# the operator (or a supervisor) runs it again at once
	run --separate-stderr push "$IN"
	sleep 2.5
	kill "$proxy"
	{ echo "status $status"; echo "$stderr"; results <<<"$output"; landed | jq -c '[.[] | [.employee_id, .title]]'; jq -c . "$LEDGER"; } >&3
	assert_equal "$(nlanded)" 1
}

@test "DOC1 (review 12): a year-end statement Loket issues again days after the correction run that causes it is fetched (watched 31 days)" {
	local ER=5c1e0f8a-6b2d-4c3e-9f10-000000000001 EM101=3d2c1b0a-9f8e-4d7c-8b6a-000000000101 D="$BATS_TEST_TMPDIR/ldocs" fx="$BATS_TEST_TMPDIR/fix"
	loket_start
	loket_client
	loket_login '.compensation.start_date="2025-01-01"'
	fetch-documents -c "$CFG" --as-of 2026-11-15 --dir "$D" >/dev/null
	loket_stop
	# Loket: a correction run of 2025 is approved (the statement will be re-issued, later)
	mkdir -p "$fx"
	cp "$LOKET_FIX/client.json" "$fx/"
	jq '.payrollRuns += [(.payrollRuns[11] // .payrollRuns[0] | .id = "e1e2e3e4-f5f6-4a7a-8b8b-00000020251c" | .payrollPeriod = {"year": 2025, "periodNumber": 12}
		| .sequenceNumber = 12 | .sequenceNumberApproved = 12 | .availableForEmployeeDate = "2026-01-10")]' \
		"$LOKET_FIX/state.json" >"$fx/state.json"
	LOKET_FIX=$fx LK_NAME=fix loket_start
	loket_login '.compensation.start_date="2025-01-01"'
	# the daily run on the correction run's day: the statement is fetched again, still the old bytes
	fetch-documents -c "$CFG" --as-of 2026-11-16 --dir "$D" >"$OUT"
	local old
	old=$(jq -r --arg k "loket:$ER:$EM101:jaaropgaaf:2025" 'select(.key==$k) | .sha256' "$OUT")
	# three days later Loket re-issues it
	curl -fsS -X POST --data '{"employmentId":"'$EM101'","year":2025}' "$LK_URL/__emu/reissue-yearendstatement" >/dev/null
	fetch-documents -c "$CFG" --as-of 2026-11-19 --dir "$D" >"$OUT"
	loket_stop
	local new
	new=$(jq -r --arg k "loket:$ER:$EM101:jaaropgaaf:2025" 'select(.key==$k) | .sha256' "$OUT")
	[ "$new" != "$old" ] || fail "the re-issued year-end statement 2025 of employee 101 was never fetched (still $old)"
}

@test "DOC1 (review 13): --dry-run changes nothing in the ledger, a torn last line neither" {
	standard
	push "$IN" >/dev/null
	local size
	size=$(stat -c %s "$LEDGER")
	truncate -s $((size - 20)) "$LEDGER"
	sha256sum "$LEDGER" >"$BATS_TEST_TMPDIR/before"
	run --separate-stderr push --dry-run "$IN"
	assert_success
	sha256sum -c "$BATS_TEST_TMPDIR/before" || fail "the dry run wrote the ledger"
}

@test "DOC1 (review 14): two runs at once for one client with two ledgers (--ledger, or a second config with another documents.dir): one uploads, the other exits 8" {
	{ doc 101 payslip 2026 3; cat "$PERSONS"; } >"$IN"
	emu_faults '{"latency_ms":300}'
	push-documents -c "$CFG" --as-of 2026-11-15 "$IN" >/dev/null 2>&1 &
	local first=$!
	push-documents -c "$CFG" --as-of 2026-11-15 --ledger "$BATS_TEST_TMPDIR/other-ledger.ndjson" "$IN" >/dev/null 2>&1 || true
	wait "$first" || true
	landed | jq -c '[.[] | [.employee_id, .title]]'
	assert_equal "$(nlanded)" 1
}
