#!/usr/bin/env bash
# gen-media.sh — generate hasp's test media: one H.264/AAC ladder, packaged as DASH and
# HLS in every addressing mode the player supports, plus media.json describing it all.
#
# Usage: scripts/gen-media.sh [--duration 20|60] OUTDIR
#
# Everything is encoded once (src/), then only remuxed (-c copy) into each packaging, so
# every packaging carries bit-identical frames and the same segment boundaries.
# A rerun with the same script, recipes (assets/media/*.awk), arguments and ffmpeg is a
# no-op; anything else rebuilds the whole set. The set is built in a temporary folder next
# to OUTDIR and renamed into place at the end, so OUTDIR is either complete or absent.
#
# Needs: bash, coreutils, awk, ffmpeg and ffprobe (FFmpeg 5.1 with libx264).
set -euo pipefail

SELF=$(readlink -f "${BASH_SOURCE[0]}")
ROOT=$(dirname "$(dirname "$SELF")")
readonly SELF ROOT
readonly RECIPES="$ROOT/assets/media"
readonly RECIPE_FILES=("$RECIPES/segment-base.awk" "$RECIPES/merge-periods.awk"
                       "$RECIPES/mpd-periods-json.awk")

# The ladder. 426x240 and 854x480 are the usual "16:9" sizes but not exactly 16:9, so
# those two carry a SAR of 640:639 and 1280:1281 (what the scale filter sets to keep the
# picture 16:9). dashenc insists on one aspect ratio per AdaptationSet, and a player
# should display every quality at the same 16:9 anyway.
readonly NAMES=(240p 360p 480p 720p)
readonly WIDTHS=(426 640 854 1280)
readonly HEIGHTS=(240 360 480 720)
readonly KBPS=(400 800 1400 2800)
readonly FPS=30
readonly SEG=2                     # segment duration and GOP length, seconds
readonly AUDIO_RATE=48000 AUDIO_KBPS=128 SINE_HZ=1000
readonly THREADS=2                 # per encoder/filter graph: the target machines have 2 cores

