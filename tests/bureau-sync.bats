#!/usr/bin/env bats
# pipelines/bureau-sync: a bureau's clients in one batch on GNU parallel against both emulators.
# Four clients (tests/fixtures/make-bureau), each its own Loket employer and payroll
# administration in one Loket state (acme's state four times, every id made the client's own),
# and each its own Personio tenant: 1-3 are acme with the seeds' fix, 4 is acme as shipped
# (validate blocks it, E4).

load helper

setup_file() {
	load helper
	"$FIXTURES/make-bureau" fixtures "$BATS_FILE_TMPDIR" 4 4
	emu_start "$BATS_FILE_TMPDIR/personio"
	LOKET_FIX="$BATS_FILE_TMPDIR/loket" loket_start
	# the ssh stand-in: ssh [OPTIONS] HOST [--] COMMAND... runs COMMAND here as sshd would: the
	# words joined, given to the user's login shell with SHELL set to it (parallel's remote
	# wrapper runs the job with $SHELL; CI runs without SHELL), and notes HOST
	cat >"$BATS_FILE_TMPDIR/ssh" <<'EOF'
#!/bin/sh
while [ $# -gt 0 ]; do
	case $1 in
	-l | -p | -o | -i | -S) shift 2 ;;
	--) shift; break ;;
	-*) shift ;;
	*) break ;;
	esac
done
host=$1
shift
[ "${1:-}" != -- ] || shift
echo "$host" >>"$SSH_STANDIN_LOG"
SHELL=$(getent passwd "$(id -u)" | cut -d: -f7)
export SHELL="${SHELL:-/bin/sh}"
exec "$SHELL" -c "$*"
EOF
	chmod +x "$BATS_FILE_TMPDIR/ssh"
}
teardown_file() {
	emu_stop
	loket_stop
}

setup() {
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	emu_reset
	unset PERSONIO_CLIENT_ID PERSONIO_CLIENT_SECRET LOKET_CLIENT_ID LOKET_CLIENT_SECRET
	export LOKETPIPE_BIN="$BUILD/bin"
	BATCH="$ROOT/pipelines/bureau-sync"
	D="$BATS_TEST_TMPDIR/clients"
	O="$BATS_TEST_TMPDIR/out"
	S="$O/batch.$AS_OF"
}

# client K [JQ]: client K's configuration $D/clientK.json (its credentials in 0600 files next to
# it, its own token file), JQ applied to it, logged in to Loket once
client() {
	"$FIXTURES/make-bureau" config "$BATS_FILE_TMPDIR" "$1" "$EMU_URL" "$LK_URL" "$D"
	if [ -n "${2:-}" ]; then jq "$2" "$D/client$1.json" >"$D/x" && mv "$D/x" "$D/client$1.json"; fi
	curl -fsS -X POST "$LK_URL/__emu/authcode" | jq -r .code | loket-auth -c "$D/client$1.json" 2>/dev/null
}
lk_stats() { curl -fsS "$LK_URL/__emu/stats"; }
# requests so far: Personio, Loket (the token endpoint left out)
requests() { echo "$(emu_stats | jq .requests) $(lk_stats | jq '.requests - (.by_path["/token"] // 0)')"; }
loket_writes() { lk_stats | jq '.requests - (.by_method.GET // 0) - (.by_path["/token"] // 0)'; }
tokens() { lk_stats | jq '.by_path["/token"] // 0'; }
# slice K: the digest of every record of client K's employer in Loket's state (ids hold c00K)
slice() { curl -fsS "$LK_URL/__emu/state" | jq -S -c --arg k "-c00$1-" '[.[] | arrays | .[] | select(tostring | contains($k))]' | sha256sum; }
# requests Loket answered on paths of client K's employer, payroll administration or employments
reads_of() { lk_stats | jq --arg k "-c00$1-" '[.by_path | to_entries[] | select(.key | contains($k)) | .value] | add // 0'; }

