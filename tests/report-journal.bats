#!/usr/bin/env bats
# report's journal section (J1, issue 14 item 2): fetch-journal's journal.entry/journal.line
# records (and journal-export's journal.export records) as one table per entry for a payroll
# administrator or bookkeeper to check before booking; entries that are not exported and the J1
# issues first; amounts exact from the strings; HTML escaped, BSNs masked; input that ended
# early said at the top.
#
# The goldens tests/golden/acme.journal.report.{txt,html} are made from
# tests/golden/acme.journal.ndjson (fetch-journal's acme as of 2026-11-15) with
#   report [--html] --title "loketpipe journal report: acme" tests/golden/acme.journal.ndjson
# Reviewed by hand once (2026-12-01) against the NDJSON, row by row:
#  - entry 11 (2026-10, the run f1f2...2026102 of payroll run e1e2...202610), booking date
#    2026-10-31 (period_end), journal MEM, no bookkeeping administration linked, status 4;
#    12 rows in Loket's order: 4000 Brutolonen 16950.00 KPL100 / 17650.00 KPL200 (SALARIS 10),
#    4010 100.00 PROVISIE 8046, 4020 191.00 REISKOSTEN 7001, 50.00 REISKOSTEN VAS 8042, 25.00
#    TELEFOON 8043, 120.00 KPL200 8042, 4100 3410.00 KPL100 / 3530.00 KPL200 (WG LASTEN 40), then
#    the credits without a cost centre: 1600 24676.00 NETTO LOON 30, 1610 10410.00 LOONHEFFING
#    20, 1620 6940.00 WG LASTEN 40. Debits add up to 42026.00 (16950+17650+100+191+50+25+120+
#    3410+3530), credits to 42026.00 (24676+10410+6940): "balanced", the entry's totals.
#  - entry 12 (2026-03, the correction run f1f2...20260311), booking date 2026-03-31: 4010
#    250.00 and 4100 50.00 debit (300.00), 1600 175.00, 1610 75.00, 1620 50.00 credit (300.00):
#    balanced.
#  - no cost unit anywhere ("-"), no journal.export record: "not exported in this input
#    (review only; not marked in Loket)"; no warning, no issue. The HTML holds the same cells,
#    amounts right-aligned, the totals row's verdict spanning the last three columns.
# Regenerate: the command above, then review the diff by hand.

load helper

G="$ROOT/tests/golden"
J10=f1f2f3f4-a5a6-4b7b-9c8c-000002026102
JC=f1f2f3f4-a5a6-4b7b-9c8c-000020260311

setup() {
	IN="$BATS_TEST_TMPDIR/in.ndjson"
	EXP="$BATS_TEST_TMPDIR/export.ndjson"
}

# acme JQ: the golden journal records changed by a jq filter applied to each record, into $IN
acme() { jq -c "${1:-.}" "$G/acme.journal.ndjson" >"$IN"; }
# export RUN OUTCOME MARKED [FILES]: a journal.export record (journal-export --mark-exported's contract)
export_rec() {
	jq -cn --arg r "$1" --arg o "$2" --argjson m "$3" --argjson f "${4:-[\"acme-journal-2026-11-15.xaf\",\"acme-journal-2026-11-15.csv\"]}" \
		'{type:"journal.export",client:"acme",journal_run_id:$r,sequence_number:(if $r == "'$J10'" then 11 else 12 end),
		  year:2026,period:(if $r == "'$J10'" then 10 else 3 end),files:$f,outcome:$o,marked:$m}'
}
exp_end() { jq -cn '{type:"stream_end",client:"acme",source:"journal-export",complete:true,counts:{}}'; }
# the line of the text report that starts (after blanks) with WORDS
row() { grep -E "^ +$1" <<<"$output"; }

@test "J1 acme's journal report, text: the golden file (reviewed by hand, see the top of this file)" {
	run report --title "loketpipe journal report: acme" "$G/acme.journal.ndjson"
	assert_success
	diff -u "$G/acme.journal.report.txt" <(printf '%s\n' "$output")
}

@test "J1 acme's journal report, HTML: the golden file (reviewed by hand); well-formed" {
	run report --html --title "loketpipe journal report: acme" "$G/acme.journal.ndjson"
	assert_success
	diff -u "$G/acme.journal.report.html" <(printf '%s\n' "$output")
	xmllint --noout --html "$G/acme.journal.report.html"
}

