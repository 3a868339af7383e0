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
	ERR="$BATS_TEST_TMPDIR/err"
}
teardown() { [ "${LK_PID:-}" = "$MAIN_PID" ] || emu_kill "$LK_PID"; }

# fj [ARGS...]: one run as of ${AS:-2026-11-15}, records in $OUT, stderr in $ERR
fj() {
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

# rec: one run recorded into $REC (the replays below change its answers)
rec() {
	REC="$BATS_TEST_TMPDIR/rec"
	fj --record "$REC"
	BAD="$BATS_TEST_TMPDIR/bad"
	rm -rf "$BAD" && cp -R "$REC" "$BAD"
}
# the recorded answer (body file) of PATH's last component pattern
body_of() { ls "$REC"/*.body | grep -e "$1" | head -n 1; }
replay() { fj --replay "$BAD" --base-url http://127.0.0.1:9/v2 "$@"; }

@test "record then replay: the same records, no network, no token" {
	rec
	cp "$OUT" "$BATS_TEST_TMPDIR/first"
	rm -f "$BATS_TEST_TMPDIR/token.json"
	replay
	cmp "$OUT" "$BATS_TEST_TMPDIR/first"
	[ "$(stat -c %a "$REC")" = 700 ]
	for f in "$REC"/*; do [ "$(stat -c %a "$f")" = 600 ]; done
}

# bad_result JQ: the correction run's recorded results changed by JQ (on the whole answer)
bad_result() {
	local f
	f=$(body_of "${JC}_results")
	jq -c "$1" "$f" >"$BAD/$(basename "$f")"
}
# bad_list JQ: the recorded journal-run list changed by JQ
bad_list() {
	local f
	f=$(body_of "_journalruns_pageNumber")
	jq -c "$1" "$f" >"$BAD/$(basename "$f")"
}

@test "bad input: a non-numeric amount (a string, null, three decimals): an issue naming the run, line and field; the other run is written; exit 5" {
	rec
	for v in '"250.00"' null true 250.001 '{"value":250}'; do
		bad_result "._embedded[0].debetAmount = $v"
		run replay
		assert_failure 5
		run jq -c 'select(.type=="issue") | [.rule, .severity, .field, .source]' "$OUT"
		assert_output '["J1","error","debetAmount","journal run '$JC'"]'
		run jq -r 'select(.type=="issue") | .message' "$OUT"
		assert_output --partial "journal run $JC (sequence number 12): result line 1: debetAmount: not a number"
		# nothing of the bad run, all of the other
		assert_equal "$(recs journal.entry | jq -r .journal_run_id)" "$J10"
		assert_equal "$(recs journal.line | jq -r .journal_run_id | sort -u)" "$J10"
		run jq -c 'select(.type=="stream_end") | [.complete, .counts.bad_runs]' "$OUT"
		assert_output '[true,1]'
	done
	bad_result "._embedded[2].creditAmount = \"x\""
	run replay
	assert_failure 5
	run jq -c 'select(.type=="issue") | .field' "$OUT"
	assert_output '"creditAmount"'
}

@test "bad input: a non-finite amount (1e999) is an issue naming the field; NaN or Infinity is not JSON: Loket failed, exit 5, complete:false" {
	rec
	local f b
	f=$(body_of "${JC}_results")
	b="$BAD/$(basename "$f")"
	sed 's/"debetAmount":250/"debetAmount":1e999/' "$f" >"$b"
	nope cmp -s "$f" "$b"
	run replay
	assert_failure 5
	run jq -c 'select(.type=="issue") | [.field, .source]' "$OUT"
	assert_output '["debetAmount","journal run '$JC'"]'
	for t in NaN Infinity -Infinity; do
		sed "s/\"debetAmount\":250/\"debetAmount\":$t/" "$f" >"$b"
		run --separate-stderr replay
		assert_failure 5
		run end_rec
		assert_output --partial '"complete":false'
		grep -q "$JC/results" "$ERR"
		assert_equal "$(recs journal.entry | jq -r .journal_run_id)" "$J10"
	done
}

@test "bad input: a line without a ledger account, a cost centre or component of the wrong shape: an issue naming the field" {
	rec
	local -A want=(
		['._embedded[1].generalLedgerAccount = null']=generalLedgerAccount.code
		['._embedded[1].generalLedgerAccount.code = 4000']=generalLedgerAccount.code
		['._embedded[1].costCenter = "KPL100"']=costCenter
		['._embedded[1].costUnit = {"key": 1}']=costUnit
		['._embedded[1].payrollComponent = {"description": "x"}']=payrollComponent
	)
	for k in "${!want[@]}"; do
		bad_result "$k"
		run replay
		assert_failure 5
		run jq -r 'select(.type=="issue") | .field' "$OUT"
		assert_output "${want[$k]}"
		run jq -r 'select(.type=="issue") | .message' "$OUT"
		assert_output --partial "result line 2:"
	done
}

@test "bad input: an unknown status, a run without a payroll run or period, an id that is no uuid: an issue naming the run and field; the others go on, exit 5" {
	rec
	local -A want=(
		['(._embedded[] | select(.id == "'$JC'") | .journalRunStatus) = {"key": 9, "value": "Nieuw"}']="journalRunStatus.key"
		['(._embedded[] | select(.id == "'$JC'") | .journalRunStatus) = null']="journalRunStatus.key"
		['(._embedded[] | select(.id == "'$JC'") | .payrollRun) = null']="payrollRun.payrollRunId"
		['(._embedded[] | select(.id == "'$JC'") | .payrollRun.payrollRunId) = "x"']="payrollRun.payrollRunId"
		['(._embedded[] | select(.id == "'$JC'") | .payrollRun.payrollPeriod.periodEndDate) = null']="payrollRun.payrollPeriod"
		['(._embedded[] | select(.id == "'$JC'") | .sequenceNumber) = "12"']="sequenceNumber"
	)
	for k in "${!want[@]}"; do
		bad_list "$k"
		run replay
		assert_failure 5
		run jq -c 'select(.type=="issue") | [.rule, .severity, .field, .source]' "$OUT"
		assert_output '["J1","error","'"${want[$k]}"'","journal run '$JC'"]'
		run jq -r 'select(.type=="issue") | .message' "$OUT"
		assert_output --partial "journal run $JC: ${want[$k]}:"
		assert_equal "$(recs journal.entry | jq -r .journal_run_id)" "$J10"
	done
	bad_list '(._embedded[] | select(.id == "'$JC'") | .id) = "../x"'
	run replay
	assert_failure 5
	run jq -c 'select(.type=="issue") | [.field, .source]' "$OUT"
	assert_output '["id",null]'
}

@test "bad input: a results page that ends early (fewer lines than totalSize) or an empty page before the end: Loket failed, exit 5, complete:false, the run named" {
	rec
	bad_result '.totalSize += 1'
	run --separate-stderr replay
	assert_failure 5
	run end_rec
	assert_output --partial '"complete":false'
	grep -q "$JC/results" "$ERR"
	# what came before is written; nothing of the short run
	assert_equal "$(recs journal.entry | jq -r .journal_run_id)" "$J10"
	assert_equal "$(recs journal.line | jq -r .journal_run_id | sort -u)" "$J10"
	bad_result '._embedded = []'
	run --separate-stderr replay
	assert_failure 5
	run end_rec
	assert_output --partial '"complete":false'
	# the journal-run list cut short too
	rm -rf "$BAD" && cp -R "$REC" "$BAD"
	bad_list '._embedded |= .[:-1]'
	run --separate-stderr replay
	assert_failure 5
	assert_equal "$(recs journal.entry | wc -l)" 0
	run end_rec
	assert_output --partial '"complete":false'
}

@test "A1 the read is in the audit log (loket.read: the administration, as of, complete, counts), a failed read too, and the log verifies" {
	A="$BATS_TEST_TMPDIR/audit.ndjson"
	fj
	faults '{"always":{"path":"/v2/providers/employers/payrolladministrations/journalruns/'$JC'/results","status":500}}'
	nope fj
	run jq -c 'select(.event == "loket.read") | [.program, .payroll_administration_id, .as_of, .complete, .counts.entries, .counts.lines]' "$A"
	assert_output "$(printf '%s\n' '["fetch-journal","7a9b3c2d-1e4f-4a5b-8c6d-000000000001","2026-11-15",true,2,17]' \
		'["fetch-journal","7a9b3c2d-1e4f-4a5b-8c6d-000000000001","2026-11-15",false,1,12]')"
	run audit-verify "$A"
	assert_success
}

@test "remote failure: Loket answers 500 on a run's results: exit 5, complete:false, naming the path; the runs before are written" {
	faults '{"always":{"path":"/v2/providers/employers/payrolladministrations/journalruns/'$JC'/results","status":500}}'
	run --separate-stderr fj
	assert_failure 5
	run end_rec
	assert_output --partial '"complete":false'
	grep -q "$JC/results" "$ERR"
	assert_equal "$(recs journal.entry | jq -r .journal_run_id)" "$J10"
	faults '{"malformed":{"path":"/v2/providers/employers/payrolladministrations/7a9b3c2d-1e4f-4a5b-8c6d-000000000001/journalruns","kind":"wrongshape"}}'
	run --separate-stderr fj
	assert_failure 5
	assert_equal "$(recs journal.entry | wc -l)" 0
	faults '{"malformed":{"path":"/v2/providers/employers/payrolladministrations/7a9b3c2d-1e4f-4a5b-8c6d-000000000001/journalruns","kind":"status401"}}'
	run --separate-stderr fj
	assert_failure 6
	faults '{}'
}

@test "usage: --help, --version, bad options; --only and --rerun want a journal run id" {
	run fetch-journal --help
	assert_success
	assert_output --partial "Usage: fetch-journal"
	run fetch-journal --version
	assert_success
	run fetch-journal
	assert_failure 2
	run fetch-journal -c "$CFG" --as-of 2026-13-01
	assert_failure 2
	run fetch-journal -c "$CFG" extra
	assert_failure 2
	run fetch-journal -c "$CFG" --only 12
	assert_failure 2
	run fetch-journal -c "$CFG" --rerun ../x
	assert_failure 2
	run fetch-journal -c "$CFG" --record a --replay b
	assert_failure 2
}

@test "configuration: the journal section's errors name the key, exit 4; without it the defaults (MEM, null, period_end)" {
	local -A want=(
		['.journal = "MEM"']='journal: must be an object'
		['.journal = {"code": "MEM"}']='journal.code: unknown key'
		['.journal = {"journal_code": ""}']='journal.journal_code: must be a non-empty string'
		['.journal = {"journal_code": "MEM 1"}']='journal.journal_code: must be 1-20 letters'
		['.journal = {"journal_code": "ABCDEFGHIJKLMNOPQRSTU"}']='journal.journal_code: must be 1-20 letters'
		['.journal = {"booking_date": "today"}']="journal.booking_date: must be period_end, period_start or run_date, got 'today'"
		['.journal = {"booking_date": 1}']='journal.booking_date: must be a non-empty string'
		['.journal = {"bookkeeping_administration": 7}']='journal.bookkeeping_administration: must be a non-empty string'
		['.journal = {"bookkeeping_administration": ("x" * 101)}']='journal.bookkeeping_administration: at most 100 characters'
	)
	for k in "${!want[@]}"; do
		jq "$k" "$CFG" >"$BATS_TEST_TMPDIR/bad.json"
		run fetch-journal -c "$BATS_TEST_TMPDIR/bad.json" --as-of 2026-11-15
		assert_failure 4
		assert_output --partial "bad.json: ${want[$k]}"
		run schema-check "$SCHEMAS/client-config.schema.json" "$BATS_TEST_TMPDIR/bad.json"
		assert_failure
	done
	jq '.journal = {"journal_code": "LOON-1", "booking_date": "run_date", "bookkeeping_administration": "Acme"}' "$CFG" >"$BATS_TEST_TMPDIR/good.json"
	fetch-journal -c "$BATS_TEST_TMPDIR/good.json" --as-of 2026-11-15 --only "$JC" >"$OUT"
	run jq -c 'select(.type=="journal.entry") | [.journal_code, .bookkeeping_administration, .booking_date]' "$OUT"
	assert_output '["LOON-1","Acme","2026-10-28"]'
	jq 'del(.journal)' "$CFG" >"$BATS_TEST_TMPDIR/none.json"
	fetch-journal -c "$BATS_TEST_TMPDIR/none.json" --as-of 2026-11-15 --only "$JC" >"$OUT"
	run jq -c 'select(.type=="journal.entry") | [.journal_code, .bookkeeping_administration, .booking_date]' "$OUT"
	assert_output '["MEM",null,"2026-03-31"]'
}

@test "J1 against the emulator's journal-unbalanced fixture: every status 0-7 listed, only the three ready runs fetched; the zero line dropped, the negative one flipped, the cent off is an error" {
	[ "${LK_PID:-}" = "$MAIN_PID" ] || emu_kill "$LK_PID"
	LOKET_FIX="$FIXTURES/loket/journal-unbalanced" LK_NAME=unbal loket_start
	loket_login
	run fj
	assert_failure 1
	schema_ok "$OUT"
	run jq -c 'select(.type=="journal.entry") | [.sequence_number, .journal_run_id, .balanced, .total_debit, .total_credit]' "$OUT"
	assert_line --index 1 '[11,"'$J10'",false,"42026.01","42026.00"]'
	assert_equal "$(recs journal.entry | jq -r .journal_run_id | tr '\n' ' ')" "${J}02026091 $J10 $JC "
	run jq -c 'select(.type=="journal.line" and .flipped) | [.journal_run_id, .debit, .credit]' "$OUT"
	assert_output '["'${J}02026091'","0.00","15.25"]'
	run jq -c 'select(.type=="issue") | [.severity, .field, .source]' "$OUT"
	assert_output '["warning","debetAmount","journal run '${J}02026091'"]
["error","total_debit","journal run '$J10'"]'
	run jq -c 'select(.type=="stream_end") | [.complete, .counts.zero_lines_dropped, .counts.flipped, .counts.unbalanced, .counts.other_status]' "$OUT"
	assert_output '[true,1,1,1,'"$(($(jq '.journalRuns | length' "$FIXTURES/loket/journal-unbalanced/state.json") - 3))"']'
}

@test "J1 against the emulator's journal-empty fixture: seed 004's issue, exit 1" {
	[ "${LK_PID:-}" = "$MAIN_PID" ] || emu_kill "$LK_PID"
	LOKET_FIX="$FIXTURES/loket/journal-empty" LK_NAME=empty loket_start
	loket_login
	run fj
	assert_failure 1
	run jq -c 'select(.type=="issue") | [.rule, .severity, .field]' "$OUT"
	assert_output '["J1","error","journalruns"]'
	run jq -r 'select(.type=="issue") | .message' "$OUT"
	assert_output --partial "11 approved payroll runs"
}

@test "lp_le_journal: the mark-as-processed PATCH body (the writer's): the spec's enum action, the application key, the message cut to 255 bytes at a character boundary" {
	run lp-unit le-journal-mark 0 3 "loketpipe: acme.xaf"
	assert_output '{"action":"MarkAsProcessed","application":{"key":3},"message":"loketpipe: acme.xaf"}'
	run lp-unit le-journal-mark 1 3
	assert_output '{"action":"MarkAsProcessingFailed","application":{"key":3}}'
	# 254 ASCII bytes then a two-byte character: the character does not fit and is left out whole
	long=$(printf 'a%.0s' $(seq 254))é
	run lp-unit le-journal-mark 0 1 "$long"
	assert_equal "$(jq -r .message <<<"$output" | tr -d '\n' | wc -c)" 254
	long=$(printf 'a%.0s' $(seq 300))
	run lp-unit le-journal-mark 0 1 "$long"
	assert_equal "$(jq -r .message <<<"$output" | tr -d '\n' | wc -c)" 255
}

@test "J1: acme's journal as of 2026-11-15 equals the golden file (reviewed by hand: period 10's whole run, the correction run's difference)" {
	fj
	# regenerate: cp "$OUT" "$ROOT/tests/golden/acme.journal.ndjson" here, then review the diff by hand
	run diff "$ROOT/tests/golden/acme.journal.ndjson" "$OUT"
	assert_success
}

@test "J2: two configurations linking bookkeeping administrations to the same payroll administration are a configuration error (exit 4, both files named); one link, or links to different administrations, load; a link is revoked by removing it" {
	local a="$BATS_TEST_TMPDIR/a.json" b="$BATS_TEST_TMPDIR/b.json"
	jq '.journal = {"bookkeeping_administration": "Acme Boekhouding"}' "$CFG" >"$a"
	jq '.client = "acme-twee" | .journal = {"bookkeeping_administration": "Acme Holding"}' "$CFG" >"$b"
	run lp-unit configs "$a" "$b"
	assert_failure 4
	assert_output --partial "b.json: journal.bookkeeping_administration: payroll administration 7a9b3c2d-1e4f-4a5b-8c6d-000000000001 is linked to 'Acme Boekhouding' already by $a (client 'acme')"
	# revoked: the second configuration without its link
	jq 'del(.journal.bookkeeping_administration)' "$b" >"$b.tmp" && mv "$b.tmp" "$b"
	run lp-unit configs "$a" "$b"
	assert_success
	assert_output "2 configurations"
	# another payroll administration may have its own link
	jq '.loket.payroll_administration_id = "7a9b3c2d-1e4f-4a5b-8c6d-000000000002" | .journal.bookkeeping_administration = "Acme Holding"' "$b" >"$b.tmp" && mv "$b.tmp" "$b"
	run lp-unit configs "$a" "$b"
	assert_success
	# the same id in another case is the same administration
	jq '.loket.payroll_administration_id = "7A9B3C2D-1E4F-4A5B-8C6D-000000000001"' "$b" >"$b.tmp" && mv "$b.tmp" "$b"
	run lp-unit configs "$a" "$b"
	assert_failure 4
}