@test "a batch of three clients, each its own Loket employer: all done (exit 0), a run status per client; the same joblog again repeats nothing" {
	client 1 && client 2 && client 3
	run --separate-stderr sh "$BATCH" -d "$D" --as-of "$AS_OF" --out "$O" -j 2
	assert_success
	[[ "$stderr" == *"3 clients: 3 done"* ]]
	[[ "$stderr" == *"client2: done exit 0"* ]] # a plain line per client when not a terminal
	run jq -c -s 'map([.type, .client, .outcome, .exit, .counts.applied, .ops])' "$S/status.ndjson"
	assert_output '[["run.status","client1","done",0,25,25],["run.status","client2","done",0,25,25],["run.status","client3","done",0,25,25]]'
	for k in 1 2 3; do
		assert_file_exists "$O/client$k/$AS_OF/report.html"
		assert_equal "$(jq -r .report_href "$S/status.ndjson" | sed -n ${k}p)" "../client$k/$AS_OF/report.html"
		jq -e --arg k "$k" '.client == "client\($k)" and .type == "run.status"' "$O/client$k/$AS_OF/status.json"
	done
	assert_equal "$(tail -n +2 "$S/joblog" | wc -l)" 3
	w=$(loket_writes) # write requests: fewer than the 75 ops (payroll period data goes collectively)
	[ "$w" -gt 0 ]
	before=$(requests)
	# the same batch again: parallel --resume-failed skips the three, nothing is read or written
	run --separate-stderr sh "$BATCH" -d "$D" --as-of "$AS_OF" --out "$O" -j 2
	assert_success
	assert_equal "$(tail -n +2 "$S/joblog" | wc -l)" 3
	assert_equal "$(requests)" "$before"
	assert_equal "$(loket_writes)" "$w"
	[[ "$stderr" == *"3 clients: 3 done"* ]]
}

@test "C1: two configurations linking one Loket administration stop the preflight, naming both files; nothing is read or written for any client (exit 4)" {
	client 1 && client 2 && client 3
	jq --arg a "$(jq -r .loket.payroll_administration_id "$D/client1.json")" '.loket.payroll_administration_id = $a' "$D/client2.json" >"$D/x" && mv "$D/x" "$D/client2.json"
	before=$(requests) t=$(tokens)
	run --separate-stderr sh "$BATCH" -d "$D" --as-of "$AS_OF" --out "$O"
	assert_failure 4
	[[ "$stderr" == *"preflight: C1/C2"*"$D/client1.json (C1 loket.payroll_administration_id)"*"$D/client2.json (C1 loket.payroll_administration_id)"* ]]
	[[ "$stderr" == *"nothing was read from Personio or Loket for any client"* ]]
	assert_equal "$(requests)" "$before"
	assert_equal "$(tokens)" "$t" # not even the login check
	assert_not_exists "$O" # not even the batch's own directory
}

@test "C2: two administrations with one tax id stop the preflight, naming both files; nothing is read (exit 4)" {
	client 1 && client 2
	jq '.loket.tax_id = "123456781L01"' "$D/client2.json" >"$D/x" && mv "$D/x" "$D/client2.json"
	before=$(requests)
	run --separate-stderr sh "$BATCH" -d "$D" --as-of "$AS_OF" --out "$O"
	assert_failure 4
	[[ "$stderr" == *"$D/client1.json (C2 loket.tax_id)"*"$D/client2.json (C2 loket.tax_id)"* ]]
	assert_equal "$(requests)" "$before"
	assert_not_exists "$O/client1"
}

