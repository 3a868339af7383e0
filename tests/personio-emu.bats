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

# --- documents (issue 13, DOC1): uploads stored whole, the v2 list, faults and the limit ----

# upload TOKEN EMPLOYEE CATEGORY TITLE FILE [URL]: the status of POST /v1/company/documents
# (headers in $BATS_TEST_TMPDIR/uh, body in up)
upload() {
	curl -sS -D "$BATS_TEST_TMPDIR/uh" -o "$BATS_TEST_TMPDIR/up" -w '%{http_code}' -H "Authorization: Bearer $1" \
		-F title="$4" -F employee_id="$2" -F category_id="$3" -F date=2026-03-31 \
		-F comment="loketpipe:$4" -F file=@"$5;type=application/pdf" "${6:-$EMU_URL}/v1/company/documents"
}
pdf() { printf '%%PDF-1.4 %s\n' "$1" >"$BATS_TEST_TMPDIR/$1.pdf"; echo "$BATS_TEST_TMPDIR/$1.pdf"; }
docs_get() { # docs_get TOKEN QUERY: status; body in $BATS_TEST_TMPDIR/body
	get "$1" "/v2/document-management/documents?$2"
}

@test "DOC1 /__emu/documents: every upload with owner, category, title, date, comment, file name, type, size, sha256 and created_at from the logical clock" {
	[ -f "$ROOT/lib/lp_sha256.h" ] || skip "lib/lp_sha256.h not merged yet (the emulator's hash is a stub)"
	t=$(v1_token)
	f=$(pdf a)
	assert_equal "$(upload "$t" 1001 2 "Loonstrook 2026-03" "$f")" 201
	assert_equal "$(upload "$t" 1002 2 "Loonstrook 2026-03" "$(pdf b)")" 201
	run curl -fsS "$EMU_URL/__emu/documents"
	assert_success
	sha=$(sha256sum "$f" | cut -d' ' -f1)
	size=$(stat -c %s "$f")
	assert_equal "$(jq -c '.[0] | [.id, .employee_id, .category_id, .title, .date, .comment, .filename, .content_type, .size, .sha256, .created_at]' <<<"$output")" \
		"[1,1001,2,\"Loonstrook 2026-03\",\"2026-03-31\",\"loketpipe:Loonstrook 2026-03\",\"a.pdf\",\"application/pdf\",$size,\"$sha\",\"2026-01-01T00:00:00Z\"]"
	# one second per upload; another file, another hash
	assert_equal "$(jq -r '.[1].created_at' <<<"$output")" 2026-01-01T00:00:01Z
	[ "$(jq -r '.[1].sha256' <<<"$output")" != "$sha" ]
	# a file of many multipart chunks is hashed whole
	head -c 300000 /dev/zero | tr '\0' 'x' >"$BATS_TEST_TMPDIR/big.pdf"
	assert_equal "$(upload "$t" 1001 2 big "$BATS_TEST_TMPDIR/big.pdf")" 201
	assert_equal "$(curl -fsS "$EMU_URL/__emu/documents" | jq -r '.[2] | "\(.size) \(.sha256)"')" \
		"300000 $(sha256sum "$BATS_TEST_TMPDIR/big.pdf" | cut -d' ' -f1)"
	# a reset forgets the documents and sets the clock back
	emu_reset
	assert_equal "$(upload "$t" 1001 2 x "$f")" 201
	assert_equal "$(curl -fsS "$EMU_URL/__emu/documents" | jq -c '[length, .[0].id, .[0].created_at]')" '[1,1,"2026-01-01T00:00:00Z"]'
}

