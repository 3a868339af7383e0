#!/usr/bin/env bats
# pipelines/monthly-sync against both emulators: blocked runs write nothing, a reviewed plan is
# applied, a second run has nothing to do, the report, and every request against Loket's spec.

load helper

setup_file() {
	load helper
	# acme with the seeds' fix (Consider in NL payroll = No for 1026-1032), and as shipped
	monthly_sync_emus "$BATS_FILE_TMPDIR/fixed"
}
teardown_file() {
	emu_stop
	loket_stop
}

setup() {
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	monthly_sync_env
}

counters() { # requests both emulators have answered so far: Personio, Loket
	echo "$(emu_stats | jq .requests) $(curl -fsS "$LK_URL/__emu/stats" | jq .requests)"
}
# journal PLAN: the name monthly-sync gives PLAN's journal (the 16 hex digits of the SHA-256 of its
# "SEQ OP_ID" lines), computed here independently of it
journal() {
	echo "$1.$(jq -r 'select(.type=="loket.op") | "\(.seq) \(.op_id)"' "$1" | sha256sum | cut -c1-16).journal"
}
# clients DIR: acme's configuration ($CFG) in DIR with a Personio credentials file, so that a
# second configuration can share the Personio account (C1 compares the credentials files)
clients() {
	mkdir -p "$1"
	cp "$SAMPLES/personio/acme/credentials.json" "$1/personio-credentials.json"
	chmod 600 "$1/personio-credentials.json"
	jq '.personio.credentials_file="personio-credentials.json"' "$CFG" >"$1/acme.json"
}
writes() { # write requests Loket has answered, the token endpoint left out
	curl -fsS "$LK_URL/__emu/stats" | jq '([.by_method | to_entries[] | select(.key != "GET") | .value] | add // 0) - (.by_path["/token"] // 0)'
}

@test "E4: acme as shipped is blocked by validate; nothing reaches Loket; the report says what to fix" {
	# a second Personio emulator serving acme as shipped
	emu_launch personio-emu shipped "$SAMPLES/personio"
	pid=$LAUNCHED_PID
	# in a directory of its own: next to $CFG it would link acme's administration twice (C1)
	mkdir "$BATS_TEST_TMPDIR/shipped"
	jq --arg p "$LAUNCHED_URL" '.personio.base_url=$p' "$CFG" >"$BATS_TEST_TMPDIR/shipped/acme.json"
	run --separate-stderr sh "$SYNC" -c "$BATS_TEST_TMPDIR/shipped/acme.json" --as-of "$AS_OF" --out "$O"
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
	assert_output '[false,25]'
	[[ "$stderr" == *"--apply $O/plan.ndjson"* ]]
	run --separate-stderr sh "$SYNC" -c "$CFG" --as-of "$AS_OF" --out "$O" --apply "$O/plan.ndjson" --actor tester
	assert_success
	run jq -c 'select(.type=="stream_end") | [.complete, .counts.applied]' "$O/results.ndjson"
	assert_output '[true,25]'
	n=$(writes)
	[ "$n" -gt 0 ] # write requests: how many depends on how the payroll period data upserts group (collective PATCH)
	# the second run: an empty plan, and the push sends zero write requests
	run --separate-stderr sh "$SYNC" -c "$CFG" --as-of "$AS_OF" --out "$BATS_TEST_TMPDIR/again" --actor tester
	assert_success
	run jq -c 'select(.type=="plan") | .ops' "$BATS_TEST_TMPDIR/again/plan.ndjson"
	assert_output 0
	assert_equal "$(writes)" "$n"
	run jq -r 'select(.event=="run_start") | .actor' "$BATS_TEST_TMPDIR/audit.ndjson"
	assert_output "$(printf 'tester\ntester')"
}

