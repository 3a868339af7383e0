#!/usr/bin/env bats
# A1: the audit log's hash chain (lib/lp_audit), audit-verify and audit-log: every deleted,
# edited, reordered, duplicated or torn line is found and named; the log's file checks; two
# writers at once; every event kind of a monthly sync (plan-only, blocked, applied, resumed
# after a kill, a token rotation, a refused login, a busy run directory) in one log that verifies.

load helper

setup() {
	C="$BATS_TEST_TMPDIR/c.json"
	A="$BATS_TEST_TMPDIR/audit.ndjson"
	jq --arg a "$A" '.audit_log=$a' "$SAMPLES/acme.json" >"$C"
}

# log N: N events in $A, by audit-log
log() {
	for i in $(seq "$1"); do audit-log -c "$C" --actor tester test.event n:=$i what=x; done
}
# line K [FILE]: the K-th line of $A
line() { sed -n "$1p" "${2:-$A}"; }
# content LINE: what its hash is taken of (the line, its hash member replaced by "}")
content() { printf '%s' "${1%,\"hash\":*}}"; }

@test "A1: every line has seq 1..N, prev (SHA-256 of the line before, 64 zeros first) and hash (of the line without its hash member); os_user and actor apart" {
	log 3
	run jq -r '[.seq, .os_user, .actor, .event, .program] | @tsv' "$A"
	assert_output "$(printf '1\t%s\ttester\ttest.event\taudit-log\n2\t%s\ttester\ttest.event\taudit-log\n3\t%s\ttester\ttest.event\taudit-log' "$(id -un)" "$(id -un)" "$(id -un)")"
	assert_equal "$(line 1 | jq -r .prev)" 0000000000000000000000000000000000000000000000000000000000000000
	for k in 1 2 3; do
		l=$(line $k)
		# the hash member is the last one; the hash is of the bytes without it
		assert_equal "$(jq -r .hash <<<"$l")" "$(content "$l" | sha256sum | cut -c1-64)"
		[[ "$l" == *',"hash":"'"$(jq -r .hash <<<"$l")"'"}' ]]
	done
	assert_equal "$(line 2 | jq -r .prev)" "$(line 1 | tr -d '\n' | sha256sum | cut -c1-64)"
	assert_equal "$(line 3 | jq -r .prev)" "$(line 2 | tr -d '\n' | sha256sum | cut -c1-64)"
	run audit-verify "$A"
	assert_success
	assert_output "$A: intact: 3 events, last seq 3 hash $(line 3 | tr -d '\n' | sha256sum | cut -c1-64)"
	# no --actor: actor is null, os_user still there
	audit-log -c "$C" test.other
	assert_equal "$(line 4 | jq -c '[.actor, .os_user]')" "[null,\"$(id -un)\"]"
	# a field named like a chain member is kept apart
	audit-log -c "$C" test.other seq:=99 hash=x
	assert_equal "$(line 5 | jq -c '[.seq, .caller_seq, .caller_hash]')" '[5,99,"x"]'
	audit-verify -q "$A"
}

@test "A1: a deleted line is named (FILE:LINE: deleted line), the first lines too" {
	log 4
	sed -i 3d "$A"
	run audit-verify "$A"
	assert_failure 1
	assert_output "audit-verify: $A:3: deleted line: seq 4 follows seq 2 (line 2): 1 line(s) missing"
	rm "$A"
	log 3
	sed -i 1d "$A"
	run audit-verify "$A"
	assert_failure 1
	assert_output "audit-verify: $A:1: deleted line: the log starts at seq 2: 1 line(s) before it (seq 1-1) are missing"
}

