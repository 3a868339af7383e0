/* journal-export.c - libFuzzer harness: journal-export's input (its record readers, the whole
 * program compiled in here with main renamed), in the ndjson format to standard output.
 *
 * The input is the NDJSON file journal-export reads (journal.line, journal.entry, issue and
 * stream_end records). Property: bad input ends the program only with exit status 1, 3 or 5
 * (findings, bad input, incomplete input) and never with a crash; a run to its end returns
 * 0 or 1. exit() is caught (FUZZ_WRAP_EXIT) and the program's state reset for the next input.
 */
#include "fuzz.h"

#define main journal_export_main
#include "../../filters/journal-export/main.c"
#undef main

/* mark.c is not compiled in: without -c the program never marks (a -c run needs a Loket) */
int je_mark_run(const struct je_mark_opts *mo, je_outputs *outs)
{
	(void)mo, (void)outs;
	abort();
}

/* the program's state back to the start; freed first when main did not free it (it frees on
 * its normal way out, not where it exits with a message nor on an input error: status 3) */
/* The reader and the record in hand when the program exits: linked with --wrap for lp_in_open,
 * lp_in_next and lp_in_close, so that an exit in the middle leaks neither. */
static lp_in *live_in;
static json_t *live_rec;
lp_in *__real_lp_in_open(char *const *paths, int n);
int __real_lp_in_next(lp_in *in, json_t **rec);
void __real_lp_in_close(lp_in *in);
lp_in *__wrap_lp_in_open(char *const *paths, int n);
int __wrap_lp_in_next(lp_in *in, json_t **rec);
void __wrap_lp_in_close(lp_in *in);
lp_in *__wrap_lp_in_open(char *const *paths, int n)
{
	return live_in = __real_lp_in_open(paths, n);
}
int __wrap_lp_in_next(lp_in *in, json_t **rec)
{
	live_rec = NULL; /* the one before was dropped at the end of the loop's body */
	int rc = __real_lp_in_next(in, rec);
	if (rc == 1)
		live_rec = *rec;
	return rc;
}
void __wrap_lp_in_close(lp_in *in)
{
	live_in = NULL;
	live_rec = NULL;
	__real_lp_in_close(in);
}

static void reset(int freed)
{
	if (!freed)
		je_free_all();
	if (fuzz_exit_code >= 0) {
		json_decref(live_rec);
		if (live_in)
			__real_lp_in_close(live_in);
	}
	live_in = NULL;
	live_rec = NULL;
	/* main frees and clears these on its normal way out only (not at an exit, nor when it
	 * returns the input's error) */
	for (size_t i = 0; i < main_outs.n; i++)
		free(main_outs.v[i].mem);
	free(main_outs.v);
	free(main_mo.rerun.v);
	memset(&main_outs, 0, sizeof main_outs);
	memset(&main_mo, 0, sizeof main_mo);
	memset(&runs, 0, sizeof runs);
	memset(&passed, 0, sizeof passed);
	client = bk_admin = NULL;
	have_client = have_bk = any_xaf = 0;
	out = NULL;
	werr = 0;
	optind = 0; /* getopt_long from the start again */
}

FUZZ_INIT("fuzz-journal-export", (void)0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	int fd = fuzz_memfd(data, size, path, sizeof path);
	char prog[] = "journal-export", f[] = "--format", nd[] = "ndjson", asof[] = "--as-of", day[] = "2026-11-15";
	char *argv[] = {prog, f, nd, asof, day, path, NULL};
	int rc = -1;
	FUZZ_CATCH_EXIT(rc = journal_export_main(6, argv));
	if (fuzz_exit_code >= 0)
		FUZZ_CHECK(fuzz_exit_code == LP_EXIT_FINDINGS || fuzz_exit_code == LP_EXIT_DATA ||
			   fuzz_exit_code == LP_EXIT_REMOTE);
	else
		FUZZ_CHECK(rc == LP_EXIT_OK || rc == LP_EXIT_FINDINGS || rc == LP_EXIT_DATA);
	fflush(stdout);
	reset(fuzz_exit_code < 0 && rc != LP_EXIT_DATA);
	close(fd);
	return 0;
}
