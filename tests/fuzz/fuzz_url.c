/* libFuzzer target: RFC 3986 resolution. Input: base, newline, reference. */
#include <stdlib.h>
#include <string.h>

#include "manifest/url.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    char *nl = strchr(text, '\n');
    const char *ref = "";
    if (nl) {
        *nl = '\0';
        ref = nl + 1;
    }
    char *once = mf_url_resolve(text, ref);
    /* an absolute result resolves to itself with dot segments gone */
    char *twice = once ? mf_url_resolve(once, "") : NULL;
    free(twice);
    free(once);
    free(text);
    return 0;
}