@test "preflight: a client configured twice, a token file of mode 0644, a missing token file, missing Personio credentials, a *.json that does not parse, is empty or holds two values: each named, exit 4, nothing read" {
	client 1 && client 2 && client 3 && client 4
	jq '.personio.legal_entity_id = "171" | .loket.tax_id = "999999999L01" | .loket.payroll_administration_id = "x"' "$D/client1.json" >"$D/again.json"
	chmod 644 "$D/token-2.json"
	rm "$D/token-3.json"
	jq 'del(.personio.credentials_file)' "$D/client4.json" >"$D/x" && mv "$D/x" "$D/client4.json"
	echo '{"client": "broken",' >"$D/broken.json"
	: >"$D/empty.json"
	echo '{"client": "x"} {"client": "y"}' >"$D/two.json"
	echo '{"token": "not a configuration"}' >"$D/other.json" # left alone
	before=$(requests)
	run --separate-stderr sh "$BATCH" -d "$D" --as-of "$AS_OF" --out "$O"
	assert_failure 4
	[[ "$stderr" == *"client client1 is configured twice: $D/again.json and $D/client1.json"* ]]
	[[ "$stderr" == *"$D/client2.json: loket.token_file $D/token-2.json has mode 644; it must be 0600"* ]]
	[[ "$stderr" == *"$D/client3.json: loket.token_file $D/token-3.json does not exist: log in once with loket-auth -c $D/client3.json"* ]]
	[[ "$stderr" == *"$D/client4.json: no Personio credentials"* ]]
	[[ "$stderr" == *"$D/broken.json: cannot tell whether it is a client configuration: jq cannot read it as JSON"* ]]
	[[ "$stderr" == *"$D/empty.json: cannot tell whether it is a client configuration: it holds no JSON value (empty)"* ]]
	[[ "$stderr" == *"$D/two.json: cannot tell whether it is a client configuration: it holds 2 JSON values, not one"* ]]
	[[ "$stderr" != *"other.json"* ]]
	rm "$D/broken.json" # without it, every file is read in one jq call: the same findings
	run --separate-stderr sh "$BATCH" -d "$D" --as-of "$AS_OF" --out "$O"
	assert_failure 4
	[[ "$stderr" == *"client client1 is configured twice: $D/again.json and $D/client1.json"* ]]
	[[ "$stderr" == *"$D/two.json: cannot tell whether it is a client configuration: it holds 2 JSON values, not one"* ]]
	[[ "$stderr" == *"$D/client3.json: loket.token_file $D/token-3.json does not exist"* ]]
	assert_equal "$(requests)" "$before"
}

@test "preflight: a Loket login that no longer works stops the batch (exit 6), naming the token file and its clients; the check runs once per token file" {
	client 1 && client 2
	# client 3 shares client 1's Loket user: one token file for both
	client 3 '.loket.token_file = "token-1.json"'
	run --separate-stderr sh "$BATCH" -d "$D" --as-of "$AS_OF" --out "$O" --plan-only -j 1
	assert_success
	# the check (a refresh, in the audit log of the configuration it ran with) once per token file
	run sh -c "cat '$D'/audit-*.ndjson | grep -c 'rotated (check)'"
	assert_output 2
	run jq -r -s 'map(.outcome) | unique[]' "$S/status.ndjson"
	assert_output planned
	curl -fsS -X POST "$LK_URL/__emu/revoke-tokens" >/dev/null
	p=$(emu_stats | jq .requests)
	run --separate-stderr sh "$BATCH" -d "$D" --as-of "$AS_OF" --out "$BATS_TEST_TMPDIR/again"
	assert_failure 6
	[[ "$stderr" == *"the Loket login in $D/token-1.json (clients client1, client3) does not work"* ]]
	[[ "$stderr" == *"the Loket login in $D/token-2.json (clients client2) does not work"* ]]
	assert_equal "$(emu_stats | jq .requests)" "$p"
	assert_not_exists "$BATS_TEST_TMPDIR/again/client1"
}

@test "one failing client (Personio refuses its credentials) does not stop the others: they are done; its run status says so (exit 5)" {
	client 1 && client 2 && client 3
	jq '.client_secret = "wrong"' "$D/personio-2.json" >"$D/x" && mv "$D/x" "$D/personio-2.json" && chmod 600 "$D/personio-2.json"
	s2=$(slice 2)
	run --separate-stderr sh "$BATCH" -d "$D" --as-of "$AS_OF" --out "$O" -j 1
	assert_failure 5
	run jq -c -s 'map([.client, .outcome, .counts.applied])' "$S/status.ndjson"
	assert_output '[["client1","done",25],["client2","auth",0],["client3","done",25]]'
	run jq -r 'select(.client == "client2") | .first_error' "$S/status.ndjson"
	assert_output --partial 'extract-personio failed (exit 6)'
	assert_equal "$(slice 2)" "$s2"
	grep -q 'extract-personio' "$S/logs/client2.log"
}

