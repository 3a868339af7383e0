/* hours-csv.c - libFuzzer harness: the hours CSV reader of hours-from-csv (its file reader
 * one_file(), compiled in here), with the acme sample configuration (samples/acme.json:
 * columns Personeelsnummer;Datum;Code;Uren, either delimiter and decimal mark).
 *
 * Property: a file never ends the program (a bad row is an issue record, a file that cannot
 * be read exit status 3 from one_file), and one_file's status is 0, 1 or 3. The records go
 * to standard output (closed by the run: -close_fd_mask).
 */
#include "fuzz.h"

#define main hours_from_csv_main
#include "../../filters/hours-from-csv.c"
#undef main

static lp_config *cfg;

static void setup(void)
{
	cfg = lp_config_load(FUZZ_ROOT "/samples/acme.json");
	if (!cfg)
		abort();
}

FUZZ_INIT("fuzz-hours-csv", setup())

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	int fd = fuzz_memfd(data, size, path, sizeof path);
	int rc = one_file(cfg, path);
	FUZZ_CHECK(rc == LP_EXIT_OK || rc == LP_EXIT_FINDINGS || rc == LP_EXIT_DATA);
	close(fd);
	return 0;
}
