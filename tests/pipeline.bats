#!/usr/bin/env bats
# extract-personio | validate | map-compensation on acme (golden files, reviewed by hand)
# and on generated clients (properties).

load helper

setup_file() {
	load helper
	emu_start "$SAMPLES/personio"
}
teardown_file() { emu_stop; }

setup() { acme_credentials; }

acme_pipeline() {
	set -o pipefail
	extract-personio -c "$SAMPLES/acme.json" --as-of "$AS_OF" --base-url "$EMU_URL" |
		validate -c "$SAMPLES/acme.json" --as-of "$AS_OF" >"$BATS_TEST_TMPDIR/validated.ndjson" || [ $? -eq 1 ]
	map-compensation -c "$SAMPLES/acme.json" "$BATS_TEST_TMPDIR/validated.ndjson" >"$BATS_TEST_TMPDIR/desired.ndjson"
}

@test "acme: validate gives the expected issues (golden tests/golden/acme.validated.ndjson)" {
	acme_pipeline
	diff -u "$ROOT/tests/golden/acme.validated.ndjson" "$BATS_TEST_TMPDIR/validated.ndjson"
	schema_ok "$BATS_TEST_TMPDIR/validated.ndjson"
}

@test "acme: the desired Loket state (golden tests/golden/acme.desired.ndjson)" {
	acme_pipeline
	diff -u "$ROOT/tests/golden/acme.desired.ndjson" "$BATS_TEST_TMPDIR/desired.ndjson"
	schema_ok "$BATS_TEST_TMPDIR/desired.ndjson"
}

@test "acme: the sync is blocked (E4) by the seven people planted with bad data" {
	acme_pipeline
	run jq -c 'select(.type=="validation") | [.blocked, .counts.errors]' "$BATS_TEST_TMPDIR/validated.ndjson"
	assert_output '[true,7]'
	run jq -r 'select(.type=="issue" and .severity=="error") | .personio_id' "$BATS_TEST_TMPDIR/validated.ndjson"
	assert_output "$(seq 1026 1032)"
}

