#!/usr/bin/env bats
# loket-auth and lib/lp_oauth: the one-time login and the rotating refresh token.

load helper

setup() {
	CFG="$BATS_TEST_TMPDIR/acme.json"
	jq --arg t "$BATS_TEST_TMPDIR/loket-token.json" \
		'.loket.token_file=$t | .loket.oauth_url="http://127.0.0.1:9" | .loket.redirect_uri="https://localhost/cb"' \
		"$SAMPLES/acme.json" >"$CFG"
	export LOKET_CLIENT_ID=test-client LOKET_CLIENT_SECRET=test-secret-value-77
}

@test "usage: no config, arguments on the command line, missing token file or redirect URI" {
	run loket-auth
	assert_failure 2
	run loket-auth -c "$CFG" some-code
	assert_failure 2
	assert_output --partial "codes and secrets are read from standard input"
	jq 'del(.loket.token_file)' "$CFG" >"$BATS_TEST_TMPDIR/c.json"
	run loket-auth -c "$BATS_TEST_TMPDIR/c.json" </dev/null
	assert_failure 4
	assert_output --partial "loket.token_file is not set"
	jq 'del(.loket.redirect_uri)' "$CFG" >"$BATS_TEST_TMPDIR/c.json"
	run loket-auth -c "$BATS_TEST_TMPDIR/c.json" </dev/null
	assert_failure 4
	assert_output --partial "loket.redirect_uri is not set"
}

@test "credentials: none, or a credentials file that is not private -> exit 4, no secret shown" {
	unset LOKET_CLIENT_ID LOKET_CLIENT_SECRET
	run loket-auth -c "$CFG" </dev/null
	assert_failure 4
	assert_output --partial "LOKET_CLIENT_ID and LOKET_CLIENT_SECRET"
	echo '{"client_id":"a","client_secret":"zz-secret-zz"}' >"$BATS_TEST_TMPDIR/cred.json"
	chmod 644 "$BATS_TEST_TMPDIR/cred.json"
	jq --arg f "$BATS_TEST_TMPDIR/cred.json" '.loket.credentials_file=$f' "$CFG" >"$BATS_TEST_TMPDIR/c.json"
	run loket-auth -c "$BATS_TEST_TMPDIR/c.json" </dev/null
	assert_failure 4
	assert_output --partial "too open"
	refute_output --partial "zz-secret-zz"
}

@test "the authorize URL is printed; no code, or an address without code=, is a usage error" {
	run loket-auth -c "$CFG" </dev/null
	assert_failure 2
	assert_output --partial "http://127.0.0.1:9/authorize?client_id=test-client&redirect_uri=https%3A%2F%2Flocalhost%2Fcb&response_type=code&scope=all&state=acme"
	refute_output --partial test-secret-value-77
	run bash -c "echo 'https://localhost/cb?state=acme' | loket-auth -c '$CFG'"
	assert_failure 2
	assert_output --partial "no code= in the address"
}

@test "--check without a token file says to log in first (exit 4)" {
	run loket-auth -c "$CFG" --check
	assert_failure 4
	assert_output --partial "run loket-auth to log in once"
}

@test "plain http to a remote OAuth server is refused" {
	jq '.loket.oauth_url="http://oauth.loket.nl"' "$CFG" >"$BATS_TEST_TMPDIR/c.json"
	run loket-auth -c "$BATS_TEST_TMPDIR/c.json" </dev/null
	assert_failure 4
	assert_output --partial "refusing plain http"
}

# --- against the Loket emulator -------------------------------------------------------

lk_setup() {
	loket_start
	loket_client
	jq --arg u "$LK_URL" '.loket.oauth_url=$u' "$CFG" >"$CFG.new" && mv "$CFG.new" "$CFG"
	TOKF="$BATS_TEST_TMPDIR/loket-token.json"
}
new_code() { curl -fsS -X POST "$LK_URL/__emu/authcode" | jq -r .code; }

@test "login: the code from stdin becomes a 0600 token file; nothing secret is printed" {
	lk_setup
	code=$(new_code)
	run bash -c "echo '$code' | loket-auth -c '$CFG'"
	assert_success
	assert_output --partial "logged in; the refresh token is saved in $TOKF (mode 0600)"
	refute_output --partial "$code"
	refute_output --partial "$LOKET_CLIENT_SECRET"
	run stat -c %a "$TOKF"
	assert_output 600
	rt=$(jq -r .refresh_token "$TOKF")
	[ -n "$rt" ] && [ "$rt" != null ]
	refute_output --partial "$rt"
	loket_stop
}

