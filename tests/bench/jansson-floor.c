/* tests/bench/jansson-floor.c - the library's floor for issue 16: read NDJSON lines, json_loadb
 * each (the flags lp_json_loadb passes), json_dumpb it compact into one reusable buffer and
 * fwrite the line (as lp_out does), free. No checks, no pre-scan. `make bench` builds it with
 * the Makefile's flags (`make BUILD/bench/jansson-floor`) and times it in section 3; by hand:
 *   cc -O2 -g -fno-omit-frame-pointer -o jansson-floor tests/bench/jansson-floor.c -ljansson
 *   ./jansson-floor <in.ndjson >/dev/null */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long recs = 0;
	char *obuf = NULL;
	size_t ocap = 0;
	/* 64 KiB buffers, as lp_ndjson reads (gzbuffer) and stdout writes: no syscall per 4 KiB */
	setvbuf(stdin, NULL, _IOFBF, 1 << 16);
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	while ((n = getline(&line, &cap, stdin)) > 0) {
		json_error_t err;
		if (line[n - 1] == '\n')
			n--;
		json_t *j = json_loadb(line, (size_t)n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
		if (!j)
			continue;
		size_t k = json_dumpb(j, obuf, ocap, JSON_COMPACT);
		if (k + 1 > ocap) {
			ocap = (k + 1) * 2;
			obuf = realloc(obuf, ocap);
			if (!obuf)
				return 1;
			k = json_dumpb(j, obuf, ocap, JSON_COMPACT);
		}
		obuf[k] = '\n';
		fwrite(obuf, 1, k + 1, stdout);
		json_decref(j);
		recs++;
	}
	free(line);
	free(obuf);
	fprintf(stderr, "%ld records\n", recs);
	return 0;
}
