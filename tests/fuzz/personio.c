/* personio.c - libFuzzer harness: the reader of Personio's answers (lib/lp_personio), with the
 * acme sample configuration (samples/acme.json).
 *
 * The input is one v1 employee or one v2 compensation item as JSON. Properties: a person or
 * compensation record, when made, is a JSON object of its type that serialises and reads back
 * the same; whatever cannot be read is an issue record (each one an object with a rule).
 */
#include "fuzz.h"
#include "lp_cli.h"
#include "lp_config.h"
#include "lp_json.h"
#include "lp_personio.h"

static lp_config *cfg;

static void record_ok(const json_t *r, const char *type)
{
	FUZZ_CHECK(json_is_object(r));
	const char *t = lp_json_str(r, "type");
	FUZZ_CHECK(t && !strcmp(t, type));
	char *s = lp_json_dumps(r);
	json_t *back = lp_json_loadb(s, strlen(s), NULL);
	FUZZ_CHECK(back && json_equal(back, r));
	json_decref(back);
	free(s);
}

static void issues_ok(const json_t *issues)
{
	size_t i;
	json_t *v;
	json_array_foreach(issues, i, v) record_ok(v, "issue");
}

static void setup(void)
{
	cfg = lp_config_load(FUZZ_ROOT "/samples/acme.json");
	if (!cfg)
		abort();
}

FUZZ_INIT("fuzz-personio", setup())

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *it = lp_json_loadb((const char *)data, size, NULL);
	if (!it)
		return 0;
	char buf[64];
	json_t *issues = json_array();
	(void)lp_personio_employee_id(it, buf, sizeof buf);
	json_t *p = lp_personio_person(cfg, it, "fuzz", issues);
	if (p)
		record_ok(p, "person");
	json_decref(p);
	int seen[LP_A__COUNT] = {0};
	lp_personio_check_attributes(cfg, it, seen, issues);
	(void)lp_personio_compensation_person(it, buf, sizeof buf);
	json_t *c = lp_personio_compensation(cfg, it, "fuzz", issues);
	if (c)
		record_ok(c, "compensation");
	json_decref(c);
	issues_ok(issues);
	json_decref(issues);
	json_decref(it);
	return 0;
}