@test "J1 each entry: heading with sequence number, period, booking date and journal code; run, payroll run, period, status; totals and balanced" {
	run report "$G/acme.journal.ndjson"
	assert_success
	assert_line 'Journal entry 11 (2026-10), booking date 2026-10-31, journal MEM'
	assert_line 'Journal entry 12 (2026-03), booking date 2026-03-31, journal MEM'
	assert_line "  journal run $J10, payroll run e1e2e3e4-f5f6-4a7a-8b8b-000000202610, period 2026-10-01 to 2026-10-31, Loket status 4 (journal ready) when fetched"
	assert_line '  Journal entries: 2, 2 of them balanced and bookable, 0 NOT (see below).'
	assert_line '  Not exported in this input: the entries are shown for review; nothing is marked in Loket.'
	[ "$(row total | head -1 | tr -s ' ')" = " total 42026.00 42026.00 balanced" ]
	[ "$(row total | tail -1 | tr -s ' ')" = " total 300.00 300.00 balanced" ]
	[ "$(row '1  4000' | tr -s ' ')" = " 1 4000 Brutolonen 16950.00 0.00 KPL100 Kantoor Amsterdam - 10 SALARIS" ]
	refute_output --partial 'NOT exported'
	refute_output --partial WARNING
}

@test "J1 entries are in sequence order whatever the input's order; a bookkeeping administration is named (J2)" {
	acme 'if .journal_run_id == "'$JC'" and .type == "journal.entry" then .bookkeeping_administration = "EXACT-4711" else . end'
	{ grep "$JC" "$IN"; grep -v "$JC" "$IN"; } >"$IN.2"
	run report "$IN.2"
	assert_success
	[ "$(grep -n '^Journal entry 11' <<<"$output" | cut -d: -f1)" -lt "$(grep -n '^Journal entry 12' <<<"$output" | cut -d: -f1)" ]
	assert_line '  bookkeeping administration: EXACT-4711'
	assert_line '  bookkeeping administration: none linked in the configuration (J2)'
}

@test "J1 an entry one cent off: 'NOT exported' and the J1 error before the tables, the difference in cents in words" {
	acme 'if .journal_run_id == "'$J10'" then (if .type == "journal.line" and .line == 1 then .debit = "16950.01"
		elif .type == "journal.entry" then .total_debit = "42026.01" | .balanced = false else . end) else . end'
	jq -cn '{type:"issue",client:"acme",severity:"error",rule:"J1",stage:"fetch-journal",personio_id:null,employee_number:null,
		field:"total_debit",message:"journal run '$J10' (sequence number 11, 2026-10): debit 42026.01 and credit 42026.00 do not balance",
		hint:"the entry is not exported; correct the journal profile in Loket and run the journal again",source:"journal run '$J10'"}' >"$IN.i"
	{ grep -v stream_end "$IN"; cat "$IN.i"; grep stream_end "$IN"; } >"$IN.2" && mv "$IN.2" "$IN"
	run report "$IN"
	assert_success
	assert_line '  Journal entries: 2, 1 of them balanced and bookable, 1 NOT (see below).'
	assert_output --partial "Entry 11 (2026-10), journal run $J10: NOT balanced: the debit side is 1 cent more than the credit side (debit 42026.01, credit 42026.00). It is not exported nor marked in Loket"
	assert_line '  J1, total_debit: journal run '$J10' (sequence number 11, 2026-10): debit 42026.01 and credit 42026.00 do not balance'
	assert_line 'Errors (these entries are not exported until fixed)'
	# at the top: the refused entry, then the errors, then the tables
	n_ref=$(grep -n 'Journal entries NOT exported (J1)' <<<"$output" | cut -d: -f1)
	n_err=$(grep -n '^Errors' <<<"$output" | cut -d: -f1)
	n_tab=$(grep -n '^Journal entries, for review' <<<"$output" | cut -d: -f1)
	[ "$n_ref" -lt "$n_err" ] && [ "$n_err" -lt "$n_tab" ]
	[ "$(row total | head -1 | tr -s ' ')" = " total 42026.01 42026.00 NOT balanced: the debit side is 1 cent more than the credit side (debit 42026.01, credit 42026.00)" ]
	[ "$(row total | tail -1 | tr -s ' ')" = " total 300.00 300.00 balanced" ]
	run report --html "$IN"
	assert_output --partial '<tr class="failed"><td></td><td>total</td><td></td><td style="text-align:right">42026.01</td>'
	assert_output --partial '<li class="failed">Entry 11 (2026-10)'
}

@test "J1 the difference the other way and in many cents: the credit side is 1234 cents more" {
	acme 'if .journal_run_id == "'$JC'" and .type == "journal.entry" then .total_credit = "312.34" | .balanced = false else . end'
	run report "$IN"
	assert_success
	assert_output --partial 'NOT balanced: the credit side is 1234 cents more than the debit side (debit 300.00, credit 312.34)'
}