@test "A1: an edited line is named, also when its own hash was recomputed (then the next line's prev gives it away)" {
	log 3
	cp "$A" "$A.orig"
	sed -i '2s/"what":"x"/"what":"y"/' "$A"
	run audit-verify "$A"
	assert_failure 1
	assert_output "audit-verify: $A:2: edited line: its content does not match its hash (seq 2)"
	# edited with a new, right hash of its own
	l=$(line 2 "$A.orig")
	m=$(content "$l" | sed 's/"what":"x"/"what":"y"/')
	{ line 1 "$A.orig"; printf '%s,"hash":"%s"}\n' "${m%\}}" "$(printf '%s' "$m" | sha256sum | cut -c1-64)"; line 3 "$A.orig"; } >"$A"
	run audit-verify "$A"
	assert_failure 1
	assert_output "audit-verify: $A:2: edited line: its bytes do not match the prev of line 3 (seq 3)"
	# the hash member taken away: not a chain line any more
	{ line 1 "$A.orig"; content "$(line 2 "$A.orig")"; echo; line 3 "$A.orig"; } >"$A"
	run audit-verify "$A"
	assert_failure 1
	assert_output --partial "$A:2: edited line:"
}

@test "A1: reordered and duplicated lines are named" {
	log 4
	cp "$A" "$A.orig"
	{ line 1 "$A.orig"; line 3 "$A.orig"; line 2 "$A.orig"; line 4 "$A.orig"; } >"$A"
	run audit-verify "$A"
	assert_failure 1
	assert_output "audit-verify: $A:2: reordered: seq 3 comes before seq 2 (line 3)"
	{ line 1 "$A.orig"; line 2 "$A.orig"; line 2 "$A.orig"; line 3 "$A.orig"; } >"$A"
	run audit-verify "$A"
	assert_failure 1
	assert_output "audit-verify: $A:3: duplicated line: a copy of line 2 (seq 2)"
	{ cat "$A.orig"; line 1 "$A.orig"; } >"$A"
	run audit-verify "$A"
	assert_failure 1
	assert_output "audit-verify: $A:5: duplicated line: a copy of line 1 (seq 1)"
}

@test "A1: a torn last line is named; the next writer ends it and records log.recovered (offset, bytes, SHA-256); the log then verifies" {
	log 2
	size=$(stat -c %s "$A")
	printf '{"seq":3,"prev":"ab' >>"$A"
	run audit-verify "$A"
	assert_failure 1
	assert_output "audit-verify: $A:3: torn: the last line (19 bytes at offset $size) has no newline: a write was cut short (a kill, a full disk); the next event appended records it (log.recovered)"
	log 1
	run jq -R -c 'fromjson? | select(.event=="log.recovered") | [.seq, .torn_offset, .torn_bytes, .torn_sha256]' "$A"
	assert_output "[3,$size,19,\"$(printf '{"seq":3,"prev":"ab' | sha256sum | cut -c1-64)\"]"
	assert_equal "$(tail -n 1 "$A" | jq .seq)" 4
	run --separate-stderr audit-verify "$A"
	assert_success
	[[ "$output" == "$A: intact: 4 events, last seq 4 hash "* ]]
	[[ "$stderr" == *"$A:3: note: a torn line (19 bytes at offset $size: a write cut short) was recovered by line 4"* ]]
	# a torn line whose newline alone was lost is a whole line: the chain goes on from it
	audit-log -c "$C" --audit "$BATS_TEST_TMPDIR/b.ndjson" one
	audit-log -c "$C" --audit "$BATS_TEST_TMPDIR/b.ndjson" two
	head -c -1 "$BATS_TEST_TMPDIR/b.ndjson" >"$BATS_TEST_TMPDIR/b.tmp" && cat "$BATS_TEST_TMPDIR/b.tmp" >"$BATS_TEST_TMPDIR/b.ndjson"
	audit-log -c "$C" --audit "$BATS_TEST_TMPDIR/b.ndjson" three
	run jq -r .event "$BATS_TEST_TMPDIR/b.ndjson"
	assert_output "$(printf 'one\ntwo\nthree')"
	audit-verify -q "$BATS_TEST_TMPDIR/b.ndjson"
	# a log.recovered that names no torn line before it is an edit
	{ line 1; line 2; line 4; } >"$BATS_TEST_TMPDIR/c.ndjson"
	run audit-verify "$BATS_TEST_TMPDIR/c.ndjson"
	assert_failure 1
	assert_output --partial ":3: edited line: log.recovered names a torn line"
}

