#!/usr/bin/env bats
# report for a payroll administrator (issue 17, parts 1 and 4): acme's monthly sync with the
# seeds' fix against both emulators, once with --plan-only (the golden report, reviewed by hand)
# and once applying that plan; hand-made records (client "t") for the rest. What is checked:
# every change with its value before and after under the person's name, employee number and
# Personio id; the summary (counts by kind, gross wage per payroll month); what is destroyed
# (R3, O3, D3, K3) in its own section with its amount; every issue naming the person; BSN and
# IBAN masked; text lines of at most 78 columns; HTML for print, read back from Chromium.

load helper

setup_file() {
	load helper
	monthly_sync_emus "$BATS_FILE_TMPDIR/fixed"
	BATS_TEST_TMPDIR="$BATS_FILE_TMPDIR" monthly_sync_env
	export CFG SYNC
	local P="$BATS_FILE_TMPDIR/plan"
	sh "$SYNC" -c "$CFG" --as-of "$AS_OF" --out "$O" --plan-only 2>/dev/null
	mkdir -p "$P"
	cp "$O"/report.txt "$O"/report.html "$O"/plan.ndjson "$O"/personio.ndjson "$O"/current.ndjson "$P/"
	sh "$SYNC" -c "$CFG" --as-of "$AS_OF" --out "$O" --apply "$O/plan.ndjson" 2>/dev/null
}
teardown_file() {
	emu_stop
	loket_stop
}

setup() {
	P="$BATS_FILE_TMPDIR/plan"
	A="$BATS_FILE_TMPDIR/out"
	G="$ROOT/tests/golden"
}

# section FILE TITLE: the lines of a text report's section TITLE (to the next heading)
section() { awk -v t="$2" '$0 == t { on = 1; getline; next } on && /^[A-Z]/ { exit } on' "$1"; }
# the headings of a text report, in order
headings() { awk 'NR > 1 && /^(-+|=+)$/ { print prev } { prev = $0 }' "$1"; }
ops() { jq -c 'select(.type=="loket.op")' "$P/plan.ndjson"; }
person() { jq -r --arg p "$1" 'select(.type=="person" and .personio_id==$p) | [.first_name, .prefix, .last_name] | map(select(. != null)) | join(" ")' "$P/personio.ndjson"; }

@test "acme's report of a plan, text and HTML: the golden files (reviewed by hand); HTML well-formed" {
	# regenerate: cp "$P/report.txt" "$G/acme.report.txt"; cp "$P/report.html" "$G/acme.report.html"; review the diff by hand
	diff -u "$G/acme.report.txt" "$P/report.txt"
	diff -u "$G/acme.report.html" "$P/report.html"
	xmllint --noout --html "$P/report.html"
}

@test "the summary and what is destroyed come first, before the issues and the changes" {
	run headings "$P/report.txt"
	assert_output "loketpipe sync report: acme, $AS_OF
Client acme
Summary
What this run destroys in Loket
Warnings
Changes per employee, before and after
Concept employees to finalise in Loket (M2)
Left out, and why"
}

@test "summary: the counts by kind are the plan's ops by action; warnings and who is left out" {
	c=$(ops | jq -s -r '[(map(select(.action=="create" or (.action=="upsert" and ([.before[] | select(. != null)] | length) == 0))) | length),
		(map(select(.action=="update" or (.action=="upsert" and ([.before[] | select(. != null)] | length) > 0))) | length),
		(map(select(.action=="end")) | length), (map(select(.action=="delete" or .action=="remove")) | length)] | @tsv')
	read -r cr ch en rm <<<"$c"
	[ $((cr + ch + en + rm)) -eq "$(jq 'select(.type=="plan") | .ops' "$P/plan.ndjson")" ]
	run section "$P/report.txt" Summary
	assert_line "  Changes: $cr created, $ch changed, $en ended, $rm removed; none sent to Loket yet."
	warn=$(jq -s '[.[] | select(.type=="issue" and .severity=="warning" and .rule != "E3")] | unique | length' "$P/plan.ndjson")
	out=$(jq -s '[.[] | select(.type=="issue" and (.rule=="E1" or .rule=="E3"))] | unique | length' "$P/plan.ndjson")
	assert_line "  Issues: 0 error(s), $warn warning(s), $out left out of the sync."
	# after the push: what Loket refused (none here)
	run section "$A/report.txt" Summary
	assert_line "  Changes: $cr created, $ch changed, $en ended, $rm removed; 0 refused by Loket."
}

