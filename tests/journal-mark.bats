#!/usr/bin/env bats
# journal-export --mark-exported against the Loket emulator: each ready journal run exported
# into its files and marked processed in Loket exactly once (issue 14 item 3), the ledger and
# its damage, the J2 link audit, A1 audit events.

load helper
load journal
nope() {
	if "$@"; then
		echo "unexpected success: $*" >&2
		return 1
	fi
}

@test "exactly once: the first run writes XAF and CSV and marks both ready runs (7, our message); a second run writes nothing and sends no PATCH" {
	run --separate-stderr je a
	assert_success
	echo "$output" >"$D/records.ndjson"
	jq -c 'del(.crc)' "$LEDGER" >"$D/ledger-lines.ndjson"
	run schema-check "$SCHEMAS" "$D/records.ndjson" "$D/ledger-lines.ndjson"
	assert_success
	run cat "$D/records.ndjson"
	run jq -r 'select(.type=="journal.export") | "\(.journal_run_id) \(.sequence_number) \(.files|join(",")) \(.outcome) \(.marked)"' <<<"$output"
	assert_output "$J10 11 a.xaf,a.csv exported true
$JC 12 a.xaf,a.csv exported true"
	local xsd="$ROOT/../shared/reference/xaf-3.2.xsd"
	[ -f "$xsd" ] || xsd=/work/shared/reference/xaf-3.2.xsd
	xmllint --noout --schema "$xsd" "$D/a.xaf"
	run once
	assert_success
	run curl -fsS "$LK_URL/__emu/state"
	run jq -c --arg r "$J10" '.journalRuns[] | select(.id==$r) | .emuExports' <<<"$output"
	assert_output '[{"action":"MarkAsProcessed","application":2,"message":"loketpipe journal-export: a.xaf, a.csv"}]'
	# files 0600, the ledger directory 0700, the ledger 0600
	[ "$(stat -c %a "$D/a.xaf")" = 600 ] && [ "$(stat -c %a "$D/a.csv")" = 600 ]
	[ "$(stat -c %a "$D/acme.journal")" = 700 ] && [ "$(stat -c %a "$LEDGER")" = 600 ]
	run jq -r '.state' "$LEDGER"
	assert_output "link
intent
intent
written
written
marked
marked"
	# A1: the audit events
	run jq -r 'select(.program=="journal-export") | "\(.event) \(.journal_run_id // .to)"' "$D/audit.ndjson"
	assert_output "journal.link Acme Boekhouding
journal.exported $J10
journal.exported $JC
journal.marked $J10
journal.marked $JC"
	run jq -r 'select(.event=="journal.exported") | .sha256["a.xaf"]' "$D/audit.ndjson"
	assert_line "$(sha256sum "$D/a.xaf" | cut -d' ' -f1)"
	# the second run: the fresh fetch lists nothing ready; the stale input is held by the ledger
	reset_log
	fetch-journal -c "$CFG" --as-of 2026-11-15 >"$D/in2.ndjson"
	run --separate-stderr env JIN="$D/in2.ndjson" bash -c "$(declare -f je); je b"
	assert_success
	assert_file_not_exists "$D/b.xaf"
	assert_file_not_exists "$D/b.csv"
	[[ "$stderr" == *"nothing to export"* ]]
	run --separate-stderr je c
	assert_success
	assert_file_not_exists "$D/c.xaf"
	run jq -r 'select(.type=="journal.export") | .outcome' <<<"$output"
	assert_output "none
none"
	[ "$(patches)" = 0 ]
	run once
	assert_success
}

@test "exactly once: fetch-journal | journal-export in a pipe (the client's Loket lock is waited for)" {
	run bash -c "fetch-journal -c '$CFG' --as-of 2026-11-15 | journal-export -c '$CFG' --mark-exported --format xaf -o '$D/p.xaf' --format csv -o '$D/p.csv' >/dev/null"
	assert_success
	run once
	assert_success
}

