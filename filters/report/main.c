/* report - a person's summary of a sync run, as text or HTML.
 *
 * Reads what a run produced (validate's issues and validation record, diff-loket's ops,
 * issues and plan record, push-loket's results; any mix, in any order) and writes per client:
 * the outcome, what changed per employee (planned, applied, refused or skipped), Loket's
 * refusals, the warnings and errors with their fixes, the concept employees waiting to be
 * finalised (M2), and who was left out and why; for a documents run (push-documents'
 * document.result records) the documents shared per employee and those not shared, with why;
 * for a journal run (fetch-journal's journal.entry/journal.line, journal-export's journal.export
 * records) each entry as a table to check before booking (journal.c).
 * BSNs and IBANs in any text are masked.
 * It holds the records of the whole input (a report is read by a person: it is small).
 *
 * Completeness: every stage ends a client's stream with a stream_end record (extract-personio
 * "personio", fetch-loket "loket", diff-loket "plan", push-loket "push"; validate and
 * map-compensation pass Personio's on). A file whose stream of a client does not end with one
 * was cut off or written by a program that was stopped; a stream_end with complete:false is a
 * stage that failed remotely; a plan without its plan record, or holding fewer ops than it
 * announces, and a push with ops that have no result are incomplete too. Each is said at the
 * top of the report, the rest is written in full, and the exit status is 5 (a remote failure)
 * or 3 (input that ended early); "No changes" is only said of a complete, unblocked plan.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_cli.h"
#include "lp_map.h"
#include "lp_ndjson.h"
#include "lp_rec.h"
#include "report.h"

static const char usage[] =
	"Usage: report [--html] [--title TEXT] [FILE]...\n"
	"Summarise a sync run for a person: per client a summary (changes by kind, the gross wage\n"
	"per payroll month before and after), what the run destroys in Loket, each change per\n"
	"employee (by name, employee number and Personio id) with its value before and after, what Loket\n"
	"refused, warnings and errors with their fixes, concept employees to finalise (M2) and\n"
	"who was left out and why; for push-documents' output the payroll documents shared per\n"
	"employee, and those not shared and why; for fetch-journal's and journal-export's output each\n"
	"payroll journal entry as a table to check before booking (J1). BSNs and IBANs are masked.\n"
	"\n"
	"      --html          write HTML instead of text\n"
	"      --title TEXT    the report's title (default: loketpipe sync report)\n"
	"  -h, --help          show this help and exit\n"
	"  -V, --version       show the version and exit\n"
	"\n"
	"FILE is NDJSON (validate, diff-loket, push-loket, push-documents, fetch-journal or journal-export\n"
	"output; extract-personio's and fetch-loket's for the names and the wages before the run),\n"
	"'-' or none for standard input, .gz read transparently. An input that ended early, or a stage that failed, is\n"
	"said at the top of the report (what is missing, what to do); the rest is written in full.\n"
	"\n"
	"Exit status: 0 written, the input complete; 2 usage; 3 bad input (nothing written), or the\n"
	"input is incomplete (a file cut off, a plan without its plan record, ops without a result);\n"
	"5 a stage failed remotely (a stream_end with complete:false, e.g. a push Loket stopped);\n"
	"7 I/O. See loketpipe(7).\n";

static lp_map *clients; /* by name */
client_list order;

static struct client *client_for(const char *name)
{
	void *v;
	if (lp_map_get(clients, name, &v))
		return v;
	struct client *c = lp_xmalloc(sizeof *c);
	memset(c, 0, sizeof *c);
	c->name = lp_xstrdup(name);
	c->ops = json_array();
	c->results = json_array();
	c->issues = json_array();
	c->ends = json_array();
	c->docs = json_array();
	c->jentries = json_array();
	c->jlines = json_array();
	c->jexports = json_array();
	c->cwages = json_array();
	c->cemps = json_array();
	c->op_ids = lp_map_new();
	c->refused = c->remote = c->not_run = -1;
	lp_map_put(clients, c->name, c);
	*LP_VEC_PUSH(&order) = c;
	return c;
}

