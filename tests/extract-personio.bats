#!/usr/bin/env bats
# extract-personio against the Personio emulator: output contract, paging, record/replay,
# faults, malformed answers, credentials. Rule ids in test names: D1 (dated values are
# kept), plus the extract rules PX1/PX2 (README).

load helper

setup_file() {
	load helper
	mkdir -p "$BATS_FILE_TMPDIR/fx"
	ln -s "$SAMPLES/personio/acme" "$BATS_FILE_TMPDIR/fx/acme"
	ln -s "$FIXTURES/personio/odd" "$BATS_FILE_TMPDIR/fx/odd"
	emu_start "$BATS_FILE_TMPDIR/fx"
	# a reference run without faults, for comparisons
	acme_credentials
	extract-personio -c "$SAMPLES/acme.json" --as-of "$AS_OF" --base-url "$EMU_URL" \
		>"$BATS_FILE_TMPDIR/acme.ref.ndjson"
}

teardown_file() {
	emu_stop
}

setup() {
	emu_reset
	acme_credentials
	REF="$BATS_FILE_TMPDIR/acme.ref.ndjson"
	OUT="$BATS_TEST_TMPDIR/out.ndjson"
	ERR="$BATS_TEST_TMPDIR/err.txt"
}

extract_acme() {
	extract-personio -c "$SAMPLES/acme.json" --as-of "$AS_OF" --base-url "$EMU_URL" "$@"
}

odd_credentials() {
	export PERSONIO_CLIENT_ID=odd-test-id PERSONIO_CLIENT_SECRET=odd-test-secret-0000
}

# record_acme: a live run recorded to $REC. edit_recorded GLOB JQ [ARGS]: rewrite the
# recorded body matching GLOB with a jq program; prints its path. replay_acme: run from $REC.
record_acme() {
	REC="$BATS_TEST_TMPDIR/rec"
	extract_acme --record "$REC" >"$OUT"
}
edit_recorded() {
	local f
	f=$(ls "$REC"/$1*.body)
	jq -c "${@:3}" "$2" "$f" >"$f.new" && mv "$f.new" "$f"
	echo "$f"
}
replay_acme() {
	extract-personio -c "$SAMPLES/acme.json" --as-of "$AS_OF" --replay "$REC"
}

@test "acme: every person and every distinct compensation, ending in a complete stream_end" {
	run jq -s -c '[(map(select(.type=="person")) | length), (map(select(.type=="compensation")) | length)]' "$REF"
	want_p=$(jq length "$SAMPLES/personio/acme/employees.json")
	# compensations the emulator holds for legal entity 170 that are effective somewhere in Jan 2026..Jan 2027
	want_c=$(jq '[.[] | select(.legal_entity.id=="170")
		| select((.type.category=="ONE_TIME" or .type.category=="BONUS")
			 and .effective_from >= "2026-01-01" and .effective_from <= "2027-01-31"
			 or (.type.category!="ONE_TIME" and .type.category!="BONUS")
			 and .effective_from <= "2027-01-31" and (.effective_to == null or .effective_to >= "2026-01-01"))] | length' \
		"$SAMPLES/personio/acme/compensations.json")
	assert_output "[$want_p,$want_c]"
	run tail -n 1 "$REF"
	assert_output --partial '"type":"stream_end","client":"acme","source":"personio","complete":true'
	run jq -r 'select(.type=="compensation") | .compensation_id' "$REF"
	[ "$(echo "$output" | sort | uniq -d)" = "" ]
}

@test "acme: every record validates against schemas/" {
	schema_ok "$REF"
}

@test "acme: amounts are exact decimal strings, never JSON numbers" {
	run jq -r 'select(.type=="compensation") | .amount | type' "$REF"
	refute_output --partial number
	# 50000 a year stays 50000.00; the emulator's 4166.67 style numbers stay as written
	run jq -r 'select(.compensation_id=="cmp-1001-1") | .amount' "$REF"
	assert_output "50000.00"
}

@test "acme: request count is 1 auth + pages of employees + 1 token + one page per month window" {
	extract_acme -v >"$OUT" 2>"$ERR"
	run emu_stats
	# Jan 2026 .. Jan 2027 (as-of Nov 2026 + 2 future months) = 13 windows
	assert_output --partial '"requests":16'
	run cat "$ERR"
	assert_output --partial "16 HTTP requests"
}