@test "A1: a line that is not JSON is named; a file that is no audit log is exit 3; one that cannot be read exit 7" {
	log 3
	sed -i '2s/.*/garbage/' "$A"
	run audit-verify "$A"
	assert_failure 1
	assert_output "audit-verify: $A:2: not JSON: the line is not a JSON object"
	# the writer refuses to append after it (when it is the last line): exit 4, the log unchanged
	echo 'garbage' >>"$A"
	cp "$A" "$A.before"
	run audit-log -c "$C" x
	assert_failure 4
	assert_output --partial "audit log $A: its last whole line"
	cmp "$A" "$A.before"
	run audit-verify <<<'{"type":"person"}'
	assert_failure 3
	assert_output "audit-verify: standard input:1: not an audit log: a JSON value that is not an audit event"
	run audit-verify "$BATS_TEST_TMPDIR/none.ndjson"
	assert_failure 7
	assert_output --partial "none.ndjson: cannot read"
	# several files: the worst
	audit-log -c "$C" --audit "$BATS_TEST_TMPDIR/ok.ndjson" x
	run audit-verify -q "$BATS_TEST_TMPDIR/ok.ndjson" "$A"
	assert_failure 1
	run audit-verify -q -c "$C"
	assert_failure 1
}

@test "A1: an old log without the chain (its last line an op with a seq of its own, as push-loket wrote them): audit-verify says so (exit 3); the next event seals it (log.chained); an edit of an old line is found then" {
	printf '%s\n' '{"time":"2026-10-01T10:00:00Z","event":"run_start","actor":"jan","client":"acme","program":"push-loket"}' \
		'{"time":"2026-10-01T10:00:01Z","event":"op","actor":"jan","client":"acme","program":"push-loket","seq":3}' >"$A"
	chmod 600 "$A"
	run audit-verify "$A"
	assert_failure 3
	assert_output --partial "no hash chain: its 2 line(s) predate the chain"
	log 1
	run jq -c '[.seq, .event, .legacy_lines, .legacy_bytes, .prev]' <<<"$(line 3)"
	assert_output "[1,\"log.chained\",2,$(head -n 2 "$A" | wc -c),\"$(head -n 2 "$A" | sha256sum | cut -c1-64)\"]"
	assert_equal "$(line 4 | jq .seq)" 2
	run --separate-stderr audit-verify "$A"
	assert_success
	[[ "$stderr" == *"lines 1-2 predate the hash chain; they are sealed as a whole by line 3"* ]]
	sed -i '1s/jan/piet/' "$A"
	run audit-verify "$A"
	assert_failure 1
	assert_output "audit-verify: $A:3: edited line: line(s) 1-2 (older than the chain) do not match this line's prev: one of them was edited, deleted or added"
	# an old log whose last line is torn: the seal covers it (ended with a newline)
	B="$BATS_TEST_TMPDIR/old2.ndjson"
	printf '%s\n%s' '{"time":"2026-10-01T10:00:00Z","event":"run_start"}' '{"time":"2026-10-01T1' >"$B"
	chmod 600 "$B"
	audit-log -c "$C" --audit "$B" x
	assert_equal "$(sed -n 3p "$B" | jq -c '[.seq, .event, .legacy_lines, .prev]')" "[1,\"log.chained\",2,\"$(head -n 2 "$B" | sha256sum | cut -c1-64)\"]"
	audit-verify -q "$B"
	# a first line that is torn (the very first write cut short): recovered at seq 1
	printf '{"seq":1,"pr' >"$B"
	audit-log -c "$C" --audit "$B" x
	assert_equal "$(sed -n 2p "$B" | jq -c '[.seq, .event, .torn_offset, .torn_bytes, .prev]')" '[1,"log.recovered",0,12,"0000000000000000000000000000000000000000000000000000000000000000"]'
	audit-verify -q "$B"
}

