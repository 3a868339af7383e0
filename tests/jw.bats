#!/usr/bin/env bats
# lib/lp_jw (issue 16): the buffer writer map-compensation writes its loket.* records with must
# write byte for byte what lp_out (jansson's json_dumpb, then lp_json_untag) writes for the same
# value: hostile strings, keys, numbers, tagged decimals, nesting. The fuzz harness
# tests/fuzz/jw.c checks the same property on generated values.

load helper

setup() {
	IN="$BATS_TEST_TMPDIR/in.ndjson"
	OUT="$BATS_TEST_TMPDIR/out.ndjson"
}

# every control character, DEL, quotes, backslashes, slashes, U+2028/U+2029, a BOM, four-byte
# UTF-8, NUL inside a string (jansson takes none in a key), the decimal tag before a number and before other text,
# integers at the ends of 64 bits, reals (which loketpipe never makes), empty and deep nesting
hostile() {
	cat <<'EOF'
{"a":"plain","b":"\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f","c":"\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f"}
{"del":"\u007f","q":"\"quoted\" \\ back\\slash / slash \/","ls":"\u2028\u2029","bom":"\ufeff","emoji":"\ud83d\ude00 é ü ß 中","nul":"a\u0000b"}
{"tagged":"\u001f4166.67","neg":"\u001f-12.5","exp":"\u001f1e5","notnum":"\u001fabc","tagonly":"\u001f","inner":"x\u001f1.5","two":"\u001f1.5\u001f","quote":"\u001f1\"5"}
{"ctrl key \u0001":1,"\"k\"":-9223372036854775808,"big":9223372036854775807,"t":true,"f":false,"n":null,"zero":0,"m":-1}
{"nested":{"a":[1,[2,[3,{"b":[]}]],{}],"e":{}},"arr":["\u001f3.5",null,true]}
[]
{}
"\u001f0.5"
"top"
42
1.5
{"real":2.5,"reals":[1e300,-0.0]}
[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["deep",{"a":[{"b":{}}]}]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]
EOF
}

@test "lp_jw writes every hostile value as lp_out does (jansson's escapes, untagged decimals)" {
	hostile >"$IN"
	run lp-unit jw-same <"$IN"
	assert_success
	assert_output "same $(wc -l <"$IN")"
}

@test "the comparison catches a difference: a line lp_out writes otherwise is reported, exit 1" {
	# the checker itself: a line whose lp_out text is not its own (jansson writes \u000B, the
	# input has \u000b) passes jw-same (both writers agree) but fails jw-canon
	printf '%s\n' '{"a":"\u000b"}' >"$IN"
	run lp-unit jw-same <"$IN"
	assert_success
	run lp-unit jw-canon <"$IN"
	assert_failure 1
	assert_output --partial 'line 1 is not what lp_out writes'
	assert_output --partial '\u000B'
}

@test "map-compensation: hostile names, address and ids are written byte for byte as lp_out writes them" {
	{ rec_person '.first_name="a\"b\\c/d\u0001\u001e\u007f\u2028é😀" | .prefix="\t\n" | .last_name="x\\\\y"
		| .address.street="S\"t\u0008" | .address.city="\u2029" | .email="e@x\u000c" | .phone=null
		| .address.country="N\"L" | .gender="female" | .bsn="\u001f12.5" | .iban="\u00ff\u001cx"'
	  rec_comp '.compensation_id="c\"1\u0002"'
	  rec_recurring '.compensation_id="r\\1"'
	  rec_bonus '.compensation_id="b\u001b" | .effective_from="2026-03-01"'
	  rec_bonus '.compensation_id="b2\u2028" | .effective_from="2026-03-09"'
	  rec_end; } | sed 's/"\\u001f12.5"/12.5/' >"$IN"
	run --separate-stderr map-compensation -c "$T_CFG" "$IN"
	assert_success
	printf '%s\n' "$output" >"$OUT"
	run jq -r .type "$OUT"
	assert_output "$(printf '%s\n' loket.employee loket.wage loket.benefit_deduction loket.variable_input stream_end)"
	run lp-unit jw-canon <"$OUT"
	assert_success
	assert_output "canonical 5"
	# the strings arrive intact, the fractional BSN as the number it was
	run jq -r 'select(.type=="loket.employee") | .employee.personalDetails.firstName, .citizen_service_number' "$OUT"
	assert_output "$(printf 'a"b\\c/d\001\036\177\342\200\250é😀\n12.5')"
	run jq -r 'select(.type=="loket.variable_input") | .compensation_ids | join("|")' "$OUT"
	assert_output "$(printf 'b\033|b2\342\200\250')"
}
