/* RFC 3986 reference resolution. */
#ifndef HASP_MANIFEST_URL_H
#define HASP_MANIFEST_URL_H

/* Resolve ref against base (section 5.2): a malloc'd absolute URL, or NULL
 * when out of memory. An absolute ref is returned normalised; base may be
 * NULL or relative, in which case the result is as absolute as it can be. */
char *mf_url_resolve(const char *base, const char *ref);

#endif
