#!/usr/bin/env bats
# fetch-documents against the Loket emulator (DOC1, A1): payslips of approved runs and year-end
# statements into the client's document directory, an index, loket.document records.

load helper

setup_file() {
	load helper
	loket_start
	MAIN_URL=$LK_URL MAIN_PID=$LK_PID
	export MAIN_URL MAIN_PID
}
teardown_file() { emu_kill "$MAIN_PID"; }

ER=5c1e0f8a-6b2d-4c3e-9f10-000000000001
EM101=3d2c1b0a-9f8e-4d7c-8b6a-000000000101
EM104=3d2c1b0a-9f8e-4d7c-8b6a-000000000104
RUN=e1e2e3e4-f5f6-4a7a-8b8b-0000002026

setup() {
	LK_URL=$MAIN_URL LK_PID=$MAIN_PID
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	loket_client
	# from 2025-01-01 (compensation.start_date, documents.from's default): 2025's year-end
	# statements are in scope
	loket_login '.compensation.start_date="2025-01-01"'
	D="$BATS_TEST_TMPDIR/docs"
	OUT="$BATS_TEST_TMPDIR/out.ndjson"
}
teardown() {
	[ "${LK_PID:-}" = "$MAIN_PID" ] || emu_kill "$LK_PID"
	emu_kill "${FAKE_PID:-}"
}

# fd [ARGS...]: one run as of ${AS:-2026-11-15} into $D, records in $OUT
fd() { fetch-documents -c "$CFG" --as-of "${AS:-2026-11-15}" --dir "$D" "$@" >"$OUT"; }
docs() { jq -c 'select(.type=="loket.document")' "$OUT"; }
ndocs() { docs | wc -l; }
end_rec() { jq -c 'select(.type=="stream_end")' "$OUT"; }
clear_log() { curl -fsS -X POST "$LK_URL/__emu/reset-log" >/dev/null; }
# the PDF downloads Loket answered since the last clear_log
pdf_gets() {
	curl -fsS "$LK_URL/__emu/requests" | jq '[.[] | select(.method=="GET" and (.path | test("/(payslips|yearendstatements)/[^/]+$")))] | length'
}
# nope CMD...: fails when CMD succeeds (a bare "! CMD" never fails a Bats test)
nope() {
	if "$@"; then
		echo "unexpected success: $*" >&2
		return 1
	fi
}
# no_file REGEX: no name in $D matches
no_file() {
	if ls -A "$D" | grep -Eq "$1"; then
		echo "unexpected file matching $1 in $D" >&2
		return 1
	fi
}
faults() { curl -fsS -X POST --data "$1" "$LK_URL/__emu/faults" >/dev/null; }
# own_fixture JQ: a Loket emulator of its own on the acme fixture changed by JQ (applied to
# state.json), logged in; the test's $LK_URL and $CFG point at it
own_fixture() {
	local fx="$BATS_TEST_TMPDIR/fix"
	mkdir -p "$fx"
	cp "$ROOT/tests/fixtures/loket/acme/client.json" "$fx/"
	jq "$1" "$ROOT/tests/fixtures/loket/acme/state.json" >"$fx/state.json"
	[ "${LK_PID:-}" = "$MAIN_PID" ] || emu_kill "$LK_PID"
	LOKET_FIX=$fx LK_NAME=fix loket_start
	loket_login '.compensation.start_date="2025-01-01"'
}
# the fixture's correction run: period 3 again, employee 104 only, approved after period 10,
# available to employees on 2026-10-30
CRUN=e1e2e3e4-f5f6-4a7a-8b8b-000002026031

