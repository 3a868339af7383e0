# tests/helper.bash - shared set-up for every Bats suite.
# load it with:  load helper
bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert
bats_load_library bats-file

ROOT="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
BUILD="${LOKETPIPE_BUILD:-$ROOT/build}"
export PATH="$BUILD/bin:$ROOT/tests/tools:$PATH"
export LC_ALL=C
# fast, bounded retries in tests
export LOKETPIPE_HTTP_BACKOFF_MS=5 LOKETPIPE_HTTP_ATTEMPTS=6 LOKETPIPE_HTTP_TIMEOUT_MS=5000
# Personio's rate limits (lib/lp_rate) are shared through a directory: each test has its own, so
# tests never wait for one another's logins (a test of the sharing sets its own)
export LOKETPIPE_RATE_DIR="${BATS_TEST_TMPDIR:-$BATS_FILE_TMPDIR}/rate"
SCHEMAS="$ROOT/schemas"
SAMPLES="$ROOT/samples"
FIXTURES="$ROOT/tests/fixtures"
AS_OF=2026-11-15

# The acme demo credentials (test values, never real).
acme_credentials() {
	PERSONIO_CLIENT_ID=$(jq -r .client_id "$SAMPLES/personio/acme/credentials.json")
	PERSONIO_CLIENT_SECRET=$(jq -r .client_secret "$SAMPLES/personio/acme/credentials.json")
	export PERSONIO_CLIENT_ID PERSONIO_CLIENT_SECRET
}

