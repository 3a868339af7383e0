#!/usr/bin/env bats
# The sample client acme and the generator: realistic, valid where meant to be valid,
# deterministic.

load helper

setup_file() {
	load helper
	emu_start "$SAMPLES/personio"
	acme_credentials
	extract-personio -c "$SAMPLES/acme.json" --as-of "$AS_OF" --base-url "$EMU_URL" >"$BATS_FILE_TMPDIR/acme.ndjson" || true
}

teardown_file() { emu_stop; }

setup() { ACME="$BATS_FILE_TMPDIR/acme.ndjson"; }

@test "acme has at least 25 employees with Dutch names and tussenvoegsels" {
	run jq -s '[.[] | select(.type=="person")] | length' "$ACME"
	[ "$output" -ge 25 ]
	run jq -r 'select(.type=="person" and .prefix != null) | .prefix' "$ACME"
	assert_line "van den"
	assert_line "de"
}

@test "acme BSNs pass the 11-check and IBANs mod-97, except the people planted to fail" {
	bad_bsn=$(jq -r 'select(.type=="person" and .bsn != null) | .bsn' "$ACME" | while read -r b; do
		[ "$(lp-unit bsn "$b")" = 1 ] || echo "$b"; done | wc -l)
	bad_iban=$(jq -r 'select(.type=="person" and .iban != null) | .iban' "$ACME" | while read -r i; do
		[ "$(lp-unit iban "$i")" = 1 ] || echo "$i"; done | wc -l)
	[ "$bad_bsn" -eq 1 ]   # Joost Maas (1028), on purpose
	[ "$bad_iban" -eq 1 ]  # Lieke Hoekstra (1029), on purpose
}

@test "acme exercises the Personio-side scenarios of DESIGN.md" {
	# E1: inactive, onboarding, Consider in NL payroll = No, another legal entity
	run jq -r 'select(.type=="person") | .status' "$ACME"
	assert_line inactive
	assert_line onboarding
	run jq -r 'select(.type=="person" and .consider_nl_payroll==false) | .personio_id' "$ACME"
	refute_output ""
	run jq -r 'select(.type=="person" and .legal_entity_id!="170") | .legal_entity_id' "$ACME"
	refute_output ""
	# E2: missing employee number and income number
	run jq -r 'select(.type=="person" and .status=="active" and (.employee_number==null or .income_number==null)) | .personio_id' "$ACME"
	[ "${#lines[@]}" -ge 2 ]
	# S1/S2: annual and hourly salaries
	run jq -r 'select(.type=="compensation" and .kind=="salary") | .interval' "$ACME"
	assert_line yearly
	assert_line hourly
	assert_line monthly
	# R1: quarterly recurring and a negative recurring deduction
	run jq -r 'select(.type=="compensation" and .kind=="recurring") | "\(.interval) \(.amount | startswith("-"))"' "$ACME"
	assert_line "quarterly false"
	assert_line "monthly true"
	# O2: three one-time payments of one type for one person in one month
	run jq -s -r 'map(select(.type=="compensation" and .kind=="one_time"))
		| group_by([.personio_id, .type_id, .effective_from[0:7]]) | map(select(length >= 3)) | length' "$ACME"
	[ "$output" -ge 1 ]
	# X1: a non-EUR compensation in a period with EUR ones
	run jq -r 'select(.type=="compensation" and .currency != "EUR") | .currency' "$ACME"
	assert_line USD
	# S4: a salary that starts after the compensation start date (a gap)
	run jq -r 'select(.type=="compensation" and .personio_id=="1005" and .kind=="salary") | .effective_from' "$ACME"
	assert_output 2026-01-15
}

@test "generator: the same seed gives byte-identical output, another seed differs" {
	gen-personio --clients 2 --employees 50 --seed 7 --out "$BATS_TEST_TMPDIR/a" >/dev/null
	gen-personio --clients 2 --employees 50 --seed 7 --out "$BATS_TEST_TMPDIR/b" >/dev/null
	gen-personio --clients 2 --employees 50 --seed 8 --out "$BATS_TEST_TMPDIR/c" >/dev/null
	diff -r "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
	run diff -rq "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/c"
	assert_failure
	run jq length "$BATS_TEST_TMPDIR/a/personio/gen0002/employees.json"
	assert_output 50
}

