#!/usr/bin/env bats
# Issue 15, secrets and resources: no proxy for loopback http and only the configured one for
# https (environment ignored), no SSLKEYLOGFILE, no core dumps, secrets wiped when freed, FIFOs,
# devices, directories and links at secret, token and journal paths refused at once, --out
# directories locked per run, the memory and record bounds (exit 7), honest write errors, and
# push-loket saying why it exits 5.

load helper

setup_file() {
	load helper
	loket_start
}
teardown_file() { loket_stop; }

setup() {
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	curl -fsS -X POST --data '{}' "$LK_URL/__emu/faults" >/dev/null
	loket_client
	T=$BATS_TEST_TMPDIR
}

# sink_start NAME [--hold]: a listener that writes down what it receives (tests/unit/lp-sink.c);
# sets SINK_URL, SINK_LOG and SINK_PID
sink_start() {
	local name=$1
	shift
	SINK_LOG="$T/$name.log"
	: >"$SINK_LOG"
	lp-sink --port-file "$T/$name.port" --log "$SINK_LOG" --watch-pid $$ "$@" 3>&- &
	SINK_PID=$!
	local i=0
	while [ ! -s "$T/$name.port" ]; do
		i=$((i + 1))
		[ $i -lt 200 ] || return 1
		sleep 0.05
	done
	SINK_URL="http://127.0.0.1:$(cat "$T/$name.port")"
}
sink_stop() { kill "$SINK_PID" 2>/dev/null || true; wait "$SINK_PID" 2>/dev/null || true; }

# proxied PROXY CMD...: CMD with every proxy variable libcurl reads pointing at PROXY
proxied() {
	local p=$1
	shift
	env -u NO_PROXY -u no_proxy http_proxy="$p" HTTP_PROXY="$p" https_proxy="$p" HTTPS_PROXY="$p" \
		ALL_PROXY="$p" all_proxy="$p" "$@"
}

asan_build() { ldd "$BUILD/bin/validate" 2>/dev/null | grep -q libasan; }

# ---- proxies ------------------------------------------------------------------------------

@test "proxies: http_proxy, HTTPS_PROXY and ALL_PROXY change nothing for loopback http; the proxy receives nothing" {
	sink_start envproxy
	loket_login
	token_expire "$T/token.json" # the next run refreshes: client secret and refresh token on the wire
	run --separate-stderr proxied "$SINK_URL" fetch-loket -c "$CFG"
	assert_success
	[[ "$output" == *'"complete":true'* ]]
	run --separate-stderr proxied "$SINK_URL" loket-auth -c "$CFG" --check
	assert_success
	# Personio too: the emulator on loopback, reached directly
	mkdir -p "$T/fx" && ln -s "$SAMPLES/personio/acme" "$T/fx/acme"
	emu_start "$T/fx"
	acme_credentials
	run --separate-stderr proxied "$SINK_URL" extract-personio -c "$SAMPLES/acme.json" --as-of "$AS_OF" --base-url "$EMU_URL"
	emu_stop
	assert_success
	sink_stop
	[ ! -s "$SINK_LOG" ] || { cat "$SINK_LOG"; false; }
}

@test "proxies: a configured loket.proxy is never used for plain http to loopback either" {
	sink_start cfgproxy
	loket_login ".loket.proxy=\"$SINK_URL\""
	token_expire "$T/token.json"
	run --separate-stderr fetch-loket -c "$CFG"
	assert_success
	sink_stop
	[ ! -s "$SINK_LOG" ]
}

