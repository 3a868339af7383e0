/* pool.c - jansson's small blocks kept for reuse. diff-loket parses a tree per record and frees
 * it at once (no tree is held): glibc keeps only 7 freed blocks of a size at hand (its tcache),
 * the rest go to its bins, and taking them back from a heap of 80 MB misses the cache. Up to
 * POOL_MAX freed blocks of each small size wait here instead (a few MB at most), for the next
 * record's tree. The blocks are glibc's own: free() may free any of them, so a switch of
 * jansson's allocator later (lp_secret's wiping free) is safe. */
#include <malloc.h>
#include <stdlib.h>

#include <jansson.h>

#include "diff.h"
#include "lp_cli.h"

#if defined(__SANITIZE_ADDRESS__)
#define POOL_OFF 1 /* the sanitizer sees every use after free only when every free is real */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_OFF 1
#endif
#endif

#define POOL_CLASSES 16 /* usable sizes 24, 40, ..., 264 bytes: glibc's chunk sizes */
#define POOL_MAX 1024

static void *head[POOL_CLASSES];
#ifndef POOL_OFF
static unsigned count[POOL_CLASSES];

static void *pool_malloc(size_t n)
{
	size_t k = n <= 24 ? 0 : (n - 24 + 15) / 16; /* every block of class k holds 24 + 16 k bytes */
	if (k < POOL_CLASSES && head[k]) {
		void *p = head[k];
		head[k] = *(void **)p;
		count[k]--;
		return p;
	}
	void *p = malloc(n ? n : 1);
	if (!p)
		lp_oom();
	return p;
}

static void pool_free(void *p)
{
	if (!p)
		return;
	size_t u = malloc_usable_size(p);
	size_t k = u < 24 ? POOL_CLASSES : (u - 24) / 16;
	if (k < POOL_CLASSES && count[k] < POOL_MAX) {
		*(void **)p = head[k];
		head[k] = p;
		count[k]++;
		return;
	}
	free(p);
}

#endif

void pool_init(void)
{
#ifndef POOL_OFF
	json_set_alloc_funcs(pool_malloc, pool_free);
#endif
}

void pool_drain(void)
{
	for (size_t k = 0; k < POOL_CLASSES; k++)
		while (head[k]) {
			void *p = head[k];
			head[k] = *(void **)p;
			free(p);
		}
}
