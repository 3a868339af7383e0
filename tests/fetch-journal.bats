#!/usr/bin/env bats
# fetch-journal against the Loket emulator (J1): the journal runs of an administration that are
# ready (status 4), each as journal.line records then one journal.entry; the J1 rules; bad input.

load helper

setup_file() {
	load helper
	loket_start
	MAIN_URL=$LK_URL MAIN_PID=$LK_PID
	export MAIN_URL MAIN_PID
}
teardown_file() { emu_kill "$MAIN_PID"; }

J=f1f2f3f4-a5a6-4b7b-9c8c-0000
J10=${J}02026102 # period 10, second try: status 4, sequence number 11
JC=${J}20260311  # the correction run of period 3: status 4, sequence number 12
J09=${J}02026091 # period 9: status 7 (exported)

setup() {
	LK_URL=$MAIN_URL LK_PID=$MAIN_PID
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	loket_client
	loket_login
	OUT="$BATS_TEST_TMPDIR/out.ndjson"
}
teardown() { [ "${LK_PID:-}" = "$MAIN_PID" ] || emu_kill "$LK_PID"; }

# fj [ARGS...]: one run as of ${AS:-2026-11-15}, records in $OUT, stderr in $ERR
fj() {
	ERR="$BATS_TEST_TMPDIR/err"
	fetch-journal -c "$CFG" --as-of "${AS:-2026-11-15}" "$@" >"$OUT" 2>"$ERR"
}
recs() { jq -c "select(.type==\"$1\")" "$OUT"; }
end_rec() { recs stream_end; }
faults() { curl -fsS -X POST --data "$1" "$LK_URL/__emu/faults" >/dev/null; }
# own_fixture JQ: an emulator of its own on the acme fixture changed by JQ (on state.json)
own_fixture() {
	local fx="$BATS_TEST_TMPDIR/fix"
	mkdir -p "$fx"
	cp "$ROOT/tests/fixtures/loket/acme/client.json" "$fx/"
	jq "$1" "$ROOT/tests/fixtures/loket/acme/state.json" >"$fx/state.json"
	[ "${LK_PID:-}" = "$MAIN_PID" ] || emu_kill "$LK_PID"
	LOKET_FIX=$fx LK_NAME=fix loket_start
	loket_login "${2:-.}"
}
# results JQ: changes the results of journal run J (state.json's journalRunResults)
res() { echo "(.journalRunResults |= map(if .journalRunId == \"$1\" then ($2) else . end))"; }
nope() {
	if "$@"; then
		echo "unexpected success: $*" >&2
		return 1
	fi
}

@test "J1: the ready runs only (status 4), sorted by sequence number, each entry after its lines; totals balance; records validate" {
	fj
	schema_ok "$OUT"
	run jq -r 'select(.type=="journal.entry") | "\(.sequence_number) \(.journal_run_id) \(.status) \(.balanced)"' "$OUT"
	assert_output "11 $J10 4 true
12 $JC 4 true"
	# every line comes before its entry, its run's lines numbered 1..n, the count and totals the lines'
	run jq -s -c '[foreach .[] as $r ({cur: null, n: 0, d: 0, c: 0, out: null};
		if $r.type == "journal.line" then
			(if .cur != null and .cur != $r.journal_run_id then error("lines of two runs mixed") else . end)
			| .cur = $r.journal_run_id | .n += 1
			| (if $r.line != .n then error("line numbering") else . end)
			| .d += ($r.debit | tonumber * 100 | round) | .c += ($r.credit | tonumber * 100 | round) | .out = null
		elif $r.type == "journal.entry" then
			.out = [$r.journal_run_id == .cur, $r.lines == .n, ($r.total_debit | tonumber * 100 | round) == .d,
				($r.total_credit | tonumber * 100 | round) == .c, .d == .c]
			| .cur = null | .n = 0 | .d = 0 | .c = 0
		else .out = null end; .out) | select(. != null)]' "$OUT"
	assert_output '[[true,true,true,true,true],[true,true,true,true,true]]'
	run jq -c 'select(.type=="stream_end") | [.complete, .counts.entries, .counts.lines, .counts.other_status]' "$OUT"
	assert_output '[true,2,17,10]'
	[ ! -s "$ERR" ]
}

