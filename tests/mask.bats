#!/usr/bin/env bats
# Masking (issue 15, principle 7): the 17 forms of a BSN or IBAN (tests/fixtures/mask/forms.tsv)
# through lib/lp_mask, and planted in Personio end to end: none appears in report.txt/html, in
# an issue message or on standard error. Amounts, dates, employee numbers and Loket ids stay
# readable (tests/fixtures/mask/readable.tsv).

load helper

FORMS="$ROOT/tests/fixtures/mask/forms.tsv"
READABLE="$ROOT/tests/fixtures/mask/readable.tsv"

setup_file() {
	load helper
	# acme with one form per employee 1001..1017 in the attribute of its kind (jq from the data file)
	mkdir -p "$BATS_FILE_TMPDIR/planted/acme"
	cp "$SAMPLES"/personio/acme/*.json "$BATS_FILE_TMPDIR/planted/acme/"
	jq --rawfile forms "$FORMS" '
		[$forms | split("\n")[] | select(length > 0 and (startswith("#") | not)) | split("\t")] as $f
		| [range(0; $f | length) as $i | {id: (1001 + $i), kind: $f[$i][1], form: $f[$i][2]}] as $plant
		| map(. as $e | ($plant[] | select(.id == $e.attributes.id.value)) as $p
			| if $p.kind == "bsn" then .attributes.dynamic_1004.value = $p.form
			  else .attributes.dynamic_1005.value = $p.form end // .)' \
		"$SAMPLES/personio/acme/employees.json" >"$BATS_FILE_TMPDIR/planted/acme/employees.json"
	emu_start "$BATS_FILE_TMPDIR/planted"
}
teardown_file() { emu_stop; }

setup() {
	emu_reset
	acme_credentials
}

# forms COLUMN: one column of the data file (3 the form, 4 masked), a line per form
forms() { grep -v '^#' "$FORMS" | cut -f"$1"; }
# ascii FORM: the form's letters and digits, ASCII digits for any Unicode digit (what a leak would
# show after someone normalised it)
ascii() { python3 -c 'import sys, unicodedata as u; print("".join(str(u.digit(c)) if c.isdigit() else c for c in sys.argv[1] if c.isalnum()))' "$1"; }

@test "mask: each of the 17 forms masks to what the data file says, alone and inside a sentence" {
	[ "$(forms 3 | wc -l)" -eq 17 ]
	run lp-unit mask-lines <<<"$(forms 3)"
	assert_success
	assert_output "$(forms 4)"
	run lp-unit mask-lines <<<"$(forms 3 | sed 's/.*/BSN or IBAN "&" is wrong/')"
	assert_output "$(forms 4 | sed 's/.*/BSN or IBAN "&" is wrong/')"
	# lp_nlid_mask_text (the older entry point) gives the same
	while IFS= read -r f; do
		run lp-unit mask "$f"
		assert_output "$(lp-unit mask-lines <<<"$f")"
	done < <(forms 3)
}

@test "mask: amounts, dates, impossible dates, year ranges, employee numbers, Loket ids, hashes and paths stay readable" {
	t=$(grep -v '^#' "$READABLE" | cut -f2)
	[ "$(wc -l <<<"$t")" -ge 12 ]
	run lp-unit mask-lines <<<"$t"
	assert_success
	assert_output "$t"
}

@test "mask: invisible characters between the digits do not hide a BSN; control characters are shown, never sent to the terminal" {
	zw=$'\xe2\x80\x8b' rlo=$'\xe2\x80\xae' ls=$'\xe2\x80\xa8' nel=$'\xc2\x85' # U+200B U+202E U+2028 U+0085
	run lp-unit mask-lines <<<"123${zw}456${zw}789, 123"$'\e'"456"$'\a'"789 or NL92${zw}ABNA0417164300"
	assert_output "***${zw}**6${zw}789, ***<U+001B>**6<U+0007>789 or NL92${zw}**********4300"
	# two numbers side by side: every stretch of 8..10 digits goes
	run lp-unit mask-lines <<<"06 1234 5678 and 123 456 789 12"
	assert_output "** **** 5678 and *** *** *89 12"
	run lp-unit mask-lines <<<"name "$'\e'"[2J${rlo}evil${ls}x${nel}"
	assert_output 'name <U+001B>[2J<U+202E>evil<U+2028>x<U+0085>'
	run lp-unit ctrl "Bou${rlo}zid"
	assert_output '3 U+202E (bidi control)'
	run lp-unit ctrl "$(printf 'Be\033rg')"
	assert_output '2 U+001B (ESC)'
	run lp-unit ctrl 'plain'
	assert_output none
}