@test "A1: the log is created 0600; a symbolic link, a 0644 log, another user's, a directory or a FIFO is refused (exit 4, naming it) without writing" {
	(umask 022 && audit-log -c "$C" x)
	assert_equal "$(stat -c %a "$A")" 600
	# a symbolic link (to a private file of ours): refused, the target untouched
	touch "$BATS_TEST_TMPDIR/target" && chmod 600 "$BATS_TEST_TMPDIR/target"
	ln -s "$BATS_TEST_TMPDIR/target" "$BATS_TEST_TMPDIR/link.ndjson"
	run audit-log -c "$C" --audit "$BATS_TEST_TMPDIR/link.ndjson" x
	assert_failure 4
	assert_output --partial "audit log: $BATS_TEST_TMPDIR/link.ndjson: a symbolic link"
	assert_equal "$(stat -c %s "$BATS_TEST_TMPDIR/target")" 0
	# 0644: refused and left as it is (not silently kept, not silently changed)
	chmod 644 "$A"
	cp "$A" "$A.before"
	run audit-log -c "$C" x
	assert_failure 4
	assert_output --partial "audit log: $A: permissions 0644 are too open"
	assert_equal "$(stat -c %a "$A")" 644
	cmp "$A" "$A.before"
	# the programs refuse it the same way (loket-auth opens it before Loket is asked)
	jq --arg t "$BATS_TEST_TMPDIR/token.json" '.loket.token_file=$t' "$C" >"$BATS_TEST_TMPDIR/c2.json"
	run env LOKET_CLIENT_ID=x LOKET_CLIENT_SECRET=y loket-auth -c "$BATS_TEST_TMPDIR/c2.json" --check
	assert_failure 4
	assert_output --partial "audit log: $A: permissions 0644 are too open"
	chmod 600 "$A"
	# a directory, a FIFO (refused at once, never waited on)
	mkdir "$BATS_TEST_TMPDIR/dir.ndjson"
	run audit-log -c "$C" --audit "$BATS_TEST_TMPDIR/dir.ndjson" x
	assert_failure 4
	assert_output --partial "dir.ndjson: cannot open: Is a directory"
	mkfifo -m 600 "$BATS_TEST_TMPDIR/fifo.ndjson"
	run timeout 10 audit-log -c "$C" --audit "$BATS_TEST_TMPDIR/fifo.ndjson" x
	assert_failure 4
	assert_output --partial "fifo.ndjson: a FIFO (named pipe), not a regular file"
}

@test "A1: another user's log is refused (exit 4) (as root: chown nobody)" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to give a file to another user"
	log 1
	chown nobody "$A"
	cp "$A" "$A.before"
	run audit-log -c "$C" x
	assert_failure 4
	assert_output --partial "audit log: $A: owned by another user (uid $(id -u nobody)); it must be yours"
	cmp "$A" "$A.before"
}

@test "A1: two writers at once (200 events each) keep one chain: seq 1..400, the log verifies" {
	w() { for i in $(seq 200); do audit-log -c "$C" --actor "$1" test.event n:=$i || return 1; done; }
	w one &
	p1=$!
	w two &
	p2=$!
	wait $p1
	wait $p2
	assert_equal "$(wc -l <"$A")" 400
	assert_equal "$(jq -s -c '[.[].seq] == [range(1; 401)]' "$A")" true
	assert_equal "$(jq -r 'select(.actor=="one") | .n' "$A" | paste -sd,)" "$(seq 200 | paste -sd,)"
	assert_equal "$(jq -r 'select(.actor=="two") | .n' "$A" | paste -sd,)" "$(seq 200 | paste -sd,)"
	run audit-verify "$A"
	assert_success
}