@test "DOC1: every approved, available payslip and every year-end statement in scope: one record each, sorted by key, files 0600 in a 0700 directory; records validate" {
	fd
	schema_ok "$OUT"
	run end_rec
	assert_output --partial '"complete":true'
	# acme: runs of 2026 periods 1-10 (all available by 2026-11-15), a payslip per employment of
	# 101-110 each, and a 2025 year-end statement per employment of 2025
	want_slips=$(curl -fsS "$LK_URL/__emu/state" | jq '.payslips | length')
	want_ye=$(curl -fsS "$LK_URL/__emu/state" | jq '[.yearEndStatements[] | select(.year == 2025)] | length')
	[ "$(docs | jq -s 'map(select(.kind=="payslip")) | length')" -eq "$want_slips" ]
	[ "$(docs | jq -s 'map(select(.kind=="yearend")) | length')" -eq "$want_ye" ]
	[ "$want_ye" -gt 0 ]
	# sorted by key, each key once
	diff <(docs | jq -r .key) <(docs | jq -r .key | sort -u)
	# one payslip in full
	run jq -c --arg k "loket:$ER:$EM101:payslip:${RUN}03" 'select(.key==$k) | del(.file, .size, .sha256)' "$OUT"
	assert_output '{"type":"loket.document","client":"acme","key":"loket:'$ER:$EM101:payslip:${RUN}03'","kind":"payslip","employer_id":"'$ER'","employment_id":"'$EM101'","employee_number":101,"payroll_run_id":"'${RUN}03'","year":2026,"period":3,"period_start":"2026-03-01","period_end":"2026-03-31","correction":0,"available_from":"2026-03-25","file_name":"Loonstrook_101_2026-03.pdf"}'
	run jq -c --arg k "loket:$ER:$EM101:jaaropgaaf:2025" 'select(.key==$k) | [.kind, .payroll_run_id, .year, .period, .period_start, .period_end, .correction, .available_from, .file_name]' "$OUT"
	assert_output '["yearend",null,2025,null,"2025-01-01","2025-12-31",0,null,"Jaaropgave_101_2025.pdf"]'
	# the files: what the record says, named after the key and the hash, private
	[ "$(stat -c %a "$D")" = 700 ]
	docs | jq -r '[.file, .sha256, .size] | @tsv' | while IFS=$'\t' read -r f sha size; do
		[ "$(sha256sum "$f" | cut -d' ' -f1)" = "$sha" ]
		[ "$(stat -c %s "$f")" = "$size" ]
		[ "$(stat -c %a "$f")" = 600 ]
		[ "$(dirname "$f")" = "$(cd "$D" && pwd -P)" ]
		[[ $(basename "$f") == *-${sha:0:16}.pdf ]]
		head -c 5 "$f" | grep -q '^%PDF-'
	done
	[ "$(stat -c %a "$D/index.ndjson")" = 600 ]
	# only the PDFs and the index; no temporary file left
	[ "$(ls -A "$D" | grep -cv '\.pdf$')" -eq 1 ]
}

@test "DOC1: a second run downloads nothing (0 PDF GETs) and writes the same records" {
	fd
	cp "$OUT" "$BATS_TEST_TMPDIR/first.ndjson"
	clear_log
	fd
	[ "$(pdf_gets)" -eq 0 ]
	diff <(jq -c 'select(.type!="stream_end")' "$BATS_TEST_TMPDIR/first.ndjson") <(jq -c 'select(.type!="stream_end")' "$OUT")
	run jq -c '.counts | [.fetched, .already_fetched]' <<<"$(end_rec)"
	assert_output "[0,$(ndocs)]"
	# the first run fetched every one of them
	[ "$(jq -c 'select(.type=="stream_end") | .counts.fetched' "$BATS_TEST_TMPDIR/first.ndjson")" -eq "$(ndocs)" ]
}

@test "DOC1: never a payslip before its run's availableForEmployeeDate (2026-10-25): not at --as-of 2026-10-24, yes at 2026-10-25" {
	AS=2026-10-24 fd
	[ "$(docs | jq -s 'map(select(.period==10)) | length')" -eq 0 ]
	[ "$(docs | jq -s 'map(select(.period==9)) | length')" -eq 10 ]
	# period 10's ten and the correction run of period 3 (available 2026-10-30)
	[ "$(end_rec | jq .counts.not_yet_available)" -eq 11 ]
	no_file "${RUN}10"
	clear_log
	AS=2026-10-25 fd
	[ "$(docs | jq -s 'map(select(.period==10)) | length')" -eq 10 ]
	# only those 10 were fetched now
	[ "$(pdf_gets)" -eq 10 ]
	[ "$(end_rec | jq .counts.not_yet_available)" -eq 1 ]
	schema_ok "$OUT"
}

@test "DOC1: year-end statements: year Y in scope when Y-12-31 >= documents.from and Y < the year of --as-of" {
	# as of a date in 2025: 2025's is not yet in scope
	AS=2025-12-31 fd
	[ "$(docs | jq -s 'map(select(.kind=="yearend")) | length')" -eq 0 ]
	AS=2026-01-01 fd
	[ "$(docs | jq -s 'map(select(.kind=="yearend")) | length')" -gt 0 ]
	# from 2026-01-01 (compensation.start_date): 2025 is before it
	loket_login '.compensation.start_date="2026-01-01"'
	fd
	[ "$(docs | jq -s 'map(select(.kind=="yearend")) | length')" -eq 0 ]
	[ "$(docs | jq -s 'map(select(.kind=="payslip")) | length')" -eq 101 ]
}

