# Join single-period MPDs, written by FFmpeg's dashenc for consecutive parts of the
# content, into one static multi-period MPD.
#
# Why: dashenc writes exactly one Period per run. Packaging each part on its own gives
# each Period its own init and media segments with media time starting near 0, which is
# what a multi-period player has to cope with at every Period boundary.
#
# Usage: awk -v durations="10 10" -f merge-periods.awk part0.mpd part1.mpd ...
#   durations  the duration in seconds of each part, in file order.
#
# The first file gives the MPD header (mediaPresentationDuration becomes the sum of the
# durations); each file gives its Period, renumbered id="0", "1", ... and given explicit
# start and duration attributes. Segment URLs are kept as they are, so the parts must
# have been written with distinct segment names into the same folder.

BEGIN {
    n = split(durations, dur, " ")
    total = 0
    for (i = 1; i <= n; i++)
        total += dur[i]
}

FNR == 1 {
    part++
    if (part > n) {
        print "merge-periods.awk: more files than durations" > "/dev/stderr"
        failed = 1
        exit 1
    }
    start = (part == 1) ? 0 : start + dur[part - 1]
}

part == 1 && /mediaPresentationDuration="/ {
    sub(/mediaPresentationDuration="[^"]*"/, "mediaPresentationDuration=\"PT" total "S\"")
}

/<Period / {
    in_period = 1
    sub(/ id="[^"]*"/, " id=\"" (part - 1) "\"")
    sub(/ start="[^"]*"/, " start=\"PT" start "S\" duration=\"PT" dur[part] "S\"")
}

in_period {
    print
    if (/<\/Period>/)
        in_period = 0
    next
}

# Header of the first file; everything outside the Periods of later files is dropped.
part == 1 && !/<\/MPD>/ { print }

END {
    if (failed)
        exit 1
    if (part != n) {
        print "merge-periods.awk: got " part " files for " n " durations" > "/dev/stderr"
        exit 1
    }
    print "</MPD>"
}