@test "summary: the gross wage per payroll month before and after; each month's difference is what the plan's monthly wage ops change then" {
	run section "$P/report.txt" Summary
	assert_line --partial 'Gross wage in Loket per payroll month, before and after this run: the'
	assert_line '    month          before         after    difference'
	# one line per month from the first month a wage op touches (2026-01) to the as-of month or the last op (2026-12)
	months=$(grep -cE '^    2026-(0[1-9]|1[0-2]) ' <<<"$output")
	[ "$months" -eq 12 ]
	# the difference column is after - before, and the months without a wage op change nothing against the month before
	while read -r m b a d; do
		diff_c=$(( (${a/./} - ${b/./}) ))
		[ "$diff_c" -eq "${d/./}" ] || fail "$m: $a - $b is not $d"
	done < <(grep -E '^    2026-' <<<"$output")
	# January: two updates of monthly wages (101: 3200.00 -> 4166.67, 110: 3300.00 -> 3650.00) and no other wage op from then
	assert_line --regexp '^    2026-01 +[0-9]+\.[0-9]{2} +[0-9]+\.[0-9]{2} +\+1316\.67$'
	# 103's wage is hourly: left out, and said
	assert_output --partial 'hourly wage are left out'
	# without Loket's current wages the figure is not made up
	run report "$P/plan.ndjson"
	assert_output --partial "Gross wage per payroll month: not shown, as Loket's current wages are not in"
	refute_output --partial '    month          before'
}

@test "destroyed: every R3, O3, D3 and K3 removal of the plan is listed in its section with its amount, under the person's name" {
	run section "$P/report.txt" "What this run destroys in Loket"
	n=0
	while read -r op; do
		rule=$(jq -r .rule <<<"$op") pid=$(jq -r .personio_id <<<"$op") e=$(jq -r .employee_number <<<"$op")
		amount=$(jq -r '.before | if type == "array" then .[0].value elif .gross_wage then .gross_wage elif .value then .value else empty end' <<<"$op")
		assert_line "  $(person "$pid") (employee $e, Personio $pid)"
		assert_line --regexp "^    \\[$rule\\] (removed|ended|cleared): "
		[ -z "$amount" ] || assert_line --regexp "^         before: .*$amount"
		n=$((n + 1))
	done < <(ops | jq -c 'select(.rule=="R3" or .rule=="O3" or .rule=="D3" or (.rule=="K3" and .action=="delete"))')
	[ "$n" -eq 5 ]
	[ "$(grep -c '^    \[' <<<"$output")" -eq "$n" ]
	# what each takes away, in words
	assert_line '         before: 50.00 a month from 2026-03-01, no end date | after: removed'
	assert_line '         before: 3250.00 a month from 2026-09-01 | after: removed'
	assert_line '         before: component 8101: 500.00 | after: removed'
	assert_line '         before: phone number +31 * ****5678 | after: phone number (empty)'
	# after the push: the same, applied
	run section "$A/report.txt" "What this run destroys in Loket"
	[ "$(grep -c '^    \[.*-> applied$' <<<"$output")" -eq "$n" ]
	# a plan that destroys nothing has no such section
	jq -c 'select(.type != "loket.op" or (.rule != "R3" and .rule != "O3" and .rule != "D3" and .action != "delete"))' "$P/plan.ndjson" |
		jq -c 'if .type == "plan" then .ops = 20 else . end' >"$BATS_TEST_TMPDIR/plan.ndjson"
	run report "$BATS_TEST_TMPDIR/plan.ndjson"
	assert_success
	refute_output --partial 'What this run destroys'
}