# emu_launch BIN NAME FIXTURE_DIR [ARGS...]: start an emulator (personio-emu, loket-emu) on a
# free loopback port; sets LAUNCHED_URL and LAUNCHED_PID. It exits by itself when this test
# file's process is gone (--watch-pid).
emu_launch() {
	local bin=$1 name=$2 dir=$3
	shift 3
	local pf="$BATS_FILE_TMPDIR/$name.port"
	rm -f "$pf"
	"$bin" --fixtures "$dir" --port 0 --port-file "$pf" --watch-pid $$ "$@" \
		>"$BATS_FILE_TMPDIR/$name.out" 2>"$BATS_FILE_TMPDIR/$name.err" 3>&- &
	LAUNCHED_PID=$!
	local i=0
	while [ ! -s "$pf" ]; do
		i=$((i + 1))
		if [ $i -gt 200 ] || ! kill -0 "$LAUNCHED_PID" 2>/dev/null; then
			cat "$BATS_FILE_TMPDIR/$name.err" >&2
			return 1
		fi
		sleep 0.05
	done
	LAUNCHED_URL="http://127.0.0.1:$(cat "$pf")"
}
emu_kill() {
	[ -n "${1:-}" ] || return 0
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# emu_start FIXTURE_DIR [ARGS...]: the Personio emulator; sets EMU_URL and EMU_PID.
emu_start() {
	emu_launch personio-emu emu "$@" || return 1
	EMU_URL=$LAUNCHED_URL EMU_PID=$LAUNCHED_PID
	export EMU_URL EMU_PID
}
emu_stop() { emu_kill "${EMU_PID:-}"; }

# loket_start [ARGS...]: the Loket emulator on $LOKET_FIX (default: the acme state); sets
# LK_URL and LK_PID. A second instance: LK_NAME=other loket_start ...
LOKET_FIX="$ROOT/tests/fixtures/loket/acme"
# Loket's official OpenAPI spec, vendored (gzip) so that the conformance tests never skip;
# tests/loket-spec.bats checks it is the same as ../shared/reference/ when that is present.
LOKET_SPEC="$ROOT/tests/fixtures/loket/loket-openapi-v2.json.gz"
loket_start() {
	emu_launch loket-emu "${LK_NAME:-loket}" "$LOKET_FIX" "$@" || return 1
	LK_URL=$LAUNCHED_URL LK_PID=$LAUNCHED_PID
	export LK_URL LK_PID
}
loket_stop() { emu_kill "${LK_PID:-}"; }
# loket_client: LOKET_CLIENT_ID / LOKET_CLIENT_SECRET of the fixture's API client (test values)
loket_client() {
	LOKET_CLIENT_ID=$(jq -r .client_id "$LOKET_FIX/client.json")
	LOKET_CLIENT_SECRET=$(jq -r .client_secret "$LOKET_FIX/client.json")
	export LOKET_CLIENT_ID LOKET_CLIENT_SECRET
}
# loket_token_json [URL]: a fresh authorization code exchanged for tokens (the whole JSON);
# loket_token [URL]: just the access token. Needs loket_client first.
loket_token_json() {
	local u=${1:-$LK_URL} code
	code=$(curl -fsS -X POST "$u/__emu/authcode" | jq -r .code)
	curl -sS -X POST --data-urlencode grant_type=authorization_code --data-urlencode "code=$code" \
		--data-urlencode "client_id=$LOKET_CLIENT_ID" --data-urlencode "client_secret=$LOKET_CLIENT_SECRET" \
		--data-urlencode redirect_uri=http://127.0.0.1/callback "$u/token"
}
loket_token() { loket_token_json "$@" | jq -r .access_token; }
# loket_login [JQ]: $CFG = samples/acme.json pointed at the Loket emulator, with the token file
# $BATS_TEST_TMPDIR/token.json and the audit log $BATS_TEST_TMPDIR/audit.ndjson (JQ may change
# more, e.g. '.personio.base_url=$ENV.EMU_URL'), and logged in once with loket-auth.
loket_login() {
	CFG="$BATS_TEST_TMPDIR/acme.json"
	jq --arg u "$LK_URL" --arg t "$BATS_TEST_TMPDIR/token.json" --arg a "$BATS_TEST_TMPDIR/audit.ndjson" \
		'.loket.oauth_url=$u | .loket.base_url=($u + "/v2") | .loket.token_file=$t
		 | .loket.redirect_uri="http://127.0.0.1/callback" | .audit_log=$a | '"${1:-.}" "$SAMPLES/acme.json" >"$CFG"
	curl -fsS -X POST "$LK_URL/__emu/authcode" | jq -r .code | loket-auth -c "$CFG" 2>/dev/null
}
# token_expire FILE: the access token saved in a token file has run out (the next run refreshes)
token_expire() {
	(umask 077 && jq -c '.expires_at = 0' "$1" >"$1.tmp" && mv "$1.tmp" "$1")
}

# loket_digest: what the Loket emulator at $LK_URL holds, without the ids Loket makes up:
# two states with the same digest hold the same records, none twice (tests/loket-digest.jq).
loket_digest() { curl -fsS "$LK_URL/__emu/state" | jq -S -c -f "$ROOT/tests/loket-digest.jq"; }

# loket_writes: the write requests the Loket emulator at $LK_URL has answered, its token endpoint
# left out (a refreshed login is no write)
loket_writes() {
	curl -fsS "$LK_URL/__emu/stats" | jq '([.by_method | to_entries[] | select(.key != "GET") | .value] | add // 0) - (.by_path["/token"] // 0)'
}

# emu_faults JSON: replace the fault plan; emu_reset: no faults, counters zero.
emu_faults() { curl -fsS -X POST --data "$1" "$EMU_URL/__emu/faults" >/dev/null; }
emu_reset() { curl -fsS -X POST "$EMU_URL/__emu/reset" >/dev/null; }
emu_stats() { curl -fsS "$EMU_URL/__emu/stats"; }

# schema_ok FILE: every record in FILE validates against schemas/.
schema_ok() {
	run schema-check "$SCHEMAS" "$1"
	assert_success
}

# Hand-made records for the validate and map-compensation tests (client "t", config
# tests/fixtures/t.json). Each takes an optional jq program applied to the record.
T_CFG="$FIXTURES/t.json"
rec_person() {
	jq -cn "{type:\"person\",client:\"t\",personio_id:\"1\",status:\"active\",legal_entity_id:\"170\",
		consider_nl_payroll:true,employee_number:\"101\",income_number:\"1\",first_name:\"Jan\",initials:\"J.\",
		prefix:\"van der\",last_name:\"Berg\",preferred_name:null,date_of_birth:\"1985-03-12\",gender:\"male\",
		bsn:\"111222333\",iban:\"NL91ABNA0417164300\",email:\"jan@example.nl\",phone:\"+31 6 12345678\",
		address:{street:\"Keizersgracht\",house_number:\"123\",house_number_addition:\"A\",postal_code:\"1015 CJ\",
			city:\"Amsterdam\",country:\"NL\"},entry_date:\"2020-01-01\",termination_date:null,weekly_hours:\"40.00\"}
		| ${1:-.}"
}
rec_comp() {
	jq -cn "{type:\"compensation\",client:\"t\",personio_id:\"1\",compensation_id:\"c1\",kind:\"salary\",
		category:\"FIXED_SALARY\",salary_basis:\"fixed\",type_id:\"salary\",type_name:\"Salary\",amount:\"3000.00\",
		currency:\"EUR\",interval:\"monthly\",effective_from:\"2025-01-01\",effective_to:null,legal_entity_id:\"170\",
		weekly_hours:null,full_time_weekly_hours:null} | ${1:-.}"
}
rec_end() { echo '{"type":"stream_end","client":"t","source":"personio","complete":true,"counts":{}}'; }
# one-time and recurring shorthands
rec_bonus() { rec_comp ". + {kind:\"one_time\",category:\"ONE_TIME\",salary_basis:null,type_id:\"bonus\",type_name:\"Bonus\",interval:null,compensation_id:\"b1\"} | ${1:-.}"; }
rec_recurring() { rec_comp ". + {kind:\"recurring\",category:\"RECURRING\",salary_basis:null,type_id:\"travel\",type_name:\"Travel\",compensation_id:\"r1\"} | ${1:-.}"; }

# enospc_preload BIN: build tests/tools/enospc-shim.c once per file into $SHIM and set PRELOAD
# for BIN: the shim, with an AddressSanitizer build's runtime first (the shim's calls then go
# from ASan's interceptors to the shim to libc).
enospc_preload() {
	SHIM="$BATS_FILE_TMPDIR/enospc-shim.so"
	[ -s "$SHIM" ] || cc -shared -fPIC -Wall -Wextra -Werror -o "$SHIM" "$ROOT/tests/tools/enospc-shim.c" -ldl
	PRELOAD=$(ldd "$1" | awk -v so="$SHIM" '/libasan/ { a = $3 } END { print (a ? a ":" : "") so }')
}

# monthly_sync_emus DIR: both emulators for a monthly sync of acme with the seeds' fix
# (Consider in NL payroll = No for 1026-1032), Personio's data in DIR/acme
monthly_sync_emus() {
	mkdir -p "$1/acme"
	cp "$SAMPLES"/personio/acme/*.json "$1/acme/"
	jq '(.[] | select(.attributes.id.value >= 1026 and .attributes.id.value <= 1032) | .attributes.dynamic_1003.value) = "No"' \
		"$SAMPLES/personio/acme/employees.json" >"$1/acme/employees.json"
	emu_start "$1"
	loket_start
}
# monthly_sync_env: logged in to Loket ($CFG pointed at both emulators), $SYNC the pipeline,
# $O a run directory, the programs from this build
monthly_sync_env() {
	acme_credentials
	loket_client
	loket_login '.personio.base_url=$ENV.EMU_URL'
	export LOKETPIPE_BIN="$BUILD/bin"
	SYNC="$ROOT/pipelines/monthly-sync"
	O="$BATS_TEST_TMPDIR/out"
}