@test "proxies: loket.proxy carries https to Loket (a CONNECT, nothing in clear text); the environment's proxy is ignored" {
	sink_start envp
	local envlog=$SINK_LOG envpid=$SINK_PID envurl=$SINK_URL
	sink_start cfgp
	jq --arg p "$SINK_URL" --arg t "$T/token.json" '.loket.proxy=$p | .loket.token_file=$t
		| .loket.oauth_url="https://oauth.loket.invalid" | .loket.redirect_uri="https://localhost/cb"' \
		"$SAMPLES/acme.json" >"$T/c.json"
	run --separate-stderr bash -c "echo the-code | env -u NO_PROXY -u no_proxy https_proxy=$envurl \
		HTTPS_PROXY=$envurl ALL_PROXY=$envurl loket-auth -c '$T/c.json'"
	assert_failure 5
	run grep -c '^CONNECT oauth.loket.invalid:443 ' "$SINK_LOG"
	assert_output 1
	refute grep -q "$LOKET_CLIENT_SECRET" "$SINK_LOG"
	refute grep -q 'the-code' "$SINK_LOG"
	sink_stop
	kill "$envpid"
	[ ! -s "$envlog" ]
}

@test "proxies: personio.proxy carries https to Personio; without it no proxy is used" {
	sink_start pp
	acme_credentials
	jq --arg p "$SINK_URL" '.personio.proxy=$p | .personio.base_url="https://api.personio.invalid"' \
		"$SAMPLES/acme.json" >"$T/c.json"
	run --separate-stderr extract-personio -c "$T/c.json" --as-of "$AS_OF"
	assert_failure 5
	run grep -c '^CONNECT api.personio.invalid:443 ' "$SINK_LOG"
	[ "$output" -ge 1 ]
	refute grep -q "$PERSONIO_CLIENT_SECRET" "$SINK_LOG"
	# the same without personio.proxy, the environment pointing at the sink: nothing reaches it
	: >"$SINK_LOG"
	jq 'del(.personio.proxy)' "$T/c.json" >"$T/c2.json"
	run --separate-stderr proxied "$SINK_URL" extract-personio -c "$T/c2.json" --as-of "$AS_OF"
	assert_failure 5
	sink_stop
	[ ! -s "$SINK_LOG" ]
}

@test "proxies: a proxy URL with credentials, a path or another scheme is exit 4, the password never shown" {
	loket_login
	for p in 'http://user:pw-s3cret@127.0.0.1:3128' 'ftp://127.0.0.1:21' 'http://127.0.0.1:3128/x' 'not a url'; do
		jq --arg p "$p" '.loket.proxy=$p | .loket.base_url="https://api.loket.invalid/v2"' "$CFG" >"$T/c.json"
		run --separate-stderr fetch-loket -c "$T/c.json"
		[ "$status" -eq 4 ] || { echo "$p: exit $status: $stderr"; false; }
		[[ "$stderr" == *"proxy"* ]]
		[[ "$stderr" != *"pw-s3cret"* ]]
	done
	run jq -e '.properties.loket.properties.proxy and .properties.personio.properties.proxy' "$SCHEMAS/client-config.schema.json"
	assert_success
}

@test "SSLKEYLOGFILE: removed with a warning before libcurl starts; no key log is written" {
	loket_login
	run --separate-stderr env SSLKEYLOGFILE="$T/keys.log" loket-auth -c "$CFG" --check
	assert_success
	[[ "$stderr" == *"SSLKEYLOGFILE is set: ignored"* ]]
	assert_file_not_exists "$T/keys.log"
}

# ---- core dumps and wiping -------------------------------------------------------------------

@test "cores: every program starts not dumpable, with RLIMIT_CORE 0 and the default 4 GiB address space bound" {
	run lp-unit harden
	assert_success
	if asan_build; then
		assert_output --regexp '^dumpable 0 core 0 as -1$'
	else
		assert_output 'dumpable 0 core 0 as 4294967296'
	fi
	run env LOKETPIPE_MAX_MEMORY=512M lp-unit harden
	asan_build || assert_output 'dumpable 0 core 0 as 536870912'
	run env LOKETPIPE_MAX_MEMORY=0 lp-unit harden
	assert_output 'dumpable 0 core 0 as -1'
}

