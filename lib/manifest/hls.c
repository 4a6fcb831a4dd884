#include "manifest/internal.h"
#include "core/error.h"
hasp_err mf_hls_parse(const mf_loader *ld, const char *data, size_t len, const char *url,
                      mf_presentation **out, char *errbuf)
{
    return hs_fail(errbuf, HASP_ERR_UNSUPPORTED, "HLS: not implemented yet");
}
hasp_err mf_hls_load_media(const mf_loader *ld, mf_quality *q, char *errbuf)
{
    return hs_fail(errbuf, HASP_ERR_UNSUPPORTED, "HLS: not implemented yet");
}
