#!/usr/bin/env bats
# pipelines/monthly-journal against the Loket emulator (acme; the journal-unbalanced and
# journal-empty fixtures): a review export writes the XAF and CSV and marks nothing; with
# --mark-exported the runs are marked once, a second run writes no file (no_changes), a run
# killed between writing and marking resumes without a duplicate or a gap; J1 refusals and
# seed 004; C1/C2/J2, auth, busy, usage.

load helper

J10=f1f2f3f4-a5a6-4b7b-9c8c-000002026102
JC=f1f2f3f4-a5a6-4b7b-9c8c-000020260311

setup_file() {
	load helper
	loket_start
}
teardown_file() { loket_stop; }

setup() {
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	loket_client
	loket_login '.journal.bookkeeping_administration = "EXACT-ACME-01"'
	export LOKETPIPE_BIN="$BUILD/bin"
	PIPE="$ROOT/pipelines/monthly-journal"
	O="$BATS_TEST_TMPDIR/out"
	XSD="$ROOT/../shared/reference/xaf-3.2.xsd"
	[ -f "$XSD" ] || XSD="/work/shared/reference/xaf-3.2.xsd"
}

# run_j [ARGS...]: the pipeline for acme as of 2026-11-15 into $O
run_j() { run --separate-stderr sh "$PIPE" -c "$CFG" --as-of 2026-11-15 --out "$O" --actor tester "$@"; }
# status RUN: the run's journalRunStatus key in the emulator; patches RUN: the PATCHes that moved it
status() { curl -fsS "$LK_URL/__emu/state" | jq -r --arg r "$1" '.journalRuns[] | select(.id == $r) | .journalRunStatus.key'; }
patches() { curl -fsS "$LK_URL/__emu/state" | jq -r --arg r "$1" '.journalRuns[] | select(.id == $r) | .emuExports // [] | length'; }
st() { jq -c "$1" "$O/status.json"; }
# xaf_is_golden FILE: journal-export's golden XAF of acme, with the bookkeeping administration
# linked in the configuration (J2) as the company's companyIdent
xaf_is_golden() {
	diff -u "$FIXTURES/journal/acme.xaf" <(grep -v '<companyIdent>' "$1")
	[ "$(grep -c '^		<companyIdent>EXACT-ACME-01</companyIdent>$' "$1")" -eq 1 ]
}
files() { (cd "$O" && ls -- *.xaf *.csv 2>/dev/null | tr '\n' ' '); }

@test "J1 review export (no --mark-exported): the XAF (valid against XAF 3.2) and CSV of acme, nothing marked in Loket, said loudly" {
	run_j
	assert_success
	[[ "$stderr" == *"REVIEW EXPORT"*"NOTHING is marked in Loket"* ]]
	[ "$(files)" = "acme-journal-2026-11-15.csv acme-journal-2026-11-15.xaf " ]
	xmllint --noout --schema "$XSD" "$O/acme-journal-2026-11-15.xaf"
	# the same entries as journal-export's goldens (fetch-journal's acme as of 2026-11-15)
	xaf_is_golden "$O/acme-journal-2026-11-15.xaf"
	cmp "$FIXTURES/journal/acme.csv" "$O/acme-journal-2026-11-15.csv"
	assert_equal "$(status $J10) $(status $JC)" "4 4"
	assert_equal "$(patches $J10)" 0
	run st '[.type, .outcome, .exit, .review, .counts, .files]'
	assert_output '["journal.status","exported",0,true,{"entries":2,"exported":2,"marked":0,"refused":0},["acme-journal-2026-11-15.xaf","acme-journal-2026-11-15.csv"]]'
	grep -q '^loketpipe journal report: acme, 2026-11-15 (REVIEW EXPORT: not marked in Loket)$' "$O/report.txt"
	grep -q 'A review export: Loket still offers these runs' "$O/report.txt"
	grep -q '^  export: written to acme-journal-2026-11-15.xaf, acme-journal-2026-11-15.csv; NOT marked in Loket' "$O/report.txt"
	grep -q '<title>loketpipe journal report: acme, 2026-11-15 (REVIEW EXPORT: not marked in Loket)</title>' "$O/report.html"
	# the same review again that day: the next free names, the earlier files kept as they were
	run_j
	assert_success
	[ "$(files)" = "acme-journal-2026-11-15-2.csv acme-journal-2026-11-15-2.xaf acme-journal-2026-11-15.csv acme-journal-2026-11-15.xaf " ]
	cmp "$O/acme-journal-2026-11-15.csv" "$O/acme-journal-2026-11-15-2.csv"
	run st '.files'
	assert_output '["acme-journal-2026-11-15-2.xaf","acme-journal-2026-11-15-2.csv"]'
}

