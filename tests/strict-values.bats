#!/usr/bin/env bats
# Values checked before they are written on (issue 15): a Loket answer with an impossible date
# or an amount Loket does not hold never makes a complete stream (fetch-loket; the cases are
# tests/fixtures/strict/answer-cases.tsv), and push-loket refuses an op whose body Loket would
# not take, alone: the other ops go on (tests/fixtures/strict/plan-cases.tsv).

load helper

ANSWERS="$ROOT/tests/fixtures/strict/answer-cases.tsv"
PLANS="$ROOT/tests/fixtures/strict/plan-cases.tsv"
GOLDEN="$ROOT/tests/golden/acme.plan.ndjson"
PERSONIO="$ROOT/tests/fixtures/strict/personio-cases.tsv"

setup_file() {
	load helper
	loket_start
}
teardown_file() { loket_stop; }

setup() {
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	loket_client
	loket_login
}

cases() { grep -v '^#' "$1"; }

# plan_with SELECTOR EDIT OUT: the golden plan with the body of the first op matching SELECTOR
# edited; prints that op's seq
plan_with() {
	local seq
	seq=$(jq -r "select(.type==\"loket.op\" and ($1)) | .seq" "$GOLDEN" | head -n 1)
	[ -n "$seq" ] || return 1
	jq -c "if .type==\"loket.op\" and .seq==$seq then .body |= ($2) else . end" "$GOLDEN" >"$3"
	echo "$seq"
}

@test "fetch-loket: an impossible date or an amount Loket does not hold in any answer ends the stream incomplete (exit 5), naming the item and the value" {
	[ "$(cases "$ANSWERS" | wc -l)" -ge 12 ]
	while IFS=$'\t' read -r name edit want; do
		fx="$BATS_TEST_TMPDIR/$name"
		mkdir -p "$fx"
		cp "$LOKET_FIX/client.json" "$fx/"
		jq "$edit" "$LOKET_FIX/state.json" >"$fx/state.json"
		LK_NAME=$name LOKET_FIX=$fx loket_start
		loket_login
		run --separate-stderr fetch-loket -c "$CFG"
		loket_stop
		if [ "$status" -ne 5 ] || [[ "$stderr" != *"$want"* ]] ||
			[ "$(tail -n 1 <<<"$output" | jq -c '[.type, .complete]')" != '["stream_end",false]' ] ||
			[[ "$(tail -n 1 <<<"$output" | jq -r .error)" != *"$want"* ]]; then
			echo "case $name: exit $status, stderr: $stderr" >&2
			return 1
		fi
		# not one record of the stream says complete:true
		[ "$(jq -c 'select(.complete == true)' <<<"$output" | wc -l)" -eq 0 ]
	done < <(cases "$ANSWERS")
}

@test "fetch-loket: the same Loket state unedited is read complete (the cases above fail for their value only)" {
	run --separate-stderr fetch-loket -c "$CFG"
	assert_success
	assert_equal "$(tail -n 1 <<<"$output" | jq -c '[.type, .complete]')" '["stream_end",true]'
}

