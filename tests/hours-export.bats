#!/usr/bin/env bats
# pipelines/hours-export against both emulators: acme's hours of November 2026 from the
# timesheet CSV and from Personio's attendances (the same hours, samples/hours/make-acme-hours)
# -> the file Loket imports under Collectieve mutaties (H1-H3, H5), imported into loket-emu and
# read back through the API.

load helper

RANGE=(--year 2026 --from 2026-11-01 --to 2026-11-30)
NAME=variabele-gegevens-2026-11-01-2026-11-30.csv
# Reviewed by hand once against samples/hours/make-acme-hours (2026-12-01): acme's client number
# 12345; one row per employment with WORK hours (component 1): 101 (payrollId 1) 168 (21 days of
# 8), 102 (2) 131,75, 103 (3) 105,25, 108 (8) 164,25 (his 3,75 TRAINING left out: H1), 137's
# second employment (34, from 2026-07-01; the first ended 2026-06-30) 136,5, 140 (37) 9;
# 111 is do-not-import (80 hours, H2); the verdelingseenheid column empty (the employments'
# own); comma decimals without trailing zeros, CRLF.
GOLDEN="$ROOT/tests/golden/acme-hours-export-2026-11.csv"

setup_file() {
	load helper
	emu_start "$SAMPLES/personio"
	loket_start
}
teardown_file() {
	emu_stop
	loket_stop
}

setup() {
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	emu_reset
	acme_credentials
	loket_client
	loket_login '.personio.base_url=$ENV.EMU_URL'
	export LOKETPIPE_BIN="$BUILD/bin"
	EXPORT="$ROOT/pipelines/hours-export"
	O="$BATS_TEST_TMPDIR/out"
}

@test "H3: acme's November from the timesheet CSV: the golden file, the summary and how to import it (year, range, CSV, Overwrite, distribution unit Yes); what was left out is named (H1 TRAINING, H2 111)" {
	run --separate-stderr sh "$EXPORT" -c "$CFG" "${RANGE[@]}" --csv "$SAMPLES/hours/acme-2026-11.csv" --out "$O"
	assert_success
	cmp "$O/$NAME" "$GOLDEN"
	[ "$(stat -c %a "$O")" = 700 ] && [ "$(stat -c %a "$O/$NAME")" = 600 ]
	[[ "$stderr" == *"6 row(s), 6 employee(s), 714.75 of 798.50 hours; left out: 3.75 unmapped (H1), 80.00 do-not-import (H2), 0.00 in error"* ]]
	[[ "$stderr" == *"year 2026, date range 2026-11-01 to 2026-11-30, file type CSV, action Overwrite, distribution unit Yes. Overwrite replaces the period's values"* ]]
	run jq -r 'select(.type=="issue") | "\(.severity) \(.rule) \(.employee_number // "-")"' "$O/report.ndjson"
	assert_output --partial 'warning H1'
	assert_output --partial 'info H2'
	run jq -c 'select(.type=="hours.export") | [.rows, .hours_written, .hours_unmapped, .hours_not_imported]' "$O/report.ndjson"
	assert_output '[6,"714.75","3.75","80.00"]'
	# the same run again: the same bytes
	cp "$O/$NAME" "$BATS_TEST_TMPDIR/first.csv"
	sh "$EXPORT" -c "$CFG" "${RANGE[@]}" --csv "$SAMPLES/hours/acme-2026-11.csv" --out "$O" 2>/dev/null
	cmp "$O/$NAME" "$BATS_TEST_TMPDIR/first.csv"
}

@test "H5: from Personio's attendances (extract-hours) the same file, byte for byte" {
	run --separate-stderr sh "$EXPORT" -c "$CFG" "${RANGE[@]}" --personio --out "$O"
	assert_success
	cmp "$O/$NAME" "$GOLDEN"
	run jq -r 'select(.type=="hours") | .source.kind' "$O/hours.ndjson"
	assert_equal "$(sort -u <<<"$output")" personio-attendance
}

