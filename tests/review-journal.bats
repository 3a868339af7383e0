#!/usr/bin/env bats
# Adversarial review of issue 14 (J1, J2, A1, exactly once): payroll journal entries Loket ->
# bookkeeping. Each test failed on the code it was written against (main at dc85d72); each is
# named after its rule and "(review N)".

load helper
load journal
xsd() { local x="$ROOT/../shared/reference/xaf-3.2.xsd"; [ -f "$x" ] || x=/work/shared/reference/xaf-3.2.xsd; echo "$x"; }
# set_line RUN LINE JQ: $IN with JQ applied to line LINE of RUN
set_line() { jq -c --arg r "$1" --argjson n "$2" "if .type==\"journal.line\" and .journal_run_id==\$r and .line==\$n then $3 else . end" "$IN"; }

# ---------------------------------------------------------------- findings

@test "exactly once (review 1): a journal_run_id that is not a uuid is bad input (exit 3, FILE:LINE), never a crash nor a PATCH; the same run in another case is the same run" {
	reset_log
	for id in nope "$J10?x=1" "$J10/../$JC"; do
		sed "s|$J10|$id|g" "$IN" >"$D/bad.ndjson"
		run --separate-stderr env JIN="$D/bad.ndjson" bash -c "$(declare -f je); je a"
		[ "$status" = 3 ] || { echo "$id: exit $status: $stderr"; false; }
		[[ "$stderr" == *"bad.ndjson:1: journal_run_id"* ]] || { echo "$id: $stderr"; false; }
		assert_file_not_exists "$D/a.csv"
	done
	[ "$(patches)" = 0 ]
	[ "$(st "$J10")" = 4 ] && [ "$(st "$JC")" = 4 ]
	# the run twice in one input, once in capitals: not two runs in the file
	{ cat "$IN"; grep "$JC" "$IN" | sed "s/$JC/${JC^^}/g"; } >"$D/twice.ndjson"
	run --separate-stderr journal-export --format csv -o "$D/t.csv" "$D/twice.ndjson"
	assert_failure 3
	[[ "$stderr" == *"journal_run_id"* ]]
	assert_file_not_exists "$D/t.csv"
}

@test "J1 (review 2): an amount not written the records' way (5e1, 050.00, 50.0, +50.00, 50.000, -0.00) is bad input naming the field, not passed on" {
	for a in 5e1 050.00 50.0 +50.00 50.000; do
		set_line "$JC" 5 ".credit=\"$a\"" >"$D/a.ndjson"
		run --separate-stderr journal-export --format ndjson "$D/a.ndjson"
		[ "$status" = 3 ] || { echo "$a: exit $status: $output"; false; }
		[[ "$stderr" == *"a.ndjson:18: credit: '$a'"* ]] || { echo "$a: $stderr"; false; }
	done
	set_line "$JC" 5 '.debit="-0.00"' >"$D/a.ndjson"
	run --separate-stderr journal-export --format csv "$D/a.ndjson"
	assert_failure 3
	[[ "$stderr" == *"debit: '-0.00'"* ]]
}

@test "J1 (review 3): XAF stays valid XML with hostile descriptions (U+FFFE, U+FFFF, controls, XML specials)" {
	set_line "$J10" 1 '.account_description="A\uFFFEB <&> \u0001" | .payroll_component_description="x\uFFFFy \"q\u0007"' >"$D/h.ndjson"
	run journal-export --format xaf -o "$D/h.xaf" "$D/h.ndjson"
	assert_success
	run xmllint --noout --schema "$(xsd)" "$D/h.xaf"
	assert_success
	run xmllint --xpath 'string(//*[local-name()="ledgerAccount"][1]/*[local-name()="accDesc"])' "$D/h.xaf"
	assert_output "A B <&>  "
}

@test "J1 (review 4): the report's text: a newline or escape in a Loket description cannot add or fake a line" {
	set_line "$J10" 1 '.account_description="Bruto\n  FAKE: exported and marked processed in Loket\u001b[2J\r"' >"$D/n.ndjson"
	run --separate-stderr report "$D/n.ndjson"
	assert_success
	refute_line --regexp '^  FAKE'
	[[ "$output" != *$'\e'* && "$output" != *$'\r'* ]]
	assert_line --regexp '^ +1  4000 +Bruto   FAKE: exported'
}

