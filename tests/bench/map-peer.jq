# tests/bench/map-peer.jq - bench section 3's jq peer of map-compensation (issue 16: "the map
# peer made to do the same grouping and sums"). Run as
#   jq -n -c --slurpfile cfg CONFIG -f tests/bench/map-peer.jq VALIDATED.ndjson
# It does what map-compensation does per client and person:
#   - groups the records by client (a block ends at its stream_end record, as lp_block does)
#     and each client's compensations by person (personio_id), people in input order;
#   - loket.employee: the same fields in the same layout (personalDetails, address,
#     contactInformation; employee and income number as numbers; BSN, IBAN, entry date);
#   - loket.wage: the salary chain (EUR salaries, monthly, yearly or hourly) sorted by start, each
#     from max(compensation start date, its start) to the day before the next one starts or its
#     own end, whichever is first, superseded ones left out (S1-S3, K1); yearly / 12 rounded;
#   - loket.benefit_deduction: mapped monthly recurring compensations not ended before the
#     start date, value positive, deduction by sign, the component picked by type (R1, K1, K2);
#   - loket.variable_input: mapped one-time payments from the start date on, summed per payroll
#     period (year, month) and component, with their compensation ids (O1, O2, K1, K2);
#   - everything else (issue, validation, stream_end) passed on.
# Where it still does less: one configuration (CONFIG's mapping and start date) for every
# client instead of the client's own; amounts in binary floating point (map-compensation: exact
# cents) and written as JSON numbers; no E2 range checks (lp_range) and no check for two
# salaries starting on one day; a mapping pair {payment, deduction} is not routed by sign;
# gender copied as Personio's text (map-compensation: Loket's label). Its output is not
# byte-for-byte ours; the bench checks that it writes as many loket.* records of each type.
def d1: strptime("%Y-%m-%d") | mktime - 86400 | strftime("%Y-%m-%d");    # the day before
def num: if . == null or . == "" or (test("^[0-9]{1,9}$") | not) then null else tonumber end;
def base($t; $p): {type: $t, client: $p.client, personio_id: $p.personio_id,
	employee_number: ($p.employee_number | num), income_number: ($p.income_number | num)};
$cfg[0].compensation as $cc
| ($cc.mapping // {}) as $map
| $cc.start_date as $start
| def key($c): $map[$c.type_id // ""] | if type == "number" then . else null end;
def person($p; $cs):
	base("loket.employee"; $p) + {entry_date: $p.entry_date,
		employee: {personalDetails: {initials: $p.initials, firstName: $p.first_name, prefix: $p.prefix,
				lastName: $p.last_name, dateOfBirth: $p.date_of_birth,
				gender: (if $p.gender then {value: $p.gender} else null end)},
			address: ($p.address as $a | {street: $a.street,
				houseNumber: ($a.house_number | if . then tonumber else null end),
				houseNumberAddition: $a.house_number_addition, postalCode: $a.postal_code, city: $a.city,
				country: (if $a.country then {isoCode: $a.country} else null end)}),
			contactInformation: {emailAddress: $p.email, phoneNumber: $p.phone}},
		citizen_service_number: $p.bsn, iban: $p.iban},
	( [$cs[] | select(.kind == "salary" and (.interval == "monthly" or .interval == "yearly" or .interval == "hourly"))]
	  | sort_by(.effective_from) as $s
	  | range(0; $s | length) as $i
	  | $s[$i] as $c
	  | (if $c.effective_from < $start then $start else $c.effective_from end) as $from
	  | ([(if $i + 1 < ($s | length) then ($s[$i + 1].effective_from | d1) else empty end),
	      ($c.effective_to // empty)] | min) as $upto
	  | select($upto == null or $upto >= $from)
	  | base("loket.wage"; $p) + {start_date: $from, end_date: $upto,
		gross_wage: (($c.amount | tonumber) as $a | if $c.interval == "yearly" then ($a * 100 / 12 | round) / 100 else $a end),
		gross_wage_type: {key: (if $c.interval == "hourly" then 2 else 1 end)},
		basis: (if $c.interval == "hourly" then "hourly" elif $c.interval == "yearly" then "yearly_divided_by_12" else "monthly" end),
		compensation_id: $c.compensation_id} ),
	( $cs[] | select(.kind == "recurring" and .interval == "monthly" and key(.) != null
		and (.effective_to == null or .effective_to >= $start))
	  | (.amount | tonumber) as $a
	  | base("loket.benefit_deduction"; $p) + {payroll_component_key: key(.), value: (if $a < 0 then -$a else $a end),
		deduction: ($a < 0), start_date: (if .effective_from < $start then $start else .effective_from end),
		end_date: .effective_to, compensation_id: .compensation_id} ),
	( [$cs[] | select(.kind == "one_time" and key(.) != null and .effective_from >= $start)
	   | {y: (.effective_from[0:4] | tonumber), m: (.effective_from[5:7] | tonumber), k: key(.), c: .}]
	  | group_by([.y, .m, .k])[]
	  | base("loket.variable_input"; $p) + {year: .[0].y, period: .[0].m, payroll_component_key: .[0].k,
		value: (map(.c.amount | tonumber) | add), compensation_ids: map(.c.compensation_id)} );
foreach (inputs, {type: "_eof"}) as $r ({people: {}, order: [], comps: {}, rest: [], out: null};
	if .out then {people: {}, order: [], comps: {}, rest: [], out: null} else . end
	| if $r.type == "stream_end" or $r.type == "_eof" then .out = true | .rest += [$r | select(.type != "_eof")]
	  elif $r.type == "person" then .people[$r.personio_id] = $r | .order += [$r.personio_id]
	  elif $r.type == "compensation" then
		(if $r.currency == "EUR" then .comps[$r.personio_id] += [$r] else . end)
	  else .rest += [$r] end;
	select(.out) | . as $b | ($b.order[] | person($b.people[.]; $b.comps[.] // [])), $b.rest[])