@test "every request carries X-Personio-App-ID (Personio asks clients to identify themselves)" {
	extract_acme >"$OUT"
	run emu_stats
	assert_output --partial '"without_app_id":0,'
	curl -s -o /dev/null "$EMU_URL/v1/company/employees"
	run emu_stats
	assert_output --partial '"without_app_id":1,'
}

@test "D1: future-dated compensations keep their dates; --future-months bounds the windows" {
	# Emma Visser (1006) has a raise from 2026-12-01: it is extracted with its own date
	run jq -r 'select(.type=="compensation" and .personio_id=="1006") | .effective_from' "$REF"
	assert_line "2026-12-01"
	# and the choice of what is effective on --as-of is left to validate: nothing is dropped here
	extract_acme --future-months 0 >"$OUT"
	run jq -r 'select(.type=="compensation" and .personio_id=="1006") | .effective_from' "$OUT"
	refute_line "2026-12-01"
	run jq -r 'select(.type=="compensation" and .effective_from > "2026-11-30") | .compensation_id' "$OUT"
	assert_output ""
}

@test "record then replay gives byte-identical output with no network at all" {
	extract_acme --record "$BATS_TEST_TMPDIR/rec" >"$OUT"
	cmp "$REF" "$OUT"
	# replay against a base URL where nothing listens: no request may be made
	run extract-personio -c "$SAMPLES/acme.json" --as-of "$AS_OF" --base-url http://127.0.0.1:9 \
		--replay "$BATS_TEST_TMPDIR/rec"
	assert_success
	cmp "$REF" <(echo "$output")
	# recordings are private: directory 0700, files 0600
	run stat -c %a "$BATS_TEST_TMPDIR/rec"
	assert_output 700
	run bash -c "stat -c %a '$BATS_TEST_TMPDIR'/rec/* | sort -u"
	assert_output 600
}

@test "record/replay: authentication is never recorded; no token or secret lands on disk" {
	extract_acme --record "$BATS_TEST_TMPDIR/rec" >"$OUT"
	run grep -rl -e auth -e token "$BATS_TEST_TMPDIR/rec" --include='*auth*'
	assert_output ""
	run grep -rE -e "$PERSONIO_CLIENT_SECRET" -e 'papi-[0-9a-f]{16,}' "$BATS_TEST_TMPDIR/rec" "$OUT"
	assert_failure 1
}

@test "replay without a recording for a request fails clearly" {
	mkdir -p "$BATS_TEST_TMPDIR/empty"
	run extract-personio -c "$SAMPLES/acme.json" --as-of "$AS_OF" --replay "$BATS_TEST_TMPDIR/empty"
	assert_failure 5
	assert_output --partial "GET /v1/company/employees: --replay"
	assert_output --partial "has no recorded response"
	assert_line --partial '"complete":false'
}

@test "faults: 3x 429 (Retry-After) then 2x 500 still give identical output" {
	emu_faults '{"429":3,"retry_after":"0","500":2}'
	extract_acme >"$OUT"
	cmp "$REF" "$OUT"
	run emu_stats
	assert_output --partial '"requests":21'
}

@test "faults: Retry-After is honoured instead of the backoff (Retry-After 0 vs a 60 s backoff)" {
	emu_faults '{"429":2,"retry_after":"0"}'
	# were the 60 s backoff used instead of Retry-After, this would take minutes and time out
	LOKETPIPE_HTTP_BACKOFF_MS=60000 run timeout 20 extract-personio -c "$SAMPLES/acme.json" --as-of "$AS_OF" \
		--base-url "$EMU_URL"
	assert_success
	cmp "$REF" <(echo "$output")
}

@test "faults: a server slower than the time limit -> bounded retries, exit 5 naming the path" {
	emu_faults '{"latency_ms":1500}'
	LOKETPIPE_HTTP_TIMEOUT_MS=200 LOKETPIPE_HTTP_ATTEMPTS=2 run extract_acme
	assert_failure 5
	assert_output --partial "POST /v1/auth:"
	assert_output --partial "after 2 attempts"
	assert_line --partial '"complete":false'
}

@test "faults: dropped connections are retried, output identical" {
	emu_faults '{"drop":2}'
	extract_acme >"$OUT"
	cmp "$REF" "$OUT"
}