@test "DOC1 --clock START sets the logical clock; a bad START is a usage error" {
	emu_launch personio-emu clk "$SAMPLES/personio" --clock 2026-03-25T08:00:00+01:00
	t=$(curl -fsS -X POST -H 'Content-Type: application/json' \
		--data "{\"client_id\":\"$PERSONIO_CLIENT_ID\",\"client_secret\":\"$PERSONIO_CLIENT_SECRET\"}" \
		"$LAUNCHED_URL/v1/auth" | jq -r .data.token)
	assert_equal "$(upload "$t" 1001 2 x "$(pdf a)" "$LAUNCHED_URL")" 201
	assert_equal "$(upload "$t" 1001 2 y "$(pdf b)" "$LAUNCHED_URL")" 201
	assert_equal "$(curl -fsS "$LAUNCHED_URL/__emu/documents" | jq -c '[.[].created_at]')" '["2026-03-25T07:00:00Z","2026-03-25T07:00:01Z"]'
	emu_kill "$LAUNCHED_PID"
	for bad in 2026-03-25 2026-02-30T00:00:00Z 2026-03-25T24:00:00Z 2026-03-25T08:00:00 now; do
		run personio-emu --fixtures "$SAMPLES/personio" --clock "$bad"
		assert_failure 2
		assert_output --partial "--clock"
	done
}

@test "DOC1 v2 document list: by owner, oldest first, the v2 item shape with string ids; category and created_at filters" {
	t=$(v1_token)
	assert_equal "$(upload "$t" 1001 2 "Loonstrook 2026-01" "$(pdf a)")" 201 # 00:00:00
	assert_equal "$(upload "$t" 1002 2 "Loonstrook 2026-01" "$(pdf b)")" 201 # 00:00:01
	assert_equal "$(upload "$t" 1001 1 "Contract" "$(pdf c)")" 201           # 00:00:02
	assert_equal "$(upload "$t" 1001 2 "Loonstrook 2026-02" "$(pdf d)")" 201 # 00:00:03
	v2=$(v2_token)
	assert_equal "$(docs_get "$v2" owner_id=1001)" 200
	run jq -c '[._data[].name]' "$BATS_TEST_TMPDIR/body"
	assert_output '["Loonstrook 2026-01","Contract","Loonstrook 2026-02"]'
	run jq -c '._data[0] | del(.created_at)' "$BATS_TEST_TMPDIR/body"
	assert_output "{\"id\":\"1\",\"name\":\"Loonstrook 2026-01\",\"date\":\"2026-03-31\",\"comment\":\"loketpipe:Loonstrook 2026-01\",\"category\":{\"id\":\"2\"},\"owner\":{\"id\":\"1001\"},\"document_type\":\"pdf\",\"size\":$(stat -c %s "$BATS_TEST_TMPDIR/a.pdf"),\"virus_scan\":{\"status\":\"clean\"},\"esignature\":{\"status\":\"none\"}}"
	run jq -r '._data[0].created_at, ._meta.links.self.href, (._meta.links.next // "absent")' "$BATS_TEST_TMPDIR/body"
	assert_output "2026-01-01T00:00:00Z
$EMU_URL/v2/document-management/documents?owner_id=1001&limit=100
absent"
	docs_get "$v2" 'owner_id=1001&category_id=2' >/dev/null
	assert_equal "$(jq -c '[._data[].id]' "$BATS_TEST_TMPDIR/body")" '["1","4"]'
	# gte inclusive, lt exclusive; offsets are honoured
	docs_get "$v2" 'owner_id=1001&created_at.gte=2026-01-01T00:00:02Z' >/dev/null
	assert_equal "$(jq -c '[._data[].id]' "$BATS_TEST_TMPDIR/body")" '["3","4"]'
	docs_get "$v2" 'owner_id=1001&created_at.lt=2026-01-01T00:00:02Z' >/dev/null
	assert_equal "$(jq -c '[._data[].id]' "$BATS_TEST_TMPDIR/body")" '["1"]'
	docs_get "$v2" 'owner_id=1001&created_at.gte=2026-01-01T01:00:03%2B01:00&created_at.lt=2026-01-01T00:00:03.5Z' >/dev/null
	assert_equal "$(jq -c '[._data[].id]' "$BATS_TEST_TMPDIR/body")" '["4"]'
	docs_get "$v2" 'owner_id=1001&created_at.gte=2026-01-01T00:00:02.001Z' >/dev/null
	assert_equal "$(jq -c '[._data[].id]' "$BATS_TEST_TMPDIR/body")" '["4"]'
	# nobody's documents: an empty list; another owner sees only his own
	docs_get "$v2" owner_id=1003 >/dev/null
	assert_equal "$(jq -c ._data "$BATS_TEST_TMPDIR/body")" '[]'
	docs_get "$v2" owner_id=1002 >/dev/null
	assert_equal "$(jq -c '[._data[].owner.id]' "$BATS_TEST_TMPDIR/body")" '["1002"]'
}