@test "changes: before and after side by side for a wage, a benefit, variable input and employee fields; every op under its person" {
	run section "$P/report.txt" "Changes per employee, before and after"
	# wage (K3 update), benefit (R2 end, K3 create), variable input (K3 upsert), employee data (D2)
	assert_output --partial "  Jan Pieter de Vries (employee 101, Personio 1001)
    [K3] changed: gross wage -> planned
         before: 3200.00 a month from 2026-01-01
         after:  4166.67 a month from 2026-01-01
    [R2] ended: benefit/deduction, component 8043 -> planned
         before: 25.00 a month from 2025-01-01, no end date
         after:  25.00 a month from 2025-01-01 to 2025-12-31
    [K3] created: benefit/deduction, component 8043 -> planned
         before: none | after: 30.00 a month from 2026-01-01, no end date"
	assert_output --partial "    [K3] changed: variable input, period 2026-06 -> planned
         before: component 8102: 10.00 | after: component 8102: 30.00"
	assert_output --partial "    [D2] changed: employee data -> planned
         before: e-mail address sanne.berg@gmail.example
         after:  e-mail address sanne.vandenberg@acme.example"
	assert_output --partial "  Mohamed El Amrani (employee 103, Personio 1003)
    [K3] created: gross wage -> planned
         before: none | after: 18.75 an hour from 2026-01-01"
	# every op's person heads its changes, by Personio's name
	for pid in $(ops | jq -r .personio_id | sort -u); do
		e=$(ops | jq -r --arg p "$pid" 'select(.personio_id==$p) | .employee_number' | head -n 1)
		assert_line "  $(person "$pid") (employee $e, Personio $pid)"
	done
	[ "$(grep -c '^    \[' <<<"$output")" -eq "$(ops | wc -l)" ]
	# after the push (--apply PLAN) the results carry no before and after: they come from the
	# plan; the names from Personio's extract next to the plan, the wages from Loket's state
	run section "$A/report.txt" Summary
	assert_line '    month          before         after    difference'
	run section "$A/report.txt" "Changes per employee, before and after"
	assert_line '  Jan Pieter de Vries (employee 101, Personio 1001)'
	assert_output --partial "    [K3] changed: gross wage -> applied
         before: 3200.00 a month from 2026-01-01
         after:  4166.67 a month from 2026-01-01"
	[ "$(grep -c '^    \[.*-> applied$' <<<"$output")" -eq "$(ops | wc -l)" ]
}