@test "login: the whole redirect address may be pasted instead of the code" {
	lk_setup
	code=$(new_code)
	run bash -c "echo 'http://127.0.0.1/callback?state=acme&code=$code' | loket-auth -c '$CFG'"
	assert_success
	assert_file_exists "$TOKF"
	loket_stop
}

@test "refresh tokens rotate: --check saves the new one before use; the old one is refused afterwards" {
	lk_setup
	new_code | loket-auth -c "$CFG"
	old=$(jq -r .refresh_token "$TOKF")
	run loket-auth -c "$CFG" --check
	assert_success
	new=$(jq -r .refresh_token "$TOKF")
	[ "$old" != "$new" ]
	run stat -c %a "$TOKF"
	assert_output 600
	# the old token no longer works at Loket
	run curl -sS -o /dev/null -w '%{http_code}' -X POST --data-urlencode grant_type=refresh_token \
		--data-urlencode "refresh_token=$old" --data-urlencode "client_id=$LOKET_CLIENT_ID" \
		--data-urlencode "client_secret=$LOKET_CLIENT_SECRET" "$LK_URL/token"
	assert_output 400
	# and the saved one still does, again and again
	run loket-auth -c "$CFG" --check
	assert_success
	loket_stop
}

@test "a refused refresh token (invalid_grant) -> exit 6: re-authorisation needed; the file is kept" {
	lk_setup
	new_code | loket-auth -c "$CFG"
	jq '.refresh_token="stale-token-value"' "$TOKF" >"$TOKF.new" && mv "$TOKF.new" "$TOKF" && chmod 600 "$TOKF"
	run loket-auth -c "$CFG" --check
	assert_failure 6
	assert_output --partial "re-authorisation needed: run loket-auth"
	refute_output --partial stale-token-value
	run jq -r .refresh_token "$TOKF"
	assert_output stale-token-value
	loket_stop
}

@test "a used or unknown code -> exit 6; wrong client credentials -> exit 6; nothing saved" {
	lk_setup
	code=$(new_code)
	echo "$code" | loket-auth -c "$CFG"
	rm -f "$TOKF"
	run bash -c "echo '$code' | loket-auth -c '$CFG'"
	assert_failure 6
	assert_file_not_exists "$TOKF"
	export LOKET_CLIENT_SECRET=wrong-secret-1234
	run bash -c "echo '$(new_code)' | loket-auth -c '$CFG'"
	assert_failure 6
	refute_output --partial wrong-secret-1234
	assert_file_not_exists "$TOKF"
	loket_stop
}

@test "a token endpoint that fails -> exit 5, and no retry of the refresh (it may have rotated already)" {
	lk_setup
	new_code | loket-auth -c "$CFG"
	before=$(jq -r .refresh_token "$TOKF")
	curl -fsS -X POST --data '{"500":1}' "$LK_URL/__emu/faults" >/dev/null
	run loket-auth -c "$CFG" --check
	assert_failure 5
	assert_output --partial "POST /token: HTTP 500"
	run jq -r .refresh_token "$TOKF"
	assert_output "$before"
	loket_stop
}

# --- the new refresh token is saved, or the refresh is not made ---------------------------
# A full disk, a read-only directory and a run stopped before the rename, without either:
# tests/tools/enospc-shim.c (LD_PRELOAD) fails chosen file operations on the paths it is told.

# shimmed OPS ERRNO CMD...: CMD with OPS on "$TOKF.new" failing with ERRNO (after $SKIP that pass)
shimmed() {
	local ops=$1 e=$2
	shift 2
	LD_PRELOAD="$PRELOAD" ENOSPC_SHIM_PATTERN="$TOKF.new" ENOSPC_SHIM_OPS="$ops" ENOSPC_SHIM_ERRNO="$e" \
		ENOSPC_SHIM_SKIP="${SKIP:-0}" "$@"
}
token_requests() { curl -fsS "$LK_URL/__emu/stats" | jq '.by_path["/token"] // 0'; }
refresh_works() { # refresh_works TOKEN: Loket still takes this refresh token (and rotates it)
	curl -sS -o /dev/null -w '%{http_code}' -X POST --data-urlencode grant_type=refresh_token \
		--data-urlencode "refresh_token=$1" --data-urlencode "client_id=$LOKET_CLIENT_ID" \
		--data-urlencode "client_secret=$LOKET_CLIENT_SECRET" "$LK_URL/token"
}