@test "J1: the correction run's entry: the difference to the first run of period 3, in exact cents, every field" {
	fj --only "$JC"
	run jq -c 'select(.type=="journal.line") | [.line, .account_code, .debit, .credit, .cost_center_code, .cost_unit_code, .flipped]' "$OUT"
	assert_output '[1,"4010","250.00","0.00","KPL100",null,false]
[2,"4100","50.00","0.00","KPL100",null,false]
[3,"1600","0.00","175.00",null,null,false]
[4,"1610","0.00","75.00",null,null,false]
[5,"1620","0.00","50.00",null,null,false]'
	run jq -c 'select(.type=="journal.entry") | del(.type)' "$OUT"
	assert_output '{"client":"acme","journal_run_id":"'$JC'","sequence_number":12,"payroll_run_id":"e1e2e3e4-f5f6-4a7a-8b8b-000002026031","year":2026,"period":3,"period_start":"2026-03-01","period_end":"2026-03-31","booking_date":"2026-03-31","journal_code":"MEM","bookkeeping_administration":null,"status":4,"lines":5,"total_debit":"300.00","total_credit":"300.00","balanced":true}'
}

@test "J1: --as-of: a run processed after it is left for a later run (counted not_yet)" {
	AS=2026-10-27 fj
	run jq -r 'select(.type=="journal.entry") | .journal_run_id' "$OUT"
	assert_output "$J10"
	run jq -c 'select(.type=="stream_end") | .counts.not_yet' "$OUT"
	assert_output 1
}

@test "J1: --only RUN: that run alone; an exported run (status 7) only with --rerun, on purpose" {
	fj --only "$J10"
	run jq -r 'select(.type=="journal.entry") | .journal_run_id' "$OUT"
	assert_output "$J10"
	fj --only "$J09"
	assert_equal "$(recs journal.entry | wc -l)" 0
	assert_equal "$(recs journal.line | wc -l)" 0
	fj --rerun "$J09"
	run jq -r 'select(.type=="journal.entry") | "\(.sequence_number) \(.status)"' "$OUT"
	assert_output "9 7
11 4
12 4"
	fj --only "$J09" --rerun "$J09"
	run jq -c 'select(.type=="journal.entry") | [.journal_run_id, .status, .balanced, .lines]' "$OUT"
	assert_output '["'$J09'",7,true,12]'
	# a removed run (status 3) is never fetched, --rerun or not
	fj --rerun "${J}02026101"
	assert_equal "$(recs journal.entry | jq -r .journal_run_id | grep -c "${J}02026101")" 0
}

@test "J1: the journal section: journal_code, bookkeeping_administration and each booking_date rule go into the entry" {
	run_cfg() { jq "$1" "$CFG" >"$CFG.tmp" && mv "$CFG.tmp" "$CFG"; }
	run_cfg '.journal = {"journal_code": "LOON", "bookkeeping_administration": "Acme Boekhouding 2026", "booking_date": "period_start"}'
	fj --only "$JC"
	run jq -c 'select(.type=="journal.entry") | [.journal_code, .bookkeeping_administration, .booking_date]' "$OUT"
	assert_output '["LOON","Acme Boekhouding 2026","2026-03-01"]'
	run_cfg '.journal.booking_date = "run_date"'
	fj --only "$JC"
	run jq -c 'select(.type=="journal.entry") | .booking_date' "$OUT"
	assert_output '"2026-10-28"'
	run_cfg '.journal.booking_date = "period_end"'
	fj --only "$JC"
	run jq -c 'select(.type=="journal.entry") | .booking_date' "$OUT"
	assert_output '"2026-03-31"'
}

@test "J1: booking_date run_date and a run without processingFinishedTime: an issue naming the run and field, the others go on, exit 5" {
	own_fixture '.journalRuns |= map(if .id == "'$J10'" then .processingFinishedTime = null else . end)' '.journal.booking_date = "run_date"'
	run fj
	assert_failure 5
	run jq -c 'select(.type=="issue") | [.rule, .severity, .field, .source]' "$OUT"
	assert_output '["J1","error","processingFinishedTime","journal run '$J10'"]'
	run jq -r 'select(.type=="journal.entry") | .journal_run_id' "$OUT"
	assert_output "$JC"
	assert_equal "$(recs journal.line | jq -r .journal_run_id | sort -u)" "$JC"
}

@test "J1: lines with both amounts zero are dropped (counted); the others keep their order, numbered 1..n" {
	own_fixture "$(res "$JC" '.') | .journalRunResults += [{\"journalRunId\": \"$JC\", \"generalLedgerAccount\": {\"key\": 9, \"code\": \"4999\", \"description\": \"Nul\"}, \"debetAmount\": 0, \"creditAmount\": 0.00, \"costCenter\": null, \"costUnit\": null, \"payrollComponent\": null}]"
	fj --only "$JC"
	schema_ok "$OUT"
	run jq -c 'select(.type=="journal.line") | [.line, .account_code]' "$OUT"
	assert_output '[1,"4010"]
[2,"4100"]
[3,"1600"]
[4,"1610"]
[5,"1620"]'
	run jq -c 'select(.type=="stream_end") | [.counts.zero_lines_dropped, .counts.lines]' "$OUT"
	assert_output '[1,5]'
	run jq -c 'select(.type=="journal.entry") | [.lines, .balanced]' "$OUT"
	assert_output '[5,true]'
}