@test "verify: after a push Loket is read back (fetch-loket --state, diff-loket): verified, remaining 0 in the run status; the next run of the unchanged client writes nothing and makes at most 15 Loket requests" {
	run --separate-stderr sh "$SYNC" -c "$CFG" --as-of "$AS_OF" --out "$O"
	assert_success
	[[ "$stderr" == *"acme: verified: Loket holds the desired state (read back, 0 changes left)"* ]]
	run jq -c '[.outcome, .counts.applied, .remaining]' "$O/status.json"
	assert_output '["done",25,0]'
	run jq -c 'select(.type=="plan") | .ops' "$O/remaining.ndjson"
	assert_output 0
	run tail -n 1 "$O/after.ndjson"
	assert_output --partial '"complete":true'
	# the read back saved the snapshot after the push's writes: the next run asks Loket little
	assert_file_not_exists "$BATS_TEST_TMPDIR/state/acme/loket-written"
	w=$(writes) n=$(curl -fsS "$LK_URL/__emu/stats" | jq '.requests - (.by_path["/token"] // 0)')
	run --separate-stderr sh "$SYNC" -c "$CFG" --as-of "$AS_OF" --out "$BATS_TEST_TMPDIR/again"
	assert_success
	m=$(curl -fsS "$LK_URL/__emu/stats" | jq '.requests - (.by_path["/token"] // 0)')
	[ $((m - n)) -le 15 ]
	assert_equal "$(writes)" "$w"
	run jq -c '[.outcome, .remaining]' "$BATS_TEST_TMPDIR/again/status.json"
	assert_output '["no_changes",null]'
}