@test "a blocked client (E4) reads and writes nothing in Loket; the others are done (exit 1); the overview says why" {
	client 1 && client 4
	s4=$(slice 4)
	run --separate-stderr sh "$BATCH" -d "$D" --as-of "$AS_OF" --out "$O"
	assert_failure 1
	run jq -c -s 'map([.client, .outcome, .exit, .counts.applied])' "$S/status.ndjson"
	assert_output '[["client1","done",0,25],["client4","blocked",1,0]]'
	assert_equal "$(slice 4)" "$s4"
	assert_equal "$(reads_of 4)" 0
	run jq -r 'select(.client == "client4") | .first_error' "$S/status.ndjson"
	assert_output --regexp '^E4: 7 error\(s\) block the sync; first: '
	grep -q 'E4: 7 error(s) block the sync' "$S/overview.html"
	[[ "$stderr" == *"2 clients: 1 done, 1 blocked"* ]]
}

@test "--halt now,fail=1: the first client failing stops the batch; the clients never started are not_run in the run status (exit 5)" {
	client 1 && client 2 && client 3
	jq '.client_secret = "wrong"' "$D/personio-1.json" >"$D/x" && mv "$D/x" "$D/personio-1.json" && chmod 600 "$D/personio-1.json"
	run --separate-stderr sh "$BATCH" -d "$D" --as-of "$AS_OF" --out "$O" -j 1 --halt now,fail=1
	assert_failure 5
	run jq -c -s 'map([.client, .outcome])' "$S/status.ndjson"
	assert_output '[["client1","auth"],["client2","not_run"],["client3","not_run"]]'
	assert_equal "$(loket_writes)" 0
	[[ "$stderr" == *"3 clients: 1 auth, 2 not_run"* ]]
}

@test "run status: monthly-sync writes OUT/status.json at every exit once OUT exists: planned, done, then no_changes; its fields" {
	client 1
	SYNC="$ROOT/pipelines/monthly-sync"
	run --separate-stderr sh "$SYNC" -c "$D/client1.json" --as-of "$AS_OF" --out "$O/a" --plan-only
	assert_success
	run jq -c '[.type, .client, .as_of, .mode, .outcome, .exit, .stage, .ops, .counts.applied, .first_error, .report]' "$O/a/status.json"
	assert_output "[\"run.status\",\"client1\",\"$AS_OF\",\"plan\",\"planned\",0,\"diff\",25,0,null,\"$O/a/report.html\"]"
	run --separate-stderr sh "$SYNC" -c "$D/client1.json" --as-of "$AS_OF" --out "$O/a" --apply "$O/a/plan.ndjson"
	assert_success
	run jq -c '[.mode, .outcome, .exit, .stage, .counts.applied, .counts.refused, .counts.not_run]' "$O/a/status.json"
	assert_output '["apply","done",0,"push",25,0,0]'
	run --separate-stderr sh "$SYNC" -c "$D/client1.json" --as-of "$AS_OF" --out "$O/b"
	assert_success
	run jq -c '[.mode, .outcome, .exit, .ops, .counts.applied]' "$O/b/status.json"
	assert_output '["sync","no_changes",0,0,0]'
	[ "$(stat -c %a "$O/b/status.json")" = 600 ]
	# a stop in the middle: Loket's reads fail (fetch-loket), the first error says where
	curl -fsS -X POST --data '{"always":{"path":"/v2","status":500}}' "$LK_URL/__emu/faults" >/dev/null
	run --separate-stderr sh "$SYNC" -c "$D/client1.json" --as-of "$AS_OF" --out "$O/c"
	assert_failure 5
	run jq -c '[.outcome, .exit, .stage, .first_error]' "$O/c/status.json"
	assert_output '["failed",5,"fetch","fetch-loket failed (exit 5); nothing was sent to Loket"]'
}

