/* lp_jalloc.h - jansson's allocator: the trees of input records from an arena.
 *
 * A record read by lp_in_next is a jansson tree of ~60 small blocks (objects, their buckets
 * and members, strings, integers), made at once and, in most filters, freed together soon
 * after. glibc's malloc and free were a fifth of validate's time (doc/profile-16.md). While
 * lp_jalloc_arena_begin() .. _end() is open, jansson's allocations come from 64 KiB chunks by a
 * bump pointer, and a block freed (whenever that is: a node may outlive its record, be moved
 * into another tree, or live to the end) goes onto the free list of its size class (8-byte
 * steps), from which the next block of that size is taken. Nothing is freed early and no
 * block is handed out twice; the chunks are never given back, so the arena's memory is the
 * peak of the live blocks of each size class (a filter holding part of each record, such as
 * diff-loket's current state, reuses the holes its freed records leave).
 * Blocks above 2 KiB, and every allocation outside the window, are glibc's; so is a block no
 * free list holds while the free lists hold more bytes than the live blocks (beyond the first
 * 4 MiB of chunks): a free block serves its own size class only, and a stream whose records
 * each use other sizes would otherwise grow the arena by a record's worth per class.
 *
 * The sanitizer build has no arena (every block is glibc's, so ASan and LeakSanitizer see
 * each one); tests/unit checks the arena itself.
 */
#ifndef LP_JALLOC_H
#define LP_JALLOC_H

#include <stddef.h>

/* Install the functions as jansson's (idempotent; lp_secret_harden at every program's start). */
void lp_jalloc_install(void);
/* From now on every jansson free wipes the block first, arena blocks too (a secret was read). */
void lp_jalloc_wipe(void);
/* The window in which jansson allocates from the arena (not nested). */
void lp_jalloc_arena_begin(void);
void lp_jalloc_arena_end(void);
/* Close the window for a while and say whether it was open; lp_jalloc_arena_resume(was) opens
 * it again if it was. For jansson calls whose result the caller frees with free(): the text of
 * json_dumps (lp_json_dumps, lp_plan_op_id) must be glibc's, never an arena block. */
int lp_jalloc_arena_pause(void);
void lp_jalloc_arena_resume(int was);

/* For tests: the functions themselves, and the live arena blocks / chunks now. */
void *lp_jalloc_malloc(size_t n);
void lp_jalloc_free(void *p);
size_t lp_jalloc_live(void);
size_t lp_jalloc_chunks(void);

#endif
