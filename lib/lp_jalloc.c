/* lp_jalloc.c - see lp_jalloc.h */
#include "lp_jalloc.h"
#include "lp_cli.h"
#include "lp_secret.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LP_JALLOC_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(LP_JALLOC_ASAN)
#define LP_JALLOC_ARENA 0
#else
#define LP_JALLOC_ARENA 1
#endif

#define CHUNK_BITS 16
#define CHUNK ((size_t)1 << CHUNK_BITS) /* 64 KiB, aligned to its size */
#define ARENA_MAX 2048                  /* larger blocks are glibc's */
/* A free block serves only its own size class, so a stream whose records each use other sizes
 * (record k: blocks of 8k bytes) would keep a record's worth per class, 257 of them, without a
 * bound (found by tests/review-json.bats: 572 MB for records of 4 MB, glibc 12 MB). So beyond
 * MIN_CHUNKS (4 MiB) the arena takes no new chunk while its free lists hold more bytes than its
 * live blocks: such a block is glibc's (which coalesces), and the arena stays within about
 * twice the most ever live in it. A filter that holds part of each record (diff-loket's
 * current state) has few free bytes against many live ones and keeps its arena. */
#define MIN_CHUNKS 64
static size_t live_bytes, free_bytes; /* of the arena's blocks, by their size classes */

/* a chunk: blocks of [size_t size][size bytes, rounded up to 8], handed out by a bump pointer;
 * a freed block goes onto the free list of its size class and is handed out again from there */
#define CLASSES (ARENA_MAX / 8 + 1)

struct freeblk {
	struct freeblk *next;
};

static int installed, wiping, window;
static void (*under_free)(void *) = free;
static char *cur;        /* the chunk being filled */
static size_t cur_used;  /* bytes of it in use */
static struct freeblk *freelist[CLASSES];
static size_t live_total, nchunks;

/* which 64 KiB pieces of the address space are chunks: two levels over bits 16..47 */
static uint64_t *chunk_map[1u << 16];

static int is_chunk(uintptr_t base)
{
	uint64_t *m = chunk_map[(base >> 32) & 0xFFFF];
	unsigned i = (unsigned)((base >> CHUNK_BITS) & 0xFFFF);
	return m && (m[i >> 6] >> (i & 63) & 1);
}

static void mark_chunk(uintptr_t base)
{
	uint64_t **m = &chunk_map[(base >> 32) & 0xFFFF];
	if (!*m && !(*m = calloc(1u << 10, sizeof **m)))
		lp_oom();
	unsigned i = (unsigned)((base >> CHUNK_BITS) & 0xFFFF);
	(*m)[i >> 6] |= (uint64_t)1 << (i & 63);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		lp_oom(); /* out of memory is exit 7, never a parse error */
	return p;
}

void *lp_jalloc_malloc(size_t n)
{
	if (!LP_JALLOC_ARENA || !window || n > ARENA_MAX)
		return xmalloc(n);
	size_t cls = n ? (n + 7) / 8 : 1, need = sizeof(size_t) + cls * 8; /* room for a free list link */
	char *b;
	if (freelist[cls]) {
		b = (char *)freelist[cls] - sizeof(size_t);
		freelist[cls] = freelist[cls]->next;
		free_bytes -= cls * 8;
	} else {
		if (!cur || cur_used + need > CHUNK) {
			if (nchunks >= MIN_CHUNKS && free_bytes > live_bytes)
				return xmalloc(n);
			void *p;
			if (posix_memalign(&p, CHUNK, CHUNK))
				lp_oom();
			mark_chunk((uintptr_t)p);
			nchunks++;
			cur = p;
			cur_used = 0;
		}
		b = cur + cur_used;
		cur_used += need;
	}
	*(size_t *)b = n;
	live_total++;
	live_bytes += cls * 8;
	return b + sizeof(size_t);
}

void lp_jalloc_free(void *p)
{
	if (!p)
		return;
	uintptr_t base = (uintptr_t)p & ~(uintptr_t)(CHUNK - 1);
	if (!LP_JALLOC_ARENA || !nchunks || !is_chunk(base)) {
		under_free(p);
		return;
	}
	size_t n = ((size_t *)p)[-1], cls = n ? (n + 7) / 8 : 1;
	if (wiping)
		explicit_bzero(p, n);
	struct freeblk *f = p;
	f->next = freelist[cls];
	freelist[cls] = f;
	live_total--;
	live_bytes -= cls * 8;
	free_bytes += cls * 8;
}

void lp_jalloc_install(void)
{
	if (installed)
		return;
	installed = 1;
	json_set_alloc_funcs(lp_jalloc_malloc, lp_jalloc_free);
}

void lp_jalloc_wipe(void)
{
	lp_jalloc_install();
	wiping = 1;
	under_free = lp_secret_wipe_free;
}

void lp_jalloc_arena_begin(void)
{
	lp_jalloc_install();
	window = 1;
}

void lp_jalloc_arena_end(void) { window = 0; }

int lp_jalloc_arena_pause(void)
{
	int was = window;
	window = 0;
	return was;
}

void lp_jalloc_arena_resume(int was) { window = was; }

size_t lp_jalloc_live(void) { return live_total; }
size_t lp_jalloc_chunks(void) { return nchunks; }