@test "J1 files 0600 in a 0700 directory" {
	run_j
	assert_success
	[ "$(stat -c %a "$O")" = 700 ]
	for f in "$O"/*; do
		[ "$(stat -c %a "$f")" = 600 ] || { echo "$f: $(stat -c %a "$f")"; return 1; }
	done
}

@test "J1 --mark-exported: the first run exports and marks each run once; the second writes no file and exits 0 (no_changes)" {
	run_j --mark-exported
	assert_success
	refute [ -n "$(grep -F 'REVIEW EXPORT' <<<"$stderr")" ]
	[ "$(files)" = "acme-journal-2026-11-15.csv acme-journal-2026-11-15.xaf " ]
	xmllint --noout --schema "$XSD" "$O/acme-journal-2026-11-15.xaf"
	assert_equal "$(status $J10) $(status $JC)" "7 7"
	assert_equal "$(patches $J10) $(patches $JC)" "1 1"
	run st '[.outcome, .exit, .review, .counts]'
	assert_output '["exported",0,false,{"entries":2,"exported":2,"marked":2,"refused":0}]'
	grep -q '^  export: written to acme-journal-2026-11-15.xaf, acme-journal-2026-11-15.csv; marked processed in Loket$' "$O/report.txt"
	grep -q '^loketpipe journal report: acme, 2026-11-15$' "$O/report.txt"
	# again: nothing to export, no file
	run_j --mark-exported
	assert_success
	[[ "$stderr" == *"nothing to export"* ]]
	[ "$(files)" = "acme-journal-2026-11-15.csv acme-journal-2026-11-15.xaf " ]
	assert_equal "$(patches $J10) $(patches $JC)" "1 1"
	run st '[.outcome, .exit, .counts, .files]'
	assert_output '["no_changes",0,{"entries":0,"exported":0,"marked":0,"refused":0},[]]'
	grep -q 'No journal entry to export' "$O/report.txt"
}

@test "J1 a run killed at each step of the export (temp, intent, each link, written, each PATCH) resumes: one set of files, each run marked once, in Loket and in the ledger" {
	for step in temp intent link:1 link:2 written patch:1 patch:2; do
		curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
		rm -rf "$O" "$BATS_TEST_TMPDIR/acme.journal"
		LOKETPIPE_TEST_KILL_AT=$step run_j --mark-exported
		[ "$status" -ne 0 ] || { echo "$step: not killed"; return 1; }
		run st .outcome
		assert_output '"failed"'
		case $step in patch:*) ;; *) assert_equal "$(patches $J10) $(patches $JC)" "0 0" ;; esac
		run_j --mark-exported
		assert_success
		assert_equal "$(status $J10) $(status $JC)" "7 7"
		assert_equal "$(patches $J10) $(patches $JC)" "1 1"
		# one XAF and one CSV holding both runs, whatever their names
		[ "$(cd "$O" && ls -- *.xaf | wc -l) $(cd "$O" && ls -- *.csv | wc -l)" = "1 1" ] || { echo "$step: $(files)"; return 1; }
		xaf=$(cd "$O" && ls -- *.xaf)
		xaf_is_golden "$O/$xaf"
		[ "$(ls -A "$O" | grep -c 'tmp')" -eq 0 ] || { echo "$step: $(ls -A "$O")"; return 1; }
		run jq -r -s --arg a "$J10" --arg b "$JC" '[.[] | select(.run == $a or .run == $b) | {(.run): .state}] | add | [.[]] | join(" ")' \
			"$BATS_TEST_TMPDIR/acme.journal/ledger.ndjson"
		assert_output "marked marked"
		# and nothing more
		run_j --mark-exported
		assert_success
		run st .outcome
		assert_output '"no_changes"'
		assert_equal "$(patches $J10) $(patches $JC)" "1 1"
	done
}

@test "J1 --rerun RUN with --mark-exported exports an exported run again on purpose, into the next free names" {
	run_j --mark-exported
	assert_success
	run_j --mark-exported --rerun "$J10"
	assert_success
	[ "$(files)" = "acme-journal-2026-11-15-2.csv acme-journal-2026-11-15-2.xaf acme-journal-2026-11-15.csv acme-journal-2026-11-15.xaf " ]
	run jq -r 'select(.type == "journal.entry") | .journal_run_id' "$O/journal.ndjson"
	assert_output "$J10"
	run jq -c 'select(.type == "journal.export") | [.outcome, .marked]' "$O/export.ndjson"
	assert_output '["rerun",true]'
	grep -q 'written again on purpose (--rerun) to acme-journal-2026-11-15-2.xaf' "$O/report.txt"
	assert_equal "$(patches $J10)" 1
}

@test "J1 an entry one cent off (journal-unbalanced): refused (exit 1), the others exported; the report lists it first" {
	# a second emulator for this test (the file's own stays up for the others)
	LOKET_FIX="$FIXTURES/loket/journal-unbalanced" LK_NAME=unbal loket_start
	loket_login '.journal.bookkeeping_administration = "EXACT-ACME-01"'
	run_j --mark-exported
	emu_kill "$LK_PID"
	assert_failure 1
	run st '[.outcome, .exit, .counts]'
	assert_output '["refused",1,{"entries":3,"exported":2,"marked":2,"refused":1}]'
	run st .first_error
	assert_output --partial 'do not balance'
	grep -q "Entry 11 (2026-10), journal run $J10: NOT balanced: the debit side is 1 cent more than the credit side" "$O/report.txt"
	[ "$(grep -n 'NOT exported (J1)' "$O/report.txt" | cut -d: -f1)" -lt "$(grep -n '^Journal entries, for review' "$O/report.txt" | cut -d: -f1)" ]
	! grep -q "$J10" "$O/acme-journal-2026-11-15.xaf"
}

@test "J1 seed 004: no journal run while payroll runs are approved: exit 1, outcome refused, no file, the message in the report" {
	# a second emulator for this test (the file's own stays up for the others)
	LOKET_FIX="$FIXTURES/loket/journal-empty" LK_NAME=empty loket_start
	loket_login '.journal.bookkeeping_administration = "EXACT-ACME-01"'
	run_j --mark-exported
	emu_kill "$LK_PID"
	assert_failure 1
	[ -z "$(files)" ]
	run st '[.outcome, .exit, .counts.entries]'
	assert_output '["refused",1,0]'
	grep -q 'No journal entry: see the errors below.' "$O/report.txt"
	grep -q '11 approved payroll runs' "$O/report.txt"
}

@test "J2: a second configuration linking the same payroll administration stops before anything is read (exit 4)" {
	mkdir "$BATS_TEST_TMPDIR/clients"
	cp "$CFG" "$BATS_TEST_TMPDIR/clients/acme.json"
	jq '.client = "acme2" | .journal.bookkeeping_administration = "EXACT-OTHER" | .loket.tax_id = "999999999L01"' \
		"$CFG" >"$BATS_TEST_TMPDIR/clients/acme2.json"
	before=$(curl -fsS "$LK_URL/__emu/stats" | jq '.by_method.GET // 0')
	run --separate-stderr sh "$PIPE" -c "$BATS_TEST_TMPDIR/clients/acme.json" --as-of 2026-11-15 --out "$O"
	assert_failure 4
	[[ "$stderr" == *"J2"* ]]
	assert_equal "$(curl -fsS "$LK_URL/__emu/stats" | jq '.by_method.GET // 0')" "$before"
	[ ! -e "$O/journal.ndjson" ]
}

@test "J1 Loket refuses the login: exit 6, outcome auth; another run in the directory: exit 8, outcome busy" {
	curl -fsS -X POST "$LK_URL/__emu/revoke-tokens" >/dev/null
	token_expire "$BATS_TEST_TMPDIR/token.json"
	run_j --mark-exported
	assert_failure 6
	[[ "$stderr" == *"loket-auth"* ]]
	run st '[.outcome, .exit, .stage]'
	assert_output '["auth",6,"fetch"]'
	[ -z "$(files)" ]
	mkdir -p "$O.busy"
	exec 9>>"$O.busy/.lock"
	flock -n 9
	run --separate-stderr sh "$PIPE" -c "$CFG" --as-of 2026-11-15 --out "$O.busy"
	exec 9>&-
	assert_failure 8
	[[ "$stderr" == *"another monthly-journal runs in $O.busy"* ]]
}

@test "A1 every monthly-journal run is in the audit log: journal.start and journal.run with its outcome (exported, no_changes, busy), around the exports and marks, with the actor; the log verifies" {
	A="$BATS_TEST_TMPDIR/audit.ndjson"
	: >"$A.before"
	[ ! -e "$A" ] || cp "$A" "$A.before"
	run_j --mark-exported
	assert_success
	run_j --mark-exported
	assert_success
	exec 9>>"$O/.lock"
	flock -n 9
	run_j --mark-exported
	exec 9>&-
	assert_failure 8
	run sh -c "tail -n +$(($(wc -l <"$A.before") + 1)) '$A' | jq -c 'select(.event | test(\"^journal[.](start|run|exported|marked)\$\")) | [.event, (if .event == \"journal.start\" then .review elif .event == \"journal.run\" then .outcome else .journal_run_id end), .actor]'"
	assert_success
	assert_output "$(cat <<EOF2
["journal.start",false,"tester"]
["journal.exported","$J10","tester"]
["journal.exported","$JC","tester"]
["journal.marked","$J10","tester"]
["journal.marked","$JC","tester"]
["journal.run","exported","tester"]
["journal.start",false,"tester"]
["journal.run","no_changes","tester"]
["journal.run","busy","tester"]
EOF2
)"
	run audit-verify "$A"
	assert_success
}

@test "J1 usage: -c missing or twice, --rerun without --mark-exported or not a uuid, a bad --as-of, an unknown option: exit 2; an unreadable configuration: exit 4" {
	run --separate-stderr sh "$PIPE"
	assert_failure 2
	run --separate-stderr sh "$PIPE" -c "$CFG" -c "$CFG"
	assert_failure 2
	run --separate-stderr sh "$PIPE" -c "$CFG" --rerun "$J10"
	assert_failure 2
	[[ "$stderr" == *"--rerun needs --mark-exported"* ]]
	run --separate-stderr sh "$PIPE" -c "$CFG" --mark-exported --rerun 'x;y'
	assert_failure 2
	run --separate-stderr sh "$PIPE" -c "$CFG" --as-of 15-11-2026 --out "$O"
	assert_failure 2
	run --separate-stderr sh "$PIPE" -c "$CFG" --bogus
	assert_failure 2
	run --separate-stderr sh "$PIPE" -c "$BATS_TEST_TMPDIR/none.json"
	assert_failure 4
	[ ! -e "$O" ]
}

@test "J1 Loket fails while the journal runs are read (fetch-journal exit 5, incomplete): exit 5, outcome failed, no file; the report says so" {
	pa=$(jq -r .loket.payroll_administration_id "$CFG")
	curl -fsS -X POST --data '{"always":{"path":"/v2/providers/employers/payrolladministrations/'"$pa"'/journalruns","status":503}}' \
		"$LK_URL/__emu/faults" >/dev/null
	run_j --mark-exported
	assert_failure 5
	[[ "$stderr" == *"Loket failed (exit 5); nothing was exported"* ]]
	[ -z "$(files)" ]
	run st '[.outcome, .exit, .stage]'
	assert_output '["failed",5,"fetch"]'
	grep -q "Reading Loket's journal runs did not finish" "$O/report.txt"
	assert_equal "$(patches $J10) $(patches $JC)" "0 0"
}

@test "J1 lost answers on the journal runs' requests (PATCH included): each run marked once, one set of files" {
	curl -fsS -X POST --data '{"rate_lost":0.3,"seed":7,"scope":"/v2/providers/employers/payrolladministrations/journalruns/"}' \
		"$LK_URL/__emu/faults" >/dev/null
	run_j --mark-exported
	if [ "$status" -ne 0 ]; then
		# Loket kept losing answers: the same command again, Loket answering, resumes
		curl -fsS -X POST --data '{}' "$LK_URL/__emu/faults" >/dev/null
		run_j --mark-exported
	fi
	assert_success
	[ "$(curl -fsS "$LK_URL/__emu/stats" | jq '.faults.lost')" -gt 0 ]
	assert_equal "$(status $J10) $(status $JC)" "7 7"
	assert_equal "$(patches $J10) $(patches $JC)" "1 1"
	[ "$(cd "$O" && ls -- *.xaf | wc -l) $(cd "$O" && ls -- *.csv | wc -l)" = "1 1" ]
	xaf_is_golden "$O/$(cd "$O" && ls -- *.xaf)"
}

@test "J1 --mark-exported with a configuration journal-export refuses (no application key): exit 4, outcome failed, nothing written or marked" {
	jq 'del(.journal.application_key)' "$CFG" >"$CFG.tmp" && mv "$CFG.tmp" "$CFG"
	run_j --mark-exported
	assert_failure 4
	[[ "$stderr" == *"application_key"* ]]
	[ -z "$(files)" ]
	run st '[.outcome, .exit, .stage]'
	assert_output '["failed",4,"export"]'
	assert_equal "$(patches $J10) $(patches $JC)" "0 0"
}
