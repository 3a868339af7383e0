/* lp_vec.c - see lp_vec.h */
#include "lp_vec.h"
#include "lp_cli.h"

void lp_vec_grow_(void **v, size_t *cap, size_t elem)
{
	size_t n = *cap ? *cap * 2 : 8;
	*v = lp_xrealloc(*v, n * elem);
	*cap = n;
}
