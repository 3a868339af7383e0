#!/usr/bin/env bats
# make conformance (tests/conformance/run): the acme flows through Stoplight Prism against
# Loket's and Personio's specs. The whole run is make check's last step; here: that the check
# fails on a violation it is shown (a request with a bad body, an unknown route, an emulator
# answer of the wrong media type), on a failed flow and on a flow that checked nothing; that
# it fails with a message when npm cannot install Prism; the exclusions (tests/conformance/specs)
# and the log reader (tests/conformance/violations); loket-emu's versioned media types and the
# clients' resource versions (lp_loket_accept) that Prism's first run found wrong.

load helper

RUN="$ROOT/tests/conformance/run"
SPECS="$ROOT/tests/conformance/specs"
VIOL="$ROOT/tests/conformance/violations"
EX="$ROOT/tests/conformance/exclusions.json"
PSPEC="$ROOT/tests/fixtures/personio/personio-personnel-data-v1.yaml.gz"
EM=3d2c1b0a-9f8e-4d7c-8b6a-000000000101
EE=0e7f3a1c-2b4d-4e5f-8a9b-000000000101

setup_file() {
	load helper
	# the specs once for the whole file (Loket's is 6 MB)
	"$ROOT/tests/conformance/specs" "$ROOT/tests/conformance/exclusions.json" "$ROOT/tests/fixtures/loket/loket-openapi-v2.json.gz" \
		"$ROOT/tests/fixtures/personio/personio-personnel-data-v1.yaml.gz" "$BATS_FILE_TMPDIR/specs"
}

# conformance ARGS...: the run on this build, with stdout and stderr apart. Prism is the one of
# build/ (make conformance's, or installed here once) for the sanitizer build's pass too.
export PRISM_DIR="$ROOT/build/prism"
conformance() { run --separate-stderr sh "$RUN" "$BUILD" "$@"; }

@test "the vendored Personio spec is ../shared/reference's (when it is beside the project)" {
	ref="$ROOT/../shared/reference/personio-personnel-data-v1.yaml"
	[ -f "$ref" ] || skip "no ../shared/reference beside this checkout"
	gzip -dc "$PSPEC" | cmp - "$ref"
}

