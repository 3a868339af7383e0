/* top.c - what the report says first: the warning that it is incomplete (what is missing and
 * what to do), then per client its outcome.
 */
#include <stdio.h>
#include <string.h>

#include "report.h"

/* said first: what is missing and what to do */
void warnings(void)
{
	size_t n = gprobs.n;
	for (size_t i = 0; i < order.n; i++)
		n += order.v[i]->probs.n;
	if (!n)
		return;
	tag("<div class=\"incomplete\">\n");
	heading(2, "WARNING: this report is incomplete");
	putf("%sThe run did not finish, or its files were cut off. What follows is what the input holds, not the "
	     "whole run.\n", html ? "" : "  ");
	tag("<ul>\n");
	for (size_t i = 0; i < gprobs.n; i++) {
		tag("<li>");
		putf("%s", html ? "" : "  - ");
		put(gprobs.v[i]);
		tag("</li>");
		putf("\n");
	}
	for (size_t i = 0; i < order.n; i++)
		for (size_t k = 0; k < order.v[i]->probs.n; k++) {
			tag("<li>");
			putf("%sClient %s: ", html ? "" : "  - ", order.v[i]->name);
			put(order.v[i]->probs.v[k]);
			tag("</li>");
			putf("\n");
		}
	tag("</ul>\n</div>\n");
}

/* a client's outcome: validation, the plan, what was pushed */
void summary(const struct client *c)
{
	size_t nops = json_array_size(c->ops), nres = json_array_size(c->results);
	unsigned long out[4] = {0};
	static const char *const names[] = {"applied", "already_applied", "failed", "skipped"};
	size_t i;
	json_t *r;
	json_array_foreach(c->results, i, r) {
		const char *o = str(r, "outcome");
		for (int k = 0; k < 4; k++)
			if (o && !strcmp(o, names[k]))
				out[k]++;
	}
	unsigned long err = 0, warn = 0;
	json_array_foreach(c->issues, i, r) {
		const char *s = str(r, "severity");
		err += s && !strcmp(s, "error");
		warn += s && !strcmp(s, "warning");
	}
	tag("<ul>\n");
	if (incomplete(c)) {
		tag("<li class=\"failed\">");
		putf("%sThis client's input is incomplete: see the warning at the top.", html ? "" : "  ");
		tag("</li>");
		putf("\n");
	}
	if (c->validation) {
		tag("<li>");
		putf("%sAs of %s: validation %s; the run raised %lu error(s) and %lu warning(s).", html ? "" : "  ",
		     str(c->validation, "as_of") ? str(c->validation, "as_of") : "-",
		     json_is_true(json_object_get(c->validation, "blocked")) ? "BLOCKED the sync (E4)" : "passed", err, warn);
		tag("</li>");
		putf("\n");
	}
	if (c->plan) {
		tag("<li>");
		if (json_is_true(json_object_get(c->plan, "blocked")))
			putf("%sNo plan: %s", html ? "" : "  ", str(c->plan, "reason"));
		else if (json_is_integer(json_object_get(c->plan, "ops")))
			putf("%sPlan: %lld change(s).", html ? "" : "  ", (long long)json_integer_value(json_object_get(c->plan, "ops")));
		else
			putf("%sPlan: %zu change(s).", html ? "" : "  ", nops ? nops : nres);
		tag("</li>");
		putf("\n");
	}
	if (nres) {
		tag("<li>");
		/* push-loket's stream_end tells refusals (4xx) from ops Loket kept failing on */
		if (c->refused >= 0 && c->remote >= 0)
			putf("%sPushed to Loket: %lu applied, %lu applied before (resumed run), %lld refused, %lu skipped",
			     html ? "" : "  ", out[0], out[1], c->refused, out[3]);
		else
			putf("%sPushed to Loket, as far as the results go: %lu applied, %lu applied before (resumed run), %lu "
			     "refused or failed, %lu skipped", html ? "" : "  ", out[0], out[1], out[2], out[3]);
		if (c->remote > 0)
			putf(", %lld not made because Loket kept failing", c->remote);
		if (c->not_run > 0)
			putf(", %lld not started", c->not_run);
		putf(".");
		tag("</li>");
		putf("\n");
	} else if (c->requests) {
		tag("<li>");
		putf("%sDry run: %lu request(s) would be sent; nothing was sent to Loket.", html ? "" : "  ", c->requests);
		tag("</li>");
		putf("\n");
	} else if (c->plan && !json_is_true(json_object_get(c->plan, "blocked")) && !incomplete(c) && !c->has_push) {
		tag("<li>");
		putf("%sNothing has been sent to Loket yet (plan only).", html ? "" : "  ");
		tag("</li>");
		putf("\n");
	}
	tag("</ul>\n");
}