log() { printf 'gen-media: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
usage() { printf 'usage: %s [--duration 20|60] OUTDIR\n' "${0##*/}" >&2; exit "${1:-2}"; }

# Quiet, non-interactive, overwrite: a failure shows up as ffmpeg's own error line and a
# non-zero status that set -e turns into an abort. ffmpeg runs in the background and is
# waited for, because bash defers its signal traps until a foreground command ends: an
# interrupted run would otherwise finish the current encode before cleaning up.
ffmpeg_pid=
ff() {
    ffmpeg -hide_banner -loglevel error -nostdin -y "$@" &
    ffmpeg_pid=$!
    wait "$ffmpeg_pid"
    ffmpeg_pid=
}
probe() { ffprobe -v error -threads "$THREADS" "$@"; }

# --- arguments --------------------------------------------------------------------------
duration=20
outdir=
while (($#)); do
    case $1 in
        --duration) (($# >= 2)) || usage; duration=$2; shift 2 ;;
        --duration=*) duration=${1#*=}; shift ;;
        -h|--help) usage 0 ;;
        -*) log "unknown option $1"; usage ;;
        *) [[ -z $outdir ]] || usage; outdir=$1; shift ;;
    esac
done
[[ -n $outdir ]] || usage
[[ $duration == 20 || $duration == 60 ]] || die "--duration must be 20 or 60, not '$duration'"
if ! command -v ffmpeg >/dev/null || ! command -v ffprobe >/dev/null; then
    die "ffmpeg and ffprobe are needed (Debian: apt-get install ffmpeg)"
fi

outdir=${outdir%/}
mkdir -p "$(dirname "$outdir")"
parent=$(cd "$(dirname "$outdir")" && pwd)
name=$(basename "$outdir")
outdir="$parent/$name"
readonly STAMP_FILE=.gen-media.stamp

# OUTDIR gets replaced wholesale at the end, so refuse up front to take over a folder
# that this script did not make (a mistyped path must not cost anyone their files).
ours_or_empty() { [[ ! -e $1 || -f $1/$STAMP_FILE || -z $(ls -A "$1") ]]; }
ours_or_empty "$outdir" || die "$outdir exists and was not made by gen-media.sh; not replacing it"

# --- cache ------------------------------------------------------------------------------
# The stamp covers everything that decides the output: this script, its recipes, the
# arguments and the ffmpeg build (another version muxes differently).
stamp=$({
    printf 'duration=%s\n' "$duration"
    ffmpeg -hide_banner -version | sed -n 1p
    cat "$SELF" "${RECIPE_FILES[@]}"
} | sha256sum | cut -d' ' -f1)

up_to_date() {
    [[ -f $outdir/$STAMP_FILE && -f $outdir/media.json && $(<"$outdir/$STAMP_FILE") == "$stamp" ]]
}
if up_to_date; then
    log "$outdir is up to date"
    exit 0
fi

# Two runs for the same OUTDIR (a manual run while CTest runs) wait for each other
# instead of racing; the second then finds the set up to date.
if command -v flock >/dev/null; then
    exec 9>"$parent/.$name.lock"
    flock 9
    if up_to_date; then
        log "$outdir is up to date"
        exit 0
    fi
    # Holding the lock, any temporary folder for this OUTDIR is a leftover of a run that
    # was killed before its trap could clean up.
    rm -rf "$parent/.$name.tmp."*
fi

# Same file system as OUTDIR, so the final rename is atomic.
work=$(mktemp -d "$parent/.$name.tmp.XXXXXX")
chmod 755 "$work"              # mktemp makes it 0700; an HTTP server may run as someone else
cleanup() {
    if [[ -n $ffmpeg_pid ]]; then
        kill "$ffmpeg_pid" 2>/dev/null || true
        wait "$ffmpeg_pid" 2>/dev/null || true
    fi
    rm -rf "$work" "$work.old"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start_time=$SECONDS
frames=$((duration * FPS))
half=$((duration / 2))
log "building ${duration}s media in $outdir"

# --- 1. source ladder -------------------------------------------------------------------
# One ffmpeg run renders the pattern once and encodes all qualities from it, so the
# qualities are frame-for-frame the same picture.
#
# Picture: SMPTE colour bars at 1280x720 (bar geometry in media.json), with a 320x180
# testsrc2 (moving gradient, counter, noise) over the bottom-right corner so the encoder
# has real motion to code. smptebars produces BT.601 limited-range YUV; the streams are
# tagged so, which is also what swscale and SDL assume when a player ignores the tags.
#
# Video: closed GOPs of exactly SEG seconds with no scene-cut keyframes, so every
# quality has its IDR frames at the same instants and any segment can be switched to.
# nal-hrd=cbr makes x264 pad with filler data up to the target rate: the test pattern is
# too easy to reach 1400k or 2800k on its own, and the ABR tests need segment sizes that
# match the advertised bandwidth. repeat-headers puts SPS/PPS in front of every IDR:
# without it, the Annex B conversion for TS inserts them after the HRD buffering-period
# SEI, and every H.264 parser then warns "non-existing SPS 0 referenced".
# B-frames stay on (x264's default): real content has them.
mkdir -p "$work/src"
graph="[0:v][1:v]overlay=x=960:y=540:shortest=1,format=yuv420p,split=${#NAMES[@]}"
for i in "${!NAMES[@]}"; do graph+="[s$i]"; done
for i in "${!NAMES[@]}"; do
    graph+=";[s$i]scale=${WIDTHS[i]}:${HEIGHTS[i]}[v$i]"
done
gop=$((SEG * FPS))
encodes=()
for i in "${!NAMES[@]}"; do
    kbps=${KBPS[i]}
    encodes+=(-map "[v$i]" -c:v libx264 -preset veryfast -threads "$THREADS"
              -g "$gop" -keyint_min "$gop" -sc_threshold 0
              -x264-params "open-gop=0:nal-hrd=cbr:repeat-headers=1:force-cfr=1"
              -b:v "${kbps}k" -minrate "${kbps}k" -maxrate "${kbps}k" -bufsize "${kbps}k"
              -colorspace smpte170m -color_primaries smpte170m -color_trc smpte170m
              -color_range tv -movflags +faststart "$work/src/video-${NAMES[i]}.mp4")
done
# Audio: a mono 1 kHz sine (amplitude 1/8) copied to both channels at full level.
log "encoding ${#NAMES[@]} video qualities and audio"
ff -filter_complex_threads "$THREADS" \
   -f lavfi -i "smptebars=size=1280x720:rate=$FPS:duration=$duration" \
   -f lavfi -i "testsrc2=size=320x180:rate=$FPS:duration=$duration" \
   -f lavfi -i "sine=frequency=$SINE_HZ:sample_rate=$AUDIO_RATE:duration=$duration" \
   -filter_complex "$graph" \
   "${encodes[@]}" \
   -map 2:a -af "pan=stereo|c0=c0|c1=c0" -c:a aac -b:a "${AUDIO_KBPS}k" \
   -movflags +faststart "$work/src/audio.m4a"

# Decode every source once: the frame count in media.json is a measured fact, not a
# hope, and a broken encode stops here rather than in some later player test.
for q in "${NAMES[@]}"; do
    n=$(probe -count_frames -select_streams v:0 -show_entries stream=nb_read_frames \
              -of csv=p=0 "$work/src/video-$q.mp4")
    ((n == frames)) || die "src/video-$q.mp4 has $n frames, expected $frames"
done
audio_frames=$(probe -count_frames -select_streams a:0 -show_entries stream=nb_read_frames \
                     -of csv=p=0 "$work/src/audio.m4a")

# Inputs and maps shared by all packagings: inputs 0..3 are the video qualities in
# ladder order, input 4 the audio.
inputs=()
for q in "${NAMES[@]}"; do inputs+=(-i "$work/src/video-$q.mp4"); done
inputs+=(-i "$work/src/audio.m4a")
audio_in=${#NAMES[@]}

# --- 2. DASH ----------------------------------------------------------------------------
# Representations 0..3 are the video qualities (one AdaptationSet), 4 is the audio.
dash() {    # dash FOLDER [dashenc options...]
    local dir="$work/$1" maps=() i; shift
    for i in "${!NAMES[@]}"; do maps+=(-map "$i:v"); done
    maps+=(-map "$audio_in:a")
    mkdir -p "$dir"
    ff "${inputs[@]}" "${maps[@]}" -c copy \
       -f dash -seg_duration "$SEG" -adaptation_sets "id=0,streams=v id=1,streams=a" \
       "$@" "$dir/manifest.mpd"
}

log "packaging DASH"
dash dash-number -use_template 1 -use_timeline 0

# shellcheck disable=SC2016  # $...$ are DASH template identifiers, for dashenc
dash dash-time -use_template 1 -use_timeline 1 \
     -media_seg_name 'chunk-stream$RepresentationID$-$Time$.m4s'
# dashenc names a segment after its first packet's pts but lists it in the MPD at
# max(pts, 0). The audio starts at -1024 samples (AAC priming, cut by the edit list in
# the init segment), so its first file is named ...--1024.m4s while the MPD says t="0".
# No option changes either side; name the file as the MPD addresses it.
for f in "$work/dash-time"/chunk-stream*--*.m4s; do
    if [[ -e $f ]]; then mv "$f" "${f%%--*}-0.m4s"; fi
done

dash dash-list -use_template 0 -use_timeline 0

# SegmentBase: dashenc writes one file per Representation with a global sidx, but can
# only describe it as a SegmentList of byte ranges; segment-base.awk rewrites that part of
# the MPD from the byte ranges of the boxes in each file.
# shellcheck disable=SC2016
dash dash-base -single_file 1 -global_sidx 1 -single_file_name 'stream$RepresentationID$.mp4'

# Hex of the 4 bytes at OFFSET in FILE, e.g. 73696478 for "sidx".
hex_at() { od -An -v -tx1 -j "$2" -N "$3" "$1" | tr -d ' \n'; }

# "INIT_END:INDEX_START:INDEX_END" for a file laid out as ftyp moov sidx moof mdat ...
sidx_ranges() {
    local f=$1 off=0 size type
    while :; do
        size=$((16#$(hex_at "$f" "$off" 4)))
        type=$(hex_at "$f" $((off + 4)) 4)
        case $type in
            66747970|6d6f6f76) ;;                                   # ftyp, moov
            73696478) echo "$((off - 1)):$off:$((off + size - 1))"; return ;;  # sidx
            *) die "$f: expected ftyp, moov, sidx; found box $type at $off" ;;
        esac
        ((size >= 8)) || die "$f: bad box size at $off"
        off=$((off + size))
    done
}

# Segment counts are read before the rewrite, from dashenc's SegmentList: it lists the
# same fragments that the sidx indexes.
dash_base_periods=$(awk -f "$RECIPES/mpd-periods-json.awk" "$work/dash-base/manifest.mpd")
ranges=()
for i in $(seq 0 "${#NAMES[@]}"); do
    r=$(sidx_ranges "$work/dash-base/stream$i.mp4")
    ranges+=("$i:$r")
done
awk -v ranges="${ranges[*]}" -f "$RECIPES/segment-base.awk" \
    "$work/dash-base/manifest.mpd" >"$work/dash-base/manifest.mpd.new"
mv "$work/dash-base/manifest.mpd.new" "$work/dash-base/manifest.mpd"

# Two periods: cut the sources in halves at the middle IDR, package each half on its
# own, then merge the two MPDs. Video is cut by frame count, because ffmpeg's -t cuts
# copied streams by dts, which with B-frames would keep the first packets of the next GOP;
# the second half seeks to the IDR at the cut. Audio is cut at AAC frame granularity
# (1024 samples), so each half's audio starts or ends within 21 ms of the cut.
log "packaging DASH, two periods"
cuts="$work/.cuts"
mkdir -p "$cuts" "$work/dash-2period"
for q in "${NAMES[@]}"; do
    ff -i "$work/src/video-$q.mp4" -map 0:v -c copy -frames:v $((half * FPS)) "$cuts/video-$q-0.mp4"
    ff -ss "$half" -i "$work/src/video-$q.mp4" -map 0:v -c copy "$cuts/video-$q-1.mp4"
done
ff -i "$work/src/audio.m4a" -map 0:a -c copy -t "$half" "$cuts/audio-0.m4a"
ff -ss "$half" -i "$work/src/audio.m4a" -map 0:a -c copy "$cuts/audio-1.m4a"
for p in 0 1; do
    maps=()
    part_inputs=()
    for i in "${!NAMES[@]}"; do
        part_inputs+=(-i "$cuts/video-${NAMES[i]}-$p.mp4")
        maps+=(-map "$i:v")
    done
    part_inputs+=(-i "$cuts/audio-$p.m4a")
    maps+=(-map "$audio_in:a")
    n=$(probe -count_packets -select_streams v:0 -show_entries stream=nb_read_packets \
              -of csv=p=0 "$cuts/video-${NAMES[0]}-$p.mp4")
    ((n == half * FPS)) || die "period $p has $n video frames, expected $((half * FPS))"
    # Both parts go into one folder, so the segment names carry the period.
    ff "${part_inputs[@]}" "${maps[@]}" -c copy \
       -f dash -seg_duration "$SEG" -adaptation_sets "id=0,streams=v id=1,streams=a" \
       -use_template 1 -use_timeline 0 \
       -init_seg_name "p$p-init-stream\$RepresentationID\$.m4s" \
       -media_seg_name "p$p-chunk-stream\$RepresentationID\$-\$Number%05d\$.m4s" \
       "$cuts/part$p.mpd"
    mv "$cuts/p$p-"*.m4s "$work/dash-2period/"
done
awk -v durations="$half $half" -f "$RECIPES/merge-periods.awk" \
    "$cuts/part0.mpd" "$cuts/part1.mpd" >"$work/dash-2period/manifest.mpd"
rm -rf "$cuts"

# --- 3. HLS -----------------------------------------------------------------------------
# h264_mp4toannexb up front (the TS muxer would add it anyway) gives hlsenc Annex B
# extradata, which it needs to write CODECS="avc1...." into the master playlist.
# Every variant is a folder named after its quality, holding index.m3u8 and segments.
hls() {     # hls FOLDER SEGMENT_FILE_NAME VAR_STREAM_MAP MAPS... -- [hlsenc options...]
    local dir="$work/$1" seg=$2 varmap=$3; shift 3
    local maps=()
    while [[ $1 != -- ]]; do maps+=("$1"); shift; done
    shift
    mkdir -p "$dir"
    ff "${inputs[@]}" "${maps[@]}" -c copy -bsf:v h264_mp4toannexb \
       -f hls -hls_time "$SEG" -hls_playlist_type vod -hls_flags independent_segments \
       -var_stream_map "$varmap" -master_pl_name master.m3u8 \
       -hls_segment_filename "$dir/%v/$seg" "$@" "$dir/%v/index.m3u8"
}

# Variants with the audio muxed in: video i and a copy of the audio, for each i.
muxed_maps=() muxed_varmap=()
for i in "${!NAMES[@]}"; do
    muxed_maps+=(-map "$i:v" -map "$audio_in:a")
    muxed_varmap+=("v:$i,a:$i,name:${NAMES[i]}")
done

log "packaging HLS"
hls hls-ts 'seg%03d.ts' "${muxed_varmap[*]}" "${muxed_maps[@]}" -- -hls_segment_type mpegts
hls hls-fmp4 'seg%03d.m4s' "${muxed_varmap[*]}" "${muxed_maps[@]}" -- \
    -hls_segment_type fmp4 -hls_fmp4_init_filename init.mp4
# single_file replaces the independent_segments flag set in hls(), so repeat it.
hls hls-byterange 'media.ts' "${muxed_varmap[*]}" "${muxed_maps[@]}" -- \
    -hls_flags single_file+independent_segments

# Separate audio rendition: the audio is stream 0 of the output, the videos 1..4.
alt_maps=(-map "$audio_in:a") alt_varmap=("a:0,agroup:audio,name:audio,default:yes")
for i in "${!NAMES[@]}"; do
    alt_maps+=(-map "$i:v")
    alt_varmap+=("v:$i,agroup:audio,name:${NAMES[i]}")
done
hls hls-audio 'seg%03d.ts' "${alt_varmap[*]}" "${alt_maps[@]}" -- -hls_segment_type mpegts

# --- 4. media.json ----------------------------------------------------------------------
log "writing media.json"

# Bars of the smptebars pattern, in pixels of the 1280x720 picture it is rendered at:
# the seven 75% bars are 184 px wide (the last one 176) over the top 480 rows; the 100%
# white patch sits in the bottom row at x 230..460, y 540..720. media.json gives them as
# fractions of the picture, which hold at every quality.
# "rgb" is what ffmpeg's BT.601 conversion gives for the source YUV; "rgb_as_bt709" is
# what a player gets if it wrongly converts with the BT.709 matrix.
bar() {     # bar NAME X0 X1 Y0 Y1 R,G,B R,G,B
    awk -v n="$1" -v x0="$2" -v x1="$3" -v y0="$4" -v y1="$5" -v rgb="$6" -v rgb709="$7" 'BEGIN {
        printf "{\"name\": \"%s\", \"x0\": %.6g, \"x1\": %.6g, \"y0\": %.6g, \"y1\": %.6g, ", n, x0 / 1280, x1 / 1280, y0 / 720, y1 / 720
        printf "\"cx\": %.6g, \"cy\": %.6g, \"rgb\": [%s], \"rgb_as_bt709\": [%s]}", (x0 + x1) / 2560, (y0 + y1) / 1440, rgb, rgb709
    }'
}
bars=$(
    bar grey75       0  184   0 480 "190, 190, 190" "190, 190, 190"; printf ',\n'
    bar yellow75   184  368   0 480 "192, 190, 0"   "195, 179, 0";   printf ',\n'
    bar cyan75     368  552   0 480 "0, 190, 189"   "0, 171, 192";   printf ',\n'
    bar green75    552  736   0 480 "0, 188, 0"     "0, 159, 0";     printf ',\n'
    bar magenta75  736  920   0 480 "190, 0, 191"   "204, 29, 197";  printf ',\n'
    bar red75      920 1104   0 480 "191, 0, 0"     "207, 17, 0";    printf ',\n'
    bar blue75    1104 1280   0 480 "0, 0, 191"     "0, 11, 199";    printf ',\n'
    bar white100   230  460 540 720 "255, 255, 255" "255, 255, 255"
)
indent() { local pad=$1; sed "2,\$s/^/$pad/"; }   # indent all lines but the first

ladder=
for i in "${!NAMES[@]}"; do
    measured=$(probe -select_streams v:0 -show_entries stream=bit_rate -of csv=p=0 \
                     "$work/src/video-${NAMES[i]}.mp4")
    ladder+="${ladder:+,$'\n'    }"
    ladder+=$(printf '{"name": "%s", "width": %d, "height": %d, "bitrate": %d, "measured_bitrate": %d, "source": "src/video-%s.mp4"}' \
        "${NAMES[i]}" "${WIDTHS[i]}" "${HEIGHTS[i]}" $((KBPS[i] * 1000)) "$measured" "${NAMES[i]}")
done

json_list() {   # json_list ITEM... → "ITEM", "ITEM"
    local out='' item
    for item in "$@"; do out+="${out:+, }\"$item\""; done
    printf '%s' "$out"
}

# Segments each HLS media playlist lists, as the "periods" array used for DASH.
hls_periods() {  # hls_periods FOLDER VIDEO_PLAYLIST... [-- AUDIO_PLAYLIST...]
    local dir=$1 video='' audio='' into=video p n; shift
    for p in "$@"; do
        if [[ $p == -- ]]; then into=audio; continue; fi
        n=$(grep -c '^#EXTINF' "$work/$dir/$p")
        if [[ $into == video ]]; then video+="${video:+, }$n"; else audio+="${audio:+, }$n"; fi
    done
    printf '[{"start_s": 0, "duration_s": %d, "segments": {"video": [%s], "audio": [%s]}}]' \
        "$duration" "$video" "$audio"
}

video_playlists=()
for q in "${NAMES[@]}"; do video_playlists+=("$q/index.m3u8"); done
# Playlist paths in media.json are relative to OUTDIR, like the manifests.
playlists_json() {  # playlists_json FOLDER [AUDIO_PLAYLIST]
    local v=() q
    for q in "${video_playlists[@]}"; do v+=("$1/$q"); done
    printf '{"video": [%s], "audio": [%s]}' "$(json_list "${v[@]}")" "${2:+\"$1/$2\"}"
}

packaging() {   # packaging NAME FORMAT MANIFEST ADDRESSING CONTAINER AUDIO PERIODS STREAMS NOTES
    printf '    "%s": {\n' "$1"
    printf '      "format": "%s",\n      "manifest": "%s",\n' "$2" "$3"
    printf '      "addressing": "%s",\n      "container": "%s",\n      "audio": "%s",\n' "$4" "$5" "$6"
    printf '      "segment_duration_s": %d,\n' "$SEG"
    printf '      "periods": %s,\n' "$7"
    printf '      %s,\n' "$8"
    printf '      "notes": "%s",\n' "$9"
    printf '      "colour_bars": [\n        %s\n      ]\n    }' "$(indent '        ' <<<"$bars")"
}

# dashenc numbers Representations in stream order: the videos in ladder order, then audio.
dash_ids=$(printf '"representation_ids": {"video": [%s], "audio": ["%d"]}' \
    "$(json_list $(seq 0 $((${#NAMES[@]} - 1))))" "${#NAMES[@]}")
dash_periods() { awk -f "$RECIPES/mpd-periods-json.awk" "$work/$1/manifest.mpd"; }

# What a player meets in the timestamps, as measured on FFmpeg 5.1's output.
dash_notes="fMP4. Video pts start at 0 and dts at -2 frames (B-frames; the init segment's edit list shifts them); audio starts at -1024 samples (AAC priming, cut by the edit list), and the audio's last segment holds only the final AAC frame(s)."
ts_notes="MPEG-TS timestamps start at 1.4 s (FFmpeg's mpegts mux delay): first video pts 1.4667 s, first audio pts 1.4453 s."

# shellcheck disable=SC2016  # $Number$ and $Time$ below are DASH template identifiers
{
    cat <<EOF
{
  "generator": "scripts/gen-media.sh",
  "stamp": "$stamp",
  "duration_s": $duration,
  "fps": $FPS,
  "video_frames": $frames,
  "gop_frames": $gop,
  "video_codec": "h264",
  "colour": {"matrix": "bt601", "primaries": "smpte170m", "transfer": "smpte170m", "range": "limited"},
  "ladder": [
    $ladder
  ],
  "audio": {
    "codec": "aac-lc",
    "source": "src/audio.m4a",
    "sample_rate": $AUDIO_RATE,
    "channels": 2,
    "bitrate": $((AUDIO_KBPS * 1000)),
    "sine_hz": $SINE_HZ,
    "sine_amplitude": 0.125,
    "frames": $audio_frames,
    "samples_per_frame": 1024,
    "priming_samples": 1024
  },
  "test_pattern": {
    "source": "ffmpeg smptebars at 1280x720, scaled to each quality",
    "bars_note": "x/y are fractions of the picture width/height; cx/cy the centre; sample well inside (e.g. +-25% of the bar size around the centre) and allow ~24 per channel for coding loss",
    "bars": [
      $(indent '      ' <<<"$bars")
    ],
    "motion": {"source": "ffmpeg testsrc2 320x180", "x0": 0.75, "x1": 1, "y0": 0.75, "y1": 1}
  },
  "packagings": {
EOF
    packaging dash-number dash dash-number/manifest.mpd 'SegmentTemplate $Number$' fmp4 separate \
        "$(dash_periods dash-number)" "$dash_ids" \
        "$dash_notes dashenc writes one more audio file than the template addresses (that final frame)."
    printf ',\n'
    packaging dash-time dash dash-time/manifest.mpd 'SegmentTemplate $Time$ + SegmentTimeline' fmp4 separate \
        "$(dash_periods dash-time)" "$dash_ids" "$dash_notes"
    printf ',\n'
    packaging dash-base dash dash-base/manifest.mpd 'SegmentBase (sidx)' fmp4 separate \
        "$dash_base_periods" "$dash_ids" "$dash_notes"
    printf ',\n'
    packaging dash-list dash dash-list/manifest.mpd 'SegmentList' fmp4 separate \
        "$(dash_periods dash-list)" "$dash_ids" "$dash_notes"
    printf ',\n'
    packaging dash-2period dash dash-2period/manifest.mpd 'SegmentTemplate $Number$, 2 periods' fmp4 separate \
        "$(dash_periods dash-2period)" "$dash_ids" \
        "$dash_notes Each period's media time starts again at 0 (no presentationTimeOffset); the audio of each period starts or ends within one AAC frame (21 ms) of the period boundary, and the second period's init segments differ from the first's."
    printf ',\n'
    packaging hls-ts hls hls-ts/master.m3u8 'segment files' mpegts muxed \
        "$(hls_periods hls-ts "${video_playlists[@]}")" "\"playlists\": $(playlists_json hls-ts)" \
        "$ts_notes"
    printf ',\n'
    packaging hls-fmp4 hls hls-fmp4/master.m3u8 'segment files + EXT-X-MAP' fmp4 muxed \
        "$(hls_periods hls-fmp4 "${video_playlists[@]}")" "\"playlists\": $(playlists_json hls-fmp4)" \
        "fMP4 with video and audio in each segment. hlsenc keeps dts >= 0: first video pts 0.066 s, first audio pts 0.045 s."
    printf ',\n'
    packaging hls-byterange hls hls-byterange/master.m3u8 'EXT-X-BYTERANGE, one file per variant' mpegts muxed \
        "$(hls_periods hls-byterange "${video_playlists[@]}")" "\"playlists\": $(playlists_json hls-byterange)" \
        "$ts_notes One media.ts per variant; every segment has an explicit offset."
    printf ',\n'
    packaging hls-audio hls hls-audio/master.m3u8 'segment files, audio rendition group' mpegts separate \
        "$(hls_periods hls-audio "${video_playlists[@]}" -- audio/index.m3u8)" \
        "\"playlists\": $(playlists_json hls-audio audio/index.m3u8)" \
        "$ts_notes Video-only variants; the audio rendition (TS, audio only) is cut on AAC frames, so its segments last 2 s give or take one frame (21 ms) and the last one is a single frame."
    printf '\n  }\n}\n'
} >"$work/media.json"

# --- 5. publish -------------------------------------------------------------------------
# The stamp is written last: a set without it is never taken as complete.
printf '%s\n' "$stamp" >"$work/$STAMP_FILE"
if [[ -e $outdir ]]; then
    # Checked again: someone may have put files there while we were encoding.
    ours_or_empty "$outdir" || die "$outdir exists and was not made by gen-media.sh; not replacing it"
    mv "$outdir" "$work.old"
fi
mv "$work" "$outdir"
log "done in $((SECONDS - start_time)) s"
