#!/usr/bin/env bats
# report: a person's summary of a run, from hand-made records (client "t") and from a real acme
# run against the Loket emulator (the golden desired state, fetched, diffed and pushed here):
# an input that ended early or a stage that failed is said at the top, never "No changes".

load helper

setup_file() {
	load helper
	loket_start
	loket_client
	BATS_TEST_TMPDIR="$BATS_FILE_TMPDIR" loket_login
	local R="$BATS_FILE_TMPDIR/run" rc
	mkdir -p "$R"
	fetch-loket -c "$CFG" >"$R/current.ndjson"
	diff-loket -c "$CFG" --current "$R/current.ndjson" "$ROOT/tests/golden/acme.fixed.desired.ndjson" >"$R/plan.ndjson" || [ $? -le 1 ]
	push-loket -c "$CFG" --dry-run "$R/plan.ndjson" >"$R/dry-run.ndjson"
	push-loket -c "$CFG" --journal "$R/j1" "$R/plan.ndjson" >"$R/results.ndjson"
	# the second run: Loket holds everything, the plan is empty
	fetch-loket -c "$CFG" >"$R/current2.ndjson"
	diff-loket -c "$CFG" --current "$R/current2.ndjson" "$ROOT/tests/golden/acme.fixed.desired.ndjson" >"$R/empty-plan.ndjson" || [ $? -le 1 ]
	# Loket keeps failing on wage updates and deletions: push-loket exit 5
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	curl -fsS -X POST --data '{"always":{"path":"/v2/providers/employers/employees/employments/wages","status":503}}' \
		"$LK_URL/__emu/faults" >/dev/null
	rc=0
	push-loket -c "$CFG" --journal "$R/j2" "$R/plan.ndjson" >"$R/results-remote.ndjson" 2>/dev/null || rc=$?
	[ $rc -eq 5 ] || { echo "push with faults: exit $rc, expected 5" >&2; return 1; }
	# Loket refuses the login: push-loket exit 6
	curl -fsS -X POST "$LK_URL/__emu/reset" >/dev/null
	curl -fsS -X POST "$LK_URL/__emu/revoke-tokens" >/dev/null
	token_expire "$BATS_FILE_TMPDIR/token.json"
	rc=0
	push-loket -c "$CFG" --journal "$R/j3" "$R/plan.ndjson" >"$R/results-auth.ndjson" 2>/dev/null || rc=$?
	[ $rc -eq 6 ] || { echo "push without a login: exit $rc, expected 6" >&2; return 1; }
}
teardown_file() { loket_stop; }

setup() { RUN="$BATS_FILE_TMPDIR/run"; }

issue() { jq -cn '{type:"issue",client:"t",severity:"warning",rule:"S4",stage:"validate",personio_id:"1",employee_number:"101",
	field:"salary",message:"no salary",hint:"add one"} | '"${1:-.}"; }
result() { jq -cn '{type:"loket.result",client:"t",seq:1,op_id:"0123456789abcdef",rule:"K3",entity:"wage",action:"create",
	employee_number:101,method:"POST",path:"/providers/x",message:"a new wage",outcome:"applied",http_status:201,attempts:1,
	messages:[],error:null} | '"${1:-.}"; }
# the end records of a push (two ops, one refused) and of an extract
push_end() { jq -cn '{type:"stream_end",client:"t",source:"push",complete:true,counts:{ops:2,applied:1,already_applied:0,
	failed:1,skipped:0,remote_failures:0,not_run:0}} | '"${1:-.}"; }
extract_end() { jq -cn '{type:"stream_end",client:"t",source:"personio",complete:true,counts:{}} | '"${1:-.}"; }

# top FILE: the first section of a text report (the warning, else the first client);
# html_top FILE: the first <h2> of an HTML report
top() { grep -m1 -E '^(WARNING|Client )' "$1"; }
html_top() { grep -m1 -o '<h2>[^<]*' "$1"; }

@test "text: outcome, warnings with their fix, changes per employee; an issue passed on by several stages is shown once" {
	{ issue; issue; result; result '.seq=2|.op_id="1123456789abcdef"|.outcome="failed"|.http_status=400|.messages=["Linked date chain"]'; push_end; } >"$BATS_TEST_TMPDIR/in"
	run report "$BATS_TEST_TMPDIR/in"
	assert_success
	assert_output --partial 'Pushed to Loket: 1 applied, 0 applied before (resumed run), 1 refused, 0 skipped.'
	assert_output --partial 'fix: add one'
	# a result without its plan: what it is and its message (the before and after are the plan's)
	assert_output --partial '[K3] created: gross wage -> applied'
	assert_output --partial $'\n         a new wage\n'
	assert_output --partial 'POST /providers/x (employee 101): HTTP 400; Linked date chain'
	[ "$(grep -c 'no salary' <<<"$output")" -eq 1 ]
	refute_output --partial WARNING
}