@test "DOC1: payslips of a period ending before documents.from are out of scope" {
	loket_login '.compensation.start_date="2026-04-01"'
	fd
	[ "$(docs | jq -s 'map(select(.kind=="payslip" and .period < 4)) | length')" -eq 0 ]
	[ "$(docs | jq -s 'map(select(.kind=="payslip" and .period == 4)) | length')" -eq 10 ]
	# a period that ends on the day counts
	loket_login '.compensation.start_date="2026-04-30"'
	fd
	[ "$(docs | jq -s 'map(select(.kind=="payslip" and .period == 4)) | length')" -eq 10 ]
}

@test "DOC1: a run without availableForEmployeeDate, one not approved and a payslip of an unlisted run are held back: issues (info) naming employee and period, never a file" {
	own_fixture '.payrollRuns |= map(if .payrollPeriod.periodNumber == 4 then .availableForEmployeeDate = null
		elif .payrollPeriod.periodNumber == 5 then .payrollRunStatus = {"key": 5, "value": "Berekend"} | .sequenceNumberApproved = null
		else . end)
		| .payrollRuns |= map(select(.payrollPeriod.periodNumber != 6))'
	run --separate-stderr fetch-documents -c "$CFG" --as-of 2026-11-15 --dir "$D" -v
	assert_success
	echo "$output" >"$OUT"
	schema_ok "$OUT"
	[ "$(docs | jq -s 'map(select(.kind=="payslip" and (.period == 4 or .period == 5 or .period == 6))) | length')" -eq 0 ]
	[ "$(docs | jq -s 'map(select(.kind=="payslip")) | length')" -eq 71 ]
	no_file "${RUN}0[456]"
	run jq -r 'select(.type=="issue") | [.severity, .rule, .employee_number, .message] | @tsv' "$OUT"
	[ "${#lines[@]}" -eq 30 ]
	assert_line "$(printf 'info\tDOC1\t101\tpayslip 2026-04 (run %s) held back: its payroll run has no availableForEmployeeDate (never guessed)' "${RUN}04")"
	assert_line "$(printf 'info\tDOC1\t107\tpayslip 2026-05 (run %s) held back: its payroll run is not approved' "${RUN}05")"
	assert_line "$(printf 'info\tDOC1\t110\tpayslip 2026-06 (run %s) held back: its payroll run is not in the administration'"'"'s list of runs' "${RUN}06")"
	[ "$(end_rec | jq .counts.held_back)" -eq 30 ]
	# -v says so
	[[ $stderr == *"30 held back"* ]]
	[[ $stderr == *"employee 101: payslip 2026-04"*"no availableForEmployeeDate"* ]]
}

@test "DOC1: the correction run of period 3 gives a second payslip record of employee 104 with correction 1; the first stays" {
	fd
	schema_ok "$OUT"
	run jq -c 'select(.type=="loket.document" and .employee_number==104 and .period==3) | [.payroll_run_id, .correction, .available_from]' "$OUT"
	assert_output "$(printf '%s\n' '["'${RUN}03'",0,"2026-03-25"]' '["'$CRUN'",1,"2026-10-30"]')"
	[ "$(docs | jq -s 'map(select(.period==3)) | length')" -eq 11 ]
	[ "$(docs | jq -s 'map(select(.correction > 0)) | length')" -eq 1 ]
	# different documents, different files
	[ "$(docs | jq -r 'select(.employee_number==104 and .period==3) | .sha256' | sort -u | wc -l)" -eq 2 ]
	[ "$(docs | jq -r 'select(.employee_number==104 and .period==3) | .file' | sort -u | wc -l)" -eq 2 ]
	# not before its own date
	rm -rf "$D"
	AS=2026-10-29 fd
	run jq -c 'select(.type=="loket.document" and .employee_number==104 and .period==3) | .correction' "$OUT"
	assert_output 0
	[ "$(end_rec | jq .counts.not_yet_available)" -eq 1 ]
}

