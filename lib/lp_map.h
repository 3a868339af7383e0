/* lp_map.h - a string-keyed hash map (open addressing, FNV-1a), for joins and
 * de-duplication without nested loops. Keys are copied; values are the caller's. */
#ifndef LP_MAP_H
#define LP_MAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct lp_map lp_map;

lp_map *lp_map_new(void);
void lp_map_free(lp_map *m, void (*free_value)(void *));
/* Insert or replace; returns the previous value (or NULL). */
void *lp_map_put(lp_map *m, const char *key, void *value);
/* Returns 1 and sets *value when present, else 0. value may be NULL. */
int lp_map_get(const lp_map *m, const char *key, void **value);
/* Adds key when absent: 1 if it was added, 0 if it was there already. */
int lp_map_add(lp_map *m, const char *key);
size_t lp_map_size(const lp_map *m);

/* 64-bit FNV-1a of a string: the map's hash, also used for stable file names. */
uint64_t lp_hash_str(const char *s);

#endif
