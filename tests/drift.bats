#!/usr/bin/env bats
# drift (issue 17 part 3): a value changed by hand in Loket since loketpipe last wrote it is
# flagged in the plan (manual_change) and the report ("overwrites a manual change made in
# Loket", with Loket's value); the sync still follows Personio. The written-state file is
# refused when damaged or another client's, and then nothing is pushed.

load helper

setup_file() {
	load helper
	monthly_sync_emus "$BATS_FILE_TMPDIR/fixed"
	# the same client a month later: 1001's salary 50000 -> 51000 a year (4250.00 a month),
	# 1007's from 2026-03-01 3350 -> 3400 a month
	mkdir -p "$BATS_FILE_TMPDIR/later/acme"
	cp "$BATS_FILE_TMPDIR/fixed/acme"/*.json "$BATS_FILE_TMPDIR/later/acme/"
	jq '(.[] | select(.id == "cmp-1001-1") | .amount.value) = 51000 | (.[] | select(.id == "cmp-1007-2") | .amount.value) = 3400' \
		"$SAMPLES/personio/acme/compensations.json" >"$BATS_FILE_TMPDIR/later/acme/compensations.json"
	emu_launch personio-emu later "$BATS_FILE_TMPDIR/later"
	echo "$LAUNCHED_URL" >"$BATS_FILE_TMPDIR/later.url"
	echo "$LAUNCHED_PID" >"$BATS_FILE_TMPDIR/later.pid"
}
teardown_file() {
	emu_kill "$(cat "$BATS_FILE_TMPDIR/later.pid")"
	emu_stop
	loket_stop
}

setup() {
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	monthly_sync_env
	S="$BATS_TEST_TMPDIR/state"
	W="$S/drift-written.ndjson"
	E=/providers/employers/employees/employments
}

# sync N [ARGS]: monthly-sync of acme into $BATS_TEST_TMPDIR/runN, the state in $S
sync() {
	local n=$1
	shift
	run --separate-stderr sh "$SYNC" -c "$CFG" --as-of "$AS_OF" --out "$BATS_TEST_TMPDIR/run$n" --state "$S" "$@"
}
later() { # Personio a month later (setup_file)
	jq --arg p "$(cat "$BATS_FILE_TMPDIR/later.url")" '.personio.base_url=$p' "$CFG" >"$CFG.tmp" && mv "$CFG.tmp" "$CFG"
}
lk_put() { # lk_put PATH JSON: an edit in Loket by hand (the administrator), outside any plan
	curl -fsS -X PUT -H "Authorization: Bearer $(loket_token)" -H 'Accept: application/json;version=2018-01-01' \
		-H 'Content-Type: application/json' --data "$2" "$LK_URL/v2$1" >/dev/null
}
wage_1012() {
	curl -fsS -H "Authorization: Bearer $(loket_token)" -H 'Accept: application/json;version=2018-01-01' \
		"$LK_URL/v2$E/wages/9a8b7c6d-5e4f-4a3b-9c2d-000000001012" | jq -c '.content.grossWage'
}

@test "drift: a wage changed by hand in Loket between two syncs is flagged in the plan and the report with Loket's value; an unchanged one is not; Personio still wins" {
	sync 1
	assert_success
	assert_file_exists "$W"
	assert_equal "$(stat -c %a "$W")" 600
	run jq -r 'select(.key == "wage:101:2026-01-01") | .value.gross_wage' "$W"
	assert_output 4166.67
	# the payroll administrator changes 101's wage in Loket by hand
	lk_put "$E/wages/9a8b7c6d-5e4f-4a3b-9c2d-000000001012" '{"startDate":"2026-01-01","grossWage":4000,"grossWageType":{"key":1}}'
	later
	sync 2
	assert_success
	P="$BATS_TEST_TMPDIR/run2/plan.ndjson"
	schema_ok "$P"
	# 101's wage: flagged, with what Loket holds and what loketpipe wrote
	run jq -c 'select(.type == "loket.op" and .employee_number == 101 and .entity == "wage") | [.before.gross_wage, .after.gross_wage, .manual_change]' "$P"
	assert_output '["4000.00","4250.00",{"loket":{"start_date":"2026-01-01","gross_wage":"4000.00","gross_wage_type":1},"written":{"start_date":"2026-01-01","gross_wage":"4166.67","gross_wage_type":1},"by":null,"at":null}]'
	# 107's wage from 2026-03-01: Loket holds what loketpipe wrote; it changes, unflagged
	run jq -c 'select(.type == "loket.op" and .employee_number == 107) | [.before.gross_wage, .after.gross_wage, has("manual_change")]' "$P"
	assert_output '["3350.00","3400.00",false]'
	run jq -s 'map(select(.manual_change)) | length' "$P"
	assert_output 1
	# the report says it, with Loket's value, in text and HTML
	# (the text wraps at 78 columns: read it as one line)
	run sh -c "tr -s ' \n' '  ' <'$BATS_TEST_TMPDIR/run2/report.txt'"
	assert_output --partial "! overwrites a manual change made in Loket: Loket holds 4000.00 a month from 2026-01-01; loketpipe last wrote 4166.67 a month from 2026-01-01"
	run grep -c 'overwrites a manual change' "$BATS_TEST_TMPDIR/run2/report.txt"
	assert_output 1
	grep -q '<strong class="manual">overwrites a manual change made in Loket: Loket holds 4000.00 a month' "$BATS_TEST_TMPDIR/run2/report.html"
	# Personio wins: the wage is 4250 now, and recorded as what loketpipe wrote
	assert_equal "$(wage_1012)" 4250
	run jq -r 'select(.key == "wage:101:2026-01-01") | .value.gross_wage' "$W"
	assert_output "$(printf '4166.67\n4250.00')"
	# a third sync: nothing to do, nothing flagged
	sync 3
	assert_success
	run jq -c 'select(.type == "plan") | .ops' "$BATS_TEST_TMPDIR/run3/plan.ndjson"
	assert_output 0
}

@test "drift: a damaged, foreign, unknown or too open written-state file stops the sync (exit 4) before anything is pushed" {
	sync 1
	assert_success
	later
	cp "$W" "$BATS_TEST_TMPDIR/good"
	mkdir "$BATS_TEST_TMPDIR/o" && jq '.client="other"' "$CFG" >"$BATS_TEST_TMPDIR/o/other.json"
	for bad in damaged foreign header open; do
		cp "$BATS_TEST_TMPDIR/good" "$W"
		case $bad in
		damaged) sed -i 's/"4166.67"/"4166.68"/' "$W" ;; # one byte: its CRC no longer matches
		foreign) rm "$W" && drift -c "$BATS_TEST_TMPDIR/o/other.json" --written "$W" --record /dev/null /dev/null ;;
		header) sed -i 1d "$W" ;; # not a written-state file's first line
		open) chmod 644 "$W" ;;
		esac
		n=$(loket_writes)
		sync 2
		[ "$status" -eq 4 ] || { echo "$bad: exit $status: $stderr"; false; }
		[[ "$stderr" == *"$W"* ]] || { echo "$bad: $stderr"; false; }
		[[ "$stderr" == *"nothing was sent to Loket"* ]] || { echo "$bad: $stderr"; false; }
		assert_equal "$(loket_writes)" "$n"
		assert_file_not_exists "$BATS_TEST_TMPDIR/run2/results.ndjson"
		rm -rf "$BATS_TEST_TMPDIR/run2"
	done
	[[ "$(cat "$BATS_TEST_TMPDIR/good")" != *other* ]]
}

@test "drift: records pass unchanged (their exact text); --record counts only ops Loket holds; bad input exit 3; usage exit 2" {
	loket_login
	P="$BATS_TEST_TMPDIR/plan.ndjson"
	printf '%s\n' '{"type":"loket.op","seq":1,"op_id":"00000000000000a1","entity":"wage","employee_number":5,"before":null,"after":{"start_date":"2026-01-01","gross_wage":"10.50"}}' \
		'{"type":"loket.op","seq":2,"op_id":"00000000000000a2","entity":"wage","employee_number":6,"before":null,"after":{"start_date":"2026-01-01","gross_wage":"11.00"}}' \
		'{"type":"plan",  "ops":2}' >"$P"
	printf '%s\n' '{"type":"loket.result","seq":1,"op_id":"00000000000000a1","outcome":"applied"}' \
		'{"type":"loket.result","seq":2,"op_id":"00000000000000a2","outcome":"failed"}' >"$BATS_TEST_TMPDIR/res.ndjson"
	W="$BATS_TEST_TMPDIR/w.ndjson"
	run --separate-stderr drift -c "$CFG" --written "$W" "$P"
	assert_success
	assert_equal "$output" "$(cat "$P")"
	drift -c "$CFG" --written "$W" --record "$P" "$BATS_TEST_TMPDIR/res.ndjson"
	run jq -r 'select(.type == "drift.value") | .key' "$W"
	assert_output wage:5:2026-01-01
	# Loket now holds 12.00 for employee 5 (changed by hand): flagged; 6 was never written: not
	jq -c '.before = .after | if .seq == 1 then .before.gross_wage = "12.00" else . end' "$P" >"$BATS_TEST_TMPDIR/p2.ndjson"
	run --separate-stderr drift -c "$CFG" --written "$W" "$BATS_TEST_TMPDIR/p2.ndjson"
	assert_success
	run jq -c 'select(.type == "loket.op") | [.seq, .manual_change.loket.gross_wage, .manual_change.written.gross_wage]' <<<"$output"
	assert_output "$(printf '[1,"12.00","10.50"]\n[2,null,null]')"
	# a result of an op the plan does not have
	echo '{"type":"loket.result","seq":9,"op_id":"00000000000000ff","outcome":"applied"}' >"$BATS_TEST_TMPDIR/r9.ndjson"
	run --separate-stderr drift -c "$CFG" --written "$W" --record "$P" "$BATS_TEST_TMPDIR/r9.ndjson"
	assert_failure 3
	[[ "$stderr" == *"r9.ndjson:1: op_id: 00000000000000ff is not an op of the plan"* ]]
	echo '{"type":"loket.op","seq":1}' >"$BATS_TEST_TMPDIR/bad.ndjson"
	run --separate-stderr drift -c "$CFG" --written "$W" "$BATS_TEST_TMPDIR/bad.ndjson"
	assert_failure 3
	[[ "$stderr" == *"bad.ndjson:1: entity: missing in a loket.op"* ]]
	echo 'not json' >"$BATS_TEST_TMPDIR/bad.ndjson"
	run --separate-stderr drift -c "$CFG" --written "$W" "$BATS_TEST_TMPDIR/bad.ndjson"
	assert_failure 3
	run --separate-stderr drift -c "$CFG" "$P"
	assert_failure 2
	run --separate-stderr drift -c "$CFG" --written "$W" --record "$P"
	assert_failure 2
	run drift --help
	assert_success
	assert_output --partial 'Usage: drift'
	run drift --version
	assert_output 'drift (loketpipe) 0.1.0'
}