@test "token file: the shim itself works (a write to a matching path fails with ENOSPC, others pass)" {
	enospc_preload "$BUILD/bin/loket-auth"
	TOKF="$BATS_TEST_TMPDIR/t.json"
	# (dd is not an ASan build: the shim alone)
	PRELOAD=$SHIM run shimmed write ENOSPC dd if=/dev/zero of="$TOKF.new" bs=16 count=1
	assert_failure
	assert_output --partial "No space left on device"
	PRELOAD=$SHIM run shimmed write ENOSPC dd if=/dev/zero of="$TOKF.other" bs=16 count=1
	assert_success
	PRELOAD=$SHIM run shimmed open EROFS dd if=/dev/zero of="$TOKF.new" bs=16 count=1
	assert_failure
	assert_output --partial "Read-only file system"
}

@test "token file: a full disk (ENOSPC) stops the refresh before /token is called (exit 7); the saved refresh token still works" {
	lk_setup
	enospc_preload "$BUILD/bin/loket-auth"
	new_code | loket-auth -c "$CFG"
	cp "$TOKF" "$BATS_TEST_TMPDIR/before.json"
	n=$(token_requests)
	for ops in fallocate,write fallocate write; do # posix_fallocate refused, or unsupported and the padding refused
		run shimmed "$ops" ENOSPC loket-auth -c "$CFG" --check
		assert_failure 7
		assert_output --partial "$TOKF.new: cannot reserve space for 65536 bytes: No space left on device"
		assert_output --partial "nothing was sent to Loket, so the saved refresh token still works"
		assert_equal "$(token_requests)" "$n" # no /token request at all
		cmp "$TOKF" "$BATS_TEST_TMPDIR/before.json"
		assert_file_not_exists "$TOKF.new"
	done
	# a quota does the same; so does a disk that cannot flush the reservation
	run shimmed fallocate,write EDQUOT loket-auth -c "$CFG" --check
	assert_failure 7
	assert_output --partial "Disk quota exceeded"
	run shimmed fsync EIO loket-auth -c "$CFG" --check
	assert_failure 7
	assert_output --partial "$TOKF.new: cannot reserve space for 65536 bytes (fsync): Input/output error"
	assert_equal "$(token_requests)" "$n"
	assert_file_not_exists "$TOKF.new"
	# with room again, the very same refresh token works
	run loket-auth -c "$CFG" --check
	assert_success
	assert_equal "$(token_requests)" "$((n + 1))"
	[ "$(jq -r .refresh_token "$TOKF")" != "$(jq -r .refresh_token "$BATS_TEST_TMPDIR/before.json")" ]
	loket_stop
}

@test "token file: fetch-loket with an expired access token on a full disk stops before /token (exit 7, complete:false)" {
	lk_setup
	enospc_preload "$BUILD/bin/loket-auth"
	jq --arg u "$LK_URL" '.loket.base_url=($u + "/v2")' "$CFG" >"$CFG.new" && mv "$CFG.new" "$CFG"
	new_code | loket-auth -c "$CFG"
	token_expire "$TOKF"
	n=$(token_requests)
	run --separate-stderr shimmed fallocate,write ENOSPC fetch-loket -c "$CFG"
	assert_equal "$status" 7
	[[ "$stderr" == *"No space left on device; nothing was sent to Loket"* ]]
	run jq -c 'select(.type=="stream_end") | .complete' <<<"$output"
	assert_output false
	assert_equal "$(token_requests)" "$n"
	run fetch-loket -c "$CFG"
	assert_success
	assert_equal "$(token_requests)" "$((n + 1))"
	loket_stop
}

