/* lp_sha256.h - SHA-256 (FIPS 180-4), for the content hashes of payroll documents.
 *
 * Written here rather than taken from OpenSSL: one small, tested function is all the project
 * needs, and the dependency would be much larger than the code (tests/lib.bats checks the
 * NIST example vectors).
 */
#ifndef LP_SHA256_H
#define LP_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
	uint32_t h[8];
	uint64_t bytes;
	unsigned char buf[64];
	size_t nbuf;
} lp_sha256_ctx;

void lp_sha256_init(lp_sha256_ctx *c);
void lp_sha256_update(lp_sha256_ctx *c, const void *p, size_t n);
/* The digest into out (32 bytes); the context must be initialised again before reuse. */
void lp_sha256_final(lp_sha256_ctx *c, unsigned char out[32]);
/* The digest of p as 64 lower-case hex digits and a NUL. */
void lp_sha256_hex(const void *p, size_t n, char out[65]);
/* A finished digest as hex (out: 65 bytes). */
void lp_sha256_tohex(const unsigned char d[32], char out[65]);

#endif
