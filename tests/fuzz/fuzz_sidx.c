/* libFuzzer target: the sidx box parser. */
#include "manifest/sidx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mf_sidx sx;
    /* the offset comes from the input too, so large anchors are explored */
    uint64_t offset = size ? (uint64_t)data[0] << 56 >> (data[0] & 63) : 0;
    if (mf_sidx_parse(data, size, offset, &sx, NULL) == HASP_OK)
        mf_sidx_free(&sx);
    return 0;
}