@test "cores: loket-auth killed with SIGSEGV while it waits on /token, holding the client secret: no core is written" {
	sink_start slow --hold
	jq --arg u "$SINK_URL" --arg t "$T/token.json" '.loket.oauth_url=$u | .loket.token_file=$t
		| .loket.redirect_uri="https://localhost/cb"' "$SAMPLES/acme.json" >"$T/c.json"
	mkdir "$T/cwd"
	echo some-code >"$T/code"
	(cd "$T/cwd" && ulimit -c unlimited && LOKETPIPE_HTTP_TIMEOUT_MS=60000 exec loket-auth -c "$T/c.json" <"$T/code" 2>/dev/null) &
	local pid=$! i=0
	until grep -q 'POST /token' "$SINK_LOG"; do
		i=$((i + 1))
		[ $i -lt 200 ] || { kill "$pid"; false; }
		sleep 0.05
	done
	grep -q "client_secret=$LOKET_CLIENT_SECRET" "$SINK_LOG" # the secret is in the program's memory now
	run grep '^Max core file size' "/proc/$pid/limits"
	assert_output --regexp 'Max core file size +0 +'
	kill -SEGV "$pid"
	run wait "$pid"
	assert_failure
	sink_stop
	run ls -A "$T/cwd"
	assert_output ''
}

@test "wiping: a secret freed by jansson or libcurl is gone from the block the allocator hands out next" {
	run lp-unit wipe
	assert_success
	assert_output "$(printf 'jansson clean\ncurl clean')"
}

# ---- files at secret, token and journal paths -------------------------------------------------

@test "files: a FIFO at the token path is refused at once (loket-auth, fetch-loket), never waited on" {
	loket_login
	rm "$T/token.json"
	mkfifo -m 600 "$T/token.json"
	run --separate-stderr timeout 20 loket-auth -c "$CFG" --check
	assert_failure 4
	[[ "$stderr" == *"$T/token.json: a FIFO (named pipe), not a regular file"* ]]
	run --separate-stderr timeout 20 fetch-loket -c "$CFG"
	assert_failure 4
	[[ "$stderr" == *"a FIFO (named pipe), not a regular file"* ]]
}

