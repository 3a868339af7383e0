#!/usr/bin/env bats
# Issue 15, strictness: invalid JSON numbers (tests/strict-json.forms, one a line) are a clear
# error naming FILE:LINE with exit 3 wherever records are read (validate, map-compensation,
# diff-loket's --current, journal-export), and a failure of the remote (exit 5, the path named)
# in an answer (fetch-loket, replayed). The valid forms (tests/strict-json.valid) are the control.

load helper

setup_file() {
	load helper
	# one recording of fetch-loket's answers, replayed with a number changed
	loket_start
	BATS_TEST_TMPDIR=$BATS_FILE_TMPDIR loket_client
	BATS_TEST_TMPDIR=$BATS_FILE_TMPDIR loket_login
	fetch-loket -c "$BATS_FILE_TMPDIR/acme.json" --record "$BATS_FILE_TMPDIR/rec" >"$BATS_FILE_TMPDIR/fetched.ndjson"
	loket_stop
}

setup() {
	IN="$BATS_TEST_TMPDIR/in.ndjson"
}

# forms FILE: the forms of a data file (no comments, no blank lines)
forms() { grep -v -e '^#' -e '^$' "$ROOT/tests/$1"; }

# a record with FORM as a number, on line 2 after a good person record
bad_input() {
	{ rec_person; printf '{"type":"x","client":"t","v":[1,%s]}\n' "$1"; rec_end; } >"$IN"
}

# refused PROG ARGS...: PROG on $IN exits 3 naming in.ndjson:2 and the form, for every form
refused() {
	local f n=0
	while IFS= read -r f; do
		bad_input "$f"
		run --separate-stderr "$@" "$IN"
		[ "$status" -eq 3 ] || { echo "form '$f': exit $status, stderr: $stderr" >&2; return 1; }
		[[ "$stderr" == *"in.ndjson:2: not valid JSON"*"'$f"* ]] || { echo "form '$f': $stderr" >&2; return 1; }
		n=$((n + 1))
	done < <(forms strict-json.forms)
	[ "$n" -ge 20 ]
}

@test "the data file holds issue 15's seven forms and the others" {
	run forms strict-json.forms
	for f in 1. -.5 01.5 2e 1.2.3 1e5e5 --1.5 +1 .5 1e+ 0x10 Infinity NaN; do
		assert_line -- "$f"
	done
}

@test "validate: every invalid number form is refused naming FILE:LINE, exit 3" {
	refused validate -c "$T_CFG" --as-of "$AS_OF"
}

@test "map-compensation: every invalid number form is refused naming FILE:LINE, exit 3" {
	refused map-compensation -c "$T_CFG"
}

@test "journal-export: every invalid number form is refused naming FILE:LINE, exit 3" {
	refused journal-export --format ndjson --as-of "$AS_OF"
}

@test "diff-loket: an invalid number in the current state (--current) is refused naming FILE:LINE, exit 3" {
	local f cur="$BATS_TEST_TMPDIR/current.ndjson"
	{ rec_person; rec_end; } >"$IN"
	while IFS= read -r f; do
		{ head -n 1 "$BATS_FILE_TMPDIR/fetched.ndjson"; printf '{"type":"loket.current.x","client":"acme","v":%s}\n' "$f"; } >"$cur"
		run --separate-stderr diff-loket -c "$T_CFG" --current "$cur" "$IN"
		assert_equal "$status" 3
		[[ "$stderr" == *"current.ndjson:2: not valid JSON"*"'$f"* ]] || { echo "form '$f': $stderr" >&2; return 1; }
	done < <(forms strict-json.forms)
}

@test "a fractional number where an object key stands is refused, not read as a key (found by tests/fuzz/json)" {
	local k
	for k in 1.5 3e2 -0.5; do
		{ rec_person; printf '{"type":"x","client":"t","v":{%s:1}}\n' "$k"; rec_end; } >"$IN"
		run --separate-stderr validate -c "$T_CFG" --as-of "$AS_OF" "$IN"
		assert_equal "$status" 3
		[[ "$stderr" == *"in.ndjson:2: not valid JSON"* ]] || { echo "key $k: $stderr" >&2; return 1; }
		printf '{"type":"x","client":"t","v":[{"a":1},%s,{"b":%s}]}\n' "$k" "$k" >"$IN"
		run --separate-stderr validate -c "$T_CFG" --as-of "$AS_OF" "$IN"
		[ "$status" -ne 3 ] || { echo "values $k refused: $stderr" >&2; return 1; }
		assert_line "{\"type\":\"x\",\"client\":\"t\",\"v\":[{\"a\":1},$k,{\"b\":$k}]}"
	done
}

@test "the valid forms are read and passed on as the same number (validate)" {
	local f
	while IFS= read -r f; do
		bad_input "$f"
		run --separate-stderr validate -c "$T_CFG" --as-of "$AS_OF" "$IN"
		[ "$status" -ne 3 ] || { echo "form '$f' refused: $stderr" >&2; return 1; }
		assert_line "{\"type\":\"x\",\"client\":\"t\",\"v\":[1,$f]}"
	done < <(forms strict-json.valid)
}

@test "fetch-loket: an invalid number in a Loket answer is a failure of the remote (exit 5), the path and the form named, the stream incomplete" {
	local body f
	# the employee list: its first employee's number
	body=$(grep -l '"employeeNumber":101' "$BATS_FILE_TMPDIR/rec"/*_employees_pageNumber*.body | head -n 1)
	[ -n "$body" ]
	# the replay as recorded works (the control)
	run --separate-stderr fetch-loket -c "$BATS_FILE_TMPDIR/acme.json" --replay "$BATS_FILE_TMPDIR/rec" --base-url http://127.0.0.1:9/v2
	assert_success
	while IFS= read -r f; do
		rm -rf "$BATS_TEST_TMPDIR/bad" && cp -R "$BATS_FILE_TMPDIR/rec" "$BATS_TEST_TMPDIR/bad"
		sed "s/\"employeeNumber\":101/\"employeeNumber\":$f/" "$body" >"$BATS_TEST_TMPDIR/bad/$(basename "$body")"
		run --separate-stderr fetch-loket -c "$BATS_FILE_TMPDIR/acme.json" --replay "$BATS_TEST_TMPDIR/bad" --base-url http://127.0.0.1:9/v2
		[ "$status" -eq 5 ] || { echo "form '$f': exit $status: $stderr" >&2; return 1; }
		[[ "$stderr" == *"/employees"*"the answer is not a JSON object: "*"'$f"* ]] || { echo "form '$f': $stderr" >&2; return 1; }
		[[ "$(tail -n 1 <<<"$output")" == *'"complete":false'* ]] || { echo "form '$f': not incomplete" >&2; return 1; }
	done < <(forms strict-json.forms)
}