@test "issues name the person: name, employee number or 'no employee number', Personio id; an issue of no person names none" {
	run section "$P/report.txt" "Left out, and why"
	# 1026 has no employee number; Personio's extract gives the name
	assert_line --regexp "^  $(person 1026) \(no employee number, Personio 1026\): not synced: "
	assert_line --regexp "^  $(person 1033) \(no employee number, Personio 1033\): not synced: "
	refute_output --partial 'employee -'
	run section "$P/report.txt" Warnings
	assert_line --partial "  R1 $(person 1009) (employee 109, Personio 1009), interval: recurring compensation"
	assert_line --partial '  S5, compensation.mapping: compensation type holiday-allowance'
	# hand-made: an error about a person without an employee number, the name from the validated person record
	{
		rec_person '.personio_id="7" | .employee_number=null | .first_name="Anna" | .prefix="van" | .last_name="Dam"'
		jq -cn '{type:"issue",client:"t",severity:"error",rule:"E2",stage:"validate",personio_id:"7",employee_number:null,
			field:"employee_number",message:"no employee number",hint:"add it in Personio"}'
		rec_end
	} >"$BATS_TEST_TMPDIR/in"
	run report "$BATS_TEST_TMPDIR/in"
	assert_success
	assert_line '  E2 Anna van Dam (no employee number, Personio 7), employee_number: no employee number'
	run report --html "$BATS_TEST_TMPDIR/in"
	assert_output --partial '<li>E2 Anna van Dam (no employee number, Personio 7), employee_number: no employee number'
	# a name from Loket (fetch-loket's employee) when Personio's is not in the input; Personio's wins
	{
		jq -cn '{type:"loket.current.employee",client:"t",id:"x",employee_number:101,employee:{personalDetails:{firstName:"Jan",prefix:null,lastName:"Loket"}}}'
		jq -cn '{type:"issue",client:"t",severity:"warning",rule:"S4",stage:"validate",personio_id:"1",employee_number:"101",field:"salary",message:"no salary",hint:null}'
		jq -cn '{type:"stream_end",client:"t",source:"loket",complete:true,counts:{}}'
	} >"$BATS_TEST_TMPDIR/in2"
	run report "$BATS_TEST_TMPDIR/in2"
	assert_line '  S4 Jan Loket (employee 101, Personio 1), salary: no salary'
	run report "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/in2" <(rec_person '.personio_id="1" | .first_name="Jan" | .prefix=null | .last_name="Personio"'; rec_end)
	assert_line '  S4 Jan Personio (employee 101, Personio 1), salary: no salary'
}

@test "BSN and IBAN masked: the concept employee's BSN op, Loket's phone number; no BSN or IBAN of acme's people in either form" {
	grep -qF '         before: none | after: BSN *****3671' "$P/report.txt"
	for v in $(jq -r 'select(.type=="person") | .bsn, .iban // empty' "$P/personio.ndjson"); do
		! grep -qF "$v" "$P/report.txt" "$P/report.html" "$A/report.txt" "$A/report.html" || fail "$v is in a report"
	done
}

@test "masking comes before wrapping: a BSN written with spaces is masked wherever the line breaks" {
	for k in $(seq 1 45); do
		w=$(printf '%*s' "$k" '' | tr ' ' x)
		jq -cn --arg m "$w BSN 111 222 333 and IBAN NL91 ABNA 0417 1643 00 end" '{type:"issue",client:"t",severity:"info",rule:"E1",
			stage:"validate",personio_id:"1",employee_number:"101",field:null,message:$m,hint:null}'
	done >"$BATS_TEST_TMPDIR/in"
	rec_end >>"$BATS_TEST_TMPDIR/in"
	run report "$BATS_TEST_TMPDIR/in"
	assert_success
	[ "$(grep -c ' end (E1)$' <<<"$output")" -eq 45 ]
	joined=$(tr '\n' ' ' <<<"$output" | tr -s ' ')
	[[ "$joined" != *111* && "$joined" != *"222 3"* && "$joined" != *0417* ]]
	[ "$(grep -o 'BSN \*\*\* \*\*2 333' <<<"$joined" | wc -l)" -eq 45 ]
}

@test "text for an e-mail: the summary, what is destroyed, the changes, who is left out and the concept employees fit in 78 columns" {
	for s in Summary "What this run destroys in Loket" "Changes per employee, before and after" "Left out, and why" \
		"Concept employees to finalise in Loket (M2)"; do
		for f in "$P/report.txt" "$A/report.txt"; do
			long=$(section "$f" "$s" | awk 'length > 78')
			[ -z "$long" ] || fail "$f, $s: lines over 78 columns: $long"
		done
	done
}

