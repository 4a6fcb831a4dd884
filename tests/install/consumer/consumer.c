/* A program outside the tree, built against the installed library. */
#include <hasp/hasp.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    hasp_session *s = NULL;
    if (hasp_session_new(&s) != HASP_OK)
        return 1;
    int ok = hasp_session_set(s, "max_buffer", "12") == HASP_OK
          && hasp_session_set(s, "no_such_option", "1") == HASP_ERR_INVALID
          && strstr(hasp_session_error(s), "no_such_option") != NULL
          && hasp_session_open(s, NULL) == HASP_ERR_INVALID;
    hasp_session_free(s);
    if (!ok)
        return 1;
    printf("hasp consumer ok %s\n", hasp_version());
    return 0;
}