@test "H3: the file imported into Loket (loket-emu's import, Overwrite) and read back through the API: component 1 of 2026/11 holds each row's hours" {
	sh "$EXPORT" -c "$CFG" "${RANGE[@]}" --csv "$SAMPLES/hours/acme-2026-11.csv" --out "$O" 2>/dev/null
	curl -fsS -X POST --data-binary @"$O/$NAME" \
		"$LK_URL/__emu/import-variable-data?payrollAdministrationId=7a9b3c2d-1e4f-4a5b-8c6d-000000000001&year=2026&from=2026-11-01&to=2026-11-30&distributionUnit=yes" >/dev/null
	fetch-loket -c "$CFG" --as-of 2026-11-30 >"$BATS_TEST_TMPDIR/after.ndjson"
	want=$(tail -n +2 "$O/$NAME" | tr -d '\r' | awk -F';' '{ v = $5; sub(",", ".", v); printf "%s %.2f\n", $2, v }' | sort)
	got=$(jq -r -s '(map(select(.type=="loket.current.employment")) | map({key: .id, value: .payroll_id}) | from_entries) as $p
		| .[] | select(.type=="loket.current.variable_input" and .year==2026 and .period==11 and .payroll_component_key==1)
		| "\($p[.employment_id]) \(.value)"' "$BATS_TEST_TMPDIR/after.ndjson" | sort)
	[ -n "$want" ]
	assert_equal "$got" "$want"
}

@test "a stage that fails leaves no file: Loket answers 503 -> fetch-loket's exit (5), nothing named; a bad row of the CSV -> exit 1, the file without it and without its employee; usage errors exit 2" {
	curl -fsS -X POST --data '{"always":{"path":"/v2/providers/employers","status":503}}' "$LK_URL/__emu/faults" >/dev/null
	run --separate-stderr sh "$EXPORT" -c "$CFG" "${RANGE[@]}" --csv "$SAMPLES/hours/acme-2026-11.csv" --out "$O"
	curl -fsS -X POST --data '{}' "$LK_URL/__emu/faults" >/dev/null
	assert_failure 5
	[[ "$stderr" == *"fetch-loket failed (exit 5); no file written"* ]]
	assert_file_not_exists "$O/$NAME"
	# a row with three decimals: left out, said, exit 1; its employee (102) is left out too, not
	# written with the rest of his hours (Overwrite would replace the period's value with them)
	{ cat "$SAMPLES/hours/acme-2026-11.csv"; printf '102;"Berg, Sanne van den";27-11-2026;WORK;1,255\r\n'; } >"$BATS_TEST_TMPDIR/bad.csv"
	run --separate-stderr sh "$EXPORT" -c "$CFG" "${RANGE[@]}" --csv "$BATS_TEST_TMPDIR/bad.csv" --out "$O"
	assert_failure 1
	cmp "$O/$NAME" <(grep -v '^12345;2;' "$GOLDEN")
	run jq -r 'select(.type=="issue" and .severity=="error") | "\(.rule) \(.employee_number) \(.stage)"' "$O/report.ndjson"
	assert_output "$(printf 'H5 102 hours-from-csv\nH5 102 hours-to-collective-mutations')"
	for bad in "" "--year 2026" "--year 2026 --from 2026-11-01 --to 2026-11-30" "--year 2026 --from 1-11-2026 --to 2026-11-30 --personio" \
		"--year 2026 --from 2026-11-01 --to 2026-11-30 --personio --csv x" "--year 2026 --from 2026-11-01 --to 2026-11-30 --personio --plan-only" \
		"--frobnicate"; do
		run sh "$EXPORT" -c "$CFG" $bad
		assert_failure 2
	done
	run sh "$EXPORT" --help
	assert_success
	assert_output --partial 'Overwrite'
}

@test "H5: --rest: the same hours through the API (plan, push-loket's collective PATCH): Loket's state equals the file's import; the same command again plans 0 ops and writes nothing; --plan-only writes nothing" {
	# the file's route on a fresh emulator, for comparison
	sh "$EXPORT" -c "$CFG" "${RANGE[@]}" --csv "$SAMPLES/hours/acme-2026-11.csv" --out "$BATS_TEST_TMPDIR/f" 2>/dev/null
	curl -fsS -X POST --data-binary @"$BATS_TEST_TMPDIR/f/$NAME" \
		"$LK_URL/__emu/import-variable-data?payrollAdministrationId=7a9b3c2d-1e4f-4a5b-8c6d-000000000001&year=2026&from=2026-11-01&to=2026-11-30&distributionUnit=yes" >/dev/null
	want=$(loket_digest)
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	[ "$(loket_digest)" != "$want" ]
	w0=$(curl -fsS "$LK_URL/__emu/stats" | jq '[.by_method | to_entries[] | select(.key != "GET") | .value] | add // 0')
	run --separate-stderr sh "$EXPORT" -c "$CFG" "${RANGE[@]}" --csv "$SAMPLES/hours/acme-2026-11.csv" --out "$O" --rest --plan-only
	assert_success
	[[ "$stderr" == *"plan: 6 change(s)"* ]]
	assert_equal "$(curl -fsS "$LK_URL/__emu/stats" | jq '[.by_method | to_entries[] | select(.key != "GET") | .value] | add // 0')" "$w0"
	run --separate-stderr sh "$EXPORT" -c "$CFG" "${RANGE[@]}" --csv "$SAMPLES/hours/acme-2026-11.csv" --out "$O" --rest
	assert_success
	[[ "$stderr" == *"pushed: 6 applied, 0 already applied"* ]]
	assert_equal "$(loket_digest)" "$want"
	assert_file_exists "$(sh "$ROOT/pipelines/monthly-sync" --journal-of "$O/plan.ndjson")"
	w1=$(curl -fsS "$LK_URL/__emu/stats" | jq '[.by_method | to_entries[] | select(.key != "GET" and .key != "POST") | .value] | add // 0')
	run --separate-stderr sh "$EXPORT" -c "$CFG" "${RANGE[@]}" --csv "$SAMPLES/hours/acme-2026-11.csv" --out "$BATS_TEST_TMPDIR/again" --rest
	assert_success
	[[ "$stderr" == *"plan: 0 change(s)"* ]]
	assert_equal "$(curl -fsS "$LK_URL/__emu/stats" | jq '[.by_method | to_entries[] | select(.key != "GET" and .key != "POST") | .value] | add // 0')" "$w1"
	assert_equal "$(loket_digest)" "$want"
}

@test "H3: hours Loket holds in the period for an employment the file has no row for (a corrected month) are named: Overwrite leaves them" {
	sh "$EXPORT" -c "$CFG" "${RANGE[@]}" --csv "$SAMPLES/hours/acme-2026-11.csv" --out "$O" 2>/dev/null
	curl -fsS -X POST --data-binary @"$O/$NAME" \
		"$LK_URL/__emu/import-variable-data?payrollAdministrationId=7a9b3c2d-1e4f-4a5b-8c6d-000000000001&year=2026&from=2026-11-01&to=2026-11-30&distributionUnit=yes" >/dev/null
	# the corrected timesheet: 140's hours (persnr 37) were someone else's
	grep -v '^140;' "$SAMPLES/hours/acme-2026-11.csv" >"$BATS_TEST_TMPDIR/fixed.csv"
	run --separate-stderr sh "$EXPORT" -c "$CFG" "${RANGE[@]}" --csv "$BATS_TEST_TMPDIR/fixed.csv" --out "$BATS_TEST_TMPDIR/o2"
	assert_success
	[[ "$stderr" == *"warning: Loket holds hours of the mapped components in 2026/11 for persnr 37, which this file has no row for: Overwrite leaves them"* ]]
	# the whole month again, a row for each of them: nothing of the kind
	run --separate-stderr sh "$EXPORT" -c "$CFG" "${RANGE[@]}" --csv "$SAMPLES/hours/acme-2026-11.csv" --out "$BATS_TEST_TMPDIR/o3"
	[[ "$stderr" != *"which this file has no row for"* ]]
}
