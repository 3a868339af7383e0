# tests/documents.bash - what push-documents.bats and review-documents.bats share: the Personio
# emulator with acme (and a tenant "dup"), the persons, a documents directory per test, the
# configuration, and records made in the test (pdf, doc). Loaded after helper.

setup_file() {
	load helper
	mkdir -p "$BATS_FILE_TMPDIR/fx"
	ln -s "$SAMPLES/personio/acme" "$BATS_FILE_TMPDIR/fx/acme"
	# tenant "dup": acme's employees, two categories of the same name
	local d="$BATS_FILE_TMPDIR/fx/dup"
	mkdir -p "$d"
	echo '{"client_id":"dup-test-id","client_secret":"dup-test-secret-0000"}' >"$d/credentials.json"
	cp "$SAMPLES/personio/acme/employees.json" "$SAMPLES/personio/acme/compensations.json" \
		"$SAMPLES/personio/acme/attendances.json" "$d/"
	jq '. + [{id: 7, type: "DocumentCategory", attributes: {name: "Contracts"}}]' \
		"$SAMPLES/personio/acme/document-categories.json" >"$d/document-categories.json"
	emu_start "$BATS_FILE_TMPDIR/fx"
	acme_credentials
	jq --arg u "$EMU_URL" '.personio.base_url=$u' "$SAMPLES/acme.json" >"$BATS_FILE_TMPDIR/acme-x.json"
	# the persons and extract-personio's stream_end (push-documents refuses a person list without it)
	extract-personio -c "$BATS_FILE_TMPDIR/acme-x.json" --as-of 2026-11-15 --persons-only |
		jq -c 'select(.type=="person" or .type=="stream_end")' >"$BATS_FILE_TMPDIR/persons.ndjson"
}

teardown_file() { emu_stop; }

setup() {
	emu_reset
	acme_credentials
	# no wait before the read-back after an unclear answer (the timeout test sets one)
	export LOKETPIPE_DOC_SETTLE_MS=0
	PERSONS="$BATS_FILE_TMPDIR/persons.ndjson"
	DOCS="$BATS_TEST_TMPDIR/docs"
	LEDGER="$DOCS/personio-ledger.ndjson"
	AUDIT="$BATS_TEST_TMPDIR/audit.ndjson"
	OUT="$BATS_TEST_TMPDIR/out.ndjson"
	IN="$BATS_TEST_TMPDIR/in.ndjson"
	PDFS="$DOCS/pdf"
	mkdir -m 700 "$DOCS"
	mkdir "$PDFS"
	config
}

# config [JQ]: $CFG, acme pointed at the emulator, documents in $DOCS, category 2, a token cache
# (so that a run with cached tokens makes no POST besides uploads), the audit log $AUDIT
config() {
	CFG="$BATS_TEST_TMPDIR/acme.json"
	jq --arg u "$EMU_URL" --arg d "$DOCS" --arg a "$AUDIT" --arg t "$BATS_TEST_TMPDIR/ptoken.json" \
		'.personio.base_url=$u | .personio.token_cache=$t | .audit_log=$a | .documents={category_id: 2, dir: $d}
		 | '"${1:-.}" "$SAMPLES/acme.json" >"$CFG"
}

# pdf NAME [TEXT]: a small PDF at $PDFS/NAME; prints its sha256
pdf() {
	printf '%%PDF-1.4\n%% %s\n1 0 obj <<>> endobj\ntrailer <<>>\n%%%%EOF\n' "${2:-$1}" >"$PDFS/$1"
	sha256sum "$PDFS/$1" | cut -d' ' -f1
}

# doc EMPNO KIND YEAR PERIOD [CORRECTION [RUN [TEXT]]]: a loket.document record (with its PDF)
doc() {
	local en=$1 kind=$2 y=$3 p=$4 corr=${5:-0} run=${6:-r$1-$3-$4-${5:-0}} text=${7:-}
	local name="$en-$kind-$y-$p-$corr.pdf" key ps pe sha
	sha=$(pdf "$name" "${text:-$name}")
	if [ "$kind" = payslip ]; then
		key="loket:ER1:EM$en:payslip:$run"
		ps=$(printf '%d-%02d-01' "$y" "$p")
		pe=$(date -u -d "$ps +1 month -1 day" +%F)
	else
		key="loket:ER1:EM$en:jaaropgaaf:$y" ps="$y-01-01" pe="$y-12-31"
	fi
	jq -cn --arg key "$key" --arg kind "$kind" --argjson en "$en" --argjson y "$y" --arg p "$p" --arg ps "$ps" \
		--arg pe "$pe" --argjson corr "$corr" --arg run "$run" --arg f "$PDFS/$name" --arg sha "$sha" \
		--argjson size "$(stat -c %s "$PDFS/$name")" --arg fn "Loonstrook_${en}_$y-$p.pdf" \
		'{type: "loket.document", client: "acme", key: $key, kind: $kind, employer_id: "ER1",
		  employment_id: ("EM" + ($en|tostring)), employee_number: $en,
		  payroll_run_id: (if $kind == "payslip" then $run else null end), year: $y,
		  period: (if $kind == "payslip" then ($p|tonumber) else null end), period_start: $ps, period_end: $pe,
		  correction: $corr, available_from: (if $kind == "payslip" then $pe else null end), file: $f,
		  size: $size, sha256: $sha, file_name: $fn}'
}

# the standard input: three documents of 101 and one of 102, then the persons
standard() {
	{
		doc 101 payslip 2026 1
		doc 101 payslip 2026 2
		doc 101 yearend 2025 0
		doc 102 payslip 2026 1
		cat "$PERSONS"
	} >"$IN"
}

push() { push-documents -c "$CFG" --as-of 2026-11-15 "$@"; }
landed() { curl -fsS "$EMU_URL/__emu/documents"; }
nlanded() { landed | jq length; }
# uploads counted by the emulator (every attempt that reached it)
posts() { emu_stats | jq '.by_path["/v1/company/documents"] // 0'; }
results() { jq -r 'select(.type=="document.result") | [.employee_number, .kind, .status, (.title // "-")] | @tsv' "$@"; }
issues() { jq -r 'select(.type=="issue") | [.severity, .rule, (.employee_number // "-"), .message] | @tsv' "$@"; }
# the ledger without its crc members, for schema-check
ledger_ok() {
	jq -c 'del(.crc)' "$LEDGER" >"$BATS_TEST_TMPDIR/ledger.plain"
	schema_ok "$BATS_TEST_TMPDIR/ledger.plain"
}
# no document is in Personio twice (by owner and marker) and every one of $IN's in-scope ones is
no_duplicates() {
	assert_equal "$(landed | jq '[group_by(.employee_id, .comment)[] | select(length > 1)] | length')" 0
}