@test "generator: configs validate; a generated client extracts completely and validates" {
	gen-personio --clients 1 --employees 120 --seed 3 --out "$BATS_TEST_TMPDIR/g" >/dev/null
	run schema-check "$SCHEMAS" --as client-config "$BATS_TEST_TMPDIR/g/config/gen0001.json"
	assert_success
	run stat -c %a "$BATS_TEST_TMPDIR/g/personio/gen0001/credentials.json"
	assert_output 600
	emu_stop
	emu_start "$BATS_TEST_TMPDIR/g/personio"
	unset PERSONIO_CLIENT_ID PERSONIO_CLIENT_SECRET
	extract-personio -c "$BATS_TEST_TMPDIR/g/config/gen0001.json" --as-of "$AS_OF" --base-url "$EMU_URL" \
		>"$BATS_TEST_TMPDIR/g.ndjson"
	schema_ok "$BATS_TEST_TMPDIR/g.ndjson"
	run jq -s -c '[(map(select(.type=="person")) | length), (last | .complete)]' "$BATS_TEST_TMPDIR/g.ndjson"
	assert_output '[120,true]'
	bad=$(jq -r 'select(.type=="person") | .bsn' "$BATS_TEST_TMPDIR/g.ndjson" | while read -r b; do
		[ "$(lp-unit bsn "$b")" = 1 ] || echo "$b"; done | wc -l)
	[ "$bad" -eq 0 ]
	emu_stop
	emu_start "$SAMPLES/personio"
}

@test "generator: bad usage exits 2" {
	run gen-personio --clients 0 --employees 5 --out "$BATS_TEST_TMPDIR/x"
	assert_failure 2
	run gen-personio --employees 5
	assert_failure 2
}

# --- the bureau month: gen-personio --month and gen-loket (doc/generators.md) ---

# gen_bureau N M MONTH DIR [OPTIONS]: both generators for the same arguments
gen_bureau() {
	local n=$1 m=$2 k=$3 d=$4
	shift 4
	gen-personio --clients "$n" --employees "$m" --seed 5 --month "$k" --out "$d" "$@"
	gen-loket --clients "$n" --employees "$m" --seed 5 --out "$d"
}

@test "bureau generators: the same arguments give byte-identical Personio data, Loket state and configurations" {
	gen_bureau 3 40 2 "$BATS_TEST_TMPDIR/a"
	gen_bureau 3 40 2 "$BATS_TEST_TMPDIR/b"
	diff -r "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
	run cat "$BATS_TEST_TMPDIR/a/as-of"
	assert_output 2026-02-15
	# month 1 and month 2 differ in Personio only; Loket is always the state before month 1
	gen_bureau 3 40 1 "$BATS_TEST_TMPDIR/c"
	cmp "$BATS_TEST_TMPDIR/a/loket/state.json" "$BATS_TEST_TMPDIR/c/loket/state.json"
	run cmp "$BATS_TEST_TMPDIR/a/personio/gen0001/compensations.json" "$BATS_TEST_TMPDIR/c/personio/gen0001/compensations.json"
	assert_failure
	run stat -c %a "$BATS_TEST_TMPDIR/a/loket/client.json"
	assert_output 600
	# without --month the Personio data is the classic snapshot (no as-of file)
	gen-personio --clients 1 --employees 10 --seed 5 --out "$BATS_TEST_TMPDIR/d"
	assert_file_not_exists "$BATS_TEST_TMPDIR/d/as-of"
}

