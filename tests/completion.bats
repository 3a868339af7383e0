#!/usr/bin/env bats
# bash completion (issue 18): the file scripts/gen-completion generates from every command's
# --help. The suite tests $BUILD/completion/loketpipe; make deb-check (tests/deb/run) runs it
# again on the file the package installs (LOKETPIPE_COMPLETION).
load helper

setup() {
	COMPLETION=${LOKETPIPE_COMPLETION:-$BUILD/completion/loketpipe}
	[ -f "$COMPLETION" ] || fail "no completion file $COMPLETION (make)"
	# shellcheck source=/dev/null
	source "$COMPLETION"
	cd "$BATS_TEST_TMPDIR" || return 1
	mkdir -p clients out.d
	touch acme.json beta.json notes.txt plan.ndjson clients/gamma.json
}

# comp WORD...: what completing the last WORD offers, one a line, sorted
comp() {
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_loketpipe
	[ ${#COMPREPLY[@]} -eq 0 ] || printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort
}

commands() {
	make -s -C "$ROOT" --no-print-directory print-commands
}

@test "completion: sourcing it registers _loketpipe for every program and pipeline" {
	local n=0 c
	for c in $(commands); do
		run complete -p "$c"
		assert_success
		assert_output "complete -F _loketpipe $c"
		n=$((n + 1))
	done
	[ "$n" -ge 24 ] # the 19 programs and 5 pipelines at least
	run complete -p personio-emu
	assert_failure # the emulators are not installed, so not completed
}

@test "completion: every command offers its --help and --version, and only options it has" {
	local c
	for c in $(commands); do
		run comp "$c" --
		assert_success
		assert_line --help
		assert_line --version
	done
	run comp validate --
	assert_output "$(printf '%s\n' --as-of --check-config --config --help --only --version)"
	run comp validate --che
	assert_output --check-config
}

@test "completion: the options come from --help (bureau-sync: the option list and the Usage lines)" {
	run comp bureau-sync --
	assert_output "$(printf '%s\n' --as-of --clients-file --halt --help --joblog --out --plan-only --ssh --sshlogin --version)"
	run comp bureau-sync -
	assert_line -d
	assert_line -j
	# monthly-sync's --actor and --concurrency are only in its Usage lines
	run comp monthly-sync --
	assert_line --actor
	assert_line --concurrency
	assert_line --journal-of
}

@test "completion: -c and --config offer the *.json files and directories, nothing else" {
	local json
	json=$(printf '%s\n' acme.json beta.json clients out.d)
	run comp validate -c ''
	assert_output "$json"
	run comp fetch-loket --config ''
	assert_output "$json"
	run comp monthly-sync -c ''
	assert_output "$json"
	run comp hours-export --account-config ''
	assert_output "$json"
	run comp bureau-sync --as-of 2026-11-30 -c ''
	assert_line notes.txt # bureau-sync has no -c: what follows it is offered as any word, a file
	run comp validate -c a
	assert_output acme.json
	run comp validate -c clients/
	assert_output clients/gamma.json
	# --config=FILE: bash splits it at '=' (COMP_WORDBREAKS)
	run comp validate --config = ''
	assert_output "$json"
	run comp validate --config = b
	assert_output beta.json
}

@test "completion: an argument DIR offers directories, FILE any file, DATE and N nothing" {
	run comp fetch-loket --state ''
	assert_output "$(printf '%s\n' clients out.d)"
	run comp bureau-sync -d ''
	assert_output "$(printf '%s\n' clients out.d)"
	run comp monthly-sync --apply p
	assert_output plan.ndjson
	run comp fetch-loket --as-of ''
	assert_output ''
	run comp push-loket --concurrency ''
	assert_output ''
	# an operand of a filter: its NDJSON files
	run comp report p
	assert_output plan.ndjson
}

@test "completion: journal-export --format offers the formats its --help lists" {
	run comp journal-export --format ''
	assert_output "$(printf '%s\n' csv ndjson xaf)"
	run comp journal-export -f x
	assert_output xaf
}

@test "completion: scripts/gen-completion reads options, arguments and values from a --help" {
	cat >fake <<-'EOF'
		#!/bin/sh
		cat <<'H'
		Usage: fake -c CONFIG [--out DIR] [--plan] [FILE]...
		       fake --journal-of PLAN
		Does fake things.

		  -m, --mode M       one, two or three (default one)
		      --from DATE, --to DATE the range
		  -q, --quiet        nothing on stderr
		                     --not-an-option continues a description
		H
	EOF
	run sh "$ROOT/scripts/gen-completion" fake.bash ./fake
	assert_success
	# shellcheck source=/dev/null
	source ./fake.bash
	run complete -p fake
	assert_output "complete -F _loketpipe fake"
	run comp fake --
	assert_output "$(printf '%s\n' --from --help --journal-of --mode --out --plan --quiet --to --version)"
	run comp fake --mode ''
	assert_output "$(printf '%s\n' one three two)"
	run comp fake -c ''
	assert_output "$(printf '%s\n' acme.json beta.json clients out.d)"
	run comp fake --out ''
	assert_output "$(printf '%s\n' clients out.d)"
	run comp fake --to ''
	assert_output ''
	# --plan takes no argument ("[--plan] [FILE]"): what follows is an operand, any file
	run comp fake --plan n
	assert_output notes.txt
}

@test "completion: gen-completion fails, and writes nothing, when a command's --help fails" {
	printf '#!/bin/sh\necho "Usage: broken -x" ; exit 3\n' >broken
	chmod +x broken
	run sh "$ROOT/scripts/gen-completion" out.bash ./broken
	assert_failure
	assert_output --partial "./broken --help failed"
	assert_file_not_exists out.bash
	assert_file_not_exists out.bash.tmp
	run sh "$ROOT/scripts/gen-completion" out.bash
	assert_failure 2
}