@test "extract-personio: an impossible date, a year outside 1900-2199 or three decimals in Personio's answers is a PX2 issue for that employee, never passed on" {
	[ "$(cases "$PERSONIO" | wc -l)" -ge 5 ]
	mkdir -p "$BATS_TEST_TMPDIR/fx/acme"
	cp "$SAMPLES"/personio/acme/*.json "$BATS_TEST_TMPDIR/fx/acme/"
	while IFS=$'\t' read -r name file edit pid field; do
		jq "$edit" "$BATS_TEST_TMPDIR/fx/acme/$file" >"$BATS_TEST_TMPDIR/edit.json"
		mv "$BATS_TEST_TMPDIR/edit.json" "$BATS_TEST_TMPDIR/fx/acme/$file"
	done < <(cases "$PERSONIO")
	emu_start "$BATS_TEST_TMPDIR/fx"
	acme_credentials
	run --separate-stderr extract-personio -c "$SAMPLES/acme.json" --as-of "$AS_OF" --base-url "$EMU_URL"
	emu_stop
	out=$output
	while IFS=$'\t' read -r name file edit pid field; do
		if [ "$(jq -c --arg p "$pid" --arg f "$field" 'select(.type=="issue" and .rule=="PX2" and .personio_id==$p and .field==$f)' <<<"$out" | wc -l)" -ne 1 ]; then
			echo "case $name: no PX2 issue for $pid $field" >&2
			return 1
		fi
	done < <(cases "$PERSONIO")
	# the values are not passed on: the dates are null, the compensations withheld
	run jq -c 'select(.type=="person" and (.personio_id=="1001" or .personio_id=="1002" or .personio_id=="1003")) | [.entry_date, .date_of_birth]' <<<"$out"
	assert_output "$(printf '%s\n' '[null,"1985-03-12"]' "[\"$(jq -r 'select(.type=="person" and .personio_id=="1002") | .entry_date' <<<"$out")\",null]" "[\"$(jq -r 'select(.type=="person" and .personio_id=="1003") | .entry_date' <<<"$out")\",null]")"
	run jq -c 'select(.type=="person" and .personio_id=="1005") | .termination_date' <<<"$out"
	assert_output null
	run jq -c 'select(.type=="compensation" and .compensation_id=="cmp-1004-1")' <<<"$out"
	assert_output ''
}

@test "push-loket: an op with a body Loket would not take is refused before sending (an issue, outcome failed, its chain skipped); every other op is applied" {
	[ "$(cases "$PLANS" | wc -l)" -ge 18 ]
	total=$(jq -c 'select(.type=="loket.op")' "$GOLDEN" | wc -l)
	while IFS=$'\t' read -r name sel edit want; do
		curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
		loket_login
		plan="$BATS_TEST_TMPDIR/$name.plan.ndjson" out="$BATS_TEST_TMPDIR/$name.out.ndjson"
		seq=$(plan_with "$sel" "$edit" "$plan")
		run --separate-stderr push-loket -c "$CFG" --journal "$BATS_TEST_TMPDIR/$name.journal" "$plan"
		printf '%s\n' "$output" >"$out"
		# the ops after it in its chain
		later=$(jq -s --argjson s "$seq" '(map(select(.type=="loket.op" and .seq==$s))[0].chain) as $c
			| map(select(.type=="loket.op" and .chain==$c and .seq > $s)) | length' "$plan")
		got=$(jq -s -c --argjson s "$seq" '[(map(select(.type=="loket.result" and .seq==$s))[0] | .outcome, .http_status, .error),
			(map(select(.type=="loket.result" and .outcome=="applied")) | length),
			(map(select(.type=="loket.result" and .outcome=="skipped")) | length)]' "$out")
		issue=$(jq -r 'select(.type=="issue" and .stage=="push-loket") | .message' "$out")
		if [ "$status" -ne 1 ] || [ "$(jq -r '.[0]' <<<"$got")" != failed ] || [ "$(jq -r '.[1]' <<<"$got")" != null ] ||
			[[ "$(jq -r '.[2]' <<<"$got")" != "refused before sending: $want"* ]] ||
			[ "$(jq -r '.[3]' <<<"$got")" -ne $((total - 1 - later)) ] || [ "$(jq -r '.[4]' <<<"$got")" -ne "$later" ] ||
			[[ "$issue" != *"op $seq "*"refused before sending: $want"* ]]; then
			echo "case $name (seq $seq, $later later in its chain): exit $status, got $got, issue: $issue, stderr: $stderr" >&2
			return 1
		fi
		jq -c 'select(.type=="issue" and .stage=="push-loket")' "$out" >"$out.issues"
		schema_ok "$out.issues"
	done < <(cases "$PLANS")
}

@test "push-loket: the refused op is never sent, and its journal line says failed; the golden plan unedited is applied whole" {
	plan="$BATS_TEST_TMPDIR/p.ndjson"
	seq=$(plan_with '.entity=="concept_employee"' '.employeeData.personalDetails.lastName = "Bou\u001b[2Jzid"' "$plan")
	run --separate-stderr push-loket -c "$CFG" --journal "$BATS_TEST_TMPDIR/j" "$plan"
	assert_failure 1
	# Loket never saw the name, nor a concept employee for it
	run curl -fsS "$LK_URL/__emu/requests"
	refute_output --partial 'Bou\u001b'
	run curl -fsS "$LK_URL/__emu/state"
	assert_equal "$(jq '[.conceptEmployees[] | select(.employeeData.employeeNumber == 135)] | length' <<<"$output")" 0
	run jq -c --argjson s "$seq" 'select(.seq==$s) | .state' "$BATS_TEST_TMPDIR/j"
	assert_output '"failed"'
	# the same plan as diff-loket made it: all applied
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	loket_login
	run --separate-stderr push-loket -c "$CFG" --journal "$BATS_TEST_TMPDIR/j2" "$GOLDEN"
	assert_success
}

@test "push-loket --dry-run: an op it would refuse shows as an issue instead of a request" {
	plan="$BATS_TEST_TMPDIR/p.ndjson"
	seq=$(plan_with '.entity=="wage" and .method=="PUT"' '.grossWage = 4166.675' "$plan")
	run --separate-stderr push-loket -c "$CFG" --dry-run "$plan"
	assert_success
	assert_equal "$(jq -c --argjson s "$seq" 'select(.type=="loket.request" and .seq==$s)' <<<"$output")" ''
	run jq -r 'select(.type=="issue") | .message' <<<"$output"
	assert_output --partial "op $seq (PUT "
	assert_output --partial 'body.grossWage: 4166.675 has more than two decimals'
}