@test "bureau generators: C1/C2 hold over every generated configuration, which share one Loket login" {
	gen-personio --clients 40 --employees 2 --month 1 --out "$BATS_TEST_TMPDIR/g"
	cfgs=()
	for c in "$BATS_TEST_TMPDIR"/g/config/*.json; do cfgs+=(-c "$c"); done
	[ "${#cfgs[@]}" -eq 80 ]
	run validate --check-config "${cfgs[@]}"
	assert_success
	assert_output ""
	run jq -s -r '[map(.loket.token_file), map(.loket.credentials_file)] | map(unique | length) | @tsv' "$BATS_TEST_TMPDIR"/g/config/*.json
	assert_output "$(printf '1\t1')"
	run jq -s -r '[map(.loket.employer_id), map(.loket.payroll_administration_id), map(.loket.client_number), map(.loket.tax_id), map(.personio.credentials_file)] | map(unique | length) | @tsv' "$BATS_TEST_TMPDIR"/g/config/*.json
	assert_output "$(printf '40\t40\t40\t40\t40')"
	# the check can fail: a second client on gen0007's tax id breaks C2
	jq '.client = "copy" | .loket.payroll_administration_id = "x" | .loket.employer_id = "y" | .personio.legal_entity_id = "9"' \
		"$BATS_TEST_TMPDIR/g/config/gen0007.json" >"$BATS_TEST_TMPDIR/copy.json"
	run validate --check-config "${cfgs[@]}" -c "$BATS_TEST_TMPDIR/copy.json"
	assert_failure 4
	assert_output --partial gen0007.json
}

@test "bureau generators: every client's month-1 and month-2 Personio data extracts completely and validates" {
	gen-personio --clients 3 --employees 40 --seed 5 --month 2 --out "$BATS_TEST_TMPDIR/g"
	emu_launch personio-emu gen "$BATS_TEST_TMPDIR/g/personio"
	local url=$LAUNCHED_URL pid=$LAUNCHED_PID
	unset PERSONIO_CLIENT_ID PERSONIO_CLIENT_SECRET
	for c in "$BATS_TEST_TMPDIR"/g/config/*.json; do
		extract-personio -c "$c" --as-of 2026-02-15 --base-url "$url" >"$BATS_TEST_TMPDIR/x.ndjson"
		run jq -s -c '[(last | .complete), (map(select(.type=="person")) | length >= 40)]' "$BATS_TEST_TMPDIR/x.ndjson"
		assert_output '[true,true]'
		run validate -c "$c" --as-of 2026-02-15 "$BATS_TEST_TMPDIR/x.ndjson"
		assert_success
		printf '%s\n' "$output" | jq -e -s 'map(select(.type=="validation"))[0] | .blocked == false and .counts.errors == 0' >/dev/null
	done
	emu_kill "$pid"
}

@test "bureau generators: the Loket state loads in loket-emu; fetch-loket reads one client completely; the first sync plans wages and benefits only" {
	gen_bureau 3 40 1 "$BATS_TEST_TMPDIR/g"
	LOKET_FIX="$BATS_TEST_TMPDIR/g/loket" loket_start
	emu_launch personio-emu gen "$BATS_TEST_TMPDIR/g/personio"
	local purl=$LAUNCHED_URL ppid=$LAUNCHED_PID
	gen-personio --clients 3 --employees 40 --seed 5 --month 1 --out "$BATS_TEST_TMPDIR/g" --configs-only \
		--personio-url "$purl" --loket-url "$LK_URL"
	cfg="$BATS_TEST_TMPDIR/g/config/gen0002.json"
	unset LOKET_CLIENT_ID LOKET_CLIENT_SECRET PERSONIO_CLIENT_ID PERSONIO_CLIENT_SECRET
	curl -fsS -X POST "$LK_URL/__emu/authcode" | jq -r .code | loket-auth -c "$cfg" 2>/dev/null
	run stat -c %a "$BATS_TEST_TMPDIR/g/loket/token.json"
	assert_output 600
	fetch-loket -c "$cfg" --as-of 2026-01-15 >"$BATS_TEST_TMPDIR/current.ndjson"
	# exactly gen0002's employees, employments and wages of the state, nothing of the others
	emp=$(jq -r .loket.employer_id "$cfg")
	want=$(jq -c --arg e "$emp" '(.employees | map(select(.employerId == $e))) as $ee | ($ee | map(.id)) as $ids
		| (.employments | map(select(.employeeId as $i | $ids | index($i)))) as $em | ($em | map(.id)) as $emids
		| [($ee | length), ($em | length), (.wages | map(select(.employmentId as $i | $emids | index($i))) | length)]' \
		"$BATS_TEST_TMPDIR/g/loket/state.json")
	run jq -c 'select(.type=="stream_end") | [.complete, .counts.employees, .counts.employments, .counts.wages] | .[0], .[1:]' \
		"$BATS_TEST_TMPDIR/current.ndjson"
	assert_line --index 0 true
	assert_line --index 1 "$want"
	[ "$(jq -r '.[0]' <<<"$want")" -ge 30 ]
	# the two generators describe the same people: the first sync changes no employee data
	extract-personio -c "$cfg" --as-of 2026-01-15 >"$BATS_TEST_TMPDIR/p.ndjson"
	validate -c "$cfg" --as-of 2026-01-15 "$BATS_TEST_TMPDIR/p.ndjson" | map-compensation -c "$cfg" >"$BATS_TEST_TMPDIR/desired.ndjson"
	diff-loket -c "$cfg" --current "$BATS_TEST_TMPDIR/current.ndjson" "$BATS_TEST_TMPDIR/desired.ndjson" >"$BATS_TEST_TMPDIR/plan.ndjson"
	run jq -r 'select(.type=="loket.op") | "\(.entity) \(.action)"' "$BATS_TEST_TMPDIR/plan.ndjson"
	assert_line "wage create"
	refute_output --partial employee
	run jq -r 'select(.type=="loket.op") | .entity' "$BATS_TEST_TMPDIR/plan.ndjson"
	refute_line --regexp '^(employee|citizen_service_number|concept_employee|employment)$'
	emu_kill "$ppid"
	loket_stop
}

@test "bureau generators: month 2 differs from month 1 by about the stated shares (3% salary, 10% bonus, 2% recurring, 0.5% leavers, 1% hires)" {
	gen-personio --clients 20 --employees 50 --seed 5 --month 1 --out "$BATS_TEST_TMPDIR/m1"
	gen-personio --clients 20 --employees 50 --seed 5 --month 2 --out "$BATS_TEST_TMPDIR/m2"
	run jq -n -c --slurpfile a <(cat "$BATS_TEST_TMPDIR"/m1/personio/*/compensations.json) \
		--slurpfile b <(cat "$BATS_TEST_TMPDIR"/m2/personio/*/compensations.json) \
		--slurpfile ea <(cat "$BATS_TEST_TMPDIR"/m1/personio/*/employees.json) \
		--slurpfile eb <(cat "$BATS_TEST_TMPDIR"/m2/personio/*/employees.json) '
		def key: "\(.legal_entity.id)/\(.id)";
		def pkey: "\(.attributes.subcompany.value.attributes.id)/\(.attributes.id.value)";
		($a | add | map({(key): .}) | add) as $old
		| ($ea | add | map({(pkey): .}) | add) as $olde
		| ($b | add) as $new
		| ($new | map(select($old[key] == null and (.person.id | tonumber) <= 1050))) as $added
		| { employed: ($ea | add | map(select(.attributes.status.value == "active" and .attributes.hire_date.value < "2026-02")) | length),
		    salary: ($added | map(select(.type.category | test("SALARY"))) | length),
		    bonus: ($added | map(select(.type.category == "BONUS")) | length),
		    recurring: ($added | map(select(.type.category == "RECURRING")) | length),
		    leavers: ($eb | add | map(select(.attributes.termination_date.value != null and $olde[pkey].attributes.termination_date.value == null)) | length),
		    hires: (($eb | add | length) - ($ea | add | length)) }'
	assert_success
	echo "$output"
	ok=$(jq -r '[.salary >= .employed * 0.015 and .salary <= .employed * 0.05,
		.bonus >= .employed * 0.07 and .bonus <= .employed * 0.13,
		.recurring >= .employed * 0.008 and .recurring <= .employed * 0.035,
		.leavers >= 1 and .leavers <= .employed * 0.015,
		.hires >= 3 and .hires <= 20, .employed >= 800] | all' <<<"$output")
	[ "$ok" = true ]
}

@test "bureau generators: bad usage exits 2" {
	run gen-personio --clients 1 --employees 5 --month 0 --out "$BATS_TEST_TMPDIR/x"
	assert_failure 2
	run gen-personio --clients 1 --employees 5 --month 13 --out "$BATS_TEST_TMPDIR/x"
	assert_failure 2
	run gen-loket --clients 1 --employees 5 --month 1 --out "$BATS_TEST_TMPDIR/x"
	assert_failure 2
	run gen-loket --clients 1 --out "$BATS_TEST_TMPDIR/x"
	assert_failure 2
	run gen-loket --version
	assert_success
}