@test "files: a FIFO, a device, a directory or a symbolic link as credentials file is refused at once" {
	loket_login
	mkfifo -m 600 "$T/fifo"
	mkdir -m 700 "$T/dir"
	echo '{"client_id":"a","client_secret":"b"}' >"$T/cred" && chmod 600 "$T/cred"
	ln -s "$T/cred" "$T/link"
	for f in fifo dir link /dev/null; do
		case $f in /*) p=$f ;; *) p=$T/$f ;; esac
		jq --arg f "$p" '.loket.credentials_file=$f' "$CFG" >"$T/c.json"
		run --separate-stderr timeout 20 fetch-loket -c "$T/c.json"
		[ "$status" -eq 4 ] || { echo "$f: exit $status: $stderr"; false; }
		case $f in
		fifo) [[ "$stderr" == *"a FIFO (named pipe), not a regular file"* ]] ;;
		dir) [[ "$stderr" == *"a directory, not a regular file"* ]] ;;
		link) [[ "$stderr" == *"a symbolic link"* ]] ;;
		*) [[ "$stderr" == *"a device, not a regular file"* ]] ;;
		esac
	done
}

@test "files: a FIFO or a directory given as the configuration is refused at once" {
	mkfifo "$T/fifo.json"
	mkdir "$T/dir.json"
	run --separate-stderr timeout 20 validate -c "$T/fifo.json" /dev/null
	assert_failure 4
	[[ "$stderr" == *"$T/fifo.json: a FIFO (named pipe), not a regular file"* ]]
	run --separate-stderr timeout 20 fetch-loket -c "$T/dir.json"
	assert_failure 4
	[[ "$stderr" == *"$T/dir.json: a directory, not a regular file"* ]]
}

@test "files: push-loket's journal must be a private regular file of the user's: a FIFO, a link, another user's, 0644 are refused" {
	loket_login
	cp "$ROOT/tests/golden/acme.plan.ndjson" "$T/plan.ndjson"
	before=$(curl -fsS "$LK_URL/__emu/stats" | jq '[.by_method // {} | to_entries[] | select(.key != "GET") | .value] | add // 0')
	mkfifo -m 600 "$T/j.fifo"
	: >"$T/real" && chmod 600 "$T/real" && ln -s "$T/real" "$T/j.link"
	: >"$T/j.other" && chmod 600 "$T/j.other" && chown nobody "$T/j.other"
	: >"$T/j.open" && chmod 644 "$T/j.open"
	for j in fifo link other open; do
		run --separate-stderr timeout 20 push-loket -c "$CFG" --journal "$T/j.$j" "$T/plan.ndjson"
		[ "$status" -eq 4 ] || { echo "$j: exit $status: $stderr"; false; }
		case $j in
		fifo) [[ "$stderr" == *"a FIFO (named pipe), not a regular file"* ]] ;;
		link) [[ "$stderr" == *"a symbolic link"* ]] ;;
		other) [[ "$stderr" == *"owned by another user"* ]] ;;
		open) [[ "$stderr" == *"it must be 0600"* ]] ;;
		esac
	done
	after=$(curl -fsS "$LK_URL/__emu/stats" | jq '[.by_method // {} | to_entries[] | select(.key != "GET") | .value] | add // 0')
	assert_equal "$after" "$before"
}

@test "files: a ledger (CRC log) of another user's or behind a link is refused" {
	: >"$T/l.other" && chmod 600 "$T/l.other" && chown nobody "$T/l.other"
	run lp-unit crclog "$T/l.other" '{"a":1}'
	assert_failure
	assert_output --partial "owned by another user"
	: >"$T/real" && chmod 600 "$T/real" && ln -s "$T/real" "$T/l.link"
	run lp-unit crclog "$T/l.link" '{"a":1}'
	assert_failure
	assert_output --partial "a symbolic link"
	assert_equal "$(stat -c %s "$T/real")" 0
}

@test "--out: two runs with one --out cannot both proceed: hours-export, monthly-sync, monthly-documents exit 8" {
	mkdir -p "$T/o"
	exec 9>>"$T/o/.lock"
	flock -n 9
	run --separate-stderr sh "$ROOT/pipelines/hours-export" -c "$SAMPLES/acme.json" --year 2026 --from 2026-11-01 \
		--to 2026-11-30 --csv "$SAMPLES/hours/acme-2026-11.csv" --out "$T/o"
	[ "$status" -eq 8 ] || { echo "hours-export: $status $stderr"; false; }
	[[ "$stderr" == *"another hours-export runs in $T/o"* ]]
	run --separate-stderr sh "$ROOT/pipelines/monthly-sync" -c "$SAMPLES/acme.json" --as-of 2026-11-15 --out "$T/o"
	[ "$status" -eq 8 ] || { echo "monthly-sync: $status $stderr"; false; }
	[[ "$stderr" == *"another monthly-sync runs in $T/o"* ]]
	run --separate-stderr sh "$ROOT/pipelines/monthly-documents" -c "$SAMPLES/acme.json" --as-of 2026-11-15 --out "$T/o"
	[ "$status" -eq 8 ] || { echo "monthly-documents: $status $stderr"; false; }
	[[ "$stderr" == *"another monthly-documents runs in $T/o"* ]]
	exec 9>&-
	# nothing of a run was written there
	run ls -A "$T/o"
	assert_output '.lock'
}

# ---- resources and messages ---------------------------------------------------------------------

@test "memory: a client's block beyond LOKETPIPE_MAX_RECORDS stops validate and map-compensation with exit 7, naming client and line" {
	for i in 1 2 3 4 5; do
		echo '{"type":"issue","client":"t","severity":"info","rule":"X","message":"m"}'
	done >"$T/in.ndjson"
	run --separate-stderr env LOKETPIPE_MAX_RECORDS=3 validate -c "$T_CFG" "$T/in.ndjson"
	assert_failure 7
	[[ "$stderr" == *"$T/in.ndjson:4: client t: more than 3 records in one client's block"*"LOKETPIPE_MAX_RECORDS"* ]]
	assert_output ''
	run --separate-stderr env LOKETPIPE_MAX_RECORDS=3 map-compensation -c "$T_CFG" "$T/in.ndjson"
	assert_failure 7
	run --separate-stderr env LOKETPIPE_MAX_RECORDS=5 validate -c "$T_CFG" "$T/in.ndjson"
	[ "$status" -ne 7 ]
	run --separate-stderr env LOKETPIPE_MAX_RECORDS=lots validate -c "$T_CFG" "$T/in.ndjson"
	assert_failure 4
}

@test "memory: beyond LOKETPIPE_MAX_MEMORY a record is 'out of memory', exit 7, never 'not valid JSON'; a bad bound is exit 4" {
	run --separate-stderr env LOKETPIPE_MAX_MEMORY=12X validate -c "$T_CFG" /dev/null
	assert_failure 4
	[[ "$stderr" == *"LOKETPIPE_MAX_MEMORY: '12X' is not a size"* ]]
	asan_build && skip "the sanitizer build sets no address space bound (its shadow memory needs terabytes)"
	# 60 MB of text: the line, its string and lp_block's copy of the text are 180 MB at least
	jq -cn '{type: "issue", client: "t", severity: "info", message: ("A" * 60000000)}' >"$T/big.ndjson"
	run --separate-stderr env LOKETPIPE_MAX_MEMORY=100M validate -c "$T_CFG" "$T/big.ndjson"
	assert_failure 7
	[[ "$stderr" == *"out of memory (the bound is 100 MiB: LOKETPIPE_MAX_MEMORY)"* ]]
	[[ "$stderr" != *"not valid JSON"* ]]
	run --separate-stderr env LOKETPIPE_MAX_MEMORY=2G validate -c "$T_CFG" "$T/big.ndjson"
	[ "$status" -ne 7 ]
}

@test "writes: a short write of push-loket's audit log or journal names the real reason (File too large), never 'Success'" {
	loket_login
	cp "$ROOT/tests/golden/acme.plan.ndjson" "$T/plan.ndjson"
	# room for a few lines of the audit log and the journal (2 KiB each), not for all 25 ops
	run --separate-stderr bash -c "trap '' XFSZ; ulimit -f 2; exec push-loket -c '$CFG' --journal '$T/j' '$T/plan.ndjson'"
	assert_failure 7
	[[ "$stderr" == *" $T/"*": write failed: File too large"* ]]
	[[ "$stderr" != *"Success"* ]]
}

@test "writes: a failed write to standard output names the reason (a full disk, a file size limit)" {
	rec_person >"$T/in.ndjson"
	run --separate-stderr bash -c "validate -c '$T_CFG' --as-of $AS_OF '$T/in.ndjson' >/dev/full"
	assert_failure 7
	[[ "$stderr" == *"validate: write error on standard output: No space left on device"* ]]
	run --separate-stderr bash -c "map-compensation -c '$T_CFG' '$T/in.ndjson' >/dev/full"
	assert_failure 7
	[[ "$stderr" == *"write error on standard output: No space left on device"* ]]
}

@test "push-loket: exit 5 says why without -v (the first failure, what is left, how to resume)" {
	loket_login
	cp "$ROOT/tests/golden/acme.plan.ndjson" "$T/plan.ndjson"
	curl -fsS -X POST --data '{"always":{"path":"/v2/providers/employers/","status":503}}' "$LK_URL/__emu/faults" >/dev/null
	run --separate-stderr env LOKETPIPE_HTTP_ATTEMPTS=2 push-loket -c "$CFG" --journal "$T/j" "$T/plan.ndjson"
	curl -fsS -X POST --data '{}' "$LK_URL/__emu/faults" >/dev/null
	assert_failure 5
	[[ "$stderr" == *"acme: the push is not finished: "*" failed at Loket"*"the first: "*"503"*"run again with the same --journal"* ]]
}
