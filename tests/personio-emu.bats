#!/usr/bin/env bats
# The Personio emulator behaves like the API where extract-personio depends on it.

load helper

setup_file() {
	load helper
	emu_start "$SAMPLES/personio"
}
teardown_file() { emu_stop; }

setup() {
	emu_reset
	acme_credentials
}

v1_token() {
	curl -fsS -X POST -H 'Content-Type: application/json' \
		--data "{\"client_id\":\"$PERSONIO_CLIENT_ID\",\"client_secret\":\"$PERSONIO_CLIENT_SECRET\"}" \
		"$EMU_URL/v1/auth" | jq -r .data.token
}
v2_token() {
	curl -fsS -X POST --data-urlencode grant_type=client_credentials \
		--data-urlencode "client_id=$PERSONIO_CLIENT_ID" --data-urlencode "client_secret=$PERSONIO_CLIENT_SECRET" \
		"$EMU_URL/v2/auth/token" | jq -r .access_token
}
get() { curl -sS -o "$BATS_TEST_TMPDIR/body" -w '%{http_code}' -H "Authorization: Bearer $1" "$EMU_URL$2"; }

@test "listens on loopback only and writes its port file" {
	run ss -ltnp
	if [ "$status" -eq 0 ]; then
		port=${EMU_URL##*:}
		assert_output --partial "127.0.0.1:$port"
		refute_output --partial "0.0.0.0:$port"
		refute_output --partial "*:$port"
	fi
	[[ "$EMU_URL" == http://127.0.0.1:* ]]
}

@test "auth: v1 and v2 tokens for good credentials, 401/400 for bad ones" {
	t=$(v1_token)
	[[ "$t" == papi-* ]]
	t2=$(v2_token)
	[[ "$t2" == papi-* ]]
	run curl -sS -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
		--data '{"client_id":"x","client_secret":"y"}' "$EMU_URL/v1/auth"
	assert_output 401
	run curl -sS -o /dev/null -w '%{http_code}' -X POST --data 'grant_type=password&client_id=x&client_secret=y' \
		"$EMU_URL/v2/auth/token"
	assert_output 400
}

@test "employees: limit capped at 100, default 50, element offset, totals" {
	t=$(v1_token)
	run get "$t" "/v1/company/employees?limit=500&offset=0"
	assert_output 200
	run jq -c '[.limit, .metadata.total_elements, (.data | length)]' "$BATS_TEST_TMPDIR/body"
	n=$(jq length "$SAMPLES/personio/acme/employees.json")
	assert_output "[100,$n,$n]"
	run get "$t" "/v1/company/employees"
	run jq -c '[.limit, (.data | length)]' "$BATS_TEST_TMPDIR/body"
	assert_output "[50,$n]"
	run get "$t" "/v1/company/employees?limit=10&offset=35"
	run jq -c '[.offset, (.data | length), .data[0].attributes.id.value]' "$BATS_TEST_TMPDIR/body"
	assert_output "[35,$((n - 35)),$(jq '.[35].attributes.id.value' "$SAMPLES/personio/acme/employees.json")]"
}

@test "tokens: none -> 401, unknown -> 403, a v2 token on v1 and a v1 token on v2 are refused" {
	run curl -sS -o /dev/null -w '%{http_code}' "$EMU_URL/v1/company/employees"
	assert_output 401
	run get papi-nonsense "/v1/company/employees"
	assert_output 403
	run get "$(v2_token)" "/v1/company/employees"
	[ "$output" = 401 ] || [ "$output" = 403 ]
	run get "$(v1_token)" "/v2/compensations?start_date=2026-01-01&end_date=2026-01-31"
	assert_output 401
}

@test "compensations: windows of at most one month, cursor paging with absolute next links" {
	t=$(v2_token)
	run get "$t" "/v2/compensations?start_date=2026-01-01&end_date=2026-02-02"
	assert_output 400
	run get "$t" "/v2/compensations?start_date=2026-02-01&end_date=2026-01-01"
	assert_output 400
	run get "$t" "/v2/compensations?start_date=2026-01-01&end_date=2026-01-31&legal_entity.id=170&limit=5"
	assert_output 200
	run jq -r '._meta.links.next.href' "$BATS_TEST_TMPDIR/body"
	assert_output --regexp "^$EMU_URL/v2/compensations\?.*cursor="
	next=$output
	# following the links reaches every item of the window exactly once
	all=$(jq -c '._data[].id' "$BATS_TEST_TMPDIR/body")
	while [ "$next" != null ]; do
		curl -fsS -H "Authorization: Bearer $t" "$next" >"$BATS_TEST_TMPDIR/page"
		all="$all
$(jq -c '._data[].id' "$BATS_TEST_TMPDIR/page")"
		next=$(jq -r '._meta.links.next.href // "null"' "$BATS_TEST_TMPDIR/page")
	done
	run get "$t" "/v2/compensations?start_date=2026-01-01&end_date=2026-01-31&legal_entity.id=170&limit=100"
	want=$(jq -c '._data[].id' "$BATS_TEST_TMPDIR/body")
	[ "$(echo "$all" | sort)" = "$(echo "$want" | sort)" ]
	[ -z "$(echo "$all" | sort | uniq -d)" ]
	run get "$t" "/v2/compensations?start_date=2026-01-01&end_date=2026-01-31&cursor=cur_garbage"
	assert_output 400
}

@test "compensations: one-time items only in their month, others while effective" {
	t=$(v2_token)
	get "$t" "/v2/compensations?start_date=2026-06-01&end_date=2026-06-30&person.id=1012&limit=100" >/dev/null
	run jq -r '._data[] | "\(.type.category) \(.effective_from)"' "$BATS_TEST_TMPDIR/body"
	assert_line --partial "FIXED_SALARY"
	for l in "${lines[@]}"; do
		case "$l" in ONE_TIME*|BONUS*) [[ "$l" == *2026-06-* ]] ;; esac
	done
}

@test "amounts are served as written (4166.67 stays 4166.67)" {
	t=$(v2_token)
	curl -fsS -H "Authorization: Bearer $t" \
		"$EMU_URL/v2/compensations?start_date=2026-01-01&end_date=2026-01-31&limit=100" >"$BATS_TEST_TMPDIR/body"
	run grep -Eo '"value":-?[0-9]+\.[0-9]{3,}' "$BATS_TEST_TMPDIR/body"
	assert_failure
}

@test "faults: counted 429 then 500, always, latency; stats count requests" {
	t=$(v1_token)
	emu_faults '{"429":1,"retry_after":"7","500":1}'
	run curl -sS -D - -o /dev/null -H "Authorization: Bearer $t" "$EMU_URL/v1/company/employees?limit=1"
	assert_output --partial "429"
	assert_output --partial "Retry-After: 7"
	run get "$t" "/v1/company/employees?limit=1"
	assert_output 500
	run get "$t" "/v1/company/employees?limit=1"
	assert_output 200
	emu_faults '{"always":{"path":"/v1/company/document-categories","status":502}}'
	run get "$t" "/v1/company/document-categories"
	assert_output 502
	run get "$t" "/v1/company/employees?limit=1"
	assert_output 200
	run emu_stats
	assert_output --partial '"requests":6'
}

@test "faults: a bad fault plan is refused" {
	run curl -sS -o /dev/null -w '%{http_code}' -X POST --data '{"429":"many"}' "$EMU_URL/__emu/faults"
	assert_output 400
}

@test "documents: categories and a multipart upload" {
	t=$(v1_token)
	run get "$t" "/v1/company/document-categories"
	assert_output 200
	printf '%%PDF-1.4 test\n' >"$BATS_TEST_TMPDIR/p.pdf"
	run curl -sS -o "$BATS_TEST_TMPDIR/up" -w '%{http_code}' -H "Authorization: Bearer $t" \
		-F title="Loonstrook 2026-10" -F employee_id=1001 -F category_id=2 -F date=2026-10-31 \
		-F file=@"$BATS_TEST_TMPDIR/p.pdf" "$EMU_URL/v1/company/documents"
	assert_output 201
	run curl -fsS "$EMU_URL/__emu/documents"
	assert_output --partial "Loonstrook 2026-10"
	run curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $t" \
		-F title=x -F employee_id=1001 -F category_id=999 -F file=@"$BATS_TEST_TMPDIR/p.pdf" "$EMU_URL/v1/company/documents"
	assert_output 404
}

@test "--watch-pid: the emulator exits when the watched process is gone" {
	sleep 30 3>&- &
	watched=$!
	personio-emu --fixtures "$SAMPLES/personio" --port 0 --port-file "$BATS_TEST_TMPDIR/p" --watch-pid $watched \
		>/dev/null 2>&1 3>&- &
	emu=$!
	for _ in $(seq 100); do [ -s "$BATS_TEST_TMPDIR/p" ] && break; sleep 0.05; done
	kill $watched
	for _ in $(seq 100); do kill -0 $emu 2>/dev/null || break; sleep 0.05; done
	run kill -0 $emu
	assert_failure
}

@test "bad fixtures are refused with the file named (exit 3)" {
	mkdir -p "$BATS_TEST_TMPDIR/fx/t"
	echo '{"client_id":"a","client_secret":"b"}' >"$BATS_TEST_TMPDIR/fx/t/credentials.json"
	echo '[{"type":"Employee"' >"$BATS_TEST_TMPDIR/fx/t/employees.json"
	echo '[]' >"$BATS_TEST_TMPDIR/fx/t/compensations.json"
	run personio-emu --fixtures "$BATS_TEST_TMPDIR/fx" --port 0
	assert_failure 3
	assert_output --partial "employees.json"
}

@test "faults from --faults and from PERSONIO_EMU_FAULTS; latency still answers" {
	personio-emu --fixtures "$SAMPLES/personio" --port 0 --port-file "$BATS_TEST_TMPDIR/p1" --watch-pid $$ \
		--faults '{"500":1}' >/dev/null 2>&1 3>&- &
	e1=$!
	PERSONIO_EMU_FAULTS='{"429":1,"retry_after":"0"}' personio-emu --fixtures "$SAMPLES/personio" --port 0 \
		--port-file "$BATS_TEST_TMPDIR/p2" --watch-pid $$ >/dev/null 2>&1 3>&- &
	e2=$!
	for _ in $(seq 100); do [ -s "$BATS_TEST_TMPDIR/p1" ] && [ -s "$BATS_TEST_TMPDIR/p2" ] && break; sleep 0.05; done
	run curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$(cat "$BATS_TEST_TMPDIR/p1")/v1/company/employees"
	assert_output 500
	run curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$(cat "$BATS_TEST_TMPDIR/p2")/v1/company/employees"
	assert_output 429
	kill $e1 $e2
	emu_faults '{"latency_ms":30}'
	run get "$(v1_token)" "/v1/company/employees?limit=1"
	assert_output 200
}

# --- rate limits (doc/personio-fixtures.md "Rate limits") ------------------------------------

# an emulator of its own with the flags given; sets RL_URL, RL_PID
rl_emu() {
	emu_launch personio-emu rl "$SAMPLES/personio" "$@"
	RL_URL=$LAUNCHED_URL RL_PID=$LAUNCHED_PID
}
rl_auth() { # rl_auth ID SECRET: status of POST /v1/auth; headers in $BATS_TEST_TMPDIR/h, body in body
	curl -sS -D "$BATS_TEST_TMPDIR/h" -o "$BATS_TEST_TMPDIR/body" -w '%{http_code}' -X POST \
		-H 'Content-Type: application/json' --data "{\"client_id\":\"$1\",\"client_secret\":\"$2\"}" "$RL_URL/v1/auth"
}

@test "rate limits: over a limit -> 429 with Retry-After and Personio's error body, counted; per credential and per IP apart; reset refills" {
	rl_emu --rate-v1-auth 2/60 --rate-v1 5/60
	assert_equal "$(rl_auth "$PERSONIO_CLIENT_ID" "$PERSONIO_CLIENT_SECRET")" 200
	assert_equal "$(rl_auth "$PERSONIO_CLIENT_ID" "$PERSONIO_CLIENT_SECRET")" 200
	assert_equal "$(rl_auth "$PERSONIO_CLIENT_ID" "$PERSONIO_CLIENT_SECRET")" 429
	run jq -c . "$BATS_TEST_TMPDIR/body"
	assert_output '{"success":false,"error":{"message":"Too many requests","code":429}}'
	run grep -i '^retry-after: [0-9]' "$BATS_TEST_TMPDIR/h"
	assert_success
	# another client_id has a bucket of its own (refused as a credential, but not rate limited)
	assert_equal "$(rl_auth someone-else wrong-secret)" 401
	# the per-IP limit counts every /v1/ request of the address: 4 so far, one more passes
	assert_equal "$(rl_auth someone-else wrong-secret)" 401
	assert_equal "$(rl_auth someone-else wrong-secret)" 429
	run curl -fsS "$RL_URL/__emu/stats"
	assert_equal "$(jq -c .rate_limited <<<"$output")" '{"v1":1,"v1_auth":1,"employees":0,"documents":0,"v2_token":0,"total":2}'
	# v2 is not under the v1 limits
	run curl -sS -o /dev/null -w '%{http_code}' -X POST --data-urlencode grant_type=client_credentials \
		--data-urlencode "client_id=$PERSONIO_CLIENT_ID" --data-urlencode "client_secret=$PERSONIO_CLIENT_SECRET" "$RL_URL/v2/auth/token"
	assert_output 200
	curl -fsS -X POST "$RL_URL/__emu/reset" >/dev/null
	assert_equal "$(rl_auth "$PERSONIO_CLIENT_ID" "$PERSONIO_CLIENT_SECRET")" 200
	assert_equal "$(curl -fsS "$RL_URL/__emu/stats" | jq .rate_limited.total)" 0
	emu_kill "$RL_PID"
}

@test "rate limits: the v2 token endpoint answers 429 as problem+json; a limit can be off; bad flags are usage errors" {
	rl_emu --rate-v2-token 1/60 --rate-v1-auth off
	v2() { curl -sS -o "$BATS_TEST_TMPDIR/body" -w '%{http_code}' -X POST --data-urlencode grant_type=client_credentials \
		--data-urlencode "client_id=$PERSONIO_CLIENT_ID" --data-urlencode "client_secret=$PERSONIO_CLIENT_SECRET" "$RL_URL/v2/auth/token"; }
	assert_equal "$(v2)" 200
	assert_equal "$(v2)" 429
	run jq -r '.errors[0].type' "$BATS_TEST_TMPDIR/body"
	assert_output "https://developer.personio.de/reference/errors#common.too_many_requests"
	for i in 1 2 3 4 5; do assert_equal "$(rl_auth "$PERSONIO_CLIENT_ID" "$PERSONIO_CLIENT_SECRET")" 200; done
	emu_kill "$RL_PID"
	for bad in 0/60 5/0 5/60:6 fast 5/60:x; do
		run personio-emu --fixtures "$SAMPLES/personio" --rate-v1 "$bad"
		assert_failure
		assert_output --partial "N/SECONDS[:BURST]"
	done
}

@test "--rotate-v1-tokens: a v1 answer carries a new token; the used one no longer works" {
	rl_emu --rotate-v1-tokens yes
	assert_equal "$(rl_auth "$PERSONIO_CLIENT_ID" "$PERSONIO_CLIENT_SECRET")" 200
	t1=$(jq -r .data.token "$BATS_TEST_TMPDIR/body")
	t2=$(curl -sS -D - -o /dev/null -H "Authorization: Bearer $t1" "$RL_URL/v1/company/employees?limit=1" |
		sed -n 's/^[Aa]uthorization: Bearer \([^[:space:]]*\).*/\1/p')
	[ -n "$t2" ] && [ "$t2" != "$t1" ]
	assert_equal "$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $t1" "$RL_URL/v1/company/employees")" 403
	assert_equal "$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $t2" "$RL_URL/v1/company/employees")" 200
	emu_kill "$RL_PID"
}