@test "J1 an entry marked balanced whose lines do not add up to its totals, or whose line count is not its lines', is not bookable" {
	acme 'if .type == "journal.line" and .journal_run_id == "'$JC'" and .line == 1 then .debit = "251.00" | .credit = "1.00" else . end'
	run report "$IN"
	assert_success
	assert_output --partial 'Entry 12 (2026-03), journal run '$JC': the lines add up to debit 301.00 and credit 301.00, not the entry'"'"'s totals: the input is inconsistent'
	acme 'if .type == "journal.entry" and .journal_run_id == "'$JC'" then .lines = 6 else . end'
	run report "$IN"
	assert_output --partial 'the entry counts 6 line(s) but the input holds 5: the input is inconsistent'
	acme 'if .type == "journal.entry" and .journal_run_id == "'$JC'" then .balanced = false else . end'
	run report "$IN"
	assert_output --partial 'Entry 12 (2026-03), journal run '$JC': fetch-journal marked it not balanced'
}

@test "J1 a flipped line (a negative amount in Loket) says so in its row" {
	acme 'if .type == "journal.line" and .journal_run_id == "'$JC'" and .line == 2 then .flipped = true else . end'
	run report "$IN"
	assert_success
	[ "$(row '2  4100' | tr -s ' ')" = " 2 4100 Sociale lasten 50.00 0.00 KPL100 Kantoor Amsterdam - 40 WG LASTEN (negative in Loket: moved to this side)" ]
}

@test "J1 amounts are printed exactly and never masked; descriptions masked and HTML escaped (no BSN)" {
	acme 'if .journal_run_id == "'$JC'" then (if .type == "journal.line" and .line == 1 then .debit = "123456782.00" | .account_description = "BSN 111222333 <b>&\"" | .cost_unit_code = "P1" | .cost_unit_description = "Project <x>"
		elif .type == "journal.line" and .line == 3 then .credit = "123456707.00"
		elif .type == "journal.entry" then .total_debit = "123456832.00" | .total_credit = "123456832.00" else . end) else . end'
	run report "$IN"
	assert_success
	refute_output --partial 111222333
	assert_output --partial '*****2333 <b>&"'
	assert_output --partial '123456782.00'
	[ "$(row total | tail -1 | tr -s ' ')" = " total 123456832.00 123456832.00 balanced" ]
	assert_output --partial 'P1 Project <x>'
	run report --html "$IN"
	assert_success
	refute_output --partial 111222333
	refute_output --partial '<b>'
	assert_output --partial '*****2333 &lt;b&gt;&amp;&quot;'
	assert_output --partial '<td style="text-align:right">123456782.00</td>'
	assert_output --partial 'P1 Project &lt;x&gt;'
}

@test "J1 journal.export records: the files and whether each run is marked processed in Loket" {
	cp "$G/acme.journal.ndjson" "$IN"
	{ export_rec $J10 exported true; export_rec $JC marked true '["acme-journal-2026-11-14.xaf"]'; exp_end; } >"$EXP"
	run report "$IN" "$EXP"
	assert_success
	assert_line '  export: written to acme-journal-2026-11-15.xaf, acme-journal-2026-11-15.csv; marked processed in Loket'
	assert_line '  export: written earlier to acme-journal-2026-11-14.xaf; marked processed in Loket now'
	assert_line '  Export: 1 written now, 1 written earlier and marked now, 0 written again (--rerun), 0 refused; 2 marked processed in Loket, 0 NOT marked.'
	refute_output --partial 'review export'
	# a review export: written, not marked
	{ export_rec $J10 exported false; export_rec $JC exported false; exp_end; } >"$EXP"
	run report "$IN" "$EXP"
	assert_success
	assert_line '  export: written to acme-journal-2026-11-15.xaf, acme-journal-2026-11-15.csv; NOT marked in Loket (Loket offers it again next time)'
	assert_output --partial '0 marked processed in Loket, 2 NOT marked. A review export: Loket still offers these runs, they are fetched again next time.'
	# a rerun, and a refusal (listed with the entries not exported)
	{ export_rec $J10 refused false '[]'; export_rec $JC rerun true; exp_end; } >"$EXP"
	run report "$IN" "$EXP"
	assert_success
	assert_line '  export: refused: not written, not marked in Loket'
	assert_line '  export: written again on purpose (--rerun) to acme-journal-2026-11-15.xaf, acme-journal-2026-11-15.csv; marked processed in Loket'
	assert_output --partial "Entry 11 (2026-10), journal run $J10: journal-export refused it (see the errors)."
	assert_line '  Journal entries: 2, 1 of them balanced and bookable, 1 NOT (see below).'
}