@test "J1: a negative amount moves to the other side (flipped, a warning naming the run and line); the entry still balances" {
	# 1600 credit 175.00 becomes debit -175.00: the same booking
	own_fixture "$(res "$JC" 'if .generalLedgerAccount.code == "1600" then .debetAmount = -175.00 | .creditAmount = 0 else . end')"
	run fj --only "$JC"
	assert_success
	schema_ok "$OUT"
	run jq -c 'select(.type=="journal.line" and .account_code=="1600") | [.debit, .credit, .flipped]' "$OUT"
	assert_output '["0.00","175.00",true]'
	run jq -c 'select(.type=="issue") | [.rule, .severity, .field]' "$OUT"
	assert_output '["J1","warning","debetAmount"]'
	run jq -r 'select(.type=="issue") | .message' "$OUT"
	assert_output --partial "result line 3 (account 1600): debit -175.00 is negative; booked as credit"
	run jq -c 'select(.type=="journal.entry") | [.total_debit, .total_credit, .balanced]' "$OUT"
	assert_output '["300.00","300.00",true]'
	# a negative credit goes to the debit side
	own_fixture "$(res "$JC" 'if .generalLedgerAccount.code == "4100" then .debetAmount = 0 | .creditAmount = -50 else . end')"
	run fj --only "$JC"
	assert_success
	run jq -c 'select(.type=="journal.line" and .account_code=="4100") | [.debit, .credit, .flipped]' "$OUT"
	assert_output '["50.00","0.00",true]'
	run jq -c 'select(.type=="issue") | .field' "$OUT"
	assert_output '"creditAmount"'
}

@test "J1: an entry that does not balance to the cent: an error issue, balanced:false, exit 1; the other entry is written balanced" {
	own_fixture "$(res "$JC" 'if .generalLedgerAccount.code == "1610" then .creditAmount = 75.01 else . end')"
	run fj
	assert_failure 1
	schema_ok "$OUT"
	run jq -c 'select(.type=="journal.entry") | [.journal_run_id, .total_debit, .total_credit, .balanced]' "$OUT"
	assert_output '["'$J10'",'"$(jq -c 'select(.type=="journal.entry" and .journal_run_id=="'$J10'") | [.total_debit, .total_debit]' "$OUT" | tr -d '[]')"',true]
["'$JC'","300.00","300.01",false]'
	run jq -c 'select(.type=="issue") | [.rule, .severity, .field, .source]' "$OUT"
	assert_output '["J1","error","total_debit","journal run '$JC'"]'
	run jq -r 'select(.type=="issue") | .message' "$OUT"
	assert_output --partial "debit 300.00 and credit 300.01 do not balance"
	run jq -c 'select(.type=="stream_end") | [.complete, .counts.unbalanced]' "$OUT"
	assert_output '[true,1]'
}

@test "J1: an empty journal-run list while payroll runs are approved: seed 004's message (old journal module, journal profile, Journaliseren 940), exit 1" {
	own_fixture '.journalRuns = [] | .journalRunResults = []'
	run fj
	assert_failure 1
	schema_ok "$OUT"
	run jq -c 'select(.type=="issue") | [.rule, .severity, .field]' "$OUT"
	assert_output '["J1","error","journalruns"]'
	run jq -r 'select(.type=="issue") | .message + " " + .hint' "$OUT"
	assert_output --partial "11 approved payroll runs"
	assert_output --partial "oude versie van de journaal module"
	assert_output --partial "journal profile"
	assert_output --partial "Journaliseren, 940"
	assert_equal "$(recs journal.entry | wc -l)" 0
}

@test "J1: an empty list without approved payroll runs is an empty success" {
	own_fixture '.journalRuns = [] | .journalRunResults = [] | .payrollRuns |= map(.payrollRunStatus = {"key": 3, "value": "In behandeling"})'
	run fj
	assert_success
	assert_equal "$(recs issue | wc -l)" 0
	run jq -c 'select(.type=="stream_end") | [.complete, .counts.entries]' "$OUT"
	assert_output '[true,0]'
}

@test "J1: a list of only exported runs is an empty success (no seed 004 issue: the list is not empty)" {
	own_fixture '.journalRuns |= map(.journalRunStatus = {"key": 7, "value": "Journaal geëxporteerd"})'
	run fj
	assert_success
	assert_equal "$(recs issue | wc -l)" 0
	assert_equal "$(recs journal.entry | wc -l)" 0
}
