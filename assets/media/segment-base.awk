# Turn the MPD that FFmpeg's dashenc writes with -single_file 1 into an on-demand MPD
# addressed with SegmentBase.
#
# Why: dashenc (FFmpeg 5.1) always describes a single file per Representation as a
# SegmentList of byte ranges; it has no option to write SegmentBase. The file itself
# already has what SegmentBase needs (ftyp+moov, then one global sidx when muxed with
# -global_sidx 1), so only the addressing element in the MPD has to change.
#
# Input variable (set with awk -v):
#   ranges  "ID:INIT_END:INDEX_START:INDEX_END ..."  one entry per Representation id;
#           INIT_END is the last byte of ftyp+moov, INDEX_* the byte range of the sidx.
#
# Output: the same MPD with every <SegmentList>...</SegmentList> replaced by
#   <SegmentBase indexRange="INDEX_START-INDEX_END" indexRangeExact="true">
#       <Initialization range="0-INIT_END" />
#   </SegmentBase>
# and the profile and AdaptationSet attributes of the on-demand profile.

BEGIN {
    n = split(ranges, entry, " ")
    for (i = 1; i <= n; i++) {
        split(entry[i], f, ":")
        init_end[f[1]] = f[2]
        index_range[f[1]] = f[3] "-" f[4]
    }
}

# One file per Representation, indexed by sidx: that is the on-demand profile, whose
# AdaptationSets speak of subsegments rather than segments.
/profiles="urn:mpeg:dash:profile:isoff-live:2011"/ {
    sub(/isoff-live:2011/, "isoff-on-demand:2011")
}
/<AdaptationSet / {
    sub(/ startWithSAP="/, " subsegmentStartsWithSAP=\"")
    sub(/ segmentAlignment="/, " subsegmentAlignment=\"")
}

/<Representation / {
    match($0, /id="[^"]*"/)
    id = substr($0, RSTART + 4, RLENGTH - 5)
}

/<SegmentList/ {
    if (!(id in init_end)) {
        print "segment-base.awk: no byte ranges given for Representation " id > "/dev/stderr"
        failed = 1
        exit 1
    }
    indent = $0
    sub(/<.*/, "", indent)
    printf "%s<SegmentBase indexRange=\"%s\" indexRangeExact=\"true\">\n", indent, index_range[id]
    printf "%s\t<Initialization range=\"0-%s\" />\n", indent, init_end[id]
    printf "%s</SegmentBase>\n", indent
    skipping = 1
    next
}
skipping {
    if (/<\/SegmentList>/)
        skipping = 0
    next
}
{ print }

END { if (failed) exit 1 }