# reference_batch: clients 1-3 synced once without interruption; ref is the Loket state they
# leave, and Loket is then reset to the state before them
reference_batch() {
	client 1 && client 2 && client 3
	run sh "$BATCH" -d "$D" --as-of "$AS_OF" --out "$BATS_TEST_TMPDIR/ref" -j 2
	assert_success
	ref=$(loket_digest)
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	[ "$(loket_digest)" != "$ref" ]
}

# The kill tests' push-loket (killer3, below): the real one, except at each kill point, where it
# runs one op at a time and, once the client's journal holds N ops done, SIGKILLs every process
# of the batch's session (bureau-sync, parallel, every monthly-sync and program), itself last.
@test "a batch SIGKILLed in the middle of a push, run again with the same joblog: the same Loket state as an uninterrupted batch, no op twice, the clients already done not run again" {
	reference_batch
	echo "client2 3" >"$BATS_TEST_TMPDIR/kills" # once client 2's journal holds 3 ops done
	killer3 "$BATS_TEST_TMPDIR/kills"
	LOKETPIPE_BIN=$W run setsid -w sh "$BATCH" -d "$D" --as-of "$AS_OF" --out "$O" -j 1
	assert_failure
	assert_equal "$(cat "$BATS_TEST_TMPDIR/fired")" 1
	j=$(ls "$O"/client2/$AS_OF/plan.ndjson.*.journal)
	n=$(grep -c '"done"' "$j")
	[ "$n" -ge 3 ] && [ "$n" -lt 25 ] # killed in the middle of client 2's push
	run awk -F'\t' 'NR > 1 { print $1, $7 }' "$S/joblog"
	assert_output '1 0' # client 1 was done; client 2 was running; client 3 never started
	LOKETPIPE_BIN=$W run --separate-stderr sh "$BATCH" -d "$D" --as-of "$AS_OF" --out "$O" -j 1
	assert_success
	[[ "$stderr" == *"client2: an earlier push is unfinished ($n of 25 ops done"* ]]
	run awk -F'\t' 'NR > 1 { print $1, $7 }' "$S/joblog"
	assert_output "$(printf '1 0\n2 0\n3 0')"
	assert_equal "$(loket_digest)" "$ref"
	run jq -c -s 'map([.client, .outcome])' "$S/status.ndjson"
	assert_output '[["client1","done"],["client2","done"],["client3","done"]]'
	# client 2's log holds both attempts, the killed one first
	assert_equal "$(grep -c '^--- [0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T' "$S/logs/client2.log")" 2
	assert_equal "$(grep -c '^--- ' "$S/logs/client1.log")" 1
}

@test "--sshlogin: with a local stand-in for ssh (parallel --ssh) every client runs through it, the joblog names the hosts; credentials from the environment are a preflight finding then" {
	client 1 && client 2 && client 3
	export SSH_STANDIN_LOG="$BATS_TEST_TMPDIR/ssh.log"
	run --separate-stderr sh "$BATCH" -d "$D" --as-of "$AS_OF" --out "$O" -j 1 --sshlogin h1 --sshlogin h2 --ssh "$BATS_FILE_TMPDIR/ssh"
	assert_success
	run jq -r -s 'map(.outcome) | unique[]' "$S/status.ndjson"
	assert_output done
	run sh -c "awk -F'\t' 'NR > 1 { print \$2 }' '$S/joblog' | sort -u"
	assert_output "$(printf 'h1\nh2')" # one job at a time per host: the first two start on both
	[ "$(grep -c '^h[12]$' "$SSH_STANDIN_LOG")" -ge 3 ]
	# Loket credentials from the environment cannot go to the other hosts
	loket_client
	jq 'del(.loket.credentials_file)' "$D/client3.json" >"$D/x" && mv "$D/x" "$D/client3.json"
	run --separate-stderr sh "$BATCH" -d "$D" --as-of "$AS_OF" --out "$BATS_TEST_TMPDIR/o2" --sshlogin h1 --ssh "$BATS_FILE_TMPDIR/ssh"
	assert_failure 4
	[[ "$stderr" == *"$D/client3.json: Loket credentials from the environment cannot go to other hosts (--sshlogin)"* ]]
}

