/* lp_le.h - what the Loket entity modules share.
 *
 * One module per Loket entity ("le"), lib/lp_le_<entity>.{c,h}: employee, employment, wage,
 * benefit (benefits and deductions), ppd (payroll period data, variable input), concept
 * (concept employees), component (the payroll component catalogue) and comprehensive (the
 * employer's comprehensive employment list, read-only: H4's loket-employees) and audit (the
 * audit trail of employee data, read-only: drift's who and when). Each holds its
 * entity's Loket paths (relative to the API base .../v2, returned malloc'd, one function per
 * path), the request bodies that write it, the "view" records a plan shows (loketpipe's
 * snake_case fields), the "expect" of an op that writes over a record (the record as Loket
 * holds it, in Loket's fields), its comparison, and the identity that recognises an
 * already-applied POST in its collection. Labels and metadata options are lp_loket.h's.
 */
#ifndef LP_LE_H
#define LP_LE_H

#include <jansson.h>

#include "lp_date.h"
#include "lp_money.h"

/* An amount as Loket's request bodies carry it: a JSON number with two decimals ("1234.50"). */
json_t *lp_le_money_num(lp_cents c);
/* An amount as plan views carry it: a string ("1234.50"). */
json_t *lp_le_money_str(lp_cents c);
/* A date as a "YYYY-MM-DD" string. */
json_t *lp_le_date_str(lp_date d);

/* 1 when path is one a plan's op may write to: a Loket path ("/providers/..."), of ids and
 * names only (no "..", %-escapes, spaces, query or fragment), with exactly one placeholder
 * segment "/{name}" (letters only) when placeholder is set (the op needs the id of a record
 * its chain creates), else none. */
int lp_le_path_ok(const char *path, int placeholder);

/* 1 when s is a uuid as Loket writes its ids: 8-4-4-4-12 hex digits (either case). A path
 * built from an id Loket sent checks it first, so no answer can steer a request elsewhere. */
int lp_le_uuid_ok(const char *s);

/* {"citizenServiceNumber": bsn}: the body of a PUT .../citizenservicenumber (employee or
 * concept employee). */
json_t *lp_le_bsn_body(const char *bsn);

/* 1 when item (an entry of the collection a POST went to) is the record body (the POST's
 * body) created: every field of the entity's identity (lp_le_<entity>_identity) present in
 * both and equal. entity is the op's: "wage", "benefit_deduction", "concept_employee",
 * "variable_input"; 0 for any other. */
int lp_le_same_record(const char *entity, const json_t *body, const json_t *item);

/* ---- reading Loket's answers into loket.current.* records (fetch-loket) */

/* Member k of o, copied; null when o has none. */
json_t *lp_le_copy(const json_t *o, const char *k);
/* An amount Loket sent (a JSON number) as the exact decimal string of a record ("1234.50");
 * NULL with err "WHAT: not an amount with at most two decimals" when it is not one. */
json_t *lp_le_money_of(const json_t *v, const char *what, char *err, size_t n);
/* lp_le_money_of, and also NULL with err "WHAT: A is outside MIN .. MAX, the range Loket
 * holds" when the amount lies outside [min, max] (cents; lib/lp_range.h). */
json_t *lp_le_amount_of(const json_t *v, const char *what, lp_cents min, lp_cents max, char *err, size_t n);
/* {key, value} of a metadata object member k of o (null members when absent or of the wrong
 * type); null when o has no object there. */
json_t *lp_le_metadata_of(const json_t *o, const char *k);

#endif