@test "DOC1: a year-end statement is fetched again only when its year's approved runs changed, or with --refetch-yearend; a re-issue with a new hash gives a new index line and the new file" {
	fd
	ye() { jq -c --arg k "loket:$ER:$EM101:jaaropgaaf:2025" 'select(.key==$k)' "$OUT"; }
	old=$(ye)
	lines0=$(wc -l <"$D/index.ndjson")
	# the same Loket: nothing fetched
	clear_log
	fd --refetch-yearend
	# refetched, the same bytes: no new index line, the same record
	[ "$(pdf_gets)" -eq "$(docs | jq -s 'map(select(.kind=="yearend")) | length')" ]
	[ "$(wc -l <"$D/index.ndjson")" -eq "$lines0" ]
	[ "$(ye)" = "$old" ]
	# Loket re-issues it: the same key, new bytes
	curl -fsS -X POST --data '{"employmentId":"'$EM101'","year":2025}' "$LK_URL/__emu/reissue-yearendstatement" >/dev/null
	clear_log
	fd
	# without a new approved run of 2025 and without --refetch-yearend: not fetched again
	[ "$(pdf_gets)" -eq 0 ]
	[ "$(ye)" = "$old" ]
	fd --refetch-yearend
	new=$(ye)
	[ "$(jq -r .key <<<"$new")" = "$(jq -r .key <<<"$old")" ]
	[ "$(jq -r .sha256 <<<"$new")" != "$(jq -r .sha256 <<<"$old")" ]
	[ "$(jq -r .file <<<"$new")" != "$(jq -r .file <<<"$old")" ]
	# the earlier file is kept, the new one is there, the index has one more line for it
	[ -f "$(jq -r .file <<<"$old")" ]
	[ "$(sha256sum "$(jq -r .file <<<"$new")" | cut -d' ' -f1)" = "$(jq -r .sha256 <<<"$new")" ]
	[ "$(grep -c "jaaropgaaf:2025" "$D/index.ndjson")" -eq "$(( $(docs | jq -s 'map(select(.kind=="yearend")) | length') + 1 ))" ]
	schema_ok "$OUT"
}

@test "DOC1: a new approved run of the year (a correction in 2025) makes the year-end statements of 2025 be fetched again" {
	fd
	lines0=$(wc -l <"$D/index.ndjson")
	nye=$(docs | jq -s 'map(select(.kind=="yearend")) | length')
	own_fixture '.payrollRuns += [(.payrollRuns[11] // .payrollRuns[0] | .id = "e1e2e3e4-f5f6-4a7a-8b8b-00000020251c" | .payrollPeriod = {"year": 2025, "periodNumber": 12}
		| .sequenceNumber = 12 | .sequenceNumberApproved = 12 | .availableForEmployeeDate = "2026-01-10")]'
	clear_log
	fd
	[ "$(pdf_gets)" -eq "$nye" ]
	# the same bytes: one index line each with the new runs; next time nothing again
	[ "$(wc -l <"$D/index.ndjson")" -eq "$((lines0 + nye))" ]
	tail -n 1 "$D/index.ndjson" | jq -e '.runs == ["e1e2e3e4-f5f6-4a7a-8b8b-00000020251c"] and .watch_until == "2026-12-16"'
	clear_log
	fd
	[ "$(pdf_gets)" -eq 0 ]
	# watched for 31 days (Loket may issue them again days after the correction run): fetched once
	# per later --as-of day up to 2026-12-16, then no more
	clear_log
	AS=2026-11-20 fd
	[ "$(pdf_gets)" -eq "$nye" ]
	clear_log
	AS=2026-11-20 fd
	[ "$(pdf_gets)" -eq 0 ]
	clear_log
	AS=2026-12-16 fd
	[ "$(pdf_gets)" -eq "$nye" ]
	clear_log
	AS=2026-12-17 fd
	[ "$(pdf_gets)" -eq 0 ]
}

@test "DOC1: bad answers (404, a cut PDF, not a PDF) are issues naming employee and document, never a file; the others go on; exit 5" {
	faults '{"always":{"path":"/v2/providers/employers/employees/employments/'$EM101'/payslips/'${RUN}02'","status":404}}'
	run --separate-stderr fetch-documents -c "$CFG" --as-of 2026-11-15 --dir "$D"
	assert_failure 5
	echo "$output" >"$OUT"
	schema_ok "$OUT"
	run jq -r 'select(.type=="issue") | [.severity, .employee_number, .message] | @tsv' "$OUT"
	assert_output "$(printf 'error\t101\tpayslip 2026-02 (loket:%s:%s:payslip:%s): Loket answered HTTP 404' "$ER" "$EM101" "${RUN}02")"
	no_file "$EM101-${RUN}02"
	[ "$(docs | jq -s 'map(select(.kind=="payslip")) | length')" -eq 100 ]
	end_rec | jq -e '.complete == true and .counts.bad_documents == 1'
	# the next run (Loket answers again) fetches only that one
	faults '{}'
	clear_log
	fd
	[ "$(pdf_gets)" -eq 1 ]
	[ "$(docs | jq -s 'map(select(.kind=="payslip")) | length')" -eq 101 ]
	# a PDF cut off in transit (no %%EOF), a JSON answer instead of the PDF, an empty body, an
	# HTML error page, bytes that are not a PDF under the PDF content type
	rm -rf "$D"
	for k in truncated notjson empty html notpdf; do
		faults '{"malformed":{"path":"/v2/providers/employers/employees/employments/'$EM104'/yearendstatements/2025","kind":"'$k'"}}'
		run --separate-stderr fetch-documents -c "$CFG" --as-of 2026-11-15 --dir "$D"
		assert_failure 5
		grep '"type":"issue"' <<<"$output" | jq -e --arg k "loket:$ER:$EM104:jaaropgaaf:2025" '.employee_number == "104" and (.message | contains($k)) and (.message | test("PDF|%%EOF|empty"))'
		no_file "yearend-$EM104"
	done
}

