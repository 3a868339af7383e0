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
