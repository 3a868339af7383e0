/* crcline.c - libFuzzer harness: CRC-checked log lines (lib/lp_crcline: push-loket's journal,
 * fetch-documents' index, push-documents' ledger).
 *
 * Properties:
 *   - lp_crcline_scan keeps exactly the bytes up to the last newline, hands every complete
 *     line over once (an object, or NULL with a reason), and a line it accepts passes
 *     lp_crcline_ok;
 *   - round trip: every object it accepts, and the input itself when it is a JSON object
 *     without "crc", written with lp_crcline_of is one line that scans back to the same object,
 *     and a flipped bit anywhere in that line is found.
 */
#include "fuzz.h"
#include "lp_cli.h"
#include "lp_crcline.h"
#include "lp_json.h"

struct ctx {
	unsigned long lines;
	json_t *got;
};

static int one(json_t *obj, const char *why, unsigned long line, void *vc)
{
	struct ctx *c = vc;
	FUZZ_CHECK(line == ++c->lines);
	FUZZ_CHECK((obj == NULL) == (why != NULL));
	if (obj) {
		FUZZ_CHECK(json_is_object(obj) && !json_object_get(obj, "crc"));
		if (!c->got)
			c->got = json_deep_copy(obj);
	}
	return 0;
}

static void round_trip(const json_t *obj, uint8_t flip)
{
	if (!json_object_size(obj) || json_object_get(obj, "crc"))
		return;
	size_t n;
	char *line = lp_crcline_of(json_deep_copy(obj), &n);
	FUZZ_CHECK(n > 0 && line[n - 1] == '\n' && memchr(line, '\n', n) == line + n - 1);
	FUZZ_CHECK(lp_crcline_ok(line, n - 1) == 0);
	struct ctx c = {0, NULL};
	size_t kept;
	FUZZ_CHECK(lp_crcline_scan(line, n, &kept, one, &c) == 0);
	FUZZ_CHECK(kept == n && c.lines == 1 && c.got && json_equal(c.got, obj));
	json_decref(c.got);
	size_t at = flip % (n - 1);
	line[at] ^= (char)(1u << (flip % 8));
	FUZZ_CHECK(lp_crcline_ok(line, n - 1) != 0);
	free(line);
}

FUZZ_INIT("fuzz-crcline", (void)0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct ctx c = {0, NULL};
	size_t kept = 0;
	FUZZ_CHECK(lp_crcline_scan(buf, size, &kept, one, &c) == 0);
	size_t want = size;
	while (want > 0 && buf[want - 1] != '\n')
		want--;
	FUZZ_CHECK(kept == want);
	unsigned long nl = 0;
	for (size_t i = 0; i < want; i++)
		nl += buf[i] == '\n';
	FUZZ_CHECK(c.lines == nl);
	uint8_t flip = size ? data[size - 1] : 0;
	if (c.got) {
		round_trip(c.got, flip);
		json_decref(c.got);
	}
	json_t *j = lp_json_loadb(buf, size, NULL);
	if (json_is_object(j))
		round_trip(j, flip);
	json_decref(j);
	return 0;
}
