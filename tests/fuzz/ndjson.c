/* ndjson.c - libFuzzer harness: the NDJSON record reader (lib/lp_ndjson) on plain and gzip input.
 *
 * The first byte chooses: odd, the rest is gzip-compressed here first (so the fuzzer reaches the
 * records inside a good gzip stream); even, the rest is the file as it is (a broken gzip stream,
 * a plain one, a mix). Every record lp_in_next returns is a JSON object with a string "type",
 * and its raw text (lp_in_raw) reads back to the same record.
 */
#include "fuzz.h"
#include "lp_cli.h"
#include "lp_json.h"
#include "lp_ndjson.h"

#include <zlib.h>

static uint8_t *gzip(const uint8_t *p, size_t n, size_t *outn)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	size_t cap = deflateBound(&z, n) + 32;
	uint8_t *out = malloc(cap);
	if (!out)
		abort();
	z.next_in = (Bytef *)p;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		abort();
	*outn = cap - z.avail_out;
	deflateEnd(&z);
	return out;
}

FUZZ_INIT("fuzz-ndjson", (void)0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t n = size - 1;
	uint8_t *z = NULL;
	const uint8_t *body = data + 1;
	if (data[0] & 1)
		body = z = gzip(data + 1, size - 1, &n);
	char path[64];
	int fd = fuzz_memfd(body, n, path, sizeof path);
	char *paths[] = {path};
	lp_in *in = lp_in_open(paths, 1);
	json_t *rec;
	int rc;
	while ((rc = lp_in_next(in, &rec)) == 1) {
		FUZZ_CHECK(json_is_object(rec));
		FUZZ_CHECK(json_is_string(json_object_get(rec, "type")));
		size_t len;
		const char *raw = lp_in_raw(in, &len);
		json_t *again = lp_json_loadb(raw, len, NULL);
		FUZZ_CHECK(again && json_equal(again, rec));
		json_decref(again);
		json_decref(rec);
	}
	if (rc < 0)
		FUZZ_CHECK(lp_in_error(in) == LP_EXIT_DATA || lp_in_error(in) == LP_EXIT_IO);
	lp_in_close(in);
	close(fd);
	free(z);
	return 0;
}
