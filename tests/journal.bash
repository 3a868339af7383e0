# tests/journal.bash - the shared setup of journal-mark.bats and review-journal.bats: the Loket
# emulator on acme, a configuration with the J2 link, fetch-journal's records of the two ready runs
# in $IN, and the checks of exactly once (st, exports, patches, lines_in, once).

setup_file() {
	load helper
	loket_start
	MAIN_URL=$LK_URL MAIN_PID=$LK_PID
	export MAIN_URL MAIN_PID
}
teardown_file() { emu_kill "$MAIN_PID"; }

J=f1f2f3f4-a5a6-4b7b-9c8c-0000
J10=${J}02026102 # period 10, second try: status 4, sequence number 11, 12 lines
JC=${J}20260311  # the correction run of period 3: status 4, sequence number 12, 5 lines

setup() {
	LK_URL=$MAIN_URL LK_PID=$MAIN_PID
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	loket_client
	loket_login '.journal.bookkeeping_administration="Acme Boekhouding"'
	D=$BATS_TEST_TMPDIR
	IN=$D/in.ndjson
	LEDGER=$D/acme.journal/ledger.ndjson
	fetch-journal -c "$CFG" --as-of 2026-11-15 >"$IN"
	export LOKETPIPE_LOCK_WAIT_MS=2000 D IN CFG LEDGER
}
teardown() { [ "${LK_PID:-}" = "$MAIN_PID" ] || emu_kill "$LK_PID"; }

# je NAME [ARGS...]: export $IN (or $JIN) into $D/NAME.xaf and $D/NAME.csv and mark
je() {
	local n=$1
	shift
	journal-export -c "$CFG" --mark-exported --as-of 2026-11-15 --format xaf -o "$D/$n.xaf" --format csv -o "$D/$n.csv" \
		"$@" "${JIN:-$IN}"
}
# st RUN: the run's status in the emulator; exports RUN: how many PATCHes moved it
st() { curl -fsS "$LK_URL/__emu/state" | jq -r --arg r "$1" '.journalRuns[] | select(.id==$r) | .journalRunStatus.key'; }
exports() { curl -fsS "$LK_URL/__emu/state" | jq -r --arg r "$1" '[.journalRuns[] | select(.id==$r) | .emuExports // [] | .[]] | length'; }
patches() { curl -fsS "$LK_URL/__emu/stats" | jq -r '.by_method.PATCH // 0'; }
reset_log() { curl -fsS -X POST "$LK_URL/__emu/reset-log" >/dev/null; }
faults() { curl -fsS -X POST --data "$1" "$LK_URL/__emu/faults" >/dev/null; }
# lines_in RUN FILE: how many of RUN's lines FILE (CSV) holds
lines_in() { grep -c ";$1"$'\r'"\$" "$2" || true; }
# once: both runs marked by exactly one PATCH each, each run's lines in exactly one CSV of $D
once() {
	[ "$(st "$J10")" = 7 ] && [ "$(st "$JC")" = 7 ] || { echo "not marked: $(st "$J10") $(st "$JC")"; return 1; }
	[ "$(exports "$J10")" = 1 ] && [ "$(exports "$JC")" = 1 ] || { echo "PATCHes: $(exports "$J10") $(exports "$JC")"; return 1; }
	local r f n c
	for r in "$J10:12" "$JC:5"; do
		n=0
		for f in "$D"/*.csv; do
			[ -e "$f" ] || continue
			c=$(lines_in "${r%%:*}" "$f")
			[ "$c" = 0 ] || { [ "$c" = "${r##*:}" ] || { echo "$f: $c lines of ${r%%:*}"; return 1; }; n=$((n + 1)); }
		done
		[ "$n" = 1 ] || { echo "${r%%:*} in $n files"; return 1; }
	done
	! ls "$D"/*.jx-tmp 2>/dev/null || { echo "temporary files left"; return 1; }
}
