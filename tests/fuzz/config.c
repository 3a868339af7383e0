/* config.c - libFuzzer harness: the client configuration reader (lib/lp_config), from a file
 * (an anonymous memory file, so relative paths in it resolve under /proc/self/fd).
 *
 * Properties: a configuration that loads has a client, its mapping entries are the ones
 * lp_config_component answers for, and a document title is always at most 255 bytes.
 */
#include "fuzz.h"
#include "lp_cli.h"
#include "lp_config.h"

FUZZ_INIT("fuzz-config", (void)0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	int fd = fuzz_memfd(data, size, path, sizeof path);
	lp_config *c = lp_config_load(path);
	if (c) {
		FUZZ_CHECK(c->client && *c->client);
		for (size_t i = 0; i < c->compensation.nmap; i++) {
			const lp_mapping *m = &c->compensation.map[i];
			FUZZ_CHECK(lp_config_component(c, m->type_id, 0) == m->payment);
			FUZZ_CHECK(lp_config_component(c, m->type_id, 1) == (m->pair ? m->deduction : m->payment));
		}
		for (int y = 0; y < 2; y++)
			for (int n = 0; n < 3; n++) {
				char *t = lp_config_doc_title(c, y, n, 2026, 11);
				FUZZ_CHECK(t && strlen(t) <= 255);
				free(t);
			}
		(void)lp_config_hour_component(c, "WORK");
		(void)lp_config_hours_skip(c, 101);
		lp_config_free(c);
	}
	close(fd);
	return 0;
}
