#!/usr/bin/env bats
# pipelines/monthly-sync against both emulators: blocked runs write nothing, a reviewed plan is
# applied, a second run has nothing to do, the report, and every request against Loket's spec.

load helper

setup_file() {
	load helper
	# acme with the seeds' fix (Consider in NL payroll = No for 1026-1032), and as shipped
	mkdir -p "$BATS_FILE_TMPDIR/fixed/acme"
	cp "$SAMPLES"/personio/acme/*.json "$BATS_FILE_TMPDIR/fixed/acme/"
	jq '(.[] | select(.attributes.id.value >= 1026 and .attributes.id.value <= 1032) | .attributes.dynamic_1003.value) = "No"' \
		"$SAMPLES/personio/acme/employees.json" >"$BATS_FILE_TMPDIR/fixed/acme/employees.json"
	emu_start "$BATS_FILE_TMPDIR/fixed"
	loket_start
}
teardown_file() {
	emu_stop
	loket_stop
}

setup() {
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	acme_credentials
	loket_client
	loket_login '.personio.base_url=$ENV.EMU_URL'
	export LOKETPIPE_BIN="$BUILD/bin"
	SYNC="$ROOT/pipelines/monthly-sync"
	O="$BATS_TEST_TMPDIR/out"
}

writes() { # write requests Loket has answered, the token endpoint left out
	curl -fsS "$LK_URL/__emu/stats" | jq '([.by_method | to_entries[] | select(.key != "GET") | .value] | add // 0) - (.by_path["/token"] // 0)'
}

@test "E4: acme as shipped is blocked by validate; nothing reaches Loket; the report says what to fix" {
	# a second Personio emulator serving acme as shipped
	emu_launch personio-emu shipped "$SAMPLES/personio"
	pid=$LAUNCHED_PID
	jq --arg p "$LAUNCHED_URL" '.personio.base_url=$p' "$CFG" >"$BATS_TEST_TMPDIR/shipped.json"
	run --separate-stderr sh "$SYNC" -c "$BATS_TEST_TMPDIR/shipped.json" --as-of "$AS_OF" --out "$O"
	emu_kill $pid
	assert_failure 1
	[[ "$stderr" == *"validate blocks the sync (E4): 7 error(s); nothing was sent to Loket"* ]]
	assert_equal "$(writes)" 0
	assert_equal "$(curl -fsS "$LK_URL/__emu/stats" | jq '.by_method.GET // 0')" 0 # not even read
	assert_file_exists "$O/report.txt"
	assert_file_exists "$O/report.html"
	grep -q 'Errors (they block the sync until fixed)' "$O/report.txt"
	# BSNs and IBANs are masked in the report: 1028's invalid BSN, 1029's IBAN
	! grep -q 651499253 "$O/report.txt" "$O/report.html"
	! grep -q NL53INGB0651907064 "$O/report.txt" "$O/report.html"
	grep -q '\*\*\*\*\*9253' "$O/report.txt"
}

@test "--plan-only keeps the plan and writes nothing; --apply pushes it; a second run has nothing to do (zero writes)" {
	run --separate-stderr sh "$SYNC" -c "$CFG" --as-of "$AS_OF" --out "$O" --plan-only
	assert_success
	assert_equal "$(writes)" 0
	run jq -c 'select(.type=="plan") | [.blocked, .ops]' "$O/plan.ndjson"
	assert_output '[false,24]'
	[[ "$stderr" == *"--apply $O/plan.ndjson"* ]]
	run --separate-stderr sh "$SYNC" -c "$CFG" --as-of "$AS_OF" --out "$O" --apply "$O/plan.ndjson" --actor tester
	assert_success
	run jq -c 'select(.type=="stream_end") | [.complete, .counts.applied]' "$O/results.ndjson"
	assert_output '[true,24]'
	n=$(writes)
	[ "$n" -ge 24 ]
	# the second run: an empty plan, and the push sends zero write requests
	run --separate-stderr sh "$SYNC" -c "$CFG" --as-of "$AS_OF" --out "$BATS_TEST_TMPDIR/again" --actor tester
	assert_success
	run jq -c 'select(.type=="plan") | .ops' "$BATS_TEST_TMPDIR/again/plan.ndjson"
	assert_output 0
	assert_equal "$(writes)" "$n"
	run jq -r 'select(.event=="run_start") | .actor' "$BATS_TEST_TMPDIR/audit.ndjson"
	assert_output "$(printf 'tester\ntester')"
}

@test "the report: changes per employee with outcomes, warnings with fixes, concept employees to finalise (M2), who was left out" {
	sh "$SYNC" -c "$CFG" --as-of "$AS_OF" --out "$O" 2>/dev/null
	R="$O/report.txt"
	grep -q 'Pushed to Loket: 24 applied' "$R"
	grep -q 'employee 108' "$R"
	grep -q '\[K3\] Employee 108: a new wage of 3300.00 from 2026-07-01 (the record before it ends the day before) -> applied' "$R"
	grep -q 'Concept employees to finalise in Loket (M2)' "$R"
	grep -q 'Yara Bouzid (Personio 1035) (employee number 135)' "$R"
	grep -q 'Personio 1036 / employee 136: Employee 136 is terminated in Loket (end date 2026-12-31): left out of the sync (E3)' "$R"
	grep -q 'Personio 1022 / employee 122: not synced: status is inactive' "$R"
	grep -q 'fix: add a salary in Personio with a start date 1 Jan 2026' "$R"
	# HTML: one page, escaped
	run grep -c '<table>' "$O/report.html"
	assert_output 1
	grep -q "&#39;s-Hertogenbosch\|'s-Hertogenbosch" "$O/report.html" || true
	! grep -q '<script' "$O/report.html"
	# no BSN or IBAN of acme's people in either report
	for v in $(jq -r 'select(.type=="person") | .bsn, .iban // empty' "$O/personio.ndjson"); do
		! grep -q "$v" "$R" "$O/report.html"
	done
}

@test "conformance: every request fetch-loket and push-loket sent is one Loket's spec declares (path, method, query, body): zero violations" {
	sh "$SYNC" -c "$CFG" --as-of "$AS_OF" --out "$O" 2>/dev/null
	curl -fsS "$LK_URL/__emu/requests" >"$BATS_TEST_TMPDIR/requests.json"
	run jq 'length' "$BATS_TEST_TMPDIR/requests.json"
	[ "$output" -gt 100 ]
	run jq '[.[] | select(.method != "GET")] | length' "$BATS_TEST_TMPDIR/requests.json"
	[ "$output" -ge 24 ]
	run spec-check "$LOKET_SPEC" --requests "$BATS_TEST_TMPDIR/requests.json"
	assert_success
	# and the check can fail: an unknown query parameter, an unknown path, a body of the wrong type
	jq -c '[.[0] | .query.bogus = "x"] + [.[0] | .path = "/providers/nothing"]
		+ [.[] | select(.method == "POST" and (.path | endswith("/wages"))) | .body.grossWage = "1"][0:1]' \
		"$BATS_TEST_TMPDIR/requests.json" >"$BATS_TEST_TMPDIR/bad.json"
	run spec-check "$LOKET_SPEC" --requests "$BATS_TEST_TMPDIR/bad.json"
	assert_failure 1
	assert_line --partial "query parameter 'bogus'"
	assert_line --partial 'no such operation'
	assert_line --partial "grossWage: '1' is not of type"
}

@test "usage: -c is required; unknown arguments exit 2" {
	run sh "$SYNC"
	assert_failure 2
	run sh "$SYNC" -c "$CFG" --bogus
	assert_failure 2
	run sh "$SYNC" --help
	assert_success
	assert_output --partial 'monthly-sync'
}