@test "faults: an endpoint that always fails -> exit 5, names path and status, no secret, incomplete stream" {
	emu_faults '{"always":{"path":"/v2/compensations","status":500}}'
	run --separate-stderr extract_acme
	assert_equal "$status" 5
	[[ "$stderr" == *"GET /v2/compensations: HTTP 500"* ]]
	[[ "$stderr" != *"$PERSONIO_CLIENT_SECRET"* && "$output" != *"$PERSONIO_CLIENT_SECRET"* ]]
	[[ "$stderr" != *"Bearer"* && ! "$stderr" =~ papi-[0-9a-f]{16} && ! "$output" =~ papi-[0-9a-f]{16} ]]
	last=$(echo "$output" | tail -n 1)
	[[ "$last" == *'"type":"stream_end"'*'"complete":false'* ]]
	# the persons read before the failure are there, but the stream says it is incomplete
	[ "$(echo "$output" | grep -c '"type":"person"')" -gt 0 ]
}

@test "faults: retries are bounded (LOKETPIPE_HTTP_ATTEMPTS)" {
	emu_faults '{"always":{"path":"/v1/company/employees","status":503}}'
	LOKETPIPE_HTTP_ATTEMPTS=3 run extract_acme
	assert_failure 5
	assert_output --partial "GET /v1/company/employees: HTTP 503 after retries"
	run emu_stats
	assert_output --partial '"requests":4'   # 1 auth + 3 attempts
}

@test "malformed: a body that is not JSON -> exit 5, incomplete" {
	emu_faults '{"malformed":{"path":"/v1/company/employees","kind":"notjson"}}'
	run extract_acme
	assert_failure 5
	assert_output --partial "GET /v1/company/employees: the answer is not a JSON object"
	assert_line --partial '"complete":false'
	refute_line --partial '"complete":true'
}

@test "malformed: a truncated body -> exit 5" {
	emu_faults '{"malformed":{"path":"/v2/compensations","kind":"truncated"}}'
	run extract_acme
	assert_failure 5
	assert_output --partial "GET /v2/compensations: the answer is not a JSON object"
	assert_line --partial '"complete":false'
}

@test "malformed: the wrong shape -> exit 5 (employees and compensations)" {
	emu_faults '{"malformed":{"path":"/v1/company/employees","kind":"wrongshape"}}'
	run extract_acme
	assert_failure 5
	assert_output --partial "wrong shape"
	emu_faults '{"malformed":{"path":"/v2/compensations","kind":"wrongshape"}}'
	run extract_acme
	assert_failure 5
	assert_output --partial "GET /v2/compensations: the answer has the wrong shape"
}

@test "malformed: 401 on a data request -> one re-authentication, then exit 6" {
	emu_faults '{"malformed":{"path":"/v1/company/employees","kind":"status401"}}'
	run extract_acme
	assert_failure 6
	assert_output --partial "GET /v1/company/employees: HTTP 401"
	run emu_stats
	# auth, employees (401), auth again, employees (401): no loop
	assert_output --partial '"requests":4'
}

@test "malformed: 403 -> exit 6" {
	emu_faults '{"malformed":{"path":"/v2/compensations","kind":"status403"}}'
	run extract_acme
	assert_failure 6
	assert_output --partial "GET /v2/compensations: HTTP 403"
}

@test "credentials: refused -> exit 6; the secret never appears" {
	export PERSONIO_CLIENT_SECRET=wrong-secret-value-1234
	run extract_acme
	assert_failure 6
	assert_output --partial "POST /v1/auth: HTTP 401: Personio refused the credentials"
	refute_output --partial wrong-secret-value-1234
}

@test "credentials: none configured -> exit 4" {
	unset PERSONIO_CLIENT_ID PERSONIO_CLIENT_SECRET
	run extract_acme
	assert_failure 4
	assert_output --partial "no credentials: set personio.credentials_file in the configuration, or PERSONIO_CLIENT_ID and PERSONIO_CLIENT_SECRET"
}

@test "credentials: a 0600 file named in the config works; a 0644 one is refused" {
	cred="$BATS_TEST_TMPDIR/cred.json"
	jq . "$SAMPLES/personio/acme/credentials.json" >"$cred"
	jq --arg f "$cred" '.personio.credentials_file=$f' "$SAMPLES/acme.json" >"$BATS_TEST_TMPDIR/acme.json"
	unset PERSONIO_CLIENT_ID PERSONIO_CLIENT_SECRET
	chmod 644 "$cred"
	run extract-personio -c "$BATS_TEST_TMPDIR/acme.json" --as-of "$AS_OF" --base-url "$EMU_URL"
	assert_failure 4
	assert_output --partial "permissions 0644 are too open"
	chmod 600 "$cred"
	extract-personio -c "$BATS_TEST_TMPDIR/acme.json" --as-of "$AS_OF" --base-url "$EMU_URL" >"$OUT"
	cmp "$REF" "$OUT"
}

