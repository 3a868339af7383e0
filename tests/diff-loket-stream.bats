#!/usr/bin/env bats
# diff-loket reads both states one client at a time (issue 16): the desired state as its
# records arrive, --current forward to each client's stream_end. Whatever the order of the
# clients in --current, the plan is the one each client gets alone; memory is bounded by the
# largest client when --current comes in the desired state's client order.
# Inputs: tests/bench/gen-diff --clients (clients c0001.., t.json under each key).

load helper

setup() {
	G="$BATS_TEST_TMPDIR/g"
	"$ROOT/tests/bench/gen-diff" --seed 7 --clients 3 6 "$G" >/dev/null
	CFGS=()
	for f in "$G"/config/*.json; do CFGS+=(-c "$f"); done
}

of() { # of CLIENT FILE: the client's records of FILE
	grep -F "\"client\":\"$1\"" "$2"
}

alone() { # alone CLIENT: the plan of the client diffed on its own
	of "$1" "$G/desired.ndjson" >"$BATS_TEST_TMPDIR/d.$1"
	of "$1" "$G/current.ndjson" >"$BATS_TEST_TMPDIR/c.$1"
	diff-loket -c "$G/config/$1.json" --current "$BATS_TEST_TMPDIR/c.$1" "$BATS_TEST_TMPDIR/d.$1"
}

@test "many clients, --current sorted, reversed, interleaved or in files of its own: the plan of each client alone" {
	{ alone c0001; alone c0002; alone c0003; } >"$BATS_TEST_TMPDIR/want"
	[ "$(grep -c '"type":"loket.op"' "$BATS_TEST_TMPDIR/want")" -gt 3 ] # the generator changes some employees
	run diff-loket "${CFGS[@]}" --current "$G/current.ndjson" "$G/desired.ndjson"
	assert_success
	cmp <(printf '%s\n' "$output") "$BATS_TEST_TMPDIR/want"
	# reversed: c0003, c0002, c0001 (the first plan needs all three read)
	{ of c0003 "$G/current.ndjson"; of c0002 "$G/current.ndjson"; of c0001 "$G/current.ndjson"; } >"$BATS_TEST_TMPDIR/rev"
	diff-loket "${CFGS[@]}" --current "$BATS_TEST_TMPDIR/rev" "$G/desired.ndjson" | cmp - "$BATS_TEST_TMPDIR/want"
	# interleaved: c0001's records before its stream_end split by all of c0002 and c0003's first half
	of c0001 "$G/current.ndjson" >"$BATS_TEST_TMPDIR/c1"
	of c0003 "$G/current.ndjson" >"$BATS_TEST_TMPDIR/c3"
	{ head -n 10 "$BATS_TEST_TMPDIR/c1"; of c0002 "$G/current.ndjson"; head -n 7 "$BATS_TEST_TMPDIR/c3"
	  tail -n +11 "$BATS_TEST_TMPDIR/c1"; tail -n +8 "$BATS_TEST_TMPDIR/c3"; } >"$BATS_TEST_TMPDIR/mix"
	[ "$(sort "$BATS_TEST_TMPDIR/mix" | md5sum)" = "$(sort "$G/current.ndjson" | md5sum)" ]
	diff-loket "${CFGS[@]}" --current "$BATS_TEST_TMPDIR/mix" "$G/desired.ndjson" | cmp - "$BATS_TEST_TMPDIR/want"
	# one --current per client, gzip-compressed, in another order
	for c in c0001 c0002 c0003; do of $c "$G/current.ndjson" | gzip >"$BATS_TEST_TMPDIR/$c.gz"; done
	diff-loket "${CFGS[@]}" --current "$BATS_TEST_TMPDIR/c0002.gz" --current "$BATS_TEST_TMPDIR/c0001.gz" \
		--current "$BATS_TEST_TMPDIR/c0003.gz" "$G/desired.ndjson" | cmp - "$BATS_TEST_TMPDIR/want"
}

@test "a client in --current without a desired block: read and checked, no plan for it" {
	alone c0002 >"$BATS_TEST_TMPDIR/want"
	of c0002 "$G/desired.ndjson" >"$BATS_TEST_TMPDIR/d2"
	diff-loket "${CFGS[@]}" --current "$G/current.ndjson" "$BATS_TEST_TMPDIR/d2" | cmp - "$BATS_TEST_TMPDIR/want"
	# the clients after the last plan are still read: bad input there is still an error
	{ cat "$G/current.ndjson"; echo '{"type":"loket.current.wage","client":"c0009","id":"w"}'; } >"$BATS_TEST_TMPDIR/bad"
	run --separate-stderr diff-loket "${CFGS[@]}" --current "$BATS_TEST_TMPDIR/bad" "$BATS_TEST_TMPDIR/d2"
	assert_failure 3
	[[ "$stderr" == *"$BATS_TEST_TMPDIR/bad:$(wc -l <"$BATS_TEST_TMPDIR/bad"): employment_id"* ]]
}

@test "LX1: a desired client with no current records is refused, the others are planned" {
	grep -vF '"client":"c0002"' "$G/current.ndjson" >"$BATS_TEST_TMPDIR/cur"
	run --separate-stderr diff-loket "${CFGS[@]}" --current "$BATS_TEST_TMPDIR/cur" "$G/desired.ndjson"
	assert_failure 1
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/plan"
	of c0002 "$BATS_TEST_TMPDIR/plan" | jq -e -s 'map(select(.type == "issue")) | length == 1 and .[0].rule == "LX1"
		and (.[0].message | test("has no records for this client"))' >/dev/null
	of c0002 "$BATS_TEST_TMPDIR/plan" | jq -e -s 'map(select(.type == "plan"))[0].blocked == true' >/dev/null
	{ alone c0001; alone c0003; } >"$BATS_TEST_TMPDIR/want"
	grep -vF '"client":"c0002"' "$BATS_TEST_TMPDIR/plan" | cmp - "$BATS_TEST_TMPDIR/want"
}

@test "a client's current state after its stream_end, or its desired state in a second block, is bad input (exit 3)" {
	{ cat "$G/current.ndjson"; of c0001 "$G/current.ndjson" | head -n 1; } >"$BATS_TEST_TMPDIR/again"
	run --separate-stderr diff-loket "${CFGS[@]}" --current "$BATS_TEST_TMPDIR/again" "$G/desired.ndjson"
	assert_failure 3
	[[ "$stderr" == *"$BATS_TEST_TMPDIR/again:$(wc -l <"$BATS_TEST_TMPDIR/again"): client: client c0001's current state goes on after its stream_end"* ]]
	{ cat "$G/desired.ndjson"; of c0001 "$G/desired.ndjson"; } >"$BATS_TEST_TMPDIR/twice"
	run --separate-stderr diff-loket "${CFGS[@]}" --current "$G/current.ndjson" "$BATS_TEST_TMPDIR/twice"
	assert_failure 3
	[[ "$stderr" == *"client c0001: a second block of its desired state"* ]]
}

@test "memory: 500 clients in client order stay within a 96 MiB address space (every client's current state held would not)" {
	ldd "$BUILD/bin/diff-loket" 2>/dev/null | grep -q libasan &&
		skip "the sanitizer build sets no address space bound (its shadow memory needs terabytes)"
	M="$BATS_TEST_TMPDIR/m"
	"$ROOT/tests/bench/gen-diff" --seed 3 --clients 500 20 "$M" >/dev/null
	C=()
	for f in "$M"/config/*.json; do C+=(-c "$f"); done
	# 10 000 employees: diff-loket before issue 16 held all of --current (~100 MB) and stopped
	# here with exit 7 (out of memory), even with no desired state at all
	run --separate-stderr env LOKETPIPE_MAX_MEMORY=96M diff-loket "${C[@]}" --current "$M/current.ndjson" /dev/null
	assert_success
	run --separate-stderr env LOKETPIPE_MAX_MEMORY=96M diff-loket "${C[@]}" --current "$M/current.ndjson" "$M/desired.ndjson"
	assert_success
	[ "$(printf '%s\n' "$output" | grep -c '"type":"plan"')" -eq 500 ]
	[ "$(printf '%s\n' "$output" | grep -c '"type":"loket.op"')" -gt 500 ]
}