@test "the HTML overview rendered in headless chromium: one row per client with its outcome and a link to its report; values escaped, no BSN or IBAN" {
	command -v chromium >/dev/null || fail "chromium is needed (scripts/deps.sh installs it)"
	client 1 && client 2 && client 4
	run sh "$BATCH" -d "$D" --as-of "$AS_OF" --out "$O"
	assert_failure 1
	HOME="$BATS_TEST_TMPDIR" run chromium --headless --no-sandbox --disable-gpu --user-data-dir="$BATS_TEST_TMPDIR/chromium" \
		--dump-dom "file://$S/overview.html"
	assert_success
	dom=$output
	assert_equal "$(grep -c '<tr class=' <<<"$dom")" 3
	grep -q '<tr class="done"><td>client1</td><td class="outcome">done</td><td>25 of 25</td><td>0</td><td>10</td><td class="left">0</td>' <<<"$dom"
	grep -q '<tr class="blocked"><td>client4</td><td class="outcome">blocked</td>' <<<"$dom"
	grep -q "<a href=\"../client2/$AS_OF/report.html\">report</a>" <<<"$dom"
	for v in $(jq -r 'select(.type=="person") | .bsn, .iban // empty' "$O/client4/$AS_OF/personio.ndjson"); do
		! grep -q "$v" "$S/overview.html" "$S/status.ndjson" "$S/summary.txt"
	done
	# batch-report escapes every value and masks BSNs and IBANs in any text; links only when relative paths
	run batch-report --html <<<'{"type":"run.status","client":"<b>x</b>","outcome":"failed","first_error":"BSN 111222333 & NL91ABNA0417164300 \"<script>\"","report_href":"javascript:alert(1)","log_href":"logs/x.log"}'
	assert_success
	assert_output --partial '<td>&lt;b&gt;x&lt;/b&gt;</td>'
	assert_output --partial 'BSN *****2333 &amp; NL91**********4300 &quot;&lt;script&gt;&quot;'
	refute_output --partial 'javascript'
	assert_output --partial '<a href="logs/x.log">log</a>'
	# what the read back after the push left: "verified" at 0, else the number; nothing when not read back
	run batch-report <<<'{"type":"run.status","client":"a","outcome":"done","ops":3,"counts":{"applied":3},"remaining":0}
{"type":"run.status","client":"b","outcome":"refused","exit":1,"ops":3,"counts":{"applied":2,"refused":1},"remaining":2}
{"type":"run.status","client":"c","outcome":"failed","remaining":null}'
	assert_success
	assert_line -n 1 'a: done (exit -): 3 applied of 3 planned, 0 refused, 0 warning(s), verified'
	assert_line -n 2 'b: refused (exit 1): 2 applied of 3 planned, 1 refused, 0 warning(s), 2 left after the read back'
	assert_line -n 3 'c: failed (exit -): 0 applied of - planned, 0 refused, 0 warning(s)'
}

