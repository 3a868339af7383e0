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