@test "verify: a push with refused ops: the read back names what is left, the exit status stays the push's (1); a read back that fails is said, and the push's outcome stands" {
	run --separate-stderr sh "$SYNC" -c "$CFG" --as-of "$AS_OF" --out "$O" --plan-only
	assert_success
	# 108's chain: DELETE 09-01, POST 07-01, POST 10-01; the first POST breaks the chain rule
	jq -c 'if .type=="loket.op" and .seq==11 then .body.startDate="2019-01-01" else . end' "$O/plan.ndjson" >"$O/bad.ndjson"
	run --separate-stderr sh "$SYNC" -c "$CFG" --as-of "$AS_OF" --out "$O" --apply "$O/bad.ndjson"
	assert_failure 1
	run jq -c '[.outcome, .counts.refused, .remaining]' "$O/status.json"
	assert_output '["refused",1,2]'
	run jq -r 'select(.type=="loket.op") | "\(.employee_number) \(.entity) \(.method) \(.body.startDate)"' "$O/remaining.ndjson"
	assert_output "$(printf '108 wage POST 2026-07-01\n108 wage POST 2026-10-01')"
	[[ "$stderr" == *"acme: verify: 2 change(s) are not in Loket (the refused ones among them): see $O/remaining.ndjson"* ]]
	# the read back fails (fetch-loket's second call exits 5): said; done stays done, exit 0
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	W="$BATS_TEST_TMPDIR/bin"
	mkdir -p "$W"
	for f in "$BUILD"/bin/*; do ln -s "$f" "$W/"; done
	rm "$W/fetch-loket"
	printf '#!/bin/sh\nif [ -e "%s" ]; then exit 5; fi\n: >"%s"\nexec "%s" "$@"\n' "$W/once" "$W/once" "$BUILD/bin/fetch-loket" >"$W/fetch-loket"
	chmod +x "$W/fetch-loket"
	LOKETPIPE_BIN=$W run --separate-stderr sh "$SYNC" -c "$CFG" --as-of "$AS_OF" --out "$BATS_TEST_TMPDIR/o2" --state "$BATS_TEST_TMPDIR/s2"
	assert_success
	[[ "$stderr" == *"acme: verify: fetch-loket failed (exit 5): Loket was not read back (the next run reads what this push changed)"* ]]
	run jq -c '[.outcome, .exit, .remaining]' "$BATS_TEST_TMPDIR/o2/status.json"
	assert_output '["done",0,null]'
	assert_file_exists "$BATS_TEST_TMPDIR/s2/loket-written"
}

@test "the report: changes per employee with outcomes, warnings with fixes, concept employees to finalise (M2), who was left out" {
	sh "$SYNC" -c "$CFG" --as-of "$AS_OF" --out "$O" 2>/dev/null
	R="$O/report.txt"
	grep -q 'Pushed to Loket: 25 applied' "$R"
	# each change under the person's name, number and Personio id, with its value before and after
	# (the report gets the plan and Personio's extract with the push's results)
	grep -q '^  Fleur de Jong (employee 108, Personio 1008)$' "$R"
	grep -A1 '^    \[K3\] created: gross wage -> applied$' "$R" | grep -q '^         before: none | after: 3300.00 a month from 2026-07-01$'
	grep -q 'Concept employees to finalise in Loket (M2)' "$R"
	grep -q 'Yara Bouzid (Personio 1035) (employee number 135)' "$R"
	grep -q '^  Kees Dijkstra (employee 136, Personio 1036): Employee 136 is terminated in$' "$R"
	grep -q '^  Eva Schouten (employee 122, Personio 1022): not synced: status is inactive;$' "$R"
	grep -q 'fix: add a salary in Personio with a start date 1 Jan 2026' "$R"
	# HTML: one page, escaped; the changes in one table, what is destroyed in another
	run grep -c '<html' "$O/report.html"
	assert_output 1
	run grep -c '<table class="changes">' "$O/report.html"
	assert_output 2
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
	[ "$output" -gt 0 ] # writes to check (their number depends on the collective grouping)
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
	run sh "$SYNC" -c "$CFG" --clients "$BATS_TEST_TMPDIR/nothing-here"
	assert_failure 2
	assert_output --partial 'not a directory'
	run sh "$SYNC" --help
	assert_success
	assert_output --partial 'monthly-sync'
	assert_output --partial 'PLAN.H.journal'
}

@test "a configuration that is not JSON: exit 4 (configuration), naming the file; nothing is read" {
	mkdir "$BATS_TEST_TMPDIR/bad"
	printf '{"client": "acme",\n' >"$BATS_TEST_TMPDIR/bad/acme.json"
	before=$(counters)
	run --separate-stderr sh "$SYNC" -c "$BATS_TEST_TMPDIR/bad/acme.json" --as-of "$AS_OF" --out "$O"
	assert_failure 4
	[[ "$stderr" == *"monthly-sync: $BATS_TEST_TMPDIR/bad/acme.json: the configuration is not JSON"* ]]
	assert_equal "$(counters)" "$before"
	assert_not_exists "$O"
}

@test "a configuration that cannot be read (missing, or a directory): exit 4 (configuration), naming it; nothing is read" {
	before=$(counters)
	run --separate-stderr sh "$SYNC" -c "$BATS_TEST_TMPDIR/none.json" --as-of "$AS_OF" --out "$O"
	assert_failure 4
	assert_equal "$stderr" "monthly-sync: $BATS_TEST_TMPDIR/none.json: cannot read the configuration"
	mkdir "$BATS_TEST_TMPDIR/dir.json"
	run --separate-stderr sh "$SYNC" -c "$BATS_TEST_TMPDIR/dir.json" --as-of "$AS_OF" --out "$O"
	assert_failure 4
	assert_equal "$stderr" "monthly-sync: $BATS_TEST_TMPDIR/dir.json: cannot read the configuration"
	assert_equal "$(counters)" "$before"
	assert_not_exists "$O"
}

@test "C1: -c A -c B is a usage error (exit 2), not a sync of B only; nothing is read" {
	mkdir "$BATS_TEST_TMPDIR/b"
	jq '.client="acme-bv"|.loket.payroll_administration_id="7a9b3c2d-1e4f-4a5b-8c6d-000000000002"|.loket.tax_id="987654321L01"' \
		"$CFG" >"$BATS_TEST_TMPDIR/b/acme-bv.json"
	before=$(counters)
	run --separate-stderr sh "$SYNC" -c "$CFG" -c "$BATS_TEST_TMPDIR/b/acme-bv.json" --as-of "$AS_OF" --out "$O"
	assert_failure 2
	[[ "$stderr" == *"-c given twice"* ]]
	assert_equal "$(counters)" "$before"
	assert_not_exists "$O"
}

@test "C1: the same legal entity under the same Personio credentials in two configurations of one directory: monthly-sync stops before any request, naming both files" {
	D="$BATS_TEST_TMPDIR/clients"
	clients "$D"
	# another client, another administration and tax id, but acme's legal entity of the same account
	jq '.client="acme-bv"|.loket.payroll_administration_id="7a9b3c2d-1e4f-4a5b-8c6d-000000000002"|.loket.tax_id="987654321L01"' \
		"$D/acme.json" >"$D/acme-bv.json"
	before=$(counters)
	for mode in "" --plan-only "--apply $BATS_TEST_TMPDIR/no-plan.ndjson"; do
		run --separate-stderr sh "$SYNC" -c "$D/acme.json" --as-of "$AS_OF" --out "$O" $mode
		assert_failure 4
		[[ "$stderr" == *"$D/acme.json: C1 personio.legal_entity_id: legal entity 170 is also linked by client acme-bv"* ]]
		[[ "$stderr" == *"$D/acme-bv.json: C1 personio.legal_entity_id: legal entity 170 is also linked by client acme "* ]]
		[[ "$stderr" == *"nothing was read from Personio or Loket"* ]]
	done
	# --clients DIR: the configuration itself may live elsewhere
	jq --arg f "$D/personio-credentials.json" '.personio.credentials_file=$f' "$D/acme.json" >"$BATS_TEST_TMPDIR/elsewhere.json"
	rm "$D/acme.json"
	run --separate-stderr sh "$SYNC" -c "$BATS_TEST_TMPDIR/elsewhere.json" --clients "$D" --as-of "$AS_OF" --out "$O"
	assert_failure 4
	[[ "$stderr" == *"$BATS_TEST_TMPDIR/elsewhere.json: C1 personio.legal_entity_id"* ]]
	[[ "$stderr" == *"$D/acme-bv.json: C1 personio.legal_entity_id"* ]]
	# not one request reached either emulator, and no output directory was made
	assert_equal "$(counters)" "$before"
	assert_not_exists "$O"
}

@test "C1: one Loket payroll administration linked by two configurations of one directory: stops before any request" {
	D="$BATS_TEST_TMPDIR/clients"
	clients "$D"
	jq '.client="acme-bv"|.personio.legal_entity_id="171"|.loket.tax_id="987654321L01"' "$D/acme.json" >"$D/acme-bv.json"
	before=$(counters)
	run --separate-stderr sh "$SYNC" -c "$D/acme.json" --as-of "$AS_OF" --out "$O"
	assert_failure 4
	[[ "$stderr" == *"$D/acme.json: C1 loket.payroll_administration_id: payroll administration 7a9b3c2d-1e4f-4a5b-8c6d-000000000001 is also linked to client acme-bv"* ]]
	[[ "$stderr" == *"$D/acme-bv.json: C1 loket.payroll_administration_id"* ]]
	assert_equal "$(counters)" "$before"
}

@test "C2: two administrations with the same tax id in one directory: monthly-sync stops before any request, naming both files" {
	D="$BATS_TEST_TMPDIR/clients"
	clients "$D"
	# another legal entity and administration, acme's tax id
	jq '.client="acme-bv"|.personio.legal_entity_id="171"|.loket.payroll_administration_id="7a9b3c2d-1e4f-4a5b-8c6d-000000000002"' \
		"$D/acme.json" >"$D/acme-bv.json"
	before=$(counters)
	run --separate-stderr sh "$SYNC" -c "$D/acme.json" --as-of "$AS_OF" --out "$O"
	assert_failure 4
	[[ "$stderr" == *"$D/acme.json: C2 loket.tax_id: tax id 123456789L01 is shared with client acme-bv"* ]]
	[[ "$stderr" == *"$D/acme-bv.json: C2 loket.tax_id: tax id 123456789L01 is shared with client acme "* ]]
	assert_equal "$(counters)" "$before"
	assert_not_exists "$O"
}

@test "C1, C2: other JSON files (token file, credentials file, an array, an object without \"client\"), other files and a well linked second client leave the sync as it was; findings between two other clients are shown and it goes on" {
	# $CFG's directory already holds the token file (token.json)
	echo '{"note":"not a configuration: no client member"}' >"$BATS_TEST_TMPDIR/notes.json"
	cp "$SAMPLES/personio/acme/credentials.json" "$BATS_TEST_TMPDIR/credentials.json"
	echo '["acme", "acme-bv"]' >"$BATS_TEST_TMPDIR/list.json"
	echo 'this is not JSON, and not a *.json file' >"$BATS_TEST_TMPDIR/notes.txt"
	mkdir "$BATS_TEST_TMPDIR/sub"
	jq '.client="other"|.personio.legal_entity_id="171"|.loket.payroll_administration_id="7a9b3c2d-1e4f-4a5b-8c6d-000000000002"|.loket.tax_id="987654321L01"' \
		"$CFG" >"$BATS_TEST_TMPDIR/other.json"
	run --separate-stderr sh "$SYNC" -c "$CFG" --as-of "$AS_OF" --out "$O" --plan-only
	assert_success
	run jq -c 'select(.type=="plan") | [.blocked, .ops]' "$O/plan.ndjson"
	assert_output '[false,25]'
	# two more clients linking one administration: their problem, not acme's
	jq '.client="x"|.personio.legal_entity_id="172"|.loket.payroll_administration_id="pa-x"|.loket.tax_id="111111110L01"' \
		"$CFG" >"$BATS_TEST_TMPDIR/x.json"
	jq '.client="y"|.personio.legal_entity_id="173"|.loket.payroll_administration_id="pa-x"|.loket.tax_id="222222220L01"' \
		"$CFG" >"$BATS_TEST_TMPDIR/y.json"
	run --separate-stderr sh "$SYNC" -c "$CFG" --as-of "$AS_OF" --out "$BATS_TEST_TMPDIR/out2" --plan-only
	assert_success
	[[ "$stderr" == *"$BATS_TEST_TMPDIR/x.json: C1 loket.payroll_administration_id: payroll administration pa-x is also linked to client y"* ]]
	[[ "$stderr" == *"are between other client configurations"*"this sync goes on"* ]]
	run jq -c 'select(.type=="plan") | [.blocked, .ops]' "$BATS_TEST_TMPDIR/out2/plan.ndjson"
	assert_output '[false,25]'
}

@test "C1/C2: a *.json in the directory that cannot be read or does not parse as one JSON value (trailing comma, comment, two objects, empty, \"personio\":null, dangling symlink, a directory, mode 000) stops the sync before any request (exit 4), naming the file" {
	D="$BATS_TEST_TMPDIR/clients"
	clients "$D"
	# a second client linking acme's payroll administration (C1), had it been read
	jq '.client="acme-bv"|.personio.legal_entity_id="171"|.loket.tax_id="987654321L01"' "$D/acme.json" >"$BATS_TEST_TMPDIR/bv.json"
	F="$D/acme-bv.json"
	before=$(counters)
	for c in trailing-comma comment two-objects empty personio-null dangling-symlink directory mode-000; do
		rm -rf "$F"
		case $c in
		trailing-comma) jq -c . "$BATS_TEST_TMPDIR/bv.json" | sed 's/}$/,}/' >"$F" ;;
		comment) { echo '// acme-bv: the Utrecht branch'; cat "$BATS_TEST_TMPDIR/bv.json"; } >"$F" ;;
		two-objects) { cat "$BATS_TEST_TMPDIR/bv.json"; echo '{"client":"acme-bv-2"}'; } >"$F" ;;
		empty) : >"$F" ;;
		personio-null) jq '.personio=null' "$BATS_TEST_TMPDIR/bv.json" >"$F" ;;
		dangling-symlink) ln -s "$BATS_TEST_TMPDIR/moved-away.json" "$F" ;;
		directory) mkdir "$F" && cp "$BATS_TEST_TMPDIR/bv.json" "$F/" ;;
		mode-000) cp "$BATS_TEST_TMPDIR/bv.json" "$F" && chmod 000 "$F" ;;
		esac
		for mode in "" --plan-only "--apply $BATS_TEST_TMPDIR/no-plan.ndjson"; do
			run --separate-stderr sh "$SYNC" -c "$D/acme.json" --as-of "$AS_OF" --out "$O" $mode
			assert_failure 4
			[[ "$stderr" == *"$F"* ]] || fail "$c ($mode): $F is not named: $stderr"
			[[ "$stderr" == *"nothing was read from Personio or Loket"* ]] || fail "$c ($mode): $stderr"
			case $c in
			personio-null) # one JSON object with "client": a client configuration, which does not load
				[[ "$stderr" == *"$F: personio: must be an object"* && "$stderr" == *"cannot check C1/C2"* ]] || fail "$c: $stderr" ;;
			mode-000)
				# root reads a file of mode 000 (the tests run as root in CI): there it is read, and
				# its C1 finding stops the sync; "cannot be read" is checked for other users only
				if [ "$(id -u)" -eq 0 ]; then
					[[ "$stderr" == *"$F: C1 loket.payroll_administration_id"* ]] || fail "$c (root): $stderr"
				else
					[[ "$stderr" == *"cannot tell whether $F is a client configuration: it cannot be read (permission denied"* ]] || fail "$c: $stderr"
				fi ;;
			*)
				[[ "$stderr" == *"cannot tell whether $F is a client configuration: "*"so C1/C2 cannot be proven. Repair it, or move it out of $D"* ]] || fail "$c: $stderr" ;;
			esac
			case $c in
			trailing-comma | comment) [[ "$stderr" == *"jq cannot read it as JSON (parse error"* ]] || fail "$c: $stderr" ;;
			two-objects) [[ "$stderr" == *"it holds 2 JSON values, not one"* ]] || fail "$c: $stderr" ;;
			empty) [[ "$stderr" == *"it holds no JSON value"* ]] || fail "$c: $stderr" ;;
			dangling-symlink) [[ "$stderr" == *"a symbolic link to $BATS_TEST_TMPDIR/moved-away.json, which does not exist"* ]] || fail "$c: $stderr" ;;
			directory) [[ "$stderr" == *"it is a directory, not a file"* ]] || fail "$c: $stderr" ;;
			esac
		done
	done
	# not one request reached either emulator, and no output directory was made
	assert_equal "$(counters)" "$before"
	assert_not_exists "$O"
	# repaired (the file is the well formed second configuration): C1 is found, as it should be
	rm -rf "$F"
	cp "$BATS_TEST_TMPDIR/bv.json" "$F"
	run --separate-stderr sh "$SYNC" -c "$D/acme.json" --as-of "$AS_OF" --out "$O"
	assert_failure 4
	[[ "$stderr" == *"$F: C1 loket.payroll_administration_id"* ]]
	# moved out of the directory: the sync goes on
	mv "$F" "$BATS_TEST_TMPDIR/"
	run --separate-stderr sh "$SYNC" -c "$D/acme.json" --as-of "$AS_OF" --out "$O" --plan-only
	assert_success
}

@test "C1/C2: a client configuration in the directory (one JSON object with \"client\") that does not load stops the sync before any request (exit 4), naming the file" {
	before=$(counters)
	for f in '{"client":"zz","personio":{},"compensation":{"start_date":"2026-01-01"}}' \
		'{"client":"acme","note":"a note, not a configuration"}' '{"client":null}'; do
		echo "$f" >"$BATS_TEST_TMPDIR/zz.json"
		run --separate-stderr sh "$SYNC" -c "$CFG" --as-of "$AS_OF" --out "$O"
		assert_failure 4
		[[ "$stderr" == *"$BATS_TEST_TMPDIR/zz.json"* ]]
		[[ "$stderr" == *"cannot check C1/C2"* ]]
	done
	assert_equal "$(counters)" "$before"
	assert_not_exists "$O"
}

@test "a push Loket kept failing: exit 5; both reports are written in full with the warning at the top; the same command again resumes; a report that fails is said" {
	run --separate-stderr sh "$SYNC" -c "$CFG" --as-of "$AS_OF" --out "$O" --plan-only
	assert_success
	curl -fsS -X POST --data '{"always":{"path":"/v2/providers/employers/employees/employments/wages","status":503}}' \
		"$LK_URL/__emu/faults" >/dev/null
	run --separate-stderr sh "$SYNC" -c "$CFG" --as-of "$AS_OF" --out "$O" --apply "$O/plan.ndjson"
	curl -fsS -X POST --data '{}' "$LK_URL/__emu/faults" >/dev/null
	assert_failure 5
	[[ "$stderr" == *"the report is incomplete"* ]]
	[[ "$stderr" == *"push-loket stopped (exit 5)"* ]]
	# the message gives the command that resumes, with the plan's own journal
	assert_file_exists "$(journal "$O/plan.ndjson")"
	[[ "$stderr" == *"Run again: monthly-sync -c $CFG --as-of $AS_OF --out $O --apply $O/plan.ndjson (it resumes with the journal $(journal "$O/plan.ndjson") without repeating anything)"* ]]
	assert_equal "$(grep -m1 -E '^(WARNING|Client )' "$O/report.txt")" 'WARNING: this report is incomplete'
	grep -q 'The push to Loket stopped before it finished: [0-9]* of 25 change(s) were not made' "$O/report.txt"
	assert_equal "$(grep -m1 -o '<h2>[^<]*' "$O/report.html")" '<h2>WARNING: this report is incomplete'
	grep -q '</html>' "$O/report.html"
	# the same command again: it resumes, and the report is clean
	run --separate-stderr sh "$SYNC" -c "$CFG" --as-of "$AS_OF" --out "$O" --apply "$O/plan.ndjson"
	assert_success
	! grep -q WARNING "$O/report.txt" "$O/report.html"
	grep -q 'Pushed to Loket: [0-9]* applied, [0-9]* applied before (resumed run), 0 refused, 0 skipped.' "$O/report.txt"
	# a report program that fails is said, not hidden
	mkdir "$BATS_TEST_TMPDIR/bin"
	ln -s "$BUILD"/bin/* "$BATS_TEST_TMPDIR/bin/"
	rm "$BATS_TEST_TMPDIR/bin/report"
	printf '#!/bin/sh\nexit 7\n' >"$BATS_TEST_TMPDIR/bin/report"
	chmod +x "$BATS_TEST_TMPDIR/bin/report"
	LOKETPIPE_BIN="$BATS_TEST_TMPDIR/bin" run --separate-stderr sh "$SYNC" -c "$CFG" --as-of "$AS_OF" --out "$O" --apply "$O/plan.ndjson"
	assert_success
	[[ "$stderr" == *"report failed (exit 7)"* ]]
}


@test "journal: twice the same day with the same --out: the second run's plan (0 ops) gets a journal of its own (exit 0); the first plan applied again resumes with its own journal (already applied, zero requests)" {
	run --separate-stderr sh "$SYNC" -c "$CFG" --as-of "$AS_OF" --out "$O"
	assert_success
	cp "$O/plan.ndjson" "$BATS_TEST_TMPDIR/first.plan.ndjson"
	J1=$(journal "$O/plan.ndjson")
	assert_file_exists "$J1"
	cp "$J1" "$BATS_TEST_TMPDIR/first.journal"
	n=$(writes)
	[ "$n" -gt 0 ] # (the number of write requests depends on the collective grouping)
	# the same command again, the same day: a new plan over the reviewed one, nothing to do
	run --separate-stderr sh "$SYNC" -c "$CFG" --as-of "$AS_OF" --out "$O"
	assert_success
	[[ "$stderr" != *"belongs to another plan"* ]]
	run jq -c 'select(.type=="plan") | .ops' "$O/plan.ndjson"
	assert_output 0
	run jq -c 'select(.type=="stream_end") | [.complete, .counts.applied]' "$O/results.ndjson"
	assert_output '[true,0]'
	J0=$(journal "$O/plan.ndjson")
	assert_not_equal "$J0" "$J1"
	assert_file_exists "$J0"
	cmp "$J1" "$BATS_TEST_TMPDIR/first.journal" # the first plan's journal is left as it was
	assert_equal "$(writes)" "$n"
	# the first plan (kept aside) applied again in its place: its own journal says it is all done
	cp "$BATS_TEST_TMPDIR/first.plan.ndjson" "$O/plan.ndjson"
	r=$(counters)
	run --separate-stderr sh "$SYNC" -c "$CFG" --as-of "$AS_OF" --out "$O" --apply "$O/plan.ndjson"
	assert_success
	run jq -r 'select(.type=="loket.result") | .outcome' "$O/results.ndjson"
	assert_equal "$(sort -u <<<"$output")" already_applied
	assert_equal "${#lines[@]}" 25
	assert_equal "$(counters)" "$r"
	assert_equal "$(writes)" "$n"
}

@test "journal: a push Loket kept failing, then the plain monthly-sync again the same day: a new plan of what is left completes (exit 0), Loket's state equals a clean run's (no duplicates)" {
	# a clean run, for comparison; then Loket as it was
	# (a state directory of its own: the emulator's reset takes the version numbers back too,
	# which Loket never does, so the clean run's snapshot would pass for the reset state's)
	sh "$SYNC" -c "$CFG" --as-of "$AS_OF" --out "$BATS_TEST_TMPDIR/clean" --state "$BATS_TEST_TMPDIR/clean-state" 2>/dev/null
	loket_digest >"$BATS_TEST_TMPDIR/clean.digest"
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	# wage writes fail until the faults are lifted
	curl -fsS -X POST --data '{"always":{"path":"/v2/providers/employers/employees/employments/wages","status":503}}' \
		"$LK_URL/__emu/faults" >/dev/null
	run --separate-stderr sh "$SYNC" -c "$CFG" --as-of "$AS_OF" --out "$O"
	curl -fsS -X POST --data '{}' "$LK_URL/__emu/faults" >/dev/null
	assert_failure 5
	[[ "$stderr" == *"push-loket stopped (exit 5)"* ]]
	J1=$(journal "$O/plan.ndjson")
	[[ "$stderr" == *"Run again: monthly-sync -c $CFG --as-of $AS_OF --out $O --apply $O/plan.ndjson (it resumes with the journal $J1 "* ]]
	again=$(sed -n 's/.*or make a new plan of what is left: //p' <<<"$stderr")
	assert_equal "$again" "monthly-sync -c $CFG --as-of $AS_OF --out $O"
	run jq -c 'select(.type=="plan") | .ops' "$O/plan.ndjson"
	assert_output 25
	applied=$(jq -r 'select(.type=="stream_end") | .counts.applied' "$O/results.ndjson")
	[ "$applied" -gt 0 ] && [ "$applied" -lt 25 ]
	# the command the message gives: a new plan (what is left) with a journal of its own
	run --separate-stderr sh "$SYNC" ${again#monthly-sync }
	assert_success
	[[ "$stderr" != *"belongs to another plan"* ]]
	ops=$(jq -r 'select(.type=="plan") | .ops' "$O/plan.ndjson")
	[ "$ops" -gt 0 ] && [ "$ops" -lt 25 ]
	assert_not_equal "$(journal "$O/plan.ndjson")" "$J1"
	run jq -c 'select(.type=="stream_end") | [.complete, .counts.failed]' "$O/results.ndjson"
	assert_output '[true,0]'
	assert_equal "$(loket_digest)" "$(cat "$BATS_TEST_TMPDIR/clean.digest")"
	# and once more: nothing left to do
	run --separate-stderr sh "$SYNC" -c "$CFG" --as-of "$AS_OF" --out "$O"
	assert_success
	run jq -c 'select(.type=="plan") | .ops' "$O/plan.ndjson"
	assert_output 0
	assert_equal "$(loket_digest)" "$(cat "$BATS_TEST_TMPDIR/clean.digest")"
}