@test "token file: a read-only directory (EROFS, EACCES) stops a login before the code is spent; the same code works afterwards" {
	lk_setup
	enospc_preload "$BUILD/bin/loket-auth"
	code=$(new_code)
	for e in EROFS EACCES; do
		run shimmed open "$e" loket-auth -c "$CFG" <<<"$code"
		assert_failure 7
		assert_output --partial "$TOKF.new: cannot create"
		assert_output --partial "nothing was sent to Loket"
		assert_equal "$(token_requests)" 0
		assert_file_not_exists "$TOKF"
	done
	run loket-auth -c "$CFG" <<<"$code"
	assert_success
	assert_equal "$(token_requests)" 1
	loket_stop
}

@test "token file: a run stopped between Loket's answer and the rename leaves the new token in .new; the next run takes it over" {
	lk_setup
	enospc_preload "$BUILD/bin/loket-auth"
	new_code | loket-auth -c "$CFG"
	old=$(jq -r .refresh_token "$TOKF")
	# 1. the rename fails after Loket rotated: the new token stays, private, in .new
	run shimmed rename EIO loket-auth -c "$CFG" --check
	assert_failure 7
	assert_output --partial "the new one is saved in $TOKF.new but could not replace the token file"
	assert_output --partial "the next run takes it over"
	assert_equal "$(jq -r .refresh_token "$TOKF")" "$old"
	assert_equal "$(refresh_works "$old")" 400 # rotated away at Loket
	run stat -c %a "$TOKF.new"
	assert_output 600
	kept=$(jq -r .refresh_token "$TOKF.new")
	# taking it over needs the same rename: while that fails, the run stops (7) and keeps it
	run shimmed rename EIO loket-auth -c "$CFG" --check
	assert_failure 7
	assert_output --partial "the newest refresh token is in $TOKF.new, but it cannot replace the token file"
	assert_equal "$(jq -r .refresh_token "$TOKF.new")" "$kept"
	run loket-auth -c "$CFG" --check
	assert_success
	assert_output --partial "took over the refresh token that an interrupted run saved in $TOKF.new"
	assert_file_not_exists "$TOKF.new"
	[ "$(jq -r .refresh_token "$TOKF")" != "$kept" ] # kept worked, and rotated again
	# 2. the same as a kill would leave it: Loket answered, .new written, no rename
	cur=$(jq -r .refresh_token "$TOKF")
	curl -fsS -X POST --data-urlencode grant_type=refresh_token --data-urlencode "refresh_token=$cur" \
		--data-urlencode "client_id=$LOKET_CLIENT_ID" --data-urlencode "client_secret=$LOKET_CLIENT_SECRET" \
		"$LK_URL/token" | (umask 077 && jq -c '{refresh_token, access_token, expires_at: 0}' >"$TOKF.new")
	n=$(token_requests)
	run loket-auth -c "$CFG" --check
	assert_success
	assert_output --partial "took over the refresh token"
	assert_equal "$(token_requests)" "$((n + 1))"
	loket_stop
}

@test "token file: an unused reservation in .new is removed; a stale, a linked or a shared .new is never used" {
	lk_setup
	enospc_preload "$BUILD/bin/loket-auth"
	new_code | loket-auth -c "$CFG"
	# the padding of a reservation whose refresh never got an answer
	(umask 077 && printf '%*s' 65536 '' >"$TOKF.new")
	run shimmed unlink EACCES loket-auth -c "$CFG" --check
	assert_failure 7
	assert_output --partial "$TOKF.new: cannot remove what an interrupted run left: Permission denied"
	run loket-auth -c "$CFG" --check
	assert_success
	refute_output --partial "took over"
	assert_file_not_exists "$TOKF.new"
	# a whole token file, but older than the token file: stale, removed (used, it would be refused: exit 6)
	(umask 077 && echo '{"refresh_token":"stale-token-value","access_token":"a","expires_at":0}' >"$TOKF.new")
	touch -d '2020-01-01' "$TOKF.new"
	run loket-auth -c "$CFG" --check
	assert_success
	assert_file_not_exists "$TOKF.new"
	# a symlink, or a file others may read: the run stops (4), nothing is sent, nothing followed
	n=$(token_requests)
	echo 'keep me' >"$BATS_TEST_TMPDIR/elsewhere"
	ln -s "$BATS_TEST_TMPDIR/elsewhere" "$TOKF.new"
	run loket-auth -c "$CFG" --check
	assert_failure 4
	assert_output --partial "$TOKF.new is in the way of the next token file and is not a private file of yours"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/elsewhere")" 'keep me'
	rm "$TOKF.new"
	echo '{"refresh_token":"x"}' >"$TOKF.new" && chmod 644 "$TOKF.new"
	run loket-auth -c "$CFG" --check
	assert_failure 4
	assert_output --partial "permissions 0644 are too open"
	assert_equal "$(token_requests)" "$n"
	loket_stop
}