@test "DOC1: a stored PDF with a flipped byte, or gone, is fetched again with a warning" {
	fd
	f=$(docs | jq -r --arg k "loket:$ER:$EM104:payslip:${RUN}05" 'select(.key==$k) | .file')
	sha=$(sha256sum "$f" | cut -d' ' -f1)
	printf 'X' | dd of="$f" bs=1 seek=100 conv=notrunc 2>/dev/null
	g=$(docs | jq -r --arg k "loket:$ER:$EM101:jaaropgaaf:2025" 'select(.key==$k) | .file')
	rm "$g"
	clear_log
	run --separate-stderr fetch-documents -c "$CFG" --as-of 2026-11-15 --dir "$D"
	assert_success
	[[ $stderr == *"employee 104: payslip 2026-05: $f was changed on disk; fetching it again"* ]]
	[[ $stderr == *"employee 101: year-end statement 2025: $g is gone; fetching it again"* ]]
	[ "$(pdf_gets)" -eq 2 ]
	[ "$(sha256sum "$f" | cut -d' ' -f1)" = "$sha" ]
	[ -f "$g" ]
}

@test "DOC1: index.ndjson with a flipped byte is refused (exit 3, FILE:LINE, complete:false, nothing fetched); a cut last line is cut off and its document fetched again" {
	fd
	idx="$D/index.ndjson"
	cp "$idx" "$BATS_TEST_TMPDIR/idx.good"
	# a flipped byte in line 3
	python3 -c 'import sys; p=sys.argv[1]; b=bytearray(open(p,"rb").read()); i=[k for k,c in enumerate(b) if c==10][1]+20; b[i]^=1; open(p,"wb").write(b)' "$idx"
	clear_log
	run --separate-stderr fetch-documents -c "$CFG" --as-of 2026-11-15 --dir "$D"
	assert_failure 3
	[[ $stderr == *"$idx:3"* ]]
	jq -e 'select(.type=="stream_end") | .complete == false' <<<"$output"
	[ "$(pdf_gets)" -eq 0 ]
	# a cut last line (a run killed while writing it)
	cp "$BATS_TEST_TMPDIR/idx.good" "$idx"
	last=$(tail -n 1 "$idx" | jq -r .key)
	truncate -s -10 "$idx"
	clear_log
	run --separate-stderr fetch-documents -c "$CFG" --as-of 2026-11-15 --dir "$D"
	assert_success
	[[ $stderr == *"torn last line"* ]]
	[ "$(pdf_gets)" -eq 1 ]
	cmp "$idx" "$BATS_TEST_TMPDIR/idx.good"
	grep -q "$last" <<<"$output"
}

@test "DOC1: a full disk (ENOSPC) while writing a PDF or the index: exit 7, complete:false, the temporary file removed, nothing half-written in the index; the next run completes" {
	enospc_preload "$BUILD/bin/fetch-documents"
	for ops in write fsync rename; do
		rm -rf "$D"
		run --separate-stderr env LD_PRELOAD="$PRELOAD" ENOSPC_SHIM_PATTERN="$D/.tmp-*" ENOSPC_SHIM_OPS=$ops ENOSPC_SHIM_SKIP=3 \
			fetch-documents -c "$CFG" --as-of 2026-11-15 --dir "$D"
		assert_failure 7
		jq -e 'select(.type=="stream_end") | .complete == false' <<<"$output"
		no_file '^\.tmp-'
		# every index line names a whole file with its hash
		[ "$(wc -l <"$D/index.ndjson")" -eq 3 ]
		jq -r '[.file, .sha256] | @tsv' "$D/index.ndjson" | while IFS=$'\t' read -r f sha; do
			[ "$(sha256sum "$D/$f" | cut -d' ' -f1)" = "$sha" ]
		done
	done
	# the index itself cannot be written
	rm -rf "$D"
	run --separate-stderr env LD_PRELOAD="$PRELOAD" ENOSPC_SHIM_PATTERN="$D/index.ndjson" ENOSPC_SHIM_OPS=write ENOSPC_SHIM_SKIP=2 \
		fetch-documents -c "$CFG" --as-of 2026-11-15 --dir "$D"
	assert_failure 7
	[ "$(wc -l <"$D/index.ndjson")" -eq 2 ]
	tail -c 1 "$D/index.ndjson" | od -c | grep -q '\\n'
	fd
	schema_ok "$OUT"
	[ "$(end_rec | jq .counts.fetched)" -eq "$(( $(ndocs) - 2 ))" ]
}