@test "J1 an export of a run whose entry is not in the input is listed; an export without entries is a journal report" {
	{ export_rec $JC marked true '["acme-journal-2026-11-14.xaf"]'; exp_end; } >"$EXP"
	run report "$EXP"
	assert_success
	assert_line 'Exported runs whose entry is not in this input'
	assert_line "  Entry 12 (2026-03), journal run $JC: written earlier to acme-journal-2026-11-14.xaf; marked processed in Loket now"
	refute_output --partial 'Changes per employee'
}

@test "J1 seed 004: no journal run while payroll runs are approved: the error, never an empty success" {
	jq -cn '{type:"issue",client:"acme",severity:"error",rule:"J1",stage:"fetch-journal",personio_id:null,employee_number:null,
		field:"journalruns",message:"Loket lists no journal run, but 11 approved payroll runs exist: an old journal module",hint:"Journaliseren 940",source:null}' >"$IN"
	jq -cn '{type:"stream_end",client:"acme",source:"loket",complete:true,counts:{journal_runs:0,entries:0,lines:0}}' >>"$IN"
	run report "$IN"
	assert_success
	assert_line '  No journal entry: see the errors below.'
	assert_line '  J1, journalruns: Loket lists no journal run, but 11 approved payroll runs exist: an old journal module'
	refute_output --partial 'No journal entry to export'
	refute_output --partial 'Changes per employee'
	# nothing ready and no error: said as such
	jq -cn '{type:"stream_end",client:"acme",source:"loket",complete:true,counts:{journal_runs:12,entries:0,lines:0}}' >"$IN"
	run report "$IN"
	assert_success
	assert_line '  No journal entry to export: Loket has no journal run that is ready and not yet exported.'
	refute_output --partial 'No plan'
}

@test "J1 input that ended early: lines without their entry, a file without its end; said at the top, exit 3" {
	# cut after the correction run's third line
	head -n 16 "$G/acme.journal.ndjson" >"$IN"
	run report "$IN"
	assert_failure 3
	# said first, after the title
	assert_line --index 2 'WARNING: this report is incomplete'
	assert_output --partial "The journal lines of run $JC have no journal.entry after them: the input ended early"
	assert_output --partial 'The journal entries (fetch-journal) ends early'
	assert_output --partial "This client's input is incomplete: see the warning at the top. Do not book from this report."
	# the whole entry 11 is still shown
	assert_line 'Journal entry 11 (2026-10), booking date 2026-10-31, journal MEM'
	run report --html "$IN"
	assert_failure 3
	assert_output --partial '<div class="incomplete">'
}

@test "J1 Loket failed while fetching (stream_end complete:false): exit 5, nothing to book" {
	acme 'if .type == "stream_end" then .complete = false | .error = "HTTP 500" else . end'
	run report "$IN"
	assert_failure 5
	assert_output --partial "Reading Loket's journal runs did not finish (HTTP 500): entries or lines may be missing, so nothing of this report may be booked."
}

@test "J1 an amount that is not an amount: said at the top (exit 3), the cell '?'" {
	acme 'if .type == "journal.line" and .journal_run_id == "'$JC'" and .line == 2 then .debit = "5O.00" elif .type == "journal.entry" and .journal_run_id == "'$JC'" then .total_credit = 300 else . end'
	run report "$IN"
	assert_failure 3
	assert_output --partial "Journal run $JC, line 2: debit is not an amount with two decimals"
	assert_output --partial "Journal run $JC: total_credit is not an amount with two decimals"
	[ "$(row '2  4100' | tr -s ' ')" = " 2 4100 Sociale lasten ? 0.00 KPL100 Kantoor Amsterdam - 40 WG LASTEN" ]
	assert_output --partial 'an amount of the entry or of its lines is not an amount (see the warning at the top)'
}

@test "J1 the same issue passed on by fetch-journal and journal-export is shown once" {
	acme
	jq -cn '{type:"issue",client:"acme",severity:"warning",rule:"J1",stage:"fetch-journal",personio_id:null,employee_number:null,
		field:"debetAmount",message:"journal run x: result line 2 (account 4000): debit -15.25 is negative; booked as credit",hint:null,source:"journal run x"}' >"$BATS_TEST_TMPDIR/i"
	{ grep -v stream_end "$IN"; cat "$BATS_TEST_TMPDIR/i"; grep stream_end "$IN"; } >"$IN.2" && mv "$IN.2" "$IN"
	{ cat "$BATS_TEST_TMPDIR/i"; export_rec $J10 exported false; exp_end; } >"$EXP"
	run report "$IN" "$EXP"
	assert_success
	[ "$(grep -c 'debit -15.25 is negative' <<<"$output")" -eq 1 ]
	assert_line 'Warnings'
}