@test "the lock file pins one Prism, the one package.json names, and the run checks its version" {
	run jq -r '.dependencies["@stoplight/prism-cli"]' "$ROOT/tests/conformance/package.json"
	pin=$output
	[[ "$pin" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]
	run jq -r '.packages["node_modules/@stoplight/prism-cli"].version' "$ROOT/tests/conformance/package-lock.json"
	assert_output "$pin"
	# the engines it needs: node 18.20.1 (Debian 12's nodejs is 18.20.4)
	run jq -r '.packages["node_modules/@stoplight/prism-cli"].engines.node' "$ROOT/tests/conformance/package-lock.json"
	assert_output '>=18.20.1'
}

@test "specs: the patches are applied and nothing else changes; the pass-throughs declare nothing" {
	S="$BATS_FILE_TMPDIR/specs"
	# uuid-case: no upper-case-only hex class is left, and the spec's UUID pattern takes a lower-case id
	run grep -c '\[0-9A-F\]' "$S/loket.json"
	assert_output 0
	run jq -r '.paths["/providers/employers/{employerId}/employees"].get.parameters[] | select(.name == "employerId") | .schema.pattern // .schema.format' "$S/loket.json"
	refute_output ''
	# drop-path: the ambiguous {year} is gone, the run's payslips stay
	run jq -c '.paths | [has("/providers/employers/employees/employments/{employmentId}/payslips/{year}"), has("/providers/employers/employees/employments/{employmentId}/payslips/{payrollrunId}")]' "$S/loket.json"
	assert_output '[false,true]'
	# the same number of Loket paths, less the dropped one, plus the three metadata pass-throughs
	n0=$(gzip -dc "$LOKET_SPEC" | jq '.paths | length')
	run jq '.paths | length' "$S/loket.json"
	assert_output $((n0 - 1 + 3))
	run jq -c '.paths["/providers/employers/employees/{employeeId}/metadata"].get | [.parameters[].name, (.responses | keys), has("requestBody")]' "$S/loket.json"
	assert_output '["employeeId",["default"],false]'
	# Personio: every path under /v1 or /v2; the auth pass-throughs take their body's media type only
	run jq -r '.paths | keys[] | select(startswith("/v1/") or startswith("/v2/") | not)' "$S/personio.json"
	assert_output ''
	run jq -c '[.paths["/v1/auth"].post.requestBody.content, .paths["/v2/auth/token"].post.requestBody.content]' "$S/personio.json"
	assert_output '[{"application/json":{}},{"application/x-www-form-urlencoded":{}}]'
	run jq -c '.components.schemas.Response.properties.data' "$S/personio.json"
	assert_output '{}'
	# a date in Personio's YAML stays the string it is
	run jq -r '[.. | strings | select(test("^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))] | length > 0' "$S/personio.json"
	assert_output true
}

@test "specs: an exclusion that is not applied is an error (unknown patch, a pass-through over a declared operation, a dropped path the spec lacks)" {
	for bad in '{"loket":[{"patch":"relax-everything","reason":"x"}]}' \
		'{"loket":[{"uncovered":"GET /providers/employers","reason":"x"}]}' \
		'{"loket":[{"patch":"drop-path","path":"/no/such","reason":"x"}]}' \
		'{"personio":[{"reason":"neither"}]}'; do
		echo "$bad" >"$BATS_TEST_TMPDIR/ex.json"
		run "$SPECS" "$BATS_TEST_TMPDIR/ex.json" "$LOKET_SPEC" "$PSPEC" "$BATS_TEST_TMPDIR/out"
		assert_failure
		assert_output --partial 'specs: '
	done
	run "$SPECS" "$BATS_TEST_TMPDIR/ex.json"
	assert_failure 2
	assert_output 'usage: specs EXCLUSIONS LOKET_SPEC PERSONIO_SPEC OUT_DIR'
	run "$VIOL"
	assert_failure 2
	assert_output 'usage: violations LOG [FROM_LINE]'
}

@test "violations: each belongs to its request (request violations) or upstream answer (response violations); counted by kind; exit 1, none exit 0" {
	L="$BATS_TEST_TMPDIR/prism.log"
	cat >"$L" <<-'EOF'
	[1:00:00 AM] › [CLI] ▶  start     Prism is listening on http://127.0.0.1:4010
	[1:00:01 AM] › [HTTP SERVER] post /providers/employers/employees/employments/3d2c1b0a-9f8e-4d7c-8b6a-000000000101/wages ℹ  info      Request received
	[1:00:01 AM] ›     [VALIDATOR] ✖  error     Violation: request.body.grossWage Request body property grossWage must be number,null
	[1:00:01 AM] ›     [PROXY] ℹ  info      > Forwarding "post" request to http://127.0.0.1:9/v2/providers/employers/employees/employments/3d2c1b0a-9f8e-4d7c-8b6a-000000000101/wages...
	[1:00:01 AM] ›     [PROXY] ℹ  info      The upstream call to /providers/employers/employees/employments/3d2c1b0a-9f8e-4d7c-8b6a-000000000101/wages has returned 400
	[1:00:02 AM] › [HTTP SERVER] get /providers/employers/employees/0e7f3a1c-2b4d-4e5f-8a9b-000000000101?x=1 ℹ  info      Request received
	[1:00:02 AM] ›     [PROXY] ℹ  info      > Forwarding "get" request to http://127.0.0.1:9/v2/providers/employers/employees/0e7f3a1c-2b4d-4e5f-8a9b-000000000101?x=1...
	[1:00:02 AM] ›     [PROXY] ℹ  info      The upstream call to /providers/employers/employees/0e7f3a1c-2b4d-4e5f-8a9b-000000000101 has returned 200
	[1:00:02 AM] ›     [VALIDATOR] ✖  error     Violation: response The received media type "application/json" does not match
	[1:00:03 AM] › [HTTP SERVER] get /providers/employers/employees/0e7f3a1c-2b4d-4e5f-8a9b-000000000102 ℹ  info      Request received
	[1:00:03 AM] ›     [PROXY] ℹ  info      > Forwarding "get" request to http://127.0.0.1:9/v2/providers/employers/employees/0e7f3a1c-2b4d-4e5f-8a9b-000000000102...
	[1:00:03 AM] ›     [PROXY] ℹ  info      The upstream call to /providers/employers/employees/0e7f3a1c-2b4d-4e5f-8a9b-000000000102 has returned 200
	[1:00:03 AM] ›     [VALIDATOR] ✖  error     Violation: response The received media type "application/json" does not match
	[1:00:04 AM] › [HTTP SERVER] get /v1/company/nope/7 ℹ  info      Request received
	[1:00:04 AM] ›     [VALIDATOR] ⚠  warning   Violation: request Selected route not found
	[1:00:05 AM] › [HTTP SERVER] get /x ✖  error     Request terminated with error: https://stoplight.io/prism/errors#NO_PATH_MATCHED_ERROR: Route not resolved, no path matched
	EOF
	run "$VIOL" "$L"
	assert_failure 1
	assert_equal "${lines[0]}" '2 GET /providers/employers/employees/{uuid} 200: response The received media type "application/json" does not match'
	assert_line '1 POST /providers/employers/employees/employments/{uuid}/wages: request.body.grossWage Request body property grossWage must be number,null'
	assert_line '1 GET /v1/company/nope/{n}: request Selected route not found'
	assert_line '1 GET /x: Prism answered instead of the upstream: https://stoplight.io/prism/errors#NO_PATH_MATCHED_ERROR: Route not resolved, no path matched'
	assert_equal "${#lines[@]}" 4
	# from a line on: only what came after it
	run "$VIOL" "$L" 14
	assert_failure 1
	assert_equal "${#lines[@]}" 2
	head -n 1 "$L" >"$BATS_TEST_TMPDIR/clean.log"
	run "$VIOL" "$BATS_TEST_TMPDIR/clean.log"
	assert_success
	assert_output ''
}

@test "loket-emu: a JSON success names the resource version asked for (Content-Type and resourceVersion); plain without one; errors stay application/json; DELETE answers content {}" {
	loket_start
	loket_client
	TOK=$(loket_token)
	ct() { curl -sS -o "$BATS_TEST_TMPDIR/b.json" -w '%{http_code} %{content_type}' -H "Authorization: Bearer $TOK" "$@"; }
	run ct -H 'Accept: application/json;version=2018-12-31' "$LK_URL/v2/providers/employers/employees/$EE"
	assert_output '200 application/json;version=2018-12-31'
	run jq -r .version.resourceVersion "$BATS_TEST_TMPDIR/b.json"
	assert_output 2018-12-31
	run ct -H 'Accept: Application/JSON ; Version = 2019-12-16' "$LK_URL/v2/providers/employers/employees/$EE"
	assert_output '200 application/json;version=2019-12-16'
	run ct "$LK_URL/v2/providers/employers/employees/$EE"
	assert_output '200 application/json'
	run jq -r .version.resourceVersion "$BATS_TEST_TMPDIR/b.json"
	assert_output 2018-01-01
	# not a date: no version
	run ct -H 'Accept: application/json;version=latest' "$LK_URL/v2/providers/employers/employees/$EE"
	assert_output '200 application/json'
	run ct -H 'Accept: application/json;version=2018-01-01' "$LK_URL/v2/providers/employers/employees/00000000-0000-4000-8000-000000000000"
	assert_output '404 application/json'
	# the version of one request never leaks into the next (worker threads keep it per request)
	run ct -H 'Accept: application/json;version=2018-01-01' "$LK_URL/v2/providers/employers/employees/00000000-0000-4000-8000-000000000000"
	run ct "$LK_URL/v2/providers/employers"
	assert_output '200 application/json'
	run jq -r .version.resourceVersion "$BATS_TEST_TMPDIR/b.json"
	assert_output 2018-01-01
	w=$(curl -fsS -H "Authorization: Bearer $TOK" "$LK_URL/v2/providers/employers/employees/employments/$EM/wages" | jq -r '._embedded[-1].id')
	run ct -X DELETE -H 'Accept: application/json;version=2018-01-01' "$LK_URL/v2/providers/employers/employees/employments/wages/$w"
	assert_output '200 application/json;version=2018-01-01'
	run jq -c .content "$BATS_TEST_TMPDIR/b.json"
	assert_output '{}'
	loket_stop
}

@test "lp_loket_accept: the employee in 2018-12-31, the employer's employments in 2019-12-16, everything else 2018-01-01; a query or a whole URL changes nothing" {
	v() { lp-unit loket-version "$1" | sed 's/.*version=//' | paste -sd' '; }
	assert_equal "$(v /providers/employers/5c1e0f8a-6b2d-4c3e-9f10-000000000001/employees)" '2018-12-31 2018-12-31'
	assert_equal "$(v "/providers/employers/5c1e0f8a-6b2d-4c3e-9f10-000000000001/employees?filter=employeeNumber+eq+101&pageSize=1")" '2018-12-31 2018-12-31'
	assert_equal "$(v "/providers/employers/employees/$EE")" '2018-12-31 2018-12-31'
	assert_equal "$(v "http://127.0.0.1:1/v2/providers/employers/employees/$EE")" '2018-12-31 2018-12-31'
	assert_equal "$(v /providers/employers/5c1e0f8a-6b2d-4c3e-9f10-000000000001/employees/employments?pageNumber=2)" '2019-12-16 2019-12-16'
	assert_equal "$(v /providers/employers/5c1e0f8a-6b2d-4c3e-9f10-000000000001/employees/employments/comprehensive?referenceDate=2026-11-15)" '2019-12-16 2019-12-16'
	# the rest: the employee's BSN and metadata, an employment's wages, the employment list's versions
	for p in "/providers/employers/employees/$EE/citizenservicenumber" "/providers/employers/employees/$EE/metadata" \
		"/providers/employers/employees/employments/$EM/wages" /providers/employers/employees/employments \
		/providers/employers/5c1e0f8a-6b2d-4c3e-9f10-000000000001/employees/employments/lastmodifiedversionnumbers \
		/providers/employers/employees/not-an-id /providers/employers; do
		assert_equal "$(v "$p")" '2018-01-01 2018-01-01'
	done
	# a plan's placeholder for an id counts as one
	assert_equal "$(v '/providers/employers/employees/{employeeId}')" '2018-12-31 2018-12-31'
	# the full lines
	run lp-unit loket-version "/providers/employers/employees/$EE"
	assert_output "$(printf 'Accept: application/json;version=2018-12-31\nContent-Type: application/json;version=2018-12-31')"
}

@test "make conformance's run: the journal flow through Prism, 0 violations, requests counted per proxy" {
	conformance --flows journal
	assert_success
	assert_line --regexp '^journal +[1-9][0-9]* +0 +0  0$'
	assert_line --regexp '^conformance: [1-9][0-9]* request\(s\) through Prism, 0 violations$'
}

@test "a request with a bad body and one to an unknown route, planted through the proxies: the run fails and names both" {
	bad='{"startDate": 20261101, "grossWage": "lots"}'
	conformance --flows journal --also "curl -sS -o /dev/null -X POST -H \"Authorization: Bearer \$LOKET_TOKEN\" \
		-H 'Content-Type: application/json;version=2018-01-01' -H 'Accept: application/json;version=2018-01-01' \
		--data '$bad' \"\$PRISM_LOKET/providers/employers/employees/employments/$EM/wages\" &&
		curl -sS -o /dev/null -H \"Authorization: Bearer \$LOKET_TOKEN\" \"\$PRISM_PERSONIO/v1/company/no-such-thing\""
	assert_failure 1
	assert_line --regexp '^journal +[1-9][0-9]* +0 +0  0$'
	assert_line --regexp '^also +1 +1 +[3-9]  0$'
	[[ "$stderr" == *"prism loket: 1 POST /providers/employers/employees/employments/{uuid}/wages: request.body.grossWage"* ]]
	[[ "$stderr" == *"prism loket: 1 POST /providers/employers/employees/employments/{uuid}/wages: request.body.startDate"* ]]
	[[ "$stderr" == *"prism personio: 1 GET /v1/company/no-such-thing: request Selected route not found"* ]]
	[[ "$stderr" == *"violation(s)"* ]]
}

@test "PRISM_ERRORS=yes: Prism answers a planted violation itself (422); the run fails on it" {
	PRISM_ERRORS=yes conformance --flows journal --also "test \"\$(curl -sS -o /dev/null -w '%{http_code}' -X POST \
		-H \"Authorization: Bearer \$LOKET_TOKEN\" -H 'Content-Type: application/json;version=2018-01-01' \
		--data '{\"grossWage\": \"lots\"}' \"\$PRISM_LOKET/providers/employers/employees/employments/$EM/wages\")\" = 422"
	assert_failure 1
	assert_line --regexp '^also +1 +0 +1  0$'
	[[ "$stderr" == *"prism loket: 1 POST /providers/employers/employees/employments/{uuid}/wages: Prism answered instead of the upstream: https://stoplight.io/prism/errors#UNPROCESSABLE_ENTITY"* ]]
}

@test "an emulator fault that breaks the spec (an HTML page for the journal runs): the run fails on the violation, and on the failed flow" {
	LOKET_EMU_FAULTS='{"malformed": {"path": "/v2/providers/employers/payrolladministrations/", "kind": "html"}}' \
		conformance --flows journal
	assert_failure 1
	[[ "$stderr" == *"prism loket: "*"journalruns 200: response The received media type \"text/html"* ]]
	[[ "$stderr" == *"conformance: flow journal failed (exit 5)"* ]]
}

@test "a flow that fails, or that makes no request through Prism, fails the run" {
	conformance --flows journal --also 'exit 3'
	assert_failure 1
	assert_line --regexp '^also +0 +0 +0  3$'
	[[ "$stderr" == *"conformance: flow also failed (exit 3)"* ]]
	[[ "$stderr" == *"conformance: flow also made no request through Prism: it checked nothing"* ]]
}

@test "usage: an unknown flow or argument is exit 2, before anything starts" {
	conformance --flows payroll
	assert_failure 2
	[[ "$stderr" == *"unknown flow 'payroll'"* ]]
	conformance --bogus
	assert_failure 2
	run sh "$RUN" --help
	assert_success
	assert_output --partial 'A violation is any line of a Prism log'
}

@test "npm cannot reach its registry: the run stops with a message naming the registry (exit 3), and tries again next time" {
	B="$BATS_TEST_TMPDIR/build"
	mkdir -p "$B"
	ln -s "$BUILD/bin" "$B/bin"
	PRISM_DIR= npm_config_registry=http://127.0.0.1:9/ npm_config_cache="$BATS_TEST_TMPDIR/npm-cache" \
		run --separate-stderr sh "$RUN" "$B" --flows journal
	assert_failure 3
	[[ "$stderr" == *"cannot install @stoplight/prism-cli"*"(registry http://127.0.0.1:9/)"* ]]
	assert_file_not_exists "$B/prism/installed.lock"
	assert_file_not_exists "$B/prism/node_modules/.bin/prism"
}