@test "DOC1 v2 document list: cursor paging with absolute next hrefs that repeat the filters, every document once" {
	t=$(v1_token)
	for i in 1 2 3 4 5 6 7; do assert_equal "$(upload "$t" 1001 2 "d$i" "$(pdf "p$i")")" 201; done
	assert_equal "$(upload "$t" 1001 1 other "$(pdf q)")" 201
	v2=$(v2_token)
	docs_get "$v2" 'owner_id=1001&category_id=2&created_at.gte=2026-01-01T00:00:00Z&limit=3' >/dev/null
	next=$(jq -r '._meta.links.next.href' "$BATS_TEST_TMPDIR/body")
	[[ "$next" == "$EMU_URL/v2/document-management/documents?owner_id=1001&category_id=2&created_at.gte=2026-01-01T00%3A00%3A00Z&limit=3&cursor=cur_"* ]]
	all=$(jq -r '._data[].name' "$BATS_TEST_TMPDIR/body")
	pages=1
	while [ "$next" != null ]; do
		curl -fsS -H "Authorization: Bearer $v2" "$next" >"$BATS_TEST_TMPDIR/page"
		all="$all
$(jq -r '._data[].name' "$BATS_TEST_TMPDIR/page")"
		next=$(jq -r '._meta.links.next.href // "null"' "$BATS_TEST_TMPDIR/page")
		pages=$((pages + 1))
	done
	assert_equal "$pages" 3
	assert_equal "$(echo $all)" "d1 d2 d3 d4 d5 d6 d7"
	# a cursor is bound to its filters
	cur=$(docs_get "$v2" 'owner_id=1001&category_id=2&limit=3' >/dev/null; jq -r '._meta.links.next.href' "$BATS_TEST_TMPDIR/body" | sed 's/.*cursor=//')
	assert_equal "$(docs_get "$v2" "owner_id=1001&category_id=2&limit=3&cursor=$cur")" 200
	assert_equal "$(docs_get "$v2" "owner_id=1002&category_id=2&limit=3&cursor=$cur")" 400
	# limit 200 is allowed, the default is 100
	assert_equal "$(docs_get "$v2" 'owner_id=1001&limit=200')" 200
	docs_get "$v2" owner_id=1001 >/dev/null
	assert_equal "$(jq -r ._meta.links.self.href "$BATS_TEST_TMPDIR/body")" "$EMU_URL/v2/document-management/documents?owner_id=1001&limit=100"
}

@test "DOC1 v2 document list: bad parameters are 400 problem+json; a v1 token or none is 401" {
	v2=$(v2_token)
	for q in '' 'owner_id=' 'owner_id=abc' 'owner_id=0' 'owner_id=1001&category_id=x' 'owner_id=1001&limit=0' \
		'owner_id=1001&limit=201' 'owner_id=1001&limit=ten' 'owner_id=1001&created_at.gte=2026-01-01' \
		'owner_id=1001&created_at.lt=2026-01-01T25:00:00Z' 'owner_id=1001&created_at.lt=yesterday' \
		'owner_id=1001&cursor=cur_garbage' 'owner_id=1001&cursor=cur_00000000ffffffff'; do
		run curl -sS -D "$BATS_TEST_TMPDIR/h" -o "$BATS_TEST_TMPDIR/body" -w '%{http_code}' -H "Authorization: Bearer $v2" \
			"$EMU_URL/v2/document-management/documents?$q"
		assert_output 400
		grep -qi '^content-type: application/problem+json' "$BATS_TEST_TMPDIR/h"
		assert_equal "$(jq -r '.errors[0].type' "$BATS_TEST_TMPDIR/body")" "https://developer.personio.de/reference/errors#common.bad_request"
	done
	assert_equal "$(docs_get "$v2" 'owner_id=1001&category_id=2')" 200
	assert_equal "$(docs_get "$(v1_token)" owner_id=1001)" 401
	assert_equal "$(jq -r '.errors[0].title' "$BATS_TEST_TMPDIR/body")" Unauthorized
	run curl -sS -o /dev/null -w '%{http_code}' "$EMU_URL/v2/document-management/documents?owner_id=1001"
	assert_output 401
	run curl -sS -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $v2" "$EMU_URL/v2/document-management/documents"
	assert_output 405
}

