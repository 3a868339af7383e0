/* lp_vec.h - the one growable array.
 *
 *	LP_VEC(struct wage) wages;          a member or variable: {v, n, cap}, zeroed to start
 *	struct wage *w = LP_VEC_PUSH(&wages); a new last element (not zeroed), the array grown
 *	                                      by doubling when full (exits 7 when out of memory)
 *	free(wages.v);
 *
 * Pointers into v are valid until the next push.
 */
#ifndef LP_VEC_H
#define LP_VEC_H

#include <stddef.h>

#define LP_VEC(T)                                                                                                      \
	struct {                                                                                                       \
		T *v;                                                                                                  \
		size_t n, cap;                                                                                         \
	}

#define LP_VEC_PUSH(a)                                                                                                 \
	((a)->n == (a)->cap ? lp_vec_grow_((void **)&(a)->v, &(a)->cap, sizeof *(a)->v) : (void)0, &(a)->v[(a)->n++])

void lp_vec_grow_(void **v, size_t *cap, size_t elem);

#endif