@test "token file: when the new token cannot be made durable after Loket answered (fsync fails), the run says re-authorisation is needed (7)" {
	# the one window that cannot be closed: Loket rotated, the disk failed between the
	# reservation and the new token's flush
	lk_setup
	enospc_preload "$BUILD/bin/loket-auth"
	new_code | loket-auth -c "$CFG"
	n=$(token_requests)
	SKIP=1 run shimmed fsync EIO loket-auth -c "$CFG" --check
	assert_failure 7
	assert_output --partial "Loket rotated the refresh token, but the new one could not be saved ($TOKF.new: fsync: Input/output error): re-authorisation needed: run loket-auth"
	assert_equal "$(token_requests)" "$((n + 1))"
	assert_file_not_exists "$TOKF.new" # no half-written secret is left behind
	run loket-auth -c "$CFG" --check
	assert_failure 6
	loket_stop
}

# --- one Loket login for many employers: the client lock, one holder of the refresh token ---

# clients N: configurations c1..cN ($BATS_TEST_TMPDIR/cI.json), each $CFG with another client
# name, all sharing the one token file $TOKF
clients() {
	for i in $(seq 1 "$1"); do
		jq --arg c "c$i" '.client=$c' "$CFG" >"$BATS_TEST_TMPDIR/c$i.json"
	done
}
# parallel_fetch N: fetch-loket of c1..cN at once; their exit codes in $BATS_TEST_TMPDIR/rcI
parallel_fetch() {
	local pids=() i
	for i in $(seq 1 "$1"); do
		(fetch-loket -c "$BATS_TEST_TMPDIR/c$i.json" >"$BATS_TEST_TMPDIR/out$i" 2>"$BATS_TEST_TMPDIR/err$i"
		 echo $? >"$BATS_TEST_TMPDIR/rc$i") &
		pids+=($!)
	done
	wait "${pids[@]}"
}
all_complete() { # all_complete N: every run of parallel_fetch N exited 0 with a complete stream
	for i in $(seq 1 "$1"); do
		[ "$(cat "$BATS_TEST_TMPDIR/rc$i")" = 0 ] || { cat "$BATS_TEST_TMPDIR/err$i" >&2; return 1; }
		[ "$(jq -c 'select(.type=="stream_end") | .complete' "$BATS_TEST_TMPDIR/out$i")" = true ]
	done
}
lk_fetch_setup() {
	lk_setup
	jq --arg u "$LK_URL" '.loket.base_url=($u + "/v2")' "$CFG" >"$CFG.new" && mv "$CFG.new" "$CFG"
	new_code | loket-auth -c "$CFG"
}

@test "client lock: a second run of the same client exits 8 naming its lock; another client sharing the token file runs" {
	lk_fetch_setup
	clients 1
	lock="$BATS_TEST_TMPDIR/acme.lock"
	run flock "$lock" fetch-loket -c "$CFG"
	assert_failure 8
	assert_output --partial "another run for this client is in progress (its lock $lock is held)"
	run flock "$lock" loket-auth -c "$CFG" --check
	assert_failure 8
	# the same token file, another client: not held up
	run --separate-stderr flock "$lock" fetch-loket -c "$BATS_TEST_TMPDIR/c1.json"
	assert_success
	# the token file's own lock is not the client lock
	run flock "$TOKF.lock" -c "true"
	assert_success
	# loket.lock_file moves it
	jq --arg l "$BATS_TEST_TMPDIR/elsewhere.lock" '.loket.lock_file=$l' "$CFG" >"$BATS_TEST_TMPDIR/moved.json"
	run --separate-stderr flock "$lock" fetch-loket -c "$BATS_TEST_TMPDIR/moved.json"
	assert_success
	run flock "$BATS_TEST_TMPDIR/elsewhere.lock" fetch-loket -c "$BATS_TEST_TMPDIR/moved.json"
	assert_failure 8
	# a loket.lock_file that is the token file's own lock is a configuration error
	jq --arg l "$TOKF.lock" '.loket.lock_file=$l' "$CFG" >"$BATS_TEST_TMPDIR/same.json"
	run fetch-loket -c "$BATS_TEST_TMPDIR/same.json"
	assert_failure 4
	assert_output --partial "loket.lock_file: is the token file's own lock"
	# a token file named after the client: the default client lock is <client>.client.lock, not
	# <token file>.lock (which would make the run wait for its own lock and exit 8)
	cp -p "$TOKF" "$BATS_TEST_TMPDIR/acme"
	jq --arg t "$BATS_TEST_TMPDIR/acme" '.loket.token_file=$t' "$CFG" >"$BATS_TEST_TMPDIR/named.json"
	LOKETPIPE_LOCK_WAIT_MS=500 run --separate-stderr fetch-loket -c "$BATS_TEST_TMPDIR/named.json"
	assert_success
	run flock "$BATS_TEST_TMPDIR/acme.client.lock" fetch-loket -c "$BATS_TEST_TMPDIR/named.json"
	assert_failure 8
	loket_stop
}