@test "audit-log: usage errors (exit 2), a KEY:=JSON that is not JSON (exit 3), no audit log configured (exit 0, nothing written); --help, --version" {
	run audit-log -c "$C"
	assert_failure 2
	run audit-log -c "$C" 'Bad Event'
	assert_failure 2
	run audit-log -c "$C" ok 'no-equals'
	assert_failure 2
	run audit-log ok
	assert_failure 2
	run audit-log -c "$C" ok n:=nope
	assert_failure 3
	assert_file_not_exists "$A"
	jq 'del(.audit_log)' "$C" >"$BATS_TEST_TMPDIR/none.json"
	run audit-log -c "$BATS_TEST_TMPDIR/none.json" ok
	assert_success
	assert_file_not_exists "$A"
	echo '{"type":"run.status","outcome":"done"}' >"$BATS_TEST_TMPDIR/s.json"
	audit-log -c "$C" --fields "$BATS_TEST_TMPDIR/s.json" sync.run extra=1
	assert_equal "$(jq -c '[.event, .type, .outcome, .extra]' "$A")" '["sync.run","run.status","done","1"]'
	for p in audit-log audit-verify; do
		run "$p" --help
		assert_success
		assert_output --partial "Exit status:"
		run "$p" --version
		assert_output "$p (loketpipe) 0.1.0"
		run "$p" --nope
		assert_failure 2
	done
	run audit-verify -c "$BATS_TEST_TMPDIR/none.json"
	assert_failure 4
}

# ---- a monthly sync against both emulators: every event kind in one log, and it verifies

sync_setup() {
	rm -f "$C" # monthly-sync checks C1 over every configuration beside $CFG
	monthly_sync_emus "$BATS_TEST_TMPDIR/fixed"
	monthly_sync_env
}
teardown() {
	emu_stop
	loket_stop
}