@test "BSNs and IBANs in any text are masked; HTML is escaped" {
	{ issue '.message="BSN 111222333 and IBAN NL91ABNA0417164300 <b>"'; extract_end; } >"$BATS_TEST_TMPDIR/in"
	run report "$BATS_TEST_TMPDIR/in"
	assert_success
	refute_output --partial 111222333
	refute_output --partial NL91ABNA0417164300
	assert_output --partial '*****2333'
	run report --html "$BATS_TEST_TMPDIR/in"
	assert_success
	assert_output --partial '&lt;b&gt;'
	refute_output --partial '<b>'
	refute_output --partial 111222333
}

@test "bad input: exit 3 naming file and line, nothing written; usage" {
	{ issue; echo 'not json'; } >"$BATS_TEST_TMPDIR/in"
	run --separate-stderr report "$BATS_TEST_TMPDIR/in"
	assert_failure 3
	assert_output ''
	[[ "$stderr" == *"$BATS_TEST_TMPDIR/in:2"* ]]
	run report --bogus
	assert_failure 2
}

@test "completeness: acme's plan, its results, both together, a dry run and the empty plan of the second run are complete: exit 0, no warning; only the empty plan says No changes" {
	total=$(jq 'select(.type=="plan") | .ops' "$RUN/plan.ndjson")
	[ "$total" -gt 10 ]
	for f in plan results "plan results" dry-run empty-plan; do
		set -- $f
		set -- "${@/#/$RUN/}"
		set -- "${@/%/.ndjson}"
		run report "$@"
		assert_success
		refute_output --partial WARNING
		refute_output --partial incomplete
		[ "$f" = empty-plan ] || refute_output --partial 'No changes'
		run report --html "$@"
		assert_success
		refute_output --partial WARNING
	done
	run report "$RUN/plan.ndjson"
	assert_output --partial "Plan: $total change(s)."
	assert_output --partial 'Nothing has been sent to Loket yet (plan only).'
	run report "$RUN/results.ndjson"
	assert_output --partial "Pushed to Loket: $total applied, 0 applied before (resumed run), 0 refused, 0 skipped."
	run report "$RUN/dry-run.ndjson"
	assert_output --partial "Dry run: $total request(s) would be sent; nothing was sent to Loket."
	run report "$RUN/empty-plan.ndjson"
	assert_output --partial 'No changes: Loket already holds what Personio says.'
}

@test "completeness: every line-boundary prefix of acme's plan, results and empty plan: exit 3, the warning at the top (text and HTML), never No changes" {
	P="$BATS_TEST_TMPDIR/prefix" T="$BATS_TEST_TMPDIR/out"
	for f in plan results empty-plan; do
		n=$(wc -l <"$RUN/$f.ndjson")
		[ "$n" -gt 10 ]
		for ((k = 0; k < n; k++)); do
			head -n $k "$RUN/$f.ndjson" >"$P"
			rc=0
			report "$P" >"$T" || rc=$?
			[ $rc -eq 3 ] || fail "$f.ndjson cut after line $k: exit $rc, expected 3"
			[ "$(top "$T")" = "WARNING: this report is incomplete" ] || fail "$f.ndjson cut after line $k: no warning at the top"
			! grep -q 'No changes' "$T" || fail "$f.ndjson cut after line $k: says No changes"
			rc=0
			report --html "$P" >"$T" || rc=$?
			[ $rc -eq 3 ] || fail "$f.ndjson cut after line $k (HTML): exit $rc, expected 3"
			[ "$(html_top "$T")" = "<h2>WARNING: this report is incomplete" ] || fail "$f.ndjson cut after line $k: no warning at the top of the HTML"
			! grep -q 'No changes' "$T" || fail "$f.ndjson cut after line $k (HTML): says No changes"
		done
	done
	# what the warning says of a results file cut after its 20th result
	cut=$(grep -n '"type":"loket.result"' "$RUN/results.ndjson" | sed -n 20p | cut -d: -f1)
	head -n "$cut" "$RUN/results.ndjson" >"$P"
	run report "$P"
	assert_failure 3
	total=$(jq 'select(.type=="plan") | .ops' "$RUN/plan.ndjson")
	assert_output --partial "The push results end early ($P, after line $cut): 20 of $total change(s) have a result"
	assert_output --partial 'Run the same command again: it resumes and makes only what is missing.'
	assert_output --partial 'Pushed to Loket, as far as the results go: 20 applied'
}