@test "paging: page size 7 gives the same records as page size 100" {
	jq '.personio.page_size=7' "$SAMPLES/acme.json" >"$BATS_TEST_TMPDIR/acme.json"
	extract-personio -c "$BATS_TEST_TMPDIR/acme.json" --as-of "$AS_OF" --base-url "$EMU_URL" >"$OUT"
	cmp "$REF" "$OUT"
	run emu_stats
	n=$(jq length "$SAMPLES/personio/acme/employees.json")
	assert_output --partial "\"/v1/company/employees\":$(( (n + 6) / 7 ))"
}

@test "paging: a total that the pages do not deliver -> exit 5 (no silent partial extract)" {
	record_acme
	edit_recorded GET_v1_company_employees '.metadata.total_elements += 1' >/dev/null
	run replay_acme
	assert_failure 5
	assert_line --partial '"complete":false'
}

@test "paging: the same employee twice -> exit 5" {
	record_acme
	edit_recorded GET_v1_company_employees '.data[1] = .data[0]' >/dev/null
	run replay_acme
	assert_failure 5
	assert_output --partial "was returned twice"
}

@test "paging: a next link that repeats, or an empty page with a next link -> exit 5, no loop" {
	record_acme
	href="$EMU_URL/v2/compensations?start_date=2026-03-01&end_date=2026-03-31&legal_entity.id=170&limit=100"
	edit_recorded GET_v2_compensations_start_date_2026-03-01 '._meta.links.next.href = $h' --arg h "$href" >/dev/null
	run replay_acme
	assert_failure 5
	assert_output --partial "repeats an earlier page"
	edit_recorded GET_v2_compensations_start_date_2026-03-01 '._data = []' >/dev/null
	run replay_acme
	assert_failure 5
	assert_output --partial "empty page still links"
}

@test "PX2: a compensation whose dates do not read is withheld with an issue" {
	record_acme
	f=$(edit_recorded GET_v2_compensations_start_date_2026-01-01 '._data[0].effective_to = "2026-13-01" | ._data[1].effective_from = null')
	id0=$(jq -r '._data[0].id' "$f")
	id1=$(jq -r '._data[1].id' "$f")
	run replay_acme
	assert_failure 1
	assert_line --partial "\"field\":\"effective_to\",\"message\":\"compensation $id0:"
	assert_line --partial "\"field\":\"effective_from\",\"message\":\"compensation $id1:"
	assert_line --partial '"complete":true'
}

@test "a next link to another host is not followed (the token stays home)" {
	# lp_http refuses to follow an absolute link off the configured origin
	run lp-unit http "$EMU_URL" GET "http://127.0.0.2:1/v1/company/document-categories"
	assert_failure 5
	assert_output --partial "pointed to another origin"
}

