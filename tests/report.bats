#!/usr/bin/env bats
# report: a person's summary of a run, from hand-made records (client "t").

load helper

issue() { jq -cn '{type:"issue",client:"t",severity:"warning",rule:"S4",stage:"validate",personio_id:"1",employee_number:"101",
	field:"salary",message:"no salary",hint:"add one"} | '"${1:-.}"; }
result() { jq -cn '{type:"loket.result",client:"t",seq:1,op_id:"0123456789abcdef",rule:"K3",entity:"wage",action:"create",
	employee_number:101,method:"POST",path:"/providers/x",message:"a new wage",outcome:"applied",http_status:201,attempts:1,
	messages:[],error:null} | '"${1:-.}"; }

@test "text: outcome, warnings with their fix, changes per employee; an issue passed on by several stages is shown once" {
	{ issue; issue; result; result '.seq=2|.op_id="1123456789abcdef"|.outcome="failed"|.http_status=400|.messages=["Linked date chain"]'; } >"$BATS_TEST_TMPDIR/in"
	run report "$BATS_TEST_TMPDIR/in"
	assert_success
	assert_output --partial 'Pushed to Loket: 1 applied, 0 applied before (resumed run), 1 refused, 0 skipped.'
	assert_output --partial 'fix: add one'
	assert_output --partial '[K3] a new wage -> applied'
	assert_output --partial 'POST /providers/x (employee 101): HTTP 400; Linked date chain'
	[ "$(grep -c 'no salary' <<<"$output")" -eq 1 ]
}

@test "BSNs and IBANs in any text are masked; HTML is escaped" {
	issue '.message="BSN 111222333 and IBAN NL91ABNA0417164300 <b>"' >"$BATS_TEST_TMPDIR/in"
	run report "$BATS_TEST_TMPDIR/in"
	refute_output --partial 111222333
	refute_output --partial NL91ABNA0417164300
	assert_output --partial '*****2333'
	run report --html "$BATS_TEST_TMPDIR/in"
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