@test "attendances: start_date and end_date required and inclusive, limit default 200, element offset, metadata; a v1 token" {
	t=$(v1_token)
	run get "$t" "/v1/company/attendances"
	assert_output 400
	run get "$t" "/v1/company/attendances?start_date=2026-11-30&end_date=2026-11-01"
	assert_output 400
	run get "$t" "/v1/company/attendances?start_date=2026-11-01&end_date=2026-11-30&limit=0"
	assert_output 400
	run get "$(v2_token)" "/v1/company/attendances?start_date=2026-11-01&end_date=2026-11-30"
	[ "$output" = 401 ] || [ "$output" = 403 ]
	# confirmed ones only (no includePending), every date of the range, fixture order
	n=$(jq '[.[] | select(.attributes.status=="confirmed")] | length' "$SAMPLES/personio/acme/attendances.json")
	run get "$t" "/v1/company/attendances?start_date=2026-11-01&end_date=2026-11-30"
	assert_output 200
	run jq -c '[.success, .limit, .offset, .metadata.total_elements, .metadata.total_pages, (.data | length), .data[0].id, .data[0].type]' "$BATS_TEST_TMPDIR/body"
	assert_output "[true,200,0,$n,1,$n,50001,\"AttendancePeriod\"]"
	run get "$t" "/v1/company/attendances?start_date=2026-11-01&end_date=2026-11-30&limit=10&offset=100"
	run jq -c '[.metadata.current_page, .metadata.total_pages, (.data | length)]' "$BATS_TEST_TMPDIR/body"
	assert_output "[10,$(( (n + 9) / 10 )),$((n - 100))]"
	# one day, inclusive at both ends
	run get "$t" "/v1/company/attendances?start_date=2026-11-02&end_date=2026-11-02"
	run jq -r '[.data[].attributes.date] | unique | join(" ")' "$BATS_TEST_TMPDIR/body"
	assert_output "2026-11-02"
	run get "$t" "/v1/company/attendances?start_date=2026-11-30&end_date=2026-11-30&includePending=true"
	run jq -r '[.data[].attributes.status] | unique | join(" ")' "$BATS_TEST_TMPDIR/body"
	assert_output "confirmed pending"
}

@test "attendances: employees[] (repeated) filters by Personio employee id; a bad id is 400; faults apply" {
	t=$(v1_token)
	run get "$t" "/v1/company/attendances?start_date=2026-11-01&end_date=2026-11-30&employees%5B%5D=1037&employees[]=1040"
	assert_output 200
	run jq -r '[.data[].attributes.employee] | unique | join(" ")' "$BATS_TEST_TMPDIR/body"
	assert_output "1037 1040"
	run jq '.metadata.total_elements' "$BATS_TEST_TMPDIR/body"
	assert_output 23
	run get "$t" "/v1/company/attendances?start_date=2026-11-01&end_date=2026-11-30&employees%5B%5D=x"
	assert_output 400
	emu_faults '{"always":{"path":"/v1/company/attendances","status":500}}'
	run get "$t" "/v1/company/attendances?start_date=2026-11-01&end_date=2026-11-30"
	assert_output 500
}