/* record r, read from in (file, in words), to its client; seen: the issues so far */
static void take_record(json_t *r, lp_in *in, const char *file, lp_map *seen)
{
	char w[600];
	snprintf(w, sizeof w, "%s:%lu", lp_in_name(in), lp_in_line(in));
	const char *type = json_string_value(json_object_get(r, "type"));
	struct client *cl = client_for(lp_rec_str(r, "client", 0, w));
	seg_note(cl, file, type, r, lp_in_line(in));
	if (!strcmp(type, "issue")) {
		/* the same issue reaches the report through several stages: once is enough */
		char *key = json_dumps(r, JSON_COMPACT | JSON_SORT_KEYS);
		if (lp_map_add(seen, key))
			json_array_append(cl->issues, r);
		free(key);
	}
	else if (!strcmp(type, "loket.op")) {
		json_array_append(cl->ops, r);
		if (str(r, "op_id"))
			lp_map_put(cl->op_ids, str(r, "op_id"), r);
	}
	else if (!strcmp(type, "loket.result"))
		json_array_append(cl->results, r);
	else if (!strcmp(type, "validation"))
		json_decref(cl->validation), cl->validation = json_incref(r);
	else if (!strcmp(type, "plan"))
		json_decref(cl->plan), cl->plan = json_incref(r);
	else if (!strcmp(type, "stream_end"))
		json_array_append(cl->ends, r);
	else if (!strcmp(type, "loket.request"))
		cl->requests++;
	else if (!strcmp(type, "document.result"))
		json_array_append(cl->docs, r);
	else if (!strcmp(type, "journal.entry"))
		json_array_append(cl->jentries, r);
	else if (!strcmp(type, "journal.line"))
		json_array_append(cl->jlines, r);
	else if (!strcmp(type, "journal.export"))
		json_array_append(cl->jexports, r);
	else if (!strcmp(type, "loket.current.wage"))
		json_array_append(cl->cwages, r);
	else if (!strcmp(type, "loket.current.employment"))
		json_array_append(cl->cemps, r);
	/* fetch-loket's output: its wages are all of Loket's */
	if (!strncmp(type, "loket.current.", 14) ||
	    (!strcmp(type, "stream_end") && str(r, "source") && !strcmp(str(r, "source"), "loket")))
		cl->has_current = 1;
	names_note(cl, type, r);
	json_decref(r);
}

/* the records of one file (name NULL: standard input; file: its name in words), each to its
 * client; 0, or the exit status of bad input */
static int read_file(char **name, const char *file, lp_map *seen)
{
	lp_in *in = lp_in_open(name, name ? 1 : 0);
	unsigned long nrec = 0;
	json_t *r;
	int rc;
	while ((rc = lp_in_next(in, &r)) == 1) {
		nrec++;
		take_record(r, in, file, seen);
	}
	int bad = rc < 0 ? lp_in_error(in) : 0;
	lp_in_close(in);
	if (!bad && !nrec)
		problem(&gprobs, LP_EXIT_DATA,
			"%s holds no records: the stage that writes it did not get that far, or the file was cut off. "
			"Run the sync again.", file);
	return bad;
}

/* the files (none: standard input), one at a time: each must end every client's stream with a
 * stream_end; 0, or the exit status of bad input (the files after it are not read) */
static int read_input(int nfiles, char **files)
{
	lp_map *seen = lp_map_new();
	int bad = 0;
	for (int f = 0; f < (nfiles ? nfiles : 1) && !bad; f++) {
		const char *file = nfiles && strcmp(files[f], "-") ? files[f] : "standard input";
		bad = read_file(nfiles ? files + f : NULL, file, seen);
	}
	lp_map_free(seen, NULL);
	return bad;
}

/* the report: the warning, then each client's sections */
static void write_report(const char *title)
{
	page_begin(title);
	heading(1, title);
	warnings();
	for (size_t i = 0; i < order.n; i++) {
		struct client *cl = order.v[i];
		char *h = lp_xasprintf("Client %s", cl->name);
		tag("<section class=\"client\">\n");
		heading(1, h);
		free(h);
		/* a documents run (push-documents' output) has no plan: its own sections */
		/* a journal run (fetch-journal, journal-export): the entries, those not exported first */
		int docs_only = documents_only(cl), j_only = journal_only(cl);
		if (docs_only)
			documents_summary(cl);
		else if (j_only)
			journal_summary(cl);
		else {
			summary(cl);
			overview(cl);
			destroyed(cl);
		}
		if (j_only)
			journal_refused(cl);
		issues(cl);
		documents(cl);
		journal(cl);
		if (!docs_only && !j_only) {
			changes(cl);
			refusals(cl);
			concepts(cl);
		}
		excluded(cl);
		tag("</section>\n");
	}
	page_end();
}

static void free_all(void)
{
	for (size_t i = 0; i < order.n; i++) {
		struct client *cl = order.v[i];
		json_decref(cl->validation);
		json_decref(cl->plan);
		json_decref(cl->ops);
		json_decref(cl->results);
		json_decref(cl->issues);
		json_decref(cl->ends);
		json_decref(cl->docs);
		json_decref(cl->jentries);
		json_decref(cl->jlines);
		json_decref(cl->jexports);
		json_decref(cl->cwages);
		json_decref(cl->cemps);
		lp_map_free(cl->op_ids, NULL);
		names_free(cl);
		for (size_t k = 0; k < cl->probs.n; k++)
			free(cl->probs.v[k]);
		free(cl->probs.v);
		free(cl->segs.v);
		free(cl->name);
		free(cl);
	}
	for (size_t k = 0; k < gprobs.n; k++)
		free(gprobs.v[k]);
	free(gprobs.v);
	free(order.v);
	lp_map_free(clients, NULL);
}

int main(int argc, char **argv)
{
	lp_init(argv[0]);
	const char *title = lp_report_opts(argc, argv, usage, "loketpipe sync report", &html);
	clients = lp_map_new();
	int bad = read_input(argc - optind, argv + optind);
	if (!bad) { /* nothing is written from bad input */
		for (size_t i = 0; i < order.n; i++)
			check(order.v[i]);
		write_report(title);
	}
	free_all();
	if (bad)
		return bad;
	int oc = lp_out_close();
	return oc ? oc : worst;
}