@test "DOC1: the document directory is made 0700; one with group or other access is refused (exit 4) before anything is read" {
	fd
	[ "$(stat -c %a "$D")" = 700 ]
	chmod 750 "$D"
	clear_log
	run --separate-stderr fetch-documents -c "$CFG" --as-of 2026-11-15 --dir "$D"
	assert_failure 4
	[[ $stderr == *"group or other access"* ]]
	[ "$(curl -fsS "$LK_URL/__emu/requests" | jq length)" -eq 0 ]
	chmod 700 "$D"
	chmod 644 "$D/index.ndjson"
	run fetch-documents -c "$CFG" --as-of 2026-11-15 --dir "$D"
	assert_failure 4
	# a deeper directory that does not exist yet: made, 0700
	run fetch-documents -c "$CFG" --as-of 2026-11-15 --dir "$BATS_TEST_TMPDIR/a/b/docs"
	assert_success
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/a/b/docs")" = 700 ]
}

@test "DOC1: --only NUMBER: only that employee's documents" {
	fd --only 104
	schema_ok "$OUT"
	[ "$(docs | jq -s 'map(select(.employee_number != 104)) | length')" -eq 0 ]
	[ "$(docs | jq -s 'map(select(.kind=="payslip")) | length')" -eq 11 ]
	[ "$(ls "$D" | grep -c '\.pdf$')" -eq "$(ndocs)" ]
	run fetch-documents -c "$CFG" --only x
	assert_failure 2
}

@test "A1: one audit event per document retrieved (employee number, kind, period, key, hash, size), none for index hits, no BSN, no content" {
	fd
	audit="$BATS_TEST_TMPDIR/audit.ndjson"
	n=$(grep -c '"event":"document.retrieved"' "$audit")
	[ "$n" -eq "$(ndocs)" ]
	run jq -c --arg k "loket:$ER:$EM101:payslip:${RUN}03" 'select(.event=="document.retrieved" and .key==$k) | del(.time, .sha256, .size, .seq, .prev, .hash, .os_user)' "$audit"
	assert_output '{"event":"document.retrieved","actor":null,"client":"acme","program":"fetch-documents","employee_number":101,"kind":"payslip","year":2026,"period":3,"key":"loket:'$ER:$EM101:payslip:${RUN}03'","correction":0}'
	# no BSN of any employee, no PDF text
	for bsn in $(curl -fsS "$LK_URL/__emu/state" | jq -r '.employees[] | .. | .citizenServiceNumber? // empty'); do
		nope grep -q "$bsn" "$audit"
		nope grep -q "$bsn" "$OUT"
	done
	nope grep -q 'PDF-' "$audit"
	fd --actor tester --audit "$BATS_TEST_TMPDIR/other.ndjson"
	[ "$(grep -c '"event":"document.retrieved"' "$audit")" -eq "$n" ]
	nope grep -q document.retrieved "$BATS_TEST_TMPDIR/other.ndjson"
}

@test "DOC1: Loket fails while a list is read: exit 5, complete:false; a refused token: exit 6; another run holds the lock: exit 8" {
	faults '{"always":{"path":"/v2/providers/employers/payrolladministrations/","status":503}}'
	run --separate-stderr fetch-documents -c "$CFG" --as-of 2026-11-15 --dir "$D"
	assert_failure 5
	jq -e 'select(.type=="stream_end") | .complete == false' <<<"$output"
	[ "$(jq -s 'map(select(.type=="loket.document")) | length' <<<"$output")" -eq 0 ]
	faults '{}'
	curl -fsS -X POST "$LK_URL/__emu/revoke-tokens" >/dev/null
	run fetch-documents -c "$CFG" --as-of 2026-11-15 --dir "$D"
	assert_failure 6
	loket_login '.compensation.start_date="2025-01-01"'
	lock="$BATS_TEST_TMPDIR/acme.lock"
	flock "$lock" -c "fetch-documents -c '$CFG' --as-of 2026-11-15 --dir '$D' >/dev/null 2>&1; echo \$? >'$BATS_TEST_TMPDIR/rc'"
	[ "$(cat "$BATS_TEST_TMPDIR/rc")" -eq 8 ]
}

@test "DOC1: usage: --help, --version, bad options" {
	run fetch-documents --help
	assert_success
	assert_output --partial "Usage: fetch-documents"
	run fetch-documents --version
	assert_success
	run fetch-documents
	assert_failure 2
	run fetch-documents -c "$CFG" --as-of 2026-13-01
	assert_failure 2
	run fetch-documents -c "$CFG" extra
	assert_failure 2
}

