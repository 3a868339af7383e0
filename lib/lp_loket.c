/* lp_loket.c - see lp_loket.h */
#include "lp_loket.h"
#include "lp_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Labels that name the same option; the first of each group is the one loketpipe writes. */
static const char *const synonyms[][5] = {
	{"Man", "Male", "Mannelijk", NULL},
	{"Vrouw", "Female", "Vrouwelijk", NULL},
	{"Periodeloon", "Periodiek", "Periodiek loon", "periodic", NULL},
	{"Uurloon", "Uur", "hourly", NULL},
	{"Betaling", "Payment", NULL},
	{"Inhouding", "Deduction", NULL},
};
enum { SYN_MAN, SYN_VROUW, SYN_PERIODIC, SYN_HOURLY, SYN_PAYMENT, SYN_DEDUCTION, SYN__COUNT };

static int group_of(const char *label)
{
	for (int g = 0; label && g < SYN__COUNT; g++)
		for (int i = 0; synonyms[g][i]; i++)
			if (!strcasecmp(label, synonyms[g][i]))
				return g;
	return -1;
}

int lp_loket_label_eq(const char *a, const char *b)
{
	if (!a || !b)
		return 0;
	if (!strcasecmp(a, b))
		return 1;
	int g = group_of(a);
	return g >= 0 && g == group_of(b);
}

const char *lp_loket_gender_label(const char *g)
{
	if (!g)
		return NULL;
	if (!strcasecmp(g, "male") || !strcasecmp(g, "m") || !strcasecmp(g, "man"))
		return synonyms[SYN_MAN][0];
	if (!strcasecmp(g, "female") || !strcasecmp(g, "f") || !strcasecmp(g, "vrouw"))
		return synonyms[SYN_VROUW][0];
	return NULL;
}

int lp_loket_option_key(const json_t *options, const json_t *want, json_t **key)
{
	const char *label = lp_json_str(want, "value"), *iso = lp_json_str(want, "isoCode");
	size_t i;
	json_t *o;
	int found = 0;
	if (!label && !iso)
		return 0;
	json_array_foreach(options, i, o) {
		json_t *k = json_object_get(o, "key");
		if (!k || json_is_null(k))
			continue;
		int hit = iso ? lp_json_str(o, "isoCode") && !strcasecmp(iso, lp_json_str(o, "isoCode"))
			      : lp_loket_label_eq(label, lp_json_str(o, "value"));
		if (!hit)
			continue;
		if (found++)
			return -1;
		*key = k;
	}
	return found;
}

int lp_loket_metadata_current(json_t *out, const json_t *answer, const char *resource, char *err, size_t n)
{
	json_t *items = lp_json_arr(answer, "_embedded");
	if (!items) {
		snprintf(err, n, "the answer has the wrong shape (expected _embedded[] of {field, options[]})");
		return -1;
	}
	size_t i, k;
	json_t *it, *opt;
	json_array_foreach(items, i, it) {
		const char *field = lp_json_str(it, "field");
		json_t *opts = lp_json_arr(it, "options");
		if (!field || !*field || !opts) {
			snprintf(err, n, "item %zu: expected {field, options[]}", i + 1);
			return -1;
		}
		json_array_foreach(opts, k, opt) if (!json_is_object(opt) || !json_object_get(opt, "key")) {
			snprintf(err, n, "field %s: option %zu: expected an object with a key", field, k + 1);
			return -1;
		}
		json_array_append_new(out, json_pack("{s:s,s:s,s:O}", "resource", resource, "field", field, "options", opts));
	}
	return 0;
}

const char *lp_loket_option_label(const json_t *o)
{
	return lp_json_str(o, "isoCode") ? lp_json_str(o, "isoCode") : lp_json_str(o, "value");
}

const char *lp_loket_option_labels(const json_t *opts, char *buf, size_t n)
{
	size_t i, used = 0;
	json_t *o;
	buf[0] = '\0';
	json_array_foreach(opts, i, o) {
		const char *v = lp_loket_option_label(o);
		if (i == 8 || used + (v ? strlen(v) : 1) + 8 >= n) {
			snprintf(buf + used, n - used, ", ...");
			break;
		}
		used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? ", " : "", v ? v : "?");
	}
	return opts && buf[0] ? buf : "none";
}

int lp_loket_names_option(const json_t *v)
{
	return json_is_object(v) && !json_object_get(v, "key") &&
	       (json_object_get(v, "value") || json_object_get(v, "isoCode"));
}

json_t *lp_loket_key_object(json_t *key)
{
	return json_pack("{s:O}", "key", key);
}
