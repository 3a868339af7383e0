#!/usr/bin/env bats
# Control characters (issue 15): ESC, BEL, bidi overrides ... planted in Personio never reach
# Loket, a terminal or HTML. A person whose name or other text holds one is left out of the
# sync with a warning (E2; the others go on); free text that only a report shows (a
# compensation type's name) is escaped there. End to end through pipelines/monthly-sync
# against both emulators.

load helper

setup_file() {
	load helper
	# acme with the seeds' fix (Consider in NL payroll = No for 1026-1032, as monthly-sync.bats),
	# then: 1035 (a new employee: a concept employee in Loket) with ESC in the last name, 1002
	# (an employee Loket has) with BEL and a right-to-left override in the first name, and the
	# name of 1009's quarterly commission (a warning the report quotes) with ESC and BEL
	mkdir -p "$BATS_FILE_TMPDIR/planted/acme"
	cp "$SAMPLES"/personio/acme/*.json "$BATS_FILE_TMPDIR/planted/acme/"
	jq '(.[] | select(.attributes.id.value >= 1026 and .attributes.id.value <= 1032) | .attributes.dynamic_1003.value) = "No"
		| (.[] | select(.attributes.id.value == 1035) | .attributes.last_name.value) = "Bou\u001b[2Jzid"
		| (.[] | select(.attributes.id.value == 1002) | .attributes.first_name.value) = "San\u0007ne\u202e"' \
		"$SAMPLES/personio/acme/employees.json" >"$BATS_FILE_TMPDIR/planted/acme/employees.json"
	jq '(.[] | select(.type.name == "Sales commission") | .type.name) = "Sales \u001b]0;pwned\u0007commission"' \
		"$SAMPLES/personio/acme/compensations.json" >"$BATS_FILE_TMPDIR/planted/acme/compensations.json"
	emu_start "$BATS_FILE_TMPDIR/planted"
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
	O="$BATS_TEST_TMPDIR/out"
}

# controls FILE...: how many control characters (C0 but LF and TAB, DEL, C1, U+2028/9, bidi) the files hold
controls() { cat "$@" | LC_ALL=C.UTF-8 grep -cP '[\x00-\x08\x0b-\x1f\x7f\x{80}-\x{9f}\x{2028}\x{2029}\x{200e}\x{200f}\x{202a}-\x{202e}\x{2066}-\x{2069}]' || true; }

@test "control characters in Personio: those employees are left out (E2 warnings), the rest is synced; Loket holds no control character; the report shows them escaped" {
	run --separate-stderr sh "$ROOT/pipelines/monthly-sync" -c "$CFG" --as-of "$AS_OF" --out "$O"
	assert_success
	# validate: a warning for each, naming the field and the character, never the value
	run jq -c 'select(.type=="issue" and .stage=="validate" and .rule=="E2" and .severity=="warning") | [.personio_id, .field]' "$O/validated.ndjson"
	assert_output "$(printf '%s\n' '["1002","first_name"]' '["1035","last_name"]')"
	run jq -r 'select(.type=="issue" and .personio_id=="1035" and .field=="last_name") | .message' "$O/validated.ndjson"
	assert_output --partial 'holds a control character, U+001B (ESC), at character 4'
	refute_output --partial 'Bou'
	# Loket: no concept employee for 1035, 102's first name as it was, no control character anywhere
	state=$(curl -fsS "$LK_URL/__emu/state")
	assert_equal "$(jq '[.conceptEmployees[] | select(.employeeData.employeeNumber == 135)] | length' <<<"$state")" 0
	assert_equal "$(jq -r '.employees[] | select(.employeeNumber == 102) | .personalDetails.firstName' <<<"$state")" Sanne
	assert_equal "$(jq '[.. | strings | select(test("[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]"))] | length' <<<"$state")" 0
	run curl -fsS "$LK_URL/__emu/requests"
	refute_output --partial 'u001b'
	refute_output --partial 'u0007'
	# the others went through: the plan's ops were applied
	run jq -c 'select(.type=="stream_end" and .source=="push") | [.complete, .counts.failed]' "$O/results.ndjson"
	assert_output '[true,0]'
	# the report: no control character, the commission's name shown escaped
	[ "$(controls "$O/report.txt" "$O/report.html")" -eq 0 ]
	grep -qF 'Sales <U+001B>]0;pwned<U+0007>commission' "$O/report.txt"
	grep -qF 'Sales &lt;U+001B&gt;]0;pwned&lt;U+0007&gt;commission' "$O/report.html"
	[ "$(controls <<<"$stderr")" -eq 0 ]
}

@test "control characters: the same data without them syncs 1035 as a concept employee (the test above fails for the characters only)" {
	mkdir -p "$BATS_TEST_TMPDIR/clean/acme"
	cp "$SAMPLES"/personio/acme/*.json "$BATS_TEST_TMPDIR/clean/acme/"
	jq '(.[] | select(.attributes.id.value >= 1026 and .attributes.id.value <= 1032) | .attributes.dynamic_1003.value) = "No"' \
		"$SAMPLES/personio/acme/employees.json" >"$BATS_TEST_TMPDIR/clean/acme/employees.json"
	emu_launch personio-emu clean "$BATS_TEST_TMPDIR/clean"
	pid=$LAUNCHED_PID
	# in a directory of its own: next to $CFG it would link acme's administration twice (C1)
	mkdir "$BATS_TEST_TMPDIR/cfg"
	jq --arg p "$LAUNCHED_URL" '.personio.base_url=$p' "$CFG" >"$BATS_TEST_TMPDIR/cfg/acme.json"
	run --separate-stderr sh "$ROOT/pipelines/monthly-sync" -c "$BATS_TEST_TMPDIR/cfg/acme.json" --as-of "$AS_OF" --out "$O"
	emu_kill $pid
	assert_success
	assert_equal "$(curl -fsS "$LK_URL/__emu/state" | jq '[.conceptEmployees[] | select(.employeeData.employeeNumber == 135)] | length')" 1
}