@test "exactly once (review 5): the same output file named twice another way (./x, dir/../x) is a usage error, not one format silently lost" {
	mkdir "$D/sub"
	run --separate-stderr journal-export --format xaf -o "$D/same.out" --format csv -o "$D/./same.out" "$IN"
	assert_failure 2
	assert_file_not_exists "$D/same.out"
	run --separate-stderr journal-export --format xaf -o "$D/sub/../x.out" --format csv -o "$D/x.out" "$IN"
	assert_failure 2
	run --separate-stderr journal-export -c "$CFG" --mark-exported --format xaf -o "$D/m.out" --format csv -o "$D/sub/../m.out" "$IN"
	assert_failure 2
	[ "$(st "$J10")" = 4 ]
}

@test "exactly once (review 6): killed between the intents of two runs (the second intent never written): the resumed export writes each run into one file" {
	run env LOKETPIPE_TEST_KILL_AT=intent bash -c "$(declare -f je); je a"
	[ "$status" = 137 ]
	# the state a kill between the two appends leaves: the last intent line missing
	head -n -1 "$LEDGER" >"$D/l" && cat "$D/l" >"$LEDGER"
	[ "$(jq -r 'select(.state=="intent") | .run' "$LEDGER")" = "$J10" ]
	run --separate-stderr je a
	if [ "$status" != 0 ]; then # the operator gives new names, as the message says
		run --separate-stderr je b
	fi
	assert_success
	run once
	assert_success
}