@test "usage: -d or --clients-file is required, not both; a bad -j or --as-of; exit 2; --help, --version; --clients-file names the configurations" {
	run sh "$BATCH"
	assert_failure 2
	run sh "$BATCH" -d "$BATS_TEST_TMPDIR" --clients-file /dev/null
	assert_failure 2
	run sh "$BATCH" -d "$BATS_TEST_TMPDIR" -j x
	assert_failure 2
	run sh "$BATCH" -d "$BATS_TEST_TMPDIR" --as-of 15-11-2026
	assert_failure 2
	run sh "$BATCH" --frobnicate
	assert_failure 2
	run sh "$BATCH" --help
	assert_success
	assert_output --partial 'Exit status: 0 every client done'
	run sh "$BATCH" --version
	assert_success
	run batch-report --version
	assert_success
	client 1 && client 2 && client 3
	printf '# two of them\n%s\n\n%s\n' "$D/client3.json" "$D/client1.json" >"$BATS_TEST_TMPDIR/list"
	run --separate-stderr sh "$BATCH" --clients-file "$BATS_TEST_TMPDIR/list" --as-of "$AS_OF" --out "$O" --plan-only
	assert_success
	run cut -f1 "$S/clients.tsv"
	assert_output "$(printf 'client1\nclient3')"
	printf '%s\n' "$D/loket-credentials.json" >"$BATS_TEST_TMPDIR/list"
	run --separate-stderr sh "$BATCH" --clients-file "$BATS_TEST_TMPDIR/list" --as-of "$AS_OF" --out "$O"
	assert_failure 4
	[[ "$stderr" == *"it is not a client configuration"* ]]
}