@test "--only limits the extract to one employee by Employee number or Personio id" {
	en=$(jq -r 'select(.type=="person" and .employee_number != null) | .employee_number' "$REF" | head -n 1)
	pid=$(jq -r --arg e "$en" 'select(.type=="person" and .employee_number==$e) | .personio_id' "$REF")
	extract_acme --only "$en" >"$OUT"
	run jq -r 'select(.type=="person") | .personio_id' "$OUT"
	assert_output "$pid"
	run jq -r --arg p "$pid" 'select(.type=="compensation" and .personio_id != $p) | .personio_id' "$OUT"
	assert_output ""
	run emu_stats
	assert_output --partial '"/v2/compensations":13'
	[ "$(jq -c "select(.type==\"compensation\" and .personio_id==\"$pid\")" "$REF")" = \
	  "$(jq -c 'select(.type=="compensation")' "$OUT")" ]
	extract_acme --only "$pid" >"$BATS_TEST_TMPDIR/bypid.ndjson"
	cmp "$OUT" "$BATS_TEST_TMPDIR/bypid.ndjson"
}

@test "--only with no such employee -> exit 3" {
	run extract_acme --only no-such-person
	assert_failure 3
	assert_output --partial "--only no-such-person: no employee"
}

@test "PX1/PX2: unreadable values become issues naming employee and field; the amount is never guessed" {
	odd_credentials
	run --separate-stderr extract-personio -c "$FIXTURES/odd.json" --as-of 2026-06-15 --base-url "$EMU_URL"
	assert_equal "$status" 1
	echo "$output" >"$OUT"
	schema_ok "$OUT"
	run jq -r 'select(.type=="issue") | [.rule, .personio_id // "-", .field] | join(" ")' "$OUT"
	assert_line "PX2 2001 weekly_hours"
	assert_line "PX2 2001 consider_nl_payroll"
	assert_line "PX2 2001 date_of_birth"
	assert_line "PX1 - phone"
	assert_line "PX2 2003 address_line"
	assert_line "PX2 2001 amount.value"
	assert_line "PX2 2001 type.category"
	assert_line "PX2 2002 interval"
	assert_line "PX1 - preferred_name"
	assert_line "PX2 2002 amount.currency"
	# withheld compensations are absent, the readable ones present and exact
	run jq -r 'select(.type=="compensation") | [.compensation_id, .amount, .currency, .interval // "-"] | join(" ")' "$OUT"
	assert_output "$(printf '%s\n' 'odd-1 4166.67 EUR monthly' '77 18.75 EUR hourly' 'odd-8 2500.50 EUR -')"
}

@test "person fields: address line split, BSN/IBAN/postal code normalised, initials derived, dates" {
	odd_credentials
	extract-personio -c "$FIXTURES/odd.json" --as-of 2026-06-15 --base-url "$EMU_URL" >"$OUT" || true
	run jq -c 'select(.type=="person" and .personio_id=="2001") | [.address, .bsn, .iban, .initials, .entry_date]' "$OUT"
	assert_output '[{"street":"Keizersgracht","house_number":"123","house_number_addition":"A","postal_code":"1015 CJ","city":"Amsterdam","country":"NL"},"123456782","NL91ABNA0417164300","P.","2020-01-01"]'
	run jq -c 'select(.type=="person" and .personio_id=="2002") | [.status, .gender, .initials, .legal_entity_id, .consider_nl_payroll, .weekly_hours, .termination_date, .address.street, .address.house_number_addition, .address.postal_code]' "$OUT"
	assert_output '["active","female","A.M.S.","170",true,"32.50","2027-01-31","2e Jan Steenstraat","hs","9999 XX"]'
	run jq -c 'select(.type=="person" and .personio_id=="2003") | [.first_name, .initials, .email, .employee_number, .consider_nl_payroll]' "$OUT"
	assert_output '["Ömer","Ö.",null,null,false]'
}

@test "usage: --help, --version, bad options, positional arguments" {
	run extract-personio --help
	assert_success
	assert_output --partial "Usage: extract-personio --config FILE"
	run extract-personio --version
	assert_success
	assert_output --regexp '^extract-personio \(loketpipe\) [0-9]+\.[0-9]+\.[0-9]+$'
	run extract-personio
	assert_failure 2
	assert_output --partial "--config is required"
	run extract-personio -c x --bogus
	assert_failure 2
	run extract-personio -c "$SAMPLES/acme.json" my-secret
	assert_failure 2
	assert_output --partial "credentials are never taken from the command line"
	run extract-personio -c "$SAMPLES/acme.json" --as-of 2026-02-30
	assert_failure 2
	run extract-personio -c "$SAMPLES/acme.json" --future-months 99
	assert_failure 2
	run extract-personio -c "$SAMPLES/acme.json" --record a --replay b
	assert_failure 2
}

@test "config: missing file, not JSON, unknown keys and wrong types -> exit 4 naming the key" {
	run extract-personio -c "$BATS_TEST_TMPDIR/none.json"
	assert_failure 4
	assert_output --partial "none.json: cannot open"
	echo '{"client":' >"$BATS_TEST_TMPDIR/c.json"
	run extract-personio -c "$BATS_TEST_TMPDIR/c.json"
	assert_failure 4
	assert_output --partial "c.json:"
	jq '.personio.pagesize=5' "$SAMPLES/acme.json" >"$BATS_TEST_TMPDIR/c.json"
	run extract-personio -c "$BATS_TEST_TMPDIR/c.json"
	assert_failure 4
	assert_output --partial "c.json: personio.pagesize: unknown key"
	jq '.personio.page_size=500 | .compensation.start_date="2026-02-30" | .compensation.mapping.x="8042" | .attributes.bsn=7' \
		"$SAMPLES/acme.json" >"$BATS_TEST_TMPDIR/c.json"
	run extract-personio -c "$BATS_TEST_TMPDIR/c.json"
	assert_failure 4
	assert_output --partial "personio.page_size: must be a whole number from 1 to 100"
	assert_output --partial "compensation.start_date: must be a date"
	assert_output --partial "compensation.mapping.x: must be a Loket payroll component key"
	assert_output --partial "attributes.bsn: must be a Personio attribute key"
	jq 'del(.compensation)' "$SAMPLES/acme.json" >"$BATS_TEST_TMPDIR/c.json"
	run extract-personio -c "$BATS_TEST_TMPDIR/c.json"
	assert_failure 4
	assert_output --partial "compensation: missing"
}

@test "config: plain http to a remote Personio is refused before any request" {
	run extract-personio -c "$SAMPLES/acme.json" --base-url http://api.personio.de
	assert_failure 4
	assert_output --partial "refusing plain http"
}

@test "the sample configurations validate against schemas/client-config.schema.json" {
	run schema-check "$SCHEMAS" --as client-config "$SAMPLES/acme.json"
	assert_success
	run schema-check "$SCHEMAS" --as client-config "$FIXTURES/odd.json"
	assert_success
	jq '.personio.page_size=500' "$SAMPLES/acme.json" >"$BATS_TEST_TMPDIR/c.json"
	run schema-check "$SCHEMAS" --as client-config "$BATS_TEST_TMPDIR/c.json"
	assert_failure
}

# --- shared rate limits (lib/lp_rate) against an emulator enforcing them -----------------

# tenants N: $BATS_TEST_TMPDIR/rl/tI, acme's data with credentials of its own (tI-id)
tenants() {
	for i in $(seq 1 "$1"); do
		mkdir -p "$BATS_TEST_TMPDIR/rl/t$i"
		for f in employees compensations document-categories; do
			ln -sf "$SAMPLES/personio/acme/$f.json" "$BATS_TEST_TMPDIR/rl/t$i/$f.json"
		done
		echo "{\"client_id\":\"t$i-id\",\"client_secret\":\"t$i-secret-value\"}" >"$BATS_TEST_TMPDIR/rl/t$i/credentials.json"
	done
}
# workers N CRED RATEDIR: N extract-personio runs at once (page size 4: 11 v1 requests each),
# worker I with the credentials of tenant tI (CRED=each) or all of t1 (CRED=one), and the rate
# directory RATEDIR (or RATEDIR/I when it ends in /each); exit codes in $BATS_TEST_TMPDIR/wrcI
workers() {
	local pids=() i id
	jq '.personio.page_size=4' "$SAMPLES/acme.json" >"$BATS_TEST_TMPDIR/p4.json"
	for i in $(seq 1 "$1"); do
		id=$([ "$2" = each ] && echo "$i" || echo 1)
		local dir=$3
		[[ "$dir" == */each ]] && dir="${dir%/each}/$i"
		(PERSONIO_CLIENT_ID="t$id-id" PERSONIO_CLIENT_SECRET="t$id-secret-value" LOKETPIPE_RATE_DIR="$dir" \
			extract-personio -c "$BATS_TEST_TMPDIR/p4.json" --as-of "$AS_OF" --base-url "$RL_URL" \
			>"$BATS_TEST_TMPDIR/w$i.ndjson" 2>"$BATS_TEST_TMPDIR/w$i.err"
		 echo $? >"$BATS_TEST_TMPDIR/wrc$i") &
		pids+=($!)
	done
	wait "${pids[@]}"
	for i in $(seq 1 "$1"); do # every worker complete, with the reference's records
		[ "$(cat "$BATS_TEST_TMPDIR/wrc$i")" = 0 ] || { cat "$BATS_TEST_TMPDIR/w$i.err" >&2; return 1; }
		[ "$(grep -vc stream_end "$BATS_TEST_TMPDIR/w$i.ndjson")" = "$(grep -vc stream_end "$REF")" ]
	done
}
rl_start() { # rl_start EMU-FLAGS...: an emulator of its own, limits lowered
	emu_launch personio-emu rl "$BATS_TEST_TMPDIR/rl" "$@"
	RL_URL=$LAUNCHED_URL RL_PID=$LAUNCHED_PID
}
refused() { curl -fsS "$RL_URL/__emu/stats" | jq ".rate_limited.$1"; }

@test "shared limits: 6 clients' workers at once stay under the per-IP v1 limit (no 429); with a rate directory each they are refused (429) and still finish" {
	tenants 6
	rl_start --rate-v1 20/1
	export LOKETPIPE_RATE_V1=20/1 LOKETPIPE_HTTP_RETRY_AFTER_MAX_MS=2000
	workers 6 each "$BATS_TEST_TMPDIR/shared"
	assert_equal "$(refused total)" 0
	[ "$(curl -fsS "$RL_URL/__emu/stats" | jq '.by_path["/v1/company/employees"]')" -eq 60 ]
	curl -fsS -X POST "$RL_URL/__emu/reset" >/dev/null
	workers 6 each "$BATS_TEST_TMPDIR/own/each" # no limiter shared: together over the limit
	[ "$(refused v1)" -gt 0 ]
	emu_kill "$RL_PID"
}

@test "shared limits: 4 workers of one credential share its employees limit (no 429); apart they are refused" {
	tenants 1
	rl_start --rate-employees 10/1 --rate-v1 off
	export LOKETPIPE_RATE_EMPLOYEES=10/1 LOKETPIPE_HTTP_RETRY_AFTER_MAX_MS=2000
	workers 4 one "$BATS_TEST_TMPDIR/shared"
	assert_equal "$(refused total)" 0
	curl -fsS -X POST "$RL_URL/__emu/reset" >/dev/null
	workers 4 one "$BATS_TEST_TMPDIR/own/each"
	[ "$(refused employees)" -gt 0 ]
	emu_kill "$RL_PID"
}

@test "shared limits: a damaged bucket file starts again empty (the run waits, never unlimited); a bad limit variable is exit 4" {
	export LOKETPIPE_RATE_V1=1000/1 LOKETPIPE_RATE_DIR="$BATS_TEST_TMPDIR/rate"
	run --separate-stderr extract_acme -v
	assert_success
	[[ "$stderr" == *"HTTP requests (0 waited"* ]] # a new bucket starts full
	run stat -c %a "$LOKETPIPE_RATE_DIR"
	assert_output 700
	for f in "$LOKETPIPE_RATE_DIR"/personio-v1-????????????????; do
		printf 'lp_rate 1 99999999999999 12\njunk' >"$f"
	done
	run --separate-stderr extract_acme -v
	assert_success
	[[ "$stderr" == *"was damaged; it starts again empty"* ]]
	[[ "$stderr" != *"HTTP requests (0 waited"* ]]
	run grep -L '^lp_rate 1 -\?[0-9]* [0-9]*$' "$LOKETPIPE_RATE_DIR"/personio-*
	assert_output "" # every bucket file is whole again
	LOKETPIPE_RATE_V1_AUTH=fast run extract_acme
	assert_failure 4
	assert_output --partial "LOKETPIPE_RATE_V1_AUTH: 'fast' is not a rate limit"
}

@test "shared limits: a rate directory that is not private is not used; the limits stay inside the process" {
	export LOKETPIPE_RATE_DIR="$BATS_TEST_TMPDIR/open" LOKETPIPE_RATE_V1=1000/1
	mkdir -m 755 "$LOKETPIPE_RATE_DIR"
	run --separate-stderr extract_acme -v
	assert_success
	[[ "$stderr" == *"is not a private directory of yours (mode 0700); the limits are kept inside this process"* ]]
	run ls "$LOKETPIPE_RATE_DIR"
	assert_output ""
}

# --- the Personio token cache ---------------------------------------------------------------

auths() { emu_stats | jq -c '[.by_path["/v1/auth"] // 0, .by_path["/v2/auth/token"] // 0]'; }
cache_cfg() { # $CFG: acme with the token cache $CACHE
	CACHE="$BATS_TEST_TMPDIR/cache/acme.personio-token.json"
	mkdir -p "$BATS_TEST_TMPDIR/cache"
	CFG="$BATS_TEST_TMPDIR/acme.json"
	jq --arg f "$CACHE" '.personio.token_cache=$f' "$SAMPLES/acme.json" >"$CFG"
}
extract_cfg() { extract-personio -c "$CFG" --as-of "$AS_OF" --base-url "$EMU_URL" "$@"; }

@test "token cache: a second run within the tokens' lifetime logs in no more; the cache is 0600 and its tokens reach no output" {
	cache_cfg
	extract_cfg >"$OUT" 2>"$ERR"
	assert_equal "$(auths)" "[1,1]"
	run stat -c %a "$CACHE"
	assert_output 600
	run jq -r '[.base_url, .client_id, (.v1.expires_at - now > 86000), (.v2.expires_at - now > 86000)] | @tsv' "$CACHE"
	assert_output "$(printf '%s\t%s\ttrue\ttrue' "$EMU_URL" "$PERSONIO_CLIENT_ID")"
	extract_cfg -v >"$BATS_TEST_TMPDIR/out2.ndjson" 2>>"$ERR"
	assert_equal "$(auths)" "[1,1]"
	cmp "$OUT" "$BATS_TEST_TMPDIR/out2.ndjson"
	for t in $(jq -r '.v1.token, .v2.token' "$CACHE"); do
		! grep -q -e "$t" "$OUT" "$ERR"
	done
}

@test "token cache: tokens Personio no longer takes are minted again once (401/403), the run completes, the cache is renewed" {
	cache_cfg
	extract_cfg >/dev/null
	old=$(jq -c '[.v1.token, .v2.token]' "$CACHE")
	curl -fsS -X POST "$EMU_URL/__emu/revoke-tokens" >/dev/null
	run --separate-stderr extract_cfg
	assert_success
	assert_equal "$(auths)" "[2,2]"
	[ "$(jq -c '[.v1.token, .v2.token]' "$CACHE")" != "$old" ]
	# a refusal of a freshly minted token is still the credential's problem: exit 6, no loop
	emu_faults '{"malformed":{"path":"/v2/compensations","kind":"status403"}}'
	run extract_cfg
	assert_failure 6
}

@test "token cache: an entry near its end, of another credential or of another base URL is not used" {
	cache_cfg
	extract_cfg >/dev/null
	edit() { (umask 077 && jq -c "$1" "$CACHE" >"$CACHE.t" && mv "$CACHE.t" "$CACHE"); }
	edit '.v1.expires_at = (now | floor) + 200' # less than the five-minute margin left
	extract_cfg >/dev/null
	assert_equal "$(auths)" "[2,1]"
	edit '.client_id = "someone-else"'
	extract_cfg >/dev/null
	assert_equal "$(auths)" "[3,2]"
	edit '.base_url = "https://api.personio.de"'
	extract_cfg >/dev/null
	assert_equal "$(auths)" "[4,3]"
	chmod 644 "$CACHE" # not private: not read, a warning, and a login
	run --separate-stderr extract_cfg
	assert_success
	[[ "$stderr" == *"token cache $CACHE: permissions 0644 are too open"* ]]
	assert_equal "$(auths)" "[5,4]"
}

@test "token cache: by default beside the Loket token file (<client>.personio-token.json); none without either" {
	jq --arg t "$BATS_TEST_TMPDIR/tok/loket-token.json" '.loket.token_file=$t' "$SAMPLES/acme.json" >"$BATS_TEST_TMPDIR/acme.json"
	mkdir -m 700 "$BATS_TEST_TMPDIR/tok"
	CFG="$BATS_TEST_TMPDIR/acme.json"
	extract_cfg >/dev/null
	assert_file_exists "$BATS_TEST_TMPDIR/tok/acme.personio-token.json"
	extract_cfg >/dev/null
	assert_equal "$(auths)" "[1,1]"
	extract_acme >/dev/null # samples/acme.json: no token file, no cache
	assert_equal "$(auths)" "[2,2]"
	run git -C "$ROOT" status --porcelain -- samples
	assert_output ""
}

@test "token cache: Personio's v1 rotation header is followed (each answer a new token) and the last token is saved" {
	tenants 1
	rl_start --rotate-v1-tokens yes
	cache_cfg
	jq '.personio.page_size=4' "$CFG" >"$CFG.new" && mv "$CFG.new" "$CFG"
	PERSONIO_CLIENT_ID=t1-id PERSONIO_CLIENT_SECRET=t1-secret-value \
		run --separate-stderr extract-personio -c "$CFG" --as-of "$AS_OF" --base-url "$RL_URL"
	assert_success
	assert_equal "$(curl -fsS "$RL_URL/__emu/stats" | jq -c '[.by_path["/v1/auth"], .by_path["/v1/company/employees"]]')" "[1,10]"
	# the saved token is the one the last answer handed over: it still works
	t=$(jq -r .v1.token "$CACHE")
	assert_equal "$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $t" "$RL_URL/v1/company/employees")" 200
	emu_kill "$RL_PID"
}

@test "--persons-only: the person records alone, without a v2 token or a compensation request" {
	run extract_acme --persons-only
	assert_success
	printf '%s\n' "$output" >"$OUT"
	assert_equal "$(jq -s '[.[] | select(.type == "compensation")] | length' "$OUT")" 0
	assert_equal "$(jq -s '[.[] | select(.type == "person")]' "$OUT")" "$(jq -s '[.[] | select(.type == "person")]' "$REF")"
	run emu_stats
	assert_equal "$(jq '[.by_path | to_entries[] | select(.key | startswith("/v2/"))] | length' <<<"$output")" 0
	schema_ok "$OUT"
}
