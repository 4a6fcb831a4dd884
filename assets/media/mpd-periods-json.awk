# Describe the Periods of an MPD written by FFmpeg's dashenc (or merge-periods.awk) as
# the JSON array that gen-media.sh puts in media.json:
#   [{"start_s": 0, "duration_s": 20,
#     "segments": {"video": [10, 10, 10, 10], "audio": [11]}}, ...]
# "segments" lists, per AdaptationSet type and in Representation order, how many media
# segments the MPD itself addresses (not how many files exist):
#   SegmentTemplate@duration  ceil(period duration / segment duration)
#   SegmentTimeline           the sum of 1 + @r over its S elements
#   SegmentList               the number of SegmentURL elements
# dashenc writes one element per line, which is all this relies on.

function attr(name,    m) {
    if (!match($0, "[ \t]" name "=\"[^\"]*\""))
        return ""
    m = substr($0, RSTART, RLENGTH)
    sub(/^[^"]*"/, "", m)
    sub(/"$/, "", m)
    return m
}

# xs:duration as dashenc writes it (PT[nH][nM]n.nS) to seconds.
function seconds(d,    s) {
    s = 0
    sub(/^PT/, "", d)
    if (match(d, /^[0-9.]+H/)) { s += substr(d, 1, RLENGTH - 1) * 3600; d = substr(d, RLENGTH + 1) }
    if (match(d, /^[0-9.]+M/)) { s += substr(d, 1, RLENGTH - 1) * 60;   d = substr(d, RLENGTH + 1) }
    if (match(d, /^[0-9.]+S/)) { s += substr(d, 1, RLENGTH - 1) }
    return s
}

function ceil(x,    c) {
    c = int(x)
    if (c < x - 1e-9)
        c++
    return c
}

function flush_period(    out) {
    if (!np)
        return
    out = sprintf("{\"start_s\": %g, \"duration_s\": %g, \"segments\": {\"video\": [%s], \"audio\": [%s]}}",
                  pstart, pdur, counts["video"], counts["audio"])
    periods = periods (np > 1 ? ", " : "") out
}

/mediaPresentationDuration="/ { total = seconds(attr("mediaPresentationDuration")) }

/<Period / {
    flush_period()
    np++
    pstart = seconds(attr("start"))
    pdur = attr("duration") != "" ? seconds(attr("duration")) : total - pstart
    counts["video"] = counts["audio"] = ""
}

/<AdaptationSet / { type = attr("contentType") }

/<Representation / { n = 0 }

/<SegmentTemplate / && / duration="/ { n = ceil(pdur * attr("timescale") / attr("duration")) }

/<S / { n += 1 + (attr("r") != "" ? attr("r") : 0) }

/<SegmentURL / { n++ }

/<\/Representation>/ {
    counts[type] = counts[type] (counts[type] != "" ? ", " : "") n
}

END {
    flush_period()
    print "[" periods "]"
}