@test "one holder: 8 clients sharing one token file with an expired access token make exactly one /token request" {
	lk_fetch_setup
	clients 8
	token_expire "$TOKF"
	n=$(token_requests)
	parallel_fetch 8
	all_complete 8
	assert_equal "$(token_requests)" "$((n + 1))"
	run stat -c %a "$TOKF"
	assert_output 600
	assert_file_not_exists "$TOKF.new"
	# the saved refresh token is the one Loket holds now
	assert_equal "$(refresh_works "$(jq -r .refresh_token "$TOKF")")" 200
	loket_stop
}

@test "one holder: the holder SIGKILLed between Loket's answer and the rename; 8 clients after it take its token over, no /token request" {
	lk_fetch_setup
	enospc_preload "$BUILD/bin/fetch-loket"
	clients 8
	token_expire "$TOKF"
	old=$(jq -r .refresh_token "$TOKF")
	n=$(token_requests)
	run shimmed rename KILL fetch-loket -c "$BATS_TEST_TMPDIR/c1.json"
	assert_equal "$status" 137 # killed right before rename(.new, token file)
	assert_equal "$(token_requests)" "$((n + 1))"
	assert_equal "$(jq -r .refresh_token "$TOKF")" "$old"
	assert_equal "$(refresh_works "$old")" 400 # rotated away at Loket: only .new has the new one
	kept=$(jq -r .refresh_token "$TOKF.new")
	n=$(token_requests)
	parallel_fetch 8
	all_complete 8
	assert_equal "$(token_requests)" "$n" # its access token is used: no second refresh
	[ "$(grep -l 'took over the refresh token' "$BATS_TEST_TMPDIR"/err* | wc -l)" -eq 1 ]
	assert_file_not_exists "$TOKF.new"
	assert_equal "$(jq -r .refresh_token "$TOKF")" "$kept"
	assert_equal "$(refresh_works "$kept")" 200
	loket_stop
}

@test "one holder: a token file lock held past the wait stops the run (exit 8) before anything is sent" {
	lk_fetch_setup
	token_expire "$TOKF"
	n=$(token_requests)
	run --separate-stderr flock "$TOKF.lock" env LOKETPIPE_LOCK_WAIT_MS=0 fetch-loket -c "$CFG"
	assert_equal "$status" 8
	[[ "$stderr" == *"$TOKF.lock: another process has held this lock for more than 0 ms; nothing was sent to Loket"* ]]
	assert_equal "$(token_requests)" "$n"
	assert_equal "$(curl -fsS "$LK_URL/__emu/stats" | jq .requests)" "$n"
	loket_stop
}

@test "one holder: on a 401, the token another process saved meanwhile is taken; the refused one is refreshed" {
	(umask 077 && echo "{\"refresh_token\":\"r\",\"access_token\":\"refused\",\"expires_at\":$(($(date +%s) + 3600))}" >"$BATS_TEST_TMPDIR/t.json")
	run lp-unit oauth-401 "$BATS_TEST_TMPDIR/t.json" newer-token
	assert_output "took the saved token newer-token (0 token requests)"
	run lp-unit oauth-401 "$BATS_TEST_TMPDIR/t.json"
	assert_output --partial "refresh: exit 5: POST /token:" # the file still held the refused token
}