@test "PII: the 17 forms planted in Personio: issue messages and hints mask them, report.txt and report.html never show them" {
	d=$BATS_TEST_TMPDIR
	extract-personio -c "$SAMPLES/acme.json" --as-of "$AS_OF" --base-url "$EMU_URL" >"$d/x.ndjson"
	run --separate-stderr validate -c "$SAMPLES/acme.json" --as-of "$AS_OF" "$d/x.ndjson"
	assert_failure 1 # the invalid numbers block the sync (E4)
	printf '%s\n' "$output" >"$d/v.ndjson"
	printf '%s\n' "$stderr" >"$d/err.txt"
	# every form was quoted in an issue (so the test sees each): one bsn/iban issue per planted person
	run jq -r 'select(.type=="issue" and (.field=="bsn" or .field=="iban") and (.personio_id|tonumber) <= 1017) | .personio_id' "$d/v.ndjson"
	assert_equal "$(sort -u <<<"$output" | wc -l)" 17
	jq -r 'select(.type=="issue") | .message, .hint // empty' "$d/v.ndjson" >"$d/messages.txt"
	report "$d/v.ndjson" >"$d/report.txt"
	report --html "$d/v.ndjson" >"$d/report.html"
	while IFS= read -r f; do
		a=$(ascii "$f")
		for file in "$d/messages.txt" "$d/report.txt" "$d/report.html" "$d/err.txt"; do
			if grep -qF -e "$f" -e "$a" -e "${a^^}" "$file"; then
				echo "form '$f' ($a) appears in $file" >&2
				return 1
			fi
		done
	done < <(forms 3)
	# the masked messages are the ones the report shows
	grep -F "BSN '*****6789'" "$d/report.txt"
	grep -F "IBAN 'NL92-****-****-**43-00'" "$d/report.txt"
	[ "$(grep -c "citizen service number\|ISO 13616" "$d/report.txt")" -ge 17 ]
}

@test "PII: batch-report masks and shows control characters in any text of a run status" {
	jq -cn '{type:"run.status",client:"acme",outcome:"failed",first_error:"BSN 123.456.789 and NL92-ABNA-0417-1643-00 \u001b[2J"}' >"$BATS_TEST_TMPDIR/s.ndjson"
	run batch-report "$BATS_TEST_TMPDIR/s.ndjson"
	assert_success
	refute_output --partial 123.456.789
	refute_output --partial ABNA-0417
	refute_output --partial $'\e'
	assert_output --partial '***.**6.789'
	assert_output --partial '<U+001B>[2J'
	run batch-report --html "$BATS_TEST_TMPDIR/s.ndjson"
	refute_output --partial 123.456.789
	assert_output --partial '&lt;U+001B&gt;[2J'
}

@test "PII: a message on standard error masks a BSN it quotes and shows its control characters (lp_warn_at)" {
	printf '{"type":"plan","client":"123456789\\u001b[2J"}\n' >"$BATS_TEST_TMPDIR/in.ndjson"
	run --separate-stderr push-loket -c "$SAMPLES/acme.json" --dry-run "$BATS_TEST_TMPDIR/in.ndjson"
	assert_failure 3
	[[ "$stderr" == *"client: '*****6789<U+001B>[2J' is not the configured client"* ]]
	[[ "$stderr" != *123456789* ]]
	[[ "$stderr" != *$'\e'* ]]
}