@test "acme with the seeds' fix (Consider in NL payroll = No for those seven): not blocked" {
	mkdir -p "$BATS_TEST_TMPDIR/fx/acme"
	cp "$SAMPLES"/personio/acme/*.json "$BATS_TEST_TMPDIR/fx/acme/"
	jq '(.[] | select(.attributes.id.value >= 1026 and .attributes.id.value <= 1032) | .attributes.dynamic_1003.value) = "No"' \
		"$SAMPLES/personio/acme/employees.json" >"$BATS_TEST_TMPDIR/fx/acme/employees.json"
	emu_stop
	emu_start "$BATS_TEST_TMPDIR/fx"
	run --separate-stderr bash -c "set -o pipefail; extract-personio -c '$SAMPLES/acme.json' --as-of $AS_OF --base-url $EMU_URL | validate -c '$SAMPLES/acme.json' --as-of $AS_OF"
	emu_stop
	emu_start "$SAMPLES/personio"
	assert_equal "$status" 0
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/validated.ndjson"
	run jq -c 'select(.type=="validation") | [.blocked, .counts.errors, .counts.out_of_scope]' <<<"$output"
	assert_output '[false,0,13]'
	# the desired state diff-loket's tests start from (golden tests/golden/acme.fixed.desired.ndjson)
	map-compensation -c "$SAMPLES/acme.json" "$BATS_TEST_TMPDIR/validated.ndjson" >"$BATS_TEST_TMPDIR/desired.ndjson"
	diff -u "$ROOT/tests/golden/acme.fixed.desired.ndjson" "$BATS_TEST_TMPDIR/desired.ndjson"
}

gen_pipeline() { # CLIENTS EMPLOYEES SEED -> $BATS_TEST_TMPDIR/g/{validated,desired}.ndjson
	gen-personio --clients "$1" --employees "$2" --seed "$3" --out "$BATS_TEST_TMPDIR/g" >/dev/null
	emu_stop
	emu_start "$BATS_TEST_TMPDIR/g/personio"
	unset PERSONIO_CLIENT_ID PERSONIO_CLIENT_SECRET
	: >"$BATS_TEST_TMPDIR/g/extract.ndjson"
	cfgs=()
	for c in "$BATS_TEST_TMPDIR"/g/config/*.json; do
		extract-personio -c "$c" --as-of "$AS_OF" --base-url "$EMU_URL" >>"$BATS_TEST_TMPDIR/g/extract.ndjson"
		cfgs+=(-c "$c")
	done
	validate "${cfgs[@]}" --as-of "$AS_OF" "$BATS_TEST_TMPDIR/g/extract.ndjson" >"$BATS_TEST_TMPDIR/g/validated.ndjson" || [ $? -eq 1 ]
	map-compensation "${cfgs[@]}" "$BATS_TEST_TMPDIR/g/validated.ndjson" >"$BATS_TEST_TMPDIR/g/desired.ndjson"
	emu_stop
	emu_start "$SAMPLES/personio"
}

@test "property (O2): per person, period and mapped type, one-time amounts in = variable input out" {
	gen_pipeline 3 150 11
	cfg="$BATS_TEST_TMPDIR/g/config/gen0001.json"
	start=$(jq -r .compensation.start_date "$cfg")
	# what went in: one-time compensations that validate kept, of a mapped type, from the start date on
	jq -s -r --slurpfile cfgs <(cat "$BATS_TEST_TMPDIR"/g/config/*.json) '
		($cfgs | map({(.client): .}) | add) as $c
		| map(select(.type=="compensation" and .kind=="one_time" and .currency=="EUR"
			and .effective_from >= $c[.client].compensation.start_date
			and ($c[.client].compensation.mapping[.type_id] != null)))
		| map({k: "\(.client) \(.personio_id) \(.effective_from[0:4]|tonumber) \(.effective_from[5:7]|tonumber) \($c[.client].compensation.mapping[.type_id])",
		       c: (.amount | sub("\\."; "") | tonumber)})
		| group_by(.k) | map("\(.[0].k) \(map(.c) | add)") | .[]' "$BATS_TEST_TMPDIR/g/validated.ndjson" | sort >"$BATS_TEST_TMPDIR/in.txt"
	jq -r 'select(.type=="loket.variable_input") | "\(.client) \(.personio_id) \(.year) \(.period) \(.payroll_component_key) \(.value | sub("\\."; "") | tonumber)"' \
		"$BATS_TEST_TMPDIR/g/desired.ndjson" | sort >"$BATS_TEST_TMPDIR/out.txt"
	[ -s "$BATS_TEST_TMPDIR/in.txt" ]
	diff "$BATS_TEST_TMPDIR/in.txt" "$BATS_TEST_TMPDIR/out.txt"
}

@test "property: every generated record validates, and re-running gives byte-identical output" {
	gen_pipeline 2 120 5
	schema_ok "$BATS_TEST_TMPDIR/g/validated.ndjson"
	schema_ok "$BATS_TEST_TMPDIR/g/desired.ndjson"
	cfgs=()
	for c in "$BATS_TEST_TMPDIR"/g/config/*.json; do cfgs+=(-c "$c"); done
	run bash -c "validate ${cfgs[*]} --as-of $AS_OF '$BATS_TEST_TMPDIR/g/extract.ndjson' | map-compensation ${cfgs[*]} | cmp - '$BATS_TEST_TMPDIR/g/desired.ndjson'"
	assert_success
	# every wage chain is in date order without gaps: each end date is the day before the next start
	run jq -s '[map(select(.type=="loket.wage")) | group_by(.client + "/" + .personio_id)[]
		| sort_by(.start_date) | . as $w | range(1; length)
		| select(($w[. - 1].end_date | strptime("%Y-%m-%d") | mktime) + 86400 != ($w[.].start_date | strptime("%Y-%m-%d") | mktime))]
		| length' "$BATS_TEST_TMPDIR/g/desired.ndjson"
	assert_output 0
	run jq -s '[.[] | select(.type=="loket.wage")] | length' "$BATS_TEST_TMPDIR/g/desired.ndjson"
	[ "$output" -gt 100 ]
}