@test "DOC1 uploads obey the fault plan: lost stores the document and drops the answer, drop and 500 store nothing" {
	t=$(v1_token)
	v2=$(v2_token)
	emu_faults '{"lost":1,"scope":"/v1/company/documents"}'
	assert_equal "$(upload "$t" 1001 2 lost "$(pdf a)" 2>/dev/null)" 000 # no answer
	assert_equal "$(curl -fsS "$EMU_URL/__emu/documents" | jq -c '[.[].title]')" '["lost"]'
	docs_get "$v2" owner_id=1001 >/dev/null
	assert_equal "$(jq -c '[._data[].name]' "$BATS_TEST_TMPDIR/body")" '["lost"]'
	emu_faults '{"drop":1,"scope":"/v1/company/documents"}'
	assert_equal "$(upload "$t" 1001 2 dropped "$(pdf b)" 2>/dev/null)" 000
	emu_faults '{"500":1,"scope":"/v1/company/documents"}'
	assert_equal "$(upload "$t" 1001 2 failed "$(pdf c)")" 500
	emu_faults '{"always":{"path":"/v1/company/documents","status":503}}'
	assert_equal "$(upload "$t" 1001 2 unavailable "$(pdf c)")" 503
	emu_faults '{}'
	assert_equal "$(curl -fsS "$EMU_URL/__emu/documents" | jq -c '[.[].title]')" '["lost"]'
	docs_get "$v2" owner_id=1001 >/dev/null
	assert_equal "$(jq -c '[._data[].name]' "$BATS_TEST_TMPDIR/body")" '["lost"]'
	# "500" counts the 5xx answers: the counted 500 and the always 503
	assert_equal "$(emu_stats | jq -c '[.faults.lost, .faults.drop, .faults."500", .documents]')" '[1,1,2,1]'
	# the clock advanced for the stored upload only
	assert_equal "$(upload "$t" 1001 2 next "$(pdf d)")" 201
	assert_equal "$(curl -fsS "$EMU_URL/__emu/documents" | jq -r '.[1].created_at')" 2026-01-01T00:00:01Z
}

@test "DOC1 the upload limit: over --rate-documents an upload gets 429 with Retry-After and is not stored" {
	emu_launch personio-emu rl "$SAMPLES/personio" --rate-documents 3/60
	t=$(curl -fsS -X POST -H 'Content-Type: application/json' \
		--data "{\"client_id\":\"$PERSONIO_CLIENT_ID\",\"client_secret\":\"$PERSONIO_CLIENT_SECRET\"}" \
		"$LAUNCHED_URL/v1/auth" | jq -r .data.token)
	for i in 1 2 3; do assert_equal "$(upload "$t" 1001 2 "d$i" "$(pdf "p$i")" "$LAUNCHED_URL")" 201; done
	assert_equal "$(upload "$t" 1001 2 d4 "$(pdf p4)" "$LAUNCHED_URL")" 429
	run grep -i '^retry-after: [1-9][0-9]*' "$BATS_TEST_TMPDIR/uh"
	assert_success
	assert_equal "$(jq -c . "$BATS_TEST_TMPDIR/up")" '{"success":false,"error":{"message":"Too many requests","code":429}}'
	assert_equal "$(curl -fsS "$LAUNCHED_URL/__emu/documents" | jq -c '[.[].title]')" '["d1","d2","d3"]'
	assert_equal "$(curl -fsS "$LAUNCHED_URL/__emu/stats" | jq .rate_limited.documents)" 1
	# other requests are not under the document limit
	run curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $t" "$LAUNCHED_URL/v1/company/document-categories"
	assert_output 200
	emu_kill "$LAUNCHED_PID"
}
