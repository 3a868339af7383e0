# check-clients.sh - sourced by the pipelines that read or write one client (monthly-sync,
# monthly-documents, monthly-journal): the run's audit events (audit), and C1/C2 checked against every client configuration of a directory before
# anything is read from Personio or Loket. One home for the rule of which *.json files are
# client configurations (see monthly-sync(1)).
#
# check_clients CFG DIR: returns when this client may go on; exits 4 (or validate's code)
# when it may not. Needs from the caller: $prog, $client, $b (the programs' directory prefix),
# say MESSAGE and die MESSAGE. Sets cfg, dir, unsure, found and rc, and the positional parameters
# only inside the function.
unsure() { # unsure FILE WHY: FILE may be a client configuration, but it cannot be read as one
	echo "$prog: $client: cannot tell whether $1 is a client configuration: $2; so C1/C2 cannot be proven. Repair it, or move it out of $dir" >&2
	unsure=1
}
check_clients() {
	cfg=$1 dir=$2
	[ -d "$dir" ] || die "--clients $dir: not a directory"
	set -- -c "$cfg"
	unsure=0
	for f in "$dir"/*.json; do
		if [ -L "$f" ] && ! [ -e "$f" ]; then
			unsure "$f" "it is a symbolic link to $(readlink "$f"), which does not exist"
			continue
		fi
		[ -e "$f" ] || continue # no *.json at all (the pattern itself), or gone meanwhile
		! [ "$f" -ef "$cfg" ] || continue
		if [ -d "$f" ]; then
			unsure "$f" "it is a directory, not a file"
			continue
		elif ! [ -f "$f" ]; then
			unsure "$f" "it is not a regular file"
			continue
		elif ! [ -r "$f" ]; then
			unsure "$f" "it cannot be read (permission denied: mode $(stat -c %a "$f" 2>/dev/null), owner $(stat -c %U "$f" 2>/dev/null))"
			continue
		fi
		# one read: how many JSON values, and whether it is one object with a "client" member
		if ! what=$(jq -s -c '[length, (length == 1 and (.[0] | type == "object" and has("client")))]' "$f" 2>&1); then
			unsure "$f" "jq cannot read it as JSON ($(printf '%s\n' "$what" | head -n 1))"
			continue
		fi
		case $what in
		'[1,true]') set -- "$@" -c "$f" ;;
		'[1,false]') ;; # one JSON value, not an object with "client": a token or credentials file, ...
		'[0,false]') unsure "$f" "it holds no JSON value (empty)" ;;
		*) n=${what#[} && unsure "$f" "it holds ${n%%,*} JSON values, not one" ;;
		esac
	done
	if [ $unsure -ne 0 ]; then
		say "stopped: C1/C2 cannot be checked against the files named above; nothing was read from Personio or Loket. Repair them, or move them out of $dir, and run again."
		exit 4
	fi
	found=$("${b}validate" --check-config "$@")
	rc=$?
	if [ $rc -eq 4 ] && [ -n "$found" ]; then
		if printf '%s\n' "$found" | jq -e -s --arg c "$client" 'any(.[]; .client == $c)' >/dev/null; then
			say "stopped: C1/C2 findings involve this client's configuration (each names its file and rule above); nothing was read from Personio or Loket. Fix the configurations in $dir and run again."
			exit 4
		fi
		say "the C1/C2 findings above are between other client configurations in $dir, not $cfg: this sync goes on"
	elif [ $rc -ne 0 ]; then
		say "cannot check C1/C2 against the client configurations in $dir (validate exit $rc); nothing was read from Personio or Loket"
		exit $rc
	fi
}

# audit [--fields FILE] EVENT [KEY=TEXT|KEY:=JSON]...: one event in the client's audit log (A1,
# audit-log(1); nothing when the configuration names no audit log). Needs $cfg, $actor, $prog,
# $client and $b. A log that cannot be written is said, and the run goes on: its programs'
# own events fail loudly.
audit() {
	"${b}audit-log" -c "$cfg" ${actor:+--actor "$actor"} "$@" || echo "$prog: $client: the audit log could not be written (audit-log, exit $?)" >&2
}