@test "HTML for print: A4 pages, no fixed width wider than A4 when printed, a page break between clients" {
	run cat "$P/report.html"
	assert_output --partial '@page{size:A4;margin:15mm}'
	assert_output --partial '@media print{body{max-width:none;margin:0;font-size:10pt}table{width:100%}'
	assert_output --partial 'section.client+section.client{break-before:page}'
	# the only fixed widths are in em, and print lifts the one on body
	run grep -oE '(max-)?width:[0-9.]+(px|mm|cm|in|pt)' "$P/report.html"
	assert_output ''
	# two clients: two sections
	{ jq -c '.client="u"' "$P/plan.ndjson"; cat "$P/plan.ndjson"; } >"$BATS_TEST_TMPDIR/two.ndjson"
	run report --html "$BATS_TEST_TMPDIR/two.ndjson"
	assert_success
	[ "$(grep -c '<section class="client">' <<<"$output")" -eq 2 ]
	[ "$(grep -c '</section>' <<<"$output")" -eq 2 ]
}

@test "Chromium (headless, file:// only): the HTML report renders; the DOM read back has the destroyed section, a name and a masked BSN; a screenshot in the build directory" {
	command -v chromium >/dev/null || fail "chromium is needed (scripts/deps.sh installs it)"
	D="$BATS_TEST_TMPDIR/chromium"
	mkdir -p "$D/home"
	cp "$P/report.html" "$D/report.html"
	chrome() {
		# no network: the page is a file, every proxy is refused, no component updates or sync
		HOME="$D/home" timeout 120 /usr/bin/chromium --headless --no-sandbox --disable-gpu --user-data-dir="$D/profile" \
			--no-first-run --no-default-browser-check --disable-extensions --disable-background-networking \
			--disable-component-update --disable-sync --proxy-server='127.0.0.1:9' --proxy-bypass-list='<-loopback>' \
			"$@" "file://$D/report.html" 2>"$D/stderr"
	}
	run chrome --dump-dom
	assert_success
	dom=$output
	grep -qF '<div class="destroyed">' <<<"$dom"
	grep -qF '<h2>What this run destroys in Loket</h2>' <<<"$dom"
	grep -qF '<th colspan="5">Fleur de Jong (employee 108, Personio 1008)</th>' <<<"$dom"
	grep -qF 'BSN *****3671' <<<"$dom"
	! grep -qF 655253671 <<<"$dom"
	mkdir -p "$BUILD/report-admin"
	rm -f "$BUILD/report-admin/acme-report.png"
	run chrome --screenshot="$BUILD/report-admin/acme-report.png" --window-size=794,1123 --hide-scrollbars
	assert_success
	assert_file_exists "$BUILD/report-admin/acme-report.png"
	[ "$(head -c 8 "$BUILD/report-admin/acme-report.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
}

@test "monthly-sync --apply PLAN: Personio's extract and Loket's state next to the plan go to the report only when they are not newer than it" {
	D="$BATS_TEST_TMPDIR/run"
	mkdir -p "$D"
	cp "$P/personio.ndjson" "$P/current.ndjson" "$D/"
	cp "$P/plan.ndjson" "$D/plan.ndjson"
	touch -d '2026-01-01 00:00' "$D/personio.ndjson" "$D/current.ndjson"
	touch -d '2026-01-02 00:00' "$D/plan.ndjson"
	sh "$SYNC" -c "$CFG" --as-of "$AS_OF" --out "$D" --apply "$D/plan.ndjson" 2>/dev/null
	grep -q '^  Jan Pieter de Vries (employee 101, Personio 1001)$' "$D/report.txt"
	grep -q '^    month          before         after    difference$' "$D/report.txt"
	# a later run's files (newer than the plan) are not the ones it was made from
	touch -d '2026-01-03 00:00' "$D/personio.ndjson" "$D/current.ndjson"
	sh "$SYNC" -c "$CFG" --as-of "$AS_OF" --out "$D" --apply "$D/plan.ndjson" 2>/dev/null
	grep -q '^  employee 101, Personio 1001$' "$D/report.txt"
	grep -q "Gross wage per payroll month: not shown, as Loket's current wages are not in" "$D/report.txt"
	! grep -q 'Jan Pieter' "$D/report.txt"
}
