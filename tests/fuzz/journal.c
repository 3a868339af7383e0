/* journal.c - libFuzzer harness: push-loket's journal reader (lib/lp_journal, lp_journal_check),
 * which decides what a resumed run sends again.
 *
 * The input is the journal's lines without their CRCs: the harness gives every line that ends
 * in '}' the CRC of its own text (as lp_crcline_of does), so that the fuzzer reaches the checks
 * behind the CRC (header, plan, op ids, seqs, states) and not only the CRC. The plan has the ops
 * op-1..op-4 with seqs 1..4. Properties: the answer is 0, 3 (damaged) or 4 (another plan,
 * client or Loket); on 0 every state is of an op of the plan and one of sent, done, failed, and
 * a created id is only recorded with a done line's op.
 */
#include "fuzz.h"
#include "lp_cli.h"
#include "lp_journal.h"
#include "lp_map.h"

#include <stdint.h>
#include <zlib.h>

static lp_map *plan;

static void setup(void)
{
	plan = lp_map_new();
	lp_map_put(plan, "op-1", (void *)(intptr_t)1);
	lp_map_put(plan, "op-2", (void *)(intptr_t)2);
	lp_map_put(plan, "op-3", (void *)(intptr_t)3);
	lp_map_put(plan, "op-4", (void *)(intptr_t)4);
}

FUZZ_INIT("fuzz-journal", setup())

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return 0;
	/* each line "{...}" becomes "{...,"crc":"XXXXXXXX"}" */
	size_t cap = size + (size / 2 + 1) * 20 + 32, o = 0;
	char *buf = malloc(cap);
	if (!buf)
		abort();
	const char *p = (const char *)data, *end = p + size;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (n >= 2 && p[n - 1] == '}' && o + n + 20 < cap) {
			memcpy(buf + o, p, n - 1);
			unsigned long crc = crc32(crc32(0L, Z_NULL, 0), (const Bytef *)p, (uInt)(n - 1));
			o += n - 1;
			o += (size_t)snprintf(buf + o, cap - o, ",\"crc\":\"%08lx\"}", crc);
		} else if (o + n < cap) {
			memcpy(buf + o, p, n);
			o += n;
		}
		if (nl && o + 1 < cap)
			buf[o++] = '\n';
		p = nl ? nl + 1 : end;
	}
	lp_map *state = lp_map_new(), *ids = lp_map_new();
	size_t kept = 0;
	int rc = lp_journal_check(buf, o, "acme", "plan-1", "http://loket/v2 pa-1", plan, state, ids, &kept, 1, "fuzz");
	FUZZ_CHECK(rc == 0 || rc == LP_EXIT_DATA || rc == LP_EXIT_CONFIG);
	FUZZ_CHECK(kept <= o);
	if (rc == 0) {
		static const char *ops[] = {"op-1", "op-2", "op-3", "op-4"};
		size_t seen = 0;
		for (int i = 0; i < 4; i++) {
			void *v;
			if (lp_map_get(state, ops[i], &v)) {
				seen++;
				FUZZ_CHECK((intptr_t)v - 1 >= LP_J_SENT && (intptr_t)v - 1 <= LP_J_FAILED);
			}
			if (lp_map_get(ids, ops[i], &v))
				FUZZ_CHECK(lp_map_get(state, ops[i], &v));
		}
		FUZZ_CHECK(seen == lp_map_size(state));
	}
	lp_map_free(state, NULL);
	lp_map_free(ids, free);
	free(buf);
	return 0;
}