# fake_loket DISPOSITION: tests/tools/fake-loket-docs (one payslip offered with that
# Content-Disposition) with a token file holding a valid access token; sets $CFG
fake_loket() {
	local pf="$BATS_TEST_TMPDIR/fake.port"
	rm -f "$pf"
	fake-loket-docs "$pf" "$1" 3>&- &
	FAKE_PID=$!
	for _ in $(seq 100); do [ -s "$pf" ] && break; sleep 0.05; done
	local u="http://127.0.0.1:$(cat "$pf")"
	(umask 077 && echo '{"refresh_token":"r","access_token":"a","expires_at":4102444800}' >"$BATS_TEST_TMPDIR/fake-token.json")
	CFG="$BATS_TEST_TMPDIR/fake.json"
	jq --arg u "$u" --arg t "$BATS_TEST_TMPDIR/fake-token.json" '.loket.oauth_url=$u | .loket.base_url=($u + "/v2") | .loket.token_file=$t | del(.audit_log)' \
		"$SAMPLES/acme.json" >"$CFG"
}

@test "DOC1: a hostile Content-Disposition name (../../x, control characters) only ever becomes a sanitised file_name, never a path" {
	for disp in "'attachment; filename=\"../../x.pdf\"'" "'attachment; filename=\"..\\\\..\\\\evil\\x01\\x1b[31m.pdf\"'" "'attachment; filename=../../../etc/passwd'" "'attachment; filename=\"..\"'"; do
		rm -rf "$D" "$BATS_TEST_TMPDIR/x.pdf"
		fake_loket "$disp"
		run --separate-stderr fetch-documents -c "$CFG" --as-of 2026-11-15 --dir "$D"
		emu_kill "$FAKE_PID"
		assert_success
		echo "$output" >"$OUT"
		schema_ok "$OUT"
		name=$(docs | jq -r .file_name)
		[[ $name =~ ^[A-Za-z0-9_-][A-Za-z0-9._-]*$ ]]
		# the file is where the key says, named by the key, nothing outside the directory
		[ "$(docs | jq -r .file)" = "$(cd "$D" && pwd -P)/payslip-$EM101-${RUN}01-$(docs | jq -r .sha256 | cut -c1-16).pdf" ]
		[ ! -e "$BATS_TEST_TMPDIR/x.pdf" ]
		[ "$(ls -A "$D" | wc -l)" -eq 2 ]
		echo "$disp -> $name" >>"$BATS_TEST_TMPDIR/names"
	done
	run cat "$BATS_TEST_TMPDIR/names"
	assert_line --index 0 --partial '-> x.pdf'
	assert_line --index 1 --partial '-> evil___31m.pdf'
	assert_line --index 2 --partial '-> passwd'
	assert_line --index 3 --partial '-> Loonstrook_101_2026-01.pdf'
}

@test "DOC1: an employment Loket sends without an employee number is left out with an issue; the others go on (exit 5)" {
	own_fixture '.employees |= map(if .employeeNumber == 105 then del(.employeeNumber) else . end)'
	run --separate-stderr fetch-documents -c "$CFG" --as-of 2026-11-15 --dir "$D"
	assert_failure 5
	echo "$output" >"$OUT"
	schema_ok "$OUT"
	run jq -c 'select(.type=="issue") | [.severity, .employee_number, .field]' "$OUT"
	assert_output '["error",null,"employee.employeeNumber"]'
	[ "$(docs | jq -s 'map(select(.kind=="payslip")) | length')" -eq 91 ]
	end_rec | jq -e '.complete == true and .counts.bad_documents == 1'
}