# kills FILE: a push-loket wrapper in $W that, for each line "CLIENT N" of FILE in turn, kills the
# whole batch (every process of its session) once CLIENT's journal holds N ops done (or its push
# has ended), one line per batch run
killer3() {
	W="$BATS_TEST_TMPDIR/bin"
	mkdir -p "$W"
	for p in "$BUILD"/bin/*; do ln -sf "$p" "$W/"; done
	rm "$W/push-loket"
	cat >"$W/push-loket" <<EOS
#!/bin/sh
k=\$(cat "$BATS_TEST_TMPDIR/fired" 2>/dev/null || echo 0)
line=\$(sed -n "\$((k + 1))p" "$1")
c=\${line% *} n=\${line#* }
case " \$* " in *"/\$c.json "*) [ -n "\$line" ] && echo \$((k + 1)) >"$BATS_TEST_TMPDIR/fired" && exec sh "$BATS_TEST_TMPDIR/kill-push" "\$n" "\$@" ;; esac
exec "$BUILD/bin/push-loket" "\$@"
EOS
	cat >"$BATS_TEST_TMPDIR/kill-push" <<EOS
n=\$1
shift
j= prev=
for a; do [ "\$prev" != --journal ] || j=\$a; prev=\$a; done
"$BUILD/bin/push-loket" "\$@" --concurrency 1 >/dev/null &
p=\$!
until [ "\$(grep -c '"done"' "\$j" 2>/dev/null)" -ge "\$n" ] || ! kill -0 \$p 2>/dev/null; do sleep 0.01; done
sid=\$(ps -o sid= -p \$\$)
kill -KILL \$(ps -o pid= -s \$sid | grep -vw \$\$)
kill -KILL \$\$
EOS
	chmod +x "$W/push-loket"
}

@test "a batch SIGKILLed three times (points drawn with a fixed seed), resumed each time with the same joblog: the same Loket state as an uninterrupted batch, no op twice" {
	reference_batch
	# three kill points: a client and a number of its ops done (1..24), from bash's RANDOM seeded with 11
	RANDOM=11
	for i in 1 2 3; do echo "client$((RANDOM % 3 + 1)) $((RANDOM % 24 + 1))"; done >"$BATS_TEST_TMPDIR/kills"
	killer3 "$BATS_TEST_TMPDIR/kills"
	for i in 1 2 3; do # one client at a time, so that kill point i is the one this run meets
		LOKETPIPE_BIN=$W run setsid -w sh "$BATCH" -d "$D" --as-of "$AS_OF" --out "$O" -j 1
		assert_failure
		assert_equal "$(cat "$BATS_TEST_TMPDIR/fired")" "$i" # this run was killed by kill point i
	done
	LOKETPIPE_BIN=$W run --separate-stderr sh "$BATCH" -d "$D" --as-of "$AS_OF" --out "$O" -j 2
	assert_success
	assert_equal "$(loket_digest)" "$ref"
	# done, or nothing left to do when a kill came after the client's last op landed
	run jq -c -s 'map([.client, (.outcome | IN("done", "no_changes"))])' "$S/status.ndjson"
	assert_output '[["client1",true],["client2",true],["client3",true]]'
	# every op of every client's last plan is done once in Loket: no write was made twice
	for k in 1 2 3; do
		run jq -s '[.[] | select(.type == "stream_end") | .counts.failed] | add' "$O/client$k/$AS_OF/results.ndjson"
		assert_output 0
	done
}

@test "joblog: a --plan-only batch, then the real batch the same day: the plan-only joblog is set aside and every client is pushed (parallel resumes by job number alone)" {
	client 1 && client 2
	run --separate-stderr sh "$BATCH" -d "$D" --as-of "$AS_OF" --out "$O" --plan-only
	assert_success
	run jq -c -s 'map(.outcome)' "$S/status.ndjson"
	assert_output '["planned","planned"]'
	assert_equal "$(loket_writes)" 0
	run --separate-stderr sh "$BATCH" -d "$D" --as-of "$AS_OF" --out "$O"
	assert_success
	[[ "$stderr" == *"was written for another batch"* ]]
	assert_file_exists "$S/joblog.before"
	run jq -c -s 'map(.outcome)' "$S/status.ndjson"
	assert_output '["done","done"]'
	[ "$(loket_writes)" -gt 0 ]
}

@test "locks: a second bureau-sync of the same batch while one runs exits 8 before any client runs; a second monthly-sync with the same --out exits 8 and leaves the run status alone" {
	client 1
	mkdir -p "$S" "$O/client1/$AS_OF"
	flock "$S/lock" sleep 30 &
	holder=$!
	until ! flock -n "$S/lock" true; do sleep 0.05; done
	before=$(emu_stats | jq .requests)
	run --separate-stderr sh "$BATCH" -d "$D" --as-of "$AS_OF" --out "$O"
	kill $holder
	assert_failure 8
	[[ "$stderr" == *"another bureau-sync runs the batch"* ]]
	assert_equal "$(emu_stats | jq .requests)" "$before" # nothing read from Personio
	assert_file_not_exists "$O/client1/$AS_OF/personio.ndjson"
	echo '{"type":"run.status","client":"client1","outcome":"done"}' >"$O/client1/$AS_OF/status.json"
	flock "$O/client1/$AS_OF/.lock" sleep 30 &
	holder=$!
	until ! flock -n "$O/client1/$AS_OF/.lock" true; do sleep 0.05; done
	run --separate-stderr sh "$ROOT/pipelines/monthly-sync" -c "$D/client1.json" --as-of "$AS_OF" --out "$O/client1/$AS_OF"
	kill $holder
	assert_failure 8
	[[ "$stderr" == *"another monthly-sync runs in"* ]]
	assert_equal "$(jq -r .outcome "$O/client1/$AS_OF/status.json")" done
	assert_equal "$(emu_stats | jq .requests)" "$before"
}

@test "paths with spaces: configurations, --out and one Loket token file shared by two clients, all with spaces in their names: the preflight checks the login once, both are done" {
	D="$BATS_TEST_TMPDIR/my clients"
	O="$BATS_TEST_TMPDIR/out dir"
	S="$O/batch.$AS_OF"
	client 1 '.loket.token_file = "shared token.json"'
	"$FIXTURES/make-bureau" config "$BATS_FILE_TMPDIR" 2 "$EMU_URL" "$LK_URL" "$D"
	jq '.loket.token_file = "shared token.json"' "$D/client2.json" >"$D/x" && mv "$D/x" "$D/client2.json"
	t=$(tokens)
	run --separate-stderr sh "$BATCH" -d "$D" --as-of "$AS_OF" --out "$O" -j 2
	assert_success
	run jq -c -s 'map([.client, .outcome])' "$S/status.ndjson"
	assert_output '[["client1","done"],["client2","done"]]'
	# one refresh for the login check; the clients use the access token it saved
	assert_equal "$(tokens)" "$((t + 1))"
}