@test "A1 in a monthly sync: plan-only, blocked, busy, refused login, token rotation, applied, killed and resumed (ops found applied logged); every kind in the log, which verifies" {
	sync_setup
	A="$BATS_TEST_TMPDIR/audit.ndjson"
	# plan-only, after the saved access token ran out: fetch-loket rotates the refresh token
	token_expire "$BATS_TEST_TMPDIR/token.json"
	run --separate-stderr sh "$SYNC" -c "$CFG" --as-of "$AS_OF" --out "$O" --plan-only --actor tester
	assert_success
	# busy: another run holds the run directory
	run flock "$O/.lock" sh "$SYNC" -c "$CFG" --as-of "$AS_OF" --out "$O" --plan-only --actor tester
	assert_failure 8
	# blocked: acme as shipped (E4), its configuration in a directory of its own (C1), same log
	emu_launch personio-emu shipped "$SAMPLES/personio"
	pid=$LAUNCHED_PID
	mkdir "$BATS_TEST_TMPDIR/shipped"
	jq --arg p "$LAUNCHED_URL" '.personio.base_url=$p' "$CFG" >"$BATS_TEST_TMPDIR/shipped/acme.json"
	run --separate-stderr sh "$SYNC" -c "$BATS_TEST_TMPDIR/shipped/acme.json" --as-of "$AS_OF" --out "$BATS_TEST_TMPDIR/blocked" --actor tester
	emu_kill $pid
	assert_failure 1
	# a refused login: the refresh token is wrong (loket-auth --check, the way bureau-sync checks)
	cp "$BATS_TEST_TMPDIR/token.json" "$BATS_TEST_TMPDIR/token.good"
	(umask 077 && jq -c '.refresh_token="not-the-token" | .expires_at=0' "$BATS_TEST_TMPDIR/token.good" >"$BATS_TEST_TMPDIR/token.json")
	run loket-auth -c "$CFG" --check --actor tester
	assert_failure 6
	cp "$BATS_TEST_TMPDIR/token.good" "$BATS_TEST_TMPDIR/token.json"
	# the push, killed after a few ops, then resumed with monthly-sync --apply
	PLAN="$O/plan.ndjson"
	J=$(sh "$SYNC" --journal-of "$PLAN")
	curl -fsS -X POST --data '{"latency_ms":15}' "$LK_URL/__emu/faults" >/dev/null
	killed=0
	for try in 1 2 3 4 5; do
		push-loket -c "$CFG" --journal "$J" --concurrency 1 --actor tester "$PLAN" >/dev/null 2>&1 &
		p=$!
		while kill -0 $p 2>/dev/null; do
			n=$(grep -c '"state":"done"' "$J" 2>/dev/null || true)
			[ "${n:-0}" -lt 4 ] || break
			sleep 0.002
		done
		kill -9 $p 2>/dev/null && killed=1
		wait $p 2>/dev/null || true
		[ $killed -eq 0 ] || break
	done
	[ $killed -eq 1 ]
	curl -fsS -X POST --data '{}' "$LK_URL/__emu/faults" >/dev/null
	run --separate-stderr sh "$SYNC" -c "$CFG" --as-of "$AS_OF" --out "$O" --apply "$PLAN" --actor tester
	assert_success
	# every kind
	run jq -r '.event' "$A"
	for e in credentials token.rotated login.failed sync.start sync.run loket.read run_start op run_end; do
		assert_line "$e"
	done
	run jq -r 'select(.event=="sync.run") | .outcome' "$A"
	assert_output "$(printf 'planned\nbusy\nblocked\ndone')"
	run jq -r 'select(.event=="sync.run") | [.actor, .os_user, .mode, .exit] | @tsv' "$A"
	assert_line "$(printf 'tester\t%s\tplan\t0' "$(id -un)")"
	assert_line "$(printf 'tester\t%s\tsync\t1' "$(id -un)")"
	assert_line "$(printf 'tester\t%s\tapply\t0' "$(id -un)")"
	# fetch-loket's reads (the plan's, the read back after the push), whole
	run jq -c 'select(.event=="loket.read") | [.program, .complete, .as_of, (.counts.employees > 0)]' "$A"
	assert_line '["fetch-loket",true,"'"$AS_OF"'",true]'
	# the login's refresh token (loket-auth), the rotation by fetch-loket, the refusal by loket-auth
	run jq -r 'select(.event=="token.rotated") | [.program, .grant] | @tsv' "$A"
	assert_line --index 0 "$(printf 'loket-auth\tauthorization_code')"
	assert_line --index 1 "$(printf 'fetch-loket\trefresh_token')"
	run jq -c 'select(.event=="login.failed") | [.program, .actor, .system, .grant, .http_status, .error]' "$A"
	assert_output '["loket-auth","tester","loket","refresh_token",400,"invalid_grant"]'
	# every op of the plan has its outcome in the log; those the killed run had done are there
	# as found applied (from its journal)
	assert_equal "$(jq -r 'select(.event=="op") | .op_id' "$A" | sort -u)" "$(jq -r 'select(.type=="loket.op") | .op_id' "$PLAN" | sort -u)"
	[ "$(jq -c 'select(.event=="op" and .outcome=="already_applied" and .found_in=="journal")' "$A" | wc -l)" -ge 4 ]
	# no secret, no BSN, no IBAN
	n=0
	for v in $(jq -r '.refresh_token, .access_token' "$BATS_TEST_TMPDIR/token.json") "$LOKET_CLIENT_SECRET" not-the-token \
		$(jq -r 'select(.type=="loket.op") | .body | .. | (.citizenServiceNumber?, .iban?) // empty' "$PLAN"); do
		run grep -cF "$v" "$A"
		assert_output 0
		n=$((n + 1))
	done
	[ "$n" -gt 5 ]
	run audit-verify "$A"
	assert_success
}