@test "DOC1: --record keeps every answer, PDFs with their Content-Type and file name; --replay gives the same records without the network" {
	fd --record "$BATS_TEST_TMPDIR/rec" --only 101
	cp "$OUT" "$BATS_TEST_TMPDIR/live.ndjson"
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/rec")" = 700 ]
	f=$(grep -l '^Content-Disposition: attachment; filename="Loonstrook_101_2026-03.pdf"$' "$BATS_TEST_TMPDIR/rec"/*.status)
	[ "$(echo "$f" | wc -l)" -eq 1 ]
	f=$(basename "$f")
	grep -qx 'Content-Type: application/pdf' "$BATS_TEST_TMPDIR/rec/$f"
	head -c 5 "$BATS_TEST_TMPDIR/rec/${f%.status}.body" | grep -q '^%PDF-'
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/rec/${f%.status}.body")" = 600 ]
	# replayed into a new directory: the same records (files there), no request to Loket
	clear_log
	D="$BATS_TEST_TMPDIR/docs2" fd --replay "$BATS_TEST_TMPDIR/rec" --only 101
	[ "$(curl -fsS "$LK_URL/__emu/requests" | jq length)" -eq 0 ]
	diff <(jq -c 'del(.file)' "$BATS_TEST_TMPDIR/live.ndjson") <(jq -c 'del(.file)' "$OUT")
	# a recorded PDF whose Content-Type is gone (an older recording) is not taken as a PDF
	sed -i '/^Content-Type/d' "$BATS_TEST_TMPDIR/rec/$f"
	run fetch-documents -c "$CFG" --as-of 2026-11-15 --dir "$BATS_TEST_TMPDIR/docs3" --replay "$BATS_TEST_TMPDIR/rec" --only 101
	assert_failure 5
	assert_output --partial 'not a PDF (Content-Type \"\")'
	run fetch-documents -c "$CFG" --record a --replay b
	assert_failure 2
}

@test "DOC1: documents.from and documents.dir from the configuration; without them compensation.start_date and <dir of loket.token_file>/<client>.documents" {
	# default directory next to the token file
	fetch-documents -c "$CFG" --as-of 2026-11-15 >"$OUT"
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/acme.documents")" = 700 ]
	[ "$(docs | jq -r .file | xargs -n1 dirname | sort -u)" = "$(cd "$BATS_TEST_TMPDIR/acme.documents" && pwd -P)" ]
	[ "$(docs | jq -s 'map(select(.kind=="yearend")) | length')" -gt 0 ]
	# documents.dir (relative to the configuration file) and documents.from
	jq '.documents.dir = "docs/acme" | .documents.from = "2026-06-01"' "$CFG" >"$BATS_TEST_TMPDIR/c2.json"
	fetch-documents -c "$BATS_TEST_TMPDIR/c2.json" --as-of 2026-11-15 >"$OUT"
	[ -f "$BATS_TEST_TMPDIR/docs/acme/index.ndjson" ]
	[ "$(docs | jq -s 'map(select(.kind=="yearend" or .period < 6)) | length')" -eq 0 ]
	[ "$(docs | jq -s 'map(select(.kind=="payslip")) | length')" -eq 50 ]
	# --dir wins over documents.dir
	fetch-documents -c "$BATS_TEST_TMPDIR/c2.json" --as-of 2026-11-15 --dir "$D" >"$OUT"
	[ -f "$D/index.ndjson" ]
}

@test "DOC1: killed (SIGKILL) while renaming a PDF or syncing the index: the next run completes, every index line names a whole file, no temporary file stays" {
	enospc_preload "$BUILD/bin/fetch-documents"
	for spot in "$D/.tmp-*:rename" "$D/index.ndjson:fsync"; do
		rm -rf "$D"
		run env LD_PRELOAD="$PRELOAD" ENOSPC_SHIM_PATTERN="${spot%:*}" ENOSPC_SHIM_OPS="${spot##*:}" ENOSPC_SHIM_ERRNO=KILL ENOSPC_SHIM_SKIP=5 \
			fetch-documents -c "$CFG" --as-of 2026-11-15 --dir "$D"
		[ "$status" -eq 137 ]
		# killed at the rename: its temporary file is left (the next run removes it)
		[ "${spot##*:}" != rename ] || ls -A "$D" | grep -q '^\.tmp-'
		fd
		schema_ok "$OUT"
		end_rec | jq -e '.complete == true'
		no_file '^\.tmp-'
		[ "$(wc -l <"$D/index.ndjson")" -eq "$(ndocs)" ]
		jq -r '[.file, .sha256] | @tsv' "$D/index.ndjson" | while IFS=$'\t' read -r f sha; do
			[ "$(sha256sum "$D/$f" | cut -d' ' -f1)" = "$sha" ]
		done
		# every document retrieved has its audit event (the one killed before its index line twice)
		[ "$(jq -r 'select(.event=="document.retrieved") | .key' "$BATS_TEST_TMPDIR/audit.ndjson" | sort -u | wc -l)" -ge "$(ndocs)" ]
		rm -f "$BATS_TEST_TMPDIR/audit.ndjson"
	done
}

@test "DOC1: a payslip Loket lists twice for one employment is refused (exit 5, complete:false), never two records of one key" {
	own_fixture '.payslips += [(.payslips[] | select(.employmentId == "'$EM104'" and .payrollrunId == "'${RUN}02'"))]'
	run --separate-stderr fetch-documents -c "$CFG" --as-of 2026-11-15 --dir "$D"
	assert_failure 5
	jq -e 'select(.type=="stream_end") | .complete == false and (.error | contains("twice"))' <<<"$output"
	[ "$(jq -s 'map(select(.type=="loket.document")) | length' <<<"$output")" -eq 0 ]
}