@test "completeness: a push Loket kept failing (push-loket exit 5, complete:false): exit 5, the warning says how many changes were not made and to run it again; they are not counted as refused" {
	F="$RUN/results-remote.ndjson"
	run jq -c 'select(.type=="stream_end") | [.complete, .counts.failed, .counts.remote_failures > 0]' "$F"
	assert_output '[false,0,true]'
	total=$(jq 'select(.type=="stream_end") | .counts.ops' "$F")
	made=$(jq 'select(.type=="stream_end") | .counts.applied + .counts.already_applied' "$F")
	remote=$(jq 'select(.type=="stream_end") | .counts.remote_failures' "$F")
	[ "$made" -lt "$total" ]
	run report "$F"
	assert_failure 5
	[ "$(top <(printf '%s\n' "$output"))" = "WARNING: this report is incomplete" ]
	assert_output --partial "The push to Loket stopped before it finished: $((total - made)) of $total change(s) were not made: $remote Loket kept failing or did not answer"
	assert_output --partial 'Run the same command again: it resumes and makes only what is missing.'
	assert_output --partial "0 refused"
	assert_output --partial "$remote not made because Loket kept failing"
	assert_output --partial 'Not made: refused by Loket, or Loket kept failing'
	refute_output --partial 'No changes'
	run report --html "$F"
	assert_failure 5
	[ "$(html_top <(printf '%s\n' "$output"))" = "<h2>WARNING: this report is incomplete" ]
}

@test "completeness: a push stopped for re-authorisation (push-loket exit 6): exit 5, the warning says to log in with loket-auth, then run it again" {
	F="$RUN/results-auth.ndjson"
	run jq -c 'select(.type=="stream_end") | .complete' "$F"
	assert_output false
	run report "$F"
	assert_failure 5
	[ "$(top <(printf '%s\n' "$output"))" = "WARNING: this report is incomplete" ]
	total=$(jq 'select(.type=="plan") | .ops' "$RUN/plan.ndjson")
	assert_output --partial "The push to Loket stopped before it finished: $total of $total change(s) were not made"
	assert_output --partial 'Loket wants a new login first: run loket-auth, then run the same command again: it resumes'
}

@test "completeness: a plan without its plan record, a plan holding fewer ops than it announces, results missing one op, an empty file: exit 3 with what is missing" {
	I="$BATS_TEST_TMPDIR/in"
	total=$(jq 'select(.type=="plan") | .ops' "$RUN/plan.ndjson")
	jq -c 'select(.type != "plan")' "$RUN/plan.ndjson" >"$I"
	run report "$I"
	assert_failure 3
	assert_output --partial 'The plan has no summary record (type plan), so it is not all of diff-loket'"'"'s output. Do not push it'
	first=$(grep -n '"type":"loket.op"' "$RUN/plan.ndjson" | head -n 1 | cut -d: -f1)
	sed "${first}d" "$RUN/plan.ndjson" >"$I"
	run report "$I"
	assert_failure 3
	assert_output --partial "The plan announces $total change(s) but holds $((total - 1))"
	refute_output --partial 'No changes'
	first=$(grep -n '"type":"loket.result"' "$RUN/results.ndjson" | head -n 1 | cut -d: -f1)
	sed "${first}d" "$RUN/results.ndjson" >"$I"
	run report "$I"
	assert_failure 3
	assert_output --partial "1 of the plan's $total change(s) have no result in this input"
	# the plan with those results: the op without a result says so
	run report "$RUN/plan.ndjson" "$I"
	assert_failure 3
	assert_output --partial '-> no result'
	: >"$I"
	run report "$RUN/plan.ndjson" "$I"
	assert_failure 3
	assert_output --partial "$I holds no records"
	run report <"$I"
	assert_failure 3
	assert_output --partial "standard input holds no records"
}

@test "completeness: a Personio extract or a Loket read that did not finish (stream_end complete:false): exit 5; a stream without a stream_end: exit 3" {
	I="$BATS_TEST_TMPDIR/in"
	{ issue; extract_end '.complete=false|.error="HTTP 503 on GET /v1/company/employees"'; } >"$I"
	run report "$I"
	assert_failure 5
	assert_output --partial 'Reading Personio did not finish (HTTP 503 on GET /v1/company/employees)'
	refute_output --partial 'No changes'
	{ issue; extract_end '.source="loket"|.complete=false|.error="totalSize 40, received 39"'; } >"$I"
	run report "$I"
	assert_failure 5
	assert_output --partial 'Reading Loket did not finish (totalSize 40, received 39)'
	# a complete extract for t, none for u: u's stream ended early
	{ issue; extract_end; issue '.client="u"'; } >"$I"
	run report "$I"
	assert_failure 3
	assert_output --partial "Client u: The input ends early ($I, after line 3)"
	refute_output --partial 'Client t: '
}