@test "exactly once: SIGKILL after the temporary files, the intent, each link, written, each PATCH: the resumed run marks each run once, its lines in one file" {
	for step in temp intent link:1 link:2 written patch:1 patch:2; do
		curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
		rm -rf "$D/acme.journal" "$D"/*.xaf "$D"/*.csv "$D"/*.jx-tmp
		run env LOKETPIPE_TEST_KILL_AT=$step bash -c "$(declare -f je); je k"
		[ "$status" = 137 ] || { echo "$step: $status $output"; false; }
		run --separate-stderr je k
		[ "$status" = 0 ] || { echo "$step: resumed: $status $stderr"; false; }
		run once
		[ "$status" = 0 ] || { echo "$step: $output"; false; }
		# a third run changes nothing
		run --separate-stderr je k2
		assert_success
		assert_file_not_exists "$D/k2.csv"
		run once
		assert_success
		xmllint --noout "$D/k.xaf"
	done
}

@test "exactly once: killed after the first PATCH, resumed with a fresh fetch (which no longer lists that run): both runs marked in the ledger, once in Loket" {
	run env LOKETPIPE_TEST_KILL_AT=patch:1 bash -c "$(declare -f je); je a"
	[ "$status" = 137 ]
	fetch-journal -c "$CFG" --as-of 2026-11-15 >"$D/fresh.ndjson"
	[ "$(jq -s '[.[] | select(.type=="journal.entry")] | length' "$D/fresh.ndjson")" = 1 ]
	reset_log
	run --separate-stderr env JIN="$D/fresh.ndjson" bash -c "$(declare -f je); je b"
	assert_success
	assert_file_not_exists "$D/b.csv"
	run jq -r 'select(.type=="journal.export") | "\(.journal_run_id) \(.outcome) \(.marked)"' <<<"$output"
	assert_output "$JC marked true
$J10 marked true"
	[ "$(patches)" = 1 ]
	run jq -r 'select(.state=="marked") | .run' "$LEDGER"
	assert_output "$JC
$J10"
	run jq -r 'select(.event=="journal.marked") | .journal_run_id' "$D/audit.ndjson"
	assert_output "$JC
$J10"
	run once
	assert_success
}

@test "exactly once: an intent whose temporary file is damaged or gone is exported again (the stale temporary files removed); intact ones roll forward" {
	run env LOKETPIPE_TEST_KILL_AT=intent bash -c "$(declare -f je); je a"
	[ "$status" = 137 ]
	assert_file_exists "$D/a.csv.jx-tmp"
	echo x >>"$D/a.csv.jx-tmp"
	run --separate-stderr je a
	assert_success
	run jq -r 'select(.type=="journal.export") | .outcome' <<<"$output"
	assert_output "exported
exported"
	run once
	assert_success
	# the same kill with the temporary files intact: put in place, only marked
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	rm -rf "$D/acme.journal" "$D"/a.*
	run env LOKETPIPE_TEST_KILL_AT=intent bash -c "$(declare -f je); je a"
	run --separate-stderr je a
	assert_success
	run jq -r 'select(.type=="journal.export") | .outcome' <<<"$output"
	assert_output "marked
marked"
	run once
	assert_success
}

@test "exactly once: a lost answer on the PATCH (it landed; the retry gets 409; the run is read: marked)" {
	# the first two requests in that scope are the reads before the PATCHes: the third is a PATCH
	reset_log
	faults '{"lost": 1, "after": 2, "scope": "/v2/providers/employers/payrolladministrations/journalruns"}'
	run --separate-stderr je a
	assert_success
	run curl -fsS "$LK_URL/__emu/stats"
	run jq -r '.faults.lost' <<<"$output"
	assert_output 1
	# the lost PATCH was sent again (3 PATCHes for 2 runs), the second got 409 and the run was read
	[ "$(patches)" = 3 ]
	run once
	assert_success
}

@test "exactly once: a 500 then success on the PATCH is retried; a 500 that stays is an error issue (that run not exported), the next run exports it" {
	reset_log
	faults '{"500": 1, "after": 2, "scope": "/v2/providers/employers/payrolladministrations/journalruns"}'
	run --separate-stderr je a
	assert_success
	[ "$(patches)" = 3 ]
	run curl -fsS "$LK_URL/__emu/stats"
	run jq -r '.faults["500"]' <<<"$output"
	assert_output 1
	run once
	assert_success
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	rm -rf "$D/acme.journal" "$D"/a.*
	faults '{"always": {"path": "/v2/providers/employers/payrolladministrations/journalruns/'$J10'", "status": 500}}'
	run --separate-stderr je a
	assert_failure
	faults '{}'
	[ "$(st "$JC")" = 7 ]
	[ "$(st "$J10")" = 4 ]
	run --separate-stderr je a2
	assert_success
	run jq -r 'select(.type=="journal.export") | .outcome' <<<"$output"
	assert_output "exported
none"
	run once
	assert_success
}

@test "exactly once: marked by another application before us: read back, no PATCH, marked" {
	run env LOKETPIPE_TEST_KILL_AT=written bash -c "$(declare -f je); je a"
	[ "$status" = 137 ]
	curl -fsS -X PATCH -H "Authorization: Bearer $(jq -r .access_token "$D/token.json")" \
		-H 'Content-Type: application/json' --data '{"action":"MarkAsProcessed","application":{"key":9},"message":"other"}' \
		"$LK_URL/v2/providers/employers/payrolladministrations/journalruns/$J10" >/dev/null
	reset_log
	run --separate-stderr je a
	assert_success
	[ "$(patches)" = 1 ]
	run jq -r 'select(.type=="journal.export") | "\(.outcome) \(.marked)"' <<<"$output"
	assert_output "marked true
marked true"
	[ "$(exports "$J10")" = 1 ]
}

@test "J1: status 6 (Exporteren mislukt) in Loket: an error issue naming run and status, not exported, exit 1" {
	curl -fsS -X PATCH -H "Authorization: Bearer $(jq -r .access_token "$D/token.json")" \
		-H 'Content-Type: application/json' --data '{"action":"MarkAsProcessingFailed","application":{"key":9},"message":"x"}' \
		"$LK_URL/v2/providers/employers/payrolladministrations/journalruns/$J10" >/dev/null
	run --separate-stderr je a
	assert_failure 1
	run jq -r 'select(.type=="issue") | .message' <<<"$output"
	assert_output --partial "journal run $J10"
	assert_output --partial "status 6 Exporteren mislukt"
	[ "$(lines_in "$J10" "$D/a.csv")" = 0 ]
	[ "$(lines_in "$JC" "$D/a.csv")" = 5 ]
	[ "$(st "$J10")" = 6 ] && [ "$(st "$JC")" = 7 ]
}

@test "J1: the unbalanced fixture: the entry off by a cent is refused (not written, not marked), the others exported and marked" {
	LOKET_FIX="$FIXTURES/loket/journal-unbalanced" LK_NAME=unbal loket_start
	loket_client
	loket_login '.journal.bookkeeping_administration="Acme Boekhouding"'
	fetch-journal -c "$CFG" --as-of 2026-11-15 >"$IN" || true
	run --separate-stderr je u
	assert_failure 1
	run jq -r 'select(.type=="journal.export") | "\(.journal_run_id) \(.outcome) \(.marked)"' <<<"$output"
	assert_line "${J}02026102 refused false"
	assert_line "${J}02026091 exported true"
	[ "$(st "${J}02026102")" = 4 ]
	[ "$(lines_in "${J}02026102" "$D/u.csv")" = 0 ]
}

@test "exactly once: a full disk (ENOSPC) on the file or on the ledger: exit 7, nothing marked; the next run exports once" {
	enospc_preload "$BUILD/bin/journal-export"
	run env LD_PRELOAD="$PRELOAD" ENOSPC_SHIM_PATTERN="*.jx-tmp" ENOSPC_SHIM_OPS=write bash -c "$(declare -f je); je a"
	assert_failure 7
	assert_file_not_exists "$D/a.xaf"
	! ls "$D"/*.jx-tmp 2>/dev/null
	[ "$(st "$J10")" = 4 ]
	# the intent lines (the link line is in the ledger already)
	for ops in write fsync; do
		run env LD_PRELOAD="$PRELOAD" ENOSPC_SHIM_PATTERN="*ledger.ndjson" ENOSPC_SHIM_OPS=$ops bash -c "$(declare -f je); je a"
		assert_failure 7
		assert_file_not_exists "$D/a.xaf"
		! ls "$D"/*.jx-tmp 2>/dev/null
		[ "$(st "$J10")" = 4 ]
	done
	# the written lines (after both intents): the files are in place, not marked; the next run marks them
	run env LD_PRELOAD="$PRELOAD" ENOSPC_SHIM_PATTERN="*ledger.ndjson" ENOSPC_SHIM_SKIP=2 ENOSPC_SHIM_OPS=write bash -c "$(declare -f je); je a"
	assert_failure 7
	assert_file_exists "$D/a.xaf"
	[ "$(st "$J10")" = 4 ]
	run --separate-stderr je a
	assert_success
	run jq -r 'select(.type=="journal.export") | .outcome' <<<"$output"
	assert_output "marked
marked"
	run once
	assert_success
}

@test "exactly once: every byte of the ledger flipped: refused (exit 7, FILE:LINE) or resumed, never a second PATCH nor a second file" {
	run --separate-stderr je a
	assert_success
	cp "$LEDGER" "$D/good"
	reset_log
	run python3 - "$D" "$CFG" "$IN" <<'PY'
import os, subprocess, sys
d, cfg, inp = sys.argv[1:4]
good = open(d + "/good", "rb").read()
led = d + "/acme.journal/ledger.ndjson"
bad = []
for i in range(len(good)):
    b = bytearray(good); b[i] ^= 0x20
    with open(led, "wb") as f: f.write(b)
    os.chmod(led, 0o600)
    out = d + "/f.csv"
    r = subprocess.run(["journal-export", "-c", cfg, "--mark-exported", "--as-of", "2026-11-15", "--format", "csv", "-o", out, inp],
                       capture_output=True, text=True)
    if r.returncode == 7:
        if "ledger" not in r.stderr or ":" not in r.stderr: bad.append((i, "no message", r.stderr))
    elif r.returncode != 0 or os.path.exists(out):
        bad.append((i, r.returncode, r.stderr))
    if os.path.exists(out): os.unlink(out)
print(len(good), "bytes", len(bad), "bad", bad[:3])
sys.exit(1 if bad else 0)
PY
	assert_success
	[ "$(patches)" = 0 ]
	run once
	assert_success
}

@test "ledger damage: a torn last line is cut off with a warning and resumed; a bad line in the middle names FILE:LINE, exit 7" {
	run env LOKETPIPE_TEST_KILL_AT=patch:2 bash -c "$(declare -f je); je a"
	printf '{"state":"mar' >>"$LEDGER"
	run --separate-stderr je a
	assert_success
	[[ "$stderr" == *"torn last line"* ]]
	run once
	assert_success
	sed -i '2s/"seq":11/"seq":19/' "$LEDGER"
	run --separate-stderr je a3
	assert_failure 7
	[[ "$stderr" == *"$LEDGER:2:"* ]]
	[[ "$stderr" == *"move it aside"* ]]
}

@test "ledger: a symlink, a ledger of mode 0644, another lock holder (exit 8)" {
	mkdir -m 700 "$D/acme.journal"
	echo -n >"$D/other" && chmod 600 "$D/other"
	ln -s "$D/other" "$LEDGER"
	run --separate-stderr je a
	assert_failure 7
	[[ "$stderr" == *"symbolic link"* ]]
	rm "$LEDGER"
	: >"$LEDGER" && chmod 644 "$LEDGER"
	run --separate-stderr je a
	assert_failure 7
	[[ "$stderr" == *"$LEDGER:1:"*"0600"* ]]
	chmod 600 "$LEDGER"
	flock "$LEDGER.lock" sleep 5 &
	local p=$!
	sleep 0.3
	run --separate-stderr je a
	kill $p || true
	assert_failure 8
	assert_file_not_exists "$D/a.xaf"
	[ "$(st "$J10")" = 4 ]
}

@test "ledger lost: a marked run is read back from Loket (7: not exported again, a warning); a run written but not marked is exported again (the one window)" {
	run --separate-stderr je a
	assert_success
	rm "$LEDGER"
	reset_log
	run --separate-stderr je b
	assert_success
	assert_file_not_exists "$D/b.csv"
	[[ "$stderr" == *"does not know it"* ]]
	[ "$(patches)" = 0 ]
	# killed after written, before any PATCH, ledger lost: exported again into new files (said in the man page)
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	rm -rf "$D/acme.journal" "$D"/*.csv "$D"/*.xaf
	run env LOKETPIPE_TEST_KILL_AT=written bash -c "$(declare -f je); je c"
	rm "$LEDGER"
	run --separate-stderr je d
	assert_success
	[ "$(lines_in "$J10" "$D/c.csv")" = 12 ] && [ "$(lines_in "$J10" "$D/d.csv")" = 12 ]
	[ "$(exports "$J10")" = 1 ]
}

@test "exactly once: a written run whose file is missing is NOT exported again (an issue says so, --rerun), still marked" {
	run env LOKETPIPE_TEST_KILL_AT=written bash -c "$(declare -f je); je a"
	rm "$D/a.csv"
	run --separate-stderr je b
	assert_success
	assert_file_not_exists "$D/b.csv"
	run jq -r 'select(.type=="issue") | .message' <<<"$output"
	assert_output --partial "a.csv was written earlier and is missing now: NOT exported again"
	[ "$(st "$J10")" = 7 ] && [ "$(exports "$J10")" = 1 ]
}

@test "exactly once: an existing output file is never replaced: exit 7, nothing written, nothing marked" {
	echo keep >"$D/a.csv"
	run --separate-stderr je a
	assert_failure 7
	[ "$(cat "$D/a.csv")" = keep ]
	assert_file_not_exists "$D/a.xaf"
	[ "$(st "$J10")" = 4 ] && [ "$(st "$JC")" = 4 ]
	run --separate-stderr je b
	assert_success
	run once
	assert_success
}

@test "exactly once: --rerun exports a marked run again on purpose (outcome rerun, no PATCH); without it the status-7 entry is refused" {
	run --separate-stderr je a
	assert_success
	fetch-journal -c "$CFG" --as-of 2026-11-15 --rerun "$J10" >"$D/re.ndjson"
	reset_log
	run --separate-stderr env JIN="$D/re.ndjson" bash -c "$(declare -f je); je r"
	assert_failure 1
	assert_file_not_exists "$D/r.csv"
	run jq -r 'select(.type=="issue") | .message' <<<"$output"
	assert_output --partial "not named by --rerun"
	run --separate-stderr env JIN="$D/re.ndjson" bash -c "$(declare -f je); je r --rerun $J10"
	assert_success
	run jq -r 'select(.type=="journal.export") | "\(.outcome) \(.marked)"' <<<"$output"
	assert_output "rerun true"
	[ "$(lines_in "$J10" "$D/r.csv")" = 12 ]
	[ "$(patches)" = 0 ]
	[ "$(exports "$J10")" = 1 ]
	run jq -r --arg r "$J10" 'select(.run==$r) | .state' "$LEDGER"
	assert_output "intent
written
marked
intent
written
marked"
}

@test "exactly once: a run the ledger marked that Loket shows ready (4) again: an error issue, nothing written or sent" {
	run --separate-stderr je a
	assert_success
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	reset_log
	run --separate-stderr je b
	assert_failure 1
	assert_file_not_exists "$D/b.csv"
	[ "$(patches)" = 0 ]
	run jq -r 'select(.type=="issue") | .message' <<<"$output"
	assert_output --partial "says it was exported and marked"
}

@test "J2: the link audit: new, changed, revoked (with --mark-exported: exit 4, nothing written); the same link twice is not an event" {
	run --separate-stderr journal-export -c "$CFG" --format csv -o "$D/x.csv" "$IN"
	assert_success
	run --separate-stderr journal-export -c "$CFG" --format csv -o "$D/x.csv" "$IN"
	jq '.journal.bookkeeping_administration="Acme Holding"' "$CFG" >"$D/c2.json"
	fetch-journal -c "$D/c2.json" --as-of 2026-11-15 >"$D/in2.ndjson"
	run --separate-stderr journal-export -c "$D/c2.json" --format csv -o "$D/y.csv" "$D/in2.ndjson"
	assert_success
	jq 'del(.journal.bookkeeping_administration)' "$CFG" >"$D/c3.json"
	run --separate-stderr journal-export -c "$D/c3.json" --mark-exported --format csv -o "$D/z.csv" "$D/in2.ndjson"
	assert_failure 4
	[[ "$stderr" == *"no bookkeeping administration linked (revoked?)"* ]]
	assert_file_not_exists "$D/z.csv"
	run jq -c 'select(.event=="journal.link") | [.from, .to]' "$D/audit.ndjson"
	assert_output '[null,"Acme Boekhouding"]
["Acme Boekhouding","Acme Holding"]
["Acme Holding",null]'
	run jq -c 'select(.state=="link") | [.from, .to]' "$LEDGER"
	assert_output '[null,"Acme Boekhouding"]
["Acme Boekhouding","Acme Holding"]
["Acme Holding",null]'
	[ "$(st "$J10")" = 4 ]
}

@test "usage and configuration: --mark-exported needs -c and -o for every format; --rerun needs --mark-exported and a uuid; application_key missing is exit 4" {
	run journal-export --mark-exported --format csv -o "$D/a.csv" "$IN"
	assert_failure 2
	run journal-export -c "$CFG" --mark-exported --format csv "$IN"
	assert_failure 2
	run journal-export -c "$CFG" --format csv -o "$D/a.csv" --rerun "$J10" "$IN"
	assert_failure 2
	run journal-export -c "$CFG" --mark-exported --format csv -o "$D/a.csv" --rerun nope "$IN"
	assert_failure 2
	run journal-export -o "$D/a.csv" --format csv "$IN"
	assert_failure 2
	run journal-export --format csv -o "$D/a.csv" --format xaf -o "$D/a.csv" "$IN"
	assert_failure 2
	run journal-export --ledger "$D/l" --format csv "$IN"
	assert_failure 2
	jq 'del(.journal.application_key)' "$CFG" >"$D/c.json"
	run --separate-stderr journal-export -c "$D/c.json" --mark-exported --format csv -o "$D/a.csv" "$IN"
	assert_failure 4
	[[ "$stderr" == *"journal.application_key"* ]]
	jq '.journal.application_key = 0' "$CFG" >"$D/c.json"
	run --separate-stderr journal-export -c "$D/c.json" --mark-exported --format csv -o "$D/a.csv" "$IN"
	assert_failure 4
	assert_file_not_exists "$D/a.csv"
	run journal-export --help
	assert_success
	assert_output --partial "--mark-exported"
}
