/* csv.c - libFuzzer harness: the CSV reader and writer (lib/lp_csv), as hours-from-csv and
 * loket-employees use them.
 *
 * The first byte chooses the options (a fixed ';' or ',', or either by the first line; a
 * byte order mark skipped or not). Properties: rows come with increasing line numbers, and
 * every row read, written with lp_csv_write_row and read again, is the same fields.
 */
#include "fuzz.h"
#include "lp_cli.h"
#include "lp_csv.h"

struct ctx {
	unsigned long last;
	const char *sep; /* the separator the reader found (set before the first row) */
	char **want;     /* re-reading a row written: the fields it must give */
	size_t nwant, rows;
};

static int reread(void *vc, unsigned long line, char **f, size_t n)
{
	struct ctx *c = vc;
	(void)line;
	c->rows++;
	FUZZ_CHECK(n == c->nwant);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(!strcmp(f[i], c->want[i]));
	return 0;
}

static int row(void *vc, unsigned long line, char **f, size_t n)
{
	struct ctx *c = vc;
	FUZZ_CHECK(line >= c->last);
	c->last = line;
	FUZZ_CHECK(n >= 1);
	int blank = n == 1 && !*f[0]; /* a row of one empty field is a blank line: skipped on reading */
	if (blank)
		return 0;
	char *mem = NULL;
	size_t len = 0;
	FILE *w = open_memstream(&mem, &len);
	FUZZ_CHECK(lp_csv_write_row(w, *c->sep, (const char *const *)f, n) == 0);
	fclose(w);
	FILE *r = fmemopen(mem, len, "rb");
	FUZZ_CHECK(*c->sep == ';' || *c->sep == ',');
	struct ctx c2 = {0, c->sep, f, n, 0};
	FUZZ_CHECK(lp_csv_read(r, "again", *c->sep, reread, &c2) == 0);
	FUZZ_CHECK(c2.rows == 1);
	fclose(r);
	free(mem);
	return 0;
}

FUZZ_INIT("fuzz-csv", (void)0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2 || size > 65536)
		return 0;
	static const char seps[] = {';', ',', 0};
	lp_csv_opts o = {.sep = seps[data[0] % 3], .seps = ";,", .bom = (data[0] >> 2) & 1};
	FILE *f = fmemopen((void *)(data + 1), size - 1, "rb");
	if (!f)
		abort();
	char used = 0;
	struct ctx c = {0, &used, NULL, 0, 0};
	lp_csv_read_opts(f, "fuzz", &o, &used, row, &c);
	fclose(f);
	return 0;
}
