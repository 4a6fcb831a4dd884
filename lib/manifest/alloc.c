/* Allocation helpers shared by the parsers. */
#include "manifest/internal.h"

#include <stdlib.h>
#include <string.h>

char *mf_strndup(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *mf_strdup(const char *s) { return s ? mf_strndup(s, strlen(s)) : NULL; }

void *mf_grow(void **arr, size_t *n, size_t size)
{
    /* Capacity is the next power of two, so the count alone tells when to
     * reallocate and arrays stay a plain pointer plus a count. */
    size_t cap = 1;
    while (cap < *n)
        cap *= 2;
    if (*n == cap || *n == 0) {
        size_t want = *n == 0 ? 1 : cap * 2;
        if (want > SIZE_MAX / size)
            return NULL;
        void *p = realloc(*arr, want * size);
        if (!p)
            return NULL;
        *arr = p;
    }
    char *slot = (char *)*arr + *n * size;
    memset(slot, 0, size);
    (*n)++;
    return slot;
}

void mf_strv_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}
