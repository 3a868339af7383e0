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