@test "exactly once (review 7): a --rerun killed after a link or after written, resumed with the same command: its files completed, not a second rerun" {
	run --separate-stderr je a
	assert_success
	fetch-journal -c "$CFG" --as-of 2026-11-15 --rerun "$J10" >"$D/re.ndjson"
	for k in link:1 written; do
		run env LOKETPIPE_TEST_KILL_AT=$k JIN="$D/re.ndjson" bash -c "$(declare -f je); je r --rerun $J10"
		[ "$status" = 137 ]
		run --separate-stderr env JIN="$D/re.ndjson" bash -c "$(declare -f je); je r --rerun $J10"
		[ "$status" = 0 ] || { echo "$k: resumed: $status $stderr"; false; }
		[ "$(lines_in "$J10" "$D/r.csv")" = 12 ] && [ "$(lines_in "$J10" "$D/r.xaf")" = 0 ]
		xmllint --noout --schema "$(xsd)" "$D/r.xaf"
		! ls "$D"/*.jx-tmp 2>/dev/null
		[ "$(jq -r --arg r "$J10" 'select(.run==$r) | .state' "$LEDGER" | tail -1)" = marked ]
		[ "$(exports "$J10")" = 1 ]
		rm "$D"/r.*
	done
}

@test "exactly once (review 8): a review export (-c without --mark-exported) never replaces a file an exactly-once export wrote (the exported entries would be lost)" {
	run --separate-stderr je a
	assert_success
	cp "$D/a.csv" "$D/a.csv.orig"
	mkdir "$D/sub"
	fetch-journal -c "$CFG" --as-of 2026-11-15 >"$D/fresh.ndjson"
	run --separate-stderr journal-export -c "$CFG" --format csv -o "$D/sub/../a.csv" "$D/fresh.ndjson"
	assert_failure 7
	[[ "$stderr" == *"a.csv"*"never replaced"* ]]
	cmp "$D/a.csv" "$D/a.csv.orig"
	# another name is written as before
	run --separate-stderr journal-export -c "$CFG" --format csv -o "$D/review.csv" "$D/fresh.ndjson"
	assert_success
	assert_file_exists "$D/review.csv"
}

@test "exactly once (review 9): -c with a format on the standard output is a usage error, not exit 7 '(null): rename: Bad address'" {
	run --separate-stderr journal-export -c "$CFG" --format csv "$IN"
	assert_failure 2
	[[ "$stderr" == *"-c needs -o FILE for every --format"* ]]
	[[ "$stderr" != *"(null)"* ]]
	run --separate-stderr journal-export -c "$CFG" --format xaf -o "$D/x.xaf" --format csv "$IN"
	assert_failure 2
	assert_file_not_exists "$D/x.xaf"
}

@test "J1 J2 (review 10): XAF stays valid against the schema with an account description over 999 characters and a bookkeeping administration over 35" {
	local long bk="Acme Boekhouding B.V. - administratie 2026"
	long=$(printf 'Ä%.0s' $(seq 1 1200))
	set_line "$J10" 1 ".account_description=\"$long\" | .payroll_component_description=\"$long\"" |
		jq -c --arg b "$bk" 'if .type=="journal.entry" then .bookkeeping_administration=$b else . end' >"$D/l.ndjson"
	run --separate-stderr journal-export --format xaf -o "$D/l.xaf" "$D/l.ndjson"
	assert_success
	run xmllint --noout --schema "$(xsd)" "$D/l.xaf"
	assert_success
	run xmllint --xpath 'string-length(//*[local-name()="ledgerAccount"][1]/*[local-name()="accDesc"])' "$D/l.xaf"
	assert_output 999
}

@test "exactly once (review 11): a ledger shared with another client (one journal.dir for two, a copied ledger) is a configuration error naming both, not 'damaged: move it aside'" {
	run --separate-stderr je a
	assert_success
	jq --arg d "$D/acme.journal" '.client="beta" | .journal.dir=$d | .loket.payroll_administration_id="7a9b3c2d-1e4f-4a5b-8c6d-000000000099"
		| .loket.tax_id="999999999L01" | .personio.legal_entity_id="99"' "$CFG" >"$D/beta.json"
	echo '{"type":"stream_end","client":"beta","source":"loket","complete":true,"counts":{}}' >"$D/beta.ndjson"
	cp "$LEDGER" "$D/ledger.before"
	run --separate-stderr journal-export -c "$D/beta.json" --mark-exported --format csv -o "$D/b.csv" "$D/beta.ndjson"
	assert_failure 4
	[[ "$stderr" == *"client 'acme'"* && "$stderr" != *"move it aside"* ]]
	cmp "$LEDGER" "$D/ledger.before"
	# checked before anything runs, across the configurations given
	run --separate-stderr validate --check-config -c "$CFG" -c "$D/beta.json"
	assert_failure 4
	[[ "$stderr" == *"journal.dir"* ]]
}


@test "exactly once (review 12): a run another application marked between fetch and export: the report does not say loketpipe exported it on an earlier run" {
	curl -fsS -X PATCH -H "Authorization: Bearer $(jq -r .access_token "$D/token.json")" \
		-H 'Content-Type: application/json' --data '{"action":"MarkAsProcessed","application":{"key":9},"message":"other"}' \
		"$LK_URL/v2/providers/employers/payrolladministrations/journalruns/$J10" >/dev/null
	run --separate-stderr je a
	assert_success
	echo "$output" >"$D/x.ndjson"
	[ "$(lines_in "$J10" "$D/a.csv")" = 0 ]
	run --separate-stderr report "$IN" "$D/x.ndjson"
	assert_success
	refute_output --partial "exported and marked processed in Loket on an earlier run"
	assert_output --partial "not in a file of this ledger"
	# a second run (the ledger knows JC): its files are named
	run --separate-stderr je b
	echo "$output" >"$D/y.ndjson"
	run --separate-stderr report "$IN" "$D/y.ndjson"
	assert_output --partial "exported to a.xaf, a.csv and marked processed in Loket on an earlier run"
}

@test "A1 (review 13): killed after the written lines, or the audit log full at journal.marked: the resumed run still records journal.exported and journal.marked of each run" {
	run env LOKETPIPE_TEST_KILL_AT=written bash -c "$(declare -f je); je a"
	[ "$status" = 137 ]
	run --separate-stderr je a
	assert_success
	run once
	assert_success
	for r in "$J10" "$JC"; do
		for e in journal.exported journal.marked; do
			[ "$(jq -r --arg r "$r" --arg e "$e" 'select(.event==$e and .journal_run_id==$r) | .event' "$D/audit.ndjson" | wc -l)" -ge 1 ] ||
				{ echo "no $e of $r"; cat "$D/audit.ndjson"; false; }
		done
	done
	# the audit log full at the first journal.marked (events: link, exported x2, marked)
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	rm -rf "$D/acme.journal" "$D"/a.* "$D/audit.ndjson"
	enospc_preload "$BUILD/bin/journal-export"
	run env LD_PRELOAD="$PRELOAD" ENOSPC_SHIM_PATTERN="*audit.ndjson" ENOSPC_SHIM_SKIP=3 ENOSPC_SHIM_OPS=write bash -c "$(declare -f je); je a"
	assert_failure 7
	run --separate-stderr je b
	assert_success
	run jq -r 'select(.event=="journal.marked") | .journal_run_id' "$D/audit.ndjson"
	assert_output "$J10
$JC"
}

@test "J2 C1 (review 14): two configurations naming one payroll administration, its uuid once in capitals, are one administration" {
	jq '.client="beta" | .loket.payroll_administration_id |= ascii_upcase | .loket.tax_id="999999999L01"
		| .personio.legal_entity_id="99" | del(.journal.bookkeeping_administration)' "$CFG" >"$D/beta.json"
	run --separate-stderr validate --check-config -c "$CFG" -c "$D/beta.json"
	assert_failure 4
	[[ "$stderr" == *"C1"*"also linked to client"* ]]
}
