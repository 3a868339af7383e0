/* lp_iset.h - a set of 64-bit integers (open addressing, linear probing), for keys made of
 * numbers (an index and a month: (uint64_t)i << 32 | m) where lp_map would format a string
 * per key. Zeroed to start (LP_ISET_INIT); no allocation until the first add. */
#ifndef LP_ISET_H
#define LP_ISET_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
	uint64_t *slot; /* key + 1; 0 is empty */
	size_t n, cap;  /* cap a power of two (or 0) */
} lp_iset;

#define LP_ISET_INIT {NULL, 0, 0}

/* 1 when key was added, 0 when it was there already. Keys up to UINT64_MAX - 1. */
int lp_iset_add(lp_iset *s, uint64_t key);
int lp_iset_has(const lp_iset *s, uint64_t key);
void lp_iset_free(lp_iset *s);

#endif
