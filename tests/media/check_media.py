#!/usr/bin/env python3
"""Build the generated test media and check it against its own description.

Runs scripts/gen-media.sh into OUTDIR (a no-op when the set is up to date), then checks
that every packaging listed in OUTDIR/media.json is complete and says what media.json
says: manifests parse, every segment a manifest addresses exists (byte ranges lie inside
their files, sidx boxes index the file), segment counts and durations match, the sources
have the stated frame counts, the colour bars are where media.json puts them and the audio
is a sine of the stated frequency.

Python 3 standard library only; needs ffmpeg and ffprobe on PATH.

usage: check_media.py --generator scripts/gen-media.sh --outdir DIR [--duration 20|60]
"""

import argparse
import json
import math
import os
import re
import struct
import subprocess
import sys
import time
import urllib.parse
import xml.etree.ElementTree as ET

NS = {"mpd": "urn:mpeg:dash:schema:mpd:2011"}
COLOUR_TOLERANCE = 24          # per channel, for coding loss and chroma subsampling


class Checker:
    def __init__(self, outdir):
        self.outdir = outdir
        self.failures = []
        self.checks = 0

    def expect(self, cond, what):
        self.checks += 1
        if not cond:
            self.failures.append(what)
        return cond

    def path(self, rel):
        return os.path.join(self.outdir, rel)


# --- helpers ------------------------------------------------------------------------------

def ffprobe_json(c, path, *args):
    """ffprobe's JSON for path, or None (and a failure) when ffprobe cannot read it."""
    r = subprocess.run(["ffprobe", "-v", "error", "-threads", "2", "-of", "json", *args, path],
                       capture_output=True, text=True)
    if not c.expect(r.returncode == 0, f"ffprobe fails on {path}: {r.stderr.strip()[:200]}"):
        return None
    return json.loads(r.stdout)


def is_relative_url(url):
    return "://" not in url and not url.startswith("/")


def iso_seconds(value):
    """xs:duration (PT..H..M..S, the subset MPDs use) to seconds."""
    m = re.fullmatch(r"P(?:(\d+(?:\.\d+)?)D)?T?(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?"
                     r"(?:(\d+(?:\.\d+)?)S)?", value or "")
    if not m:
        raise ValueError(f"bad duration {value!r}")
    d, h, mi, s = (float(x) if x else 0.0 for x in m.groups())
    return ((d * 24 + h) * 60 + mi) * 60 + s


def expand_template(tmpl, rep_id, bandwidth, number=None, time_=None):
    def sub(m):
        name, fmt = m.group(1), m.group(2)
        if name == "":
            return "$"
        value = {"RepresentationID": rep_id, "Bandwidth": bandwidth,
                 "Number": number, "Time": time_}[name]
        if fmt:
            return ("%" + fmt[1:]) % int(value)
        return str(value)
    return re.sub(r"\$(RepresentationID|Number|Time|Bandwidth|)(%0\d+d)?\$", sub, tmpl)


def parse_range(text):
    first, last = (int(x) for x in text.split("-"))
    return first, last


def read_boxes(data, offset=0, end=None):
    """Top-level ISO BMFF boxes of data[offset:end] as (type, start, size)."""
    end = len(data) if end is None else end
    boxes = []
    while offset + 8 <= end:
        size, typ = struct.unpack_from(">I4s", data, offset)
        if size == 1:
            size = struct.unpack_from(">Q", data, offset + 8)[0]
        if size < 8:
            break
        boxes.append((typ.decode("latin-1"), offset, size))
        offset += size
    return boxes


def parse_sidx(data, start):
    """(first byte after the sidx + first_offset, [(referenced_size, sap_flag)...])."""
    size, typ = struct.unpack_from(">I4s", data, start)
    if typ != b"sidx":
        return None
    version = data[start + 8]
    pos = start + 12 + 8                    # header, version/flags, reference_ID, timescale
    if version == 0:
        _ept, first_offset = struct.unpack_from(">II", data, pos)
        pos += 8
    else:
        _ept, first_offset = struct.unpack_from(">QQ", data, pos)
        pos += 16
    _reserved, count = struct.unpack_from(">HH", data, pos)
    pos += 4
    refs = []
    for _ in range(count):
        ref, _dur, sap = struct.unpack_from(">III", data, pos)
        pos += 12
        refs.append((ref & 0x7FFFFFFF, sap >> 31))
    return start + size + first_offset, refs


# --- DASH ---------------------------------------------------------------------------------

def check_dash(c, name, pk, meta):
    manifest = c.path(pk["manifest"])
    if not c.expect(os.path.isfile(manifest), f"{name}: {pk['manifest']} missing"):
        return
    try:
        root = ET.parse(manifest).getroot()
    except ET.ParseError as e:
        c.expect(False, f"{name}: manifest is not XML: {e}")
        return
    c.expect(root.tag == "{%s}MPD" % NS["mpd"], f"{name}: root element is {root.tag}")
    c.expect(root.get("type", "static") == "static", f"{name}: MPD is not static")
    total = iso_seconds(root.get("mediaPresentationDuration"))
    c.expect(abs(total - meta["duration_s"]) < 0.05,
             f"{name}: mediaPresentationDuration {total} != {meta['duration_s']}")
    seg_dur = pk["segment_duration_s"]
    base_dir = os.path.dirname(manifest)
    periods = root.findall("mpd:Period", NS)
    c.expect(len(periods) == len(pk["periods"]),
             f"{name}: {len(periods)} Periods, media.json says {len(pk['periods'])}")
    for pi, (period, pmeta) in enumerate(zip(periods, pk["periods"])):
        pstart = iso_seconds(period.get("start", "PT0S"))
        pdur = iso_seconds(period.get("duration")) if period.get("duration") else total - pstart
        c.expect(abs(pstart - pmeta["start_s"]) < 0.05 and abs(pdur - pmeta["duration_s"]) < 0.05,
                 f"{name}: period {pi} is {pstart}+{pdur}s, media.json says "
                 f"{pmeta['start_s']}+{pmeta['duration_s']}s")
        sets = {a.get("contentType"): a for a in period.findall("mpd:AdaptationSet", NS)}
        c.expect(set(sets) == {"video", "audio"},
                 f"{name}: period {pi} AdaptationSets are {sorted(sets)}, want video and audio")
        for kind, aset in sets.items():
            reps = aset.findall("mpd:Representation", NS)
            counts = pmeta["segments"].get(kind, [])
            c.expect(len(reps) == len(counts),
                     f"{name}: period {pi} {kind} has {len(reps)} Representations, media.json "
                     f"lists {len(counts)}")
            if kind == "video":
                sizes = [(int(r.get("width", 0)), int(r.get("height", 0))) for r in reps]
                want = [(q["width"], q["height"]) for q in meta["ladder"]]
                c.expect(sizes == want, f"{name}: video Representations {sizes}, want {want}")
            for rep, count in zip(reps, counts):
                check_representation(c, f"{name} p{pi} rep {rep.get('id')}", rep, aset, period,
                                     root, base_dir, pdur, count, seg_dur if kind == "video" else None)


def check_representation(c, what, rep, aset, period, root, base_dir, pdur, count, seg_dur):
    c.expect(int(rep.get("bandwidth", "0")) > 0, f"{what}: no bandwidth")
    # BaseURL chain, outermost first; every level must stay relative to the manifest.
    base = base_dir
    for el in (root, period, aset, rep):
        b = el.find("mpd:BaseURL", NS)
        if b is not None:
            c.expect(is_relative_url(b.text.strip()), f"{what}: absolute BaseURL {b.text}")
            base = os.path.join(base, urllib.parse.unquote(b.text.strip()))

    def inherited(tag):
        for el in (rep, aset, period):
            found = el.find(f"mpd:{tag}", NS)
            if found is not None:
                return found
        return None

    tmpl, slist, sbase = inherited("SegmentTemplate"), inherited("SegmentList"), inherited("SegmentBase")
    c.expect(sum(x is not None for x in (tmpl, slist, sbase)) == 1,
             f"{what}: not exactly one of SegmentTemplate/SegmentList/SegmentBase")
    rid, bw = rep.get("id"), rep.get("bandwidth")

    def exists(rel):
        c.expect(is_relative_url(rel), f"{what}: absolute URL {rel}")
        return c.expect(os.path.isfile(os.path.join(base, urllib.parse.unquote(rel))),
                        f"{what}: missing {rel}")

    if tmpl is not None:
        timescale = int(tmpl.get("timescale", "1"))
        start = int(tmpl.get("startNumber", "1"))
        exists(expand_template(tmpl.get("initialization"), rid, bw))
        timeline = tmpl.find("mpd:SegmentTimeline", NS)
        segments = []                     # (number, time, duration) in timescale units
        if timeline is not None:
            t = 0
            for s in timeline.findall("mpd:S", NS):
                t = int(s.get("t", t))
                d = int(s.get("d"))
                for _ in range(int(s.get("r", "0")) + 1):
                    segments.append((start + len(segments), t, d))
                    t += d
        else:
            d = int(tmpl.get("duration"))
            n = math.ceil(pdur * timescale / d - 1e-9)
            segments = [(start + i, i * d, d) for i in range(n)]
        for number, t, d in segments:
            exists(expand_template(tmpl.get("media"), rid, bw, number, t))
        durations = [d / timescale for _, _, d in segments]
    elif slist is not None:
        init = slist.find("mpd:Initialization", NS)
        segments = slist.findall("mpd:SegmentURL", NS)
        if init is not None and init.get("sourceURL"):
            exists(init.get("sourceURL"))
        for s in segments:
            if s.get("media"):
                exists(s.get("media"))
        if any(s.get("mediaRange") for s in segments) and c.expect(os.path.isfile(base), f"{what}: missing {base}"):
            size = os.path.getsize(base)
            ranges = [parse_range(s.get("mediaRange")) for s in segments]
            c.expect(all(0 <= a <= b < size for a, b in ranges), f"{what}: mediaRange outside file")
        d = int(slist.get("duration", "0")) / int(slist.get("timescale", "1"))
        durations = [d] * len(segments)
    else:
        if not c.expect(os.path.isfile(base), f"{what}: missing {base}"):
            return
        with open(base, "rb") as f:
            data = f.read()
        init_a, init_b = parse_range(sbase.find("mpd:Initialization", NS).get("range"))
        idx_a, idx_b = parse_range(sbase.get("indexRange"))
        c.expect(init_a == 0 and init_b < idx_a and idx_b < len(data),
                 f"{what}: Initialization and indexRange overlap or lie outside the file")
        boxes = [t for t, _, _ in read_boxes(data, 0, init_b + 1)]
        c.expect("moov" in boxes, f"{what}: Initialization range holds {boxes}, no moov")
        sidx = parse_sidx(data, idx_a)
        if not c.expect(sidx is not None, f"{what}: indexRange does not start with a sidx"):
            return
        first, refs = sidx
        c.expect(first + sum(r for r, _ in refs) == len(data),
                 f"{what}: sidx references do not end at the end of the file")
        pos = first
        for r, sap in refs:
            c.expect(data[pos + 4:pos + 8] == b"moof", f"{what}: sidx reference at {pos} is no moof")
            c.expect(sap == 1, f"{what}: sidx reference at {pos} does not start with a SAP")
            pos += r
        segments = refs
        durations = []
    c.expect(len(segments) == count,
             f"{what}: manifest addresses {len(segments)} segments, media.json says {count}")
    if seg_dur is not None:
        # The last segment may be short; all others are exactly one GOP.
        c.expect(all(abs(d - seg_dur) < 1e-3 for d in durations[:-1]) and
                 all(d <= seg_dur + 1e-3 for d in durations[-1:]),
                 f"{what}: segment durations {sorted(set(durations))}, want {seg_dur}")


# --- HLS ----------------------------------------------------------------------------------

def parse_attrs(text):
    return {k: v.strip('"') for k, v in re.findall(r'([A-Z0-9-]+)=("[^"]*"|[^,]*)', text)}


def read_lines(c, what, path):
    if not c.expect(os.path.isfile(path), f"{what}: {path} missing"):
        return None
    with open(path, encoding="utf-8") as f:
        lines = [line.strip() for line in f if line.strip()]
    c.expect(bool(lines) and lines[0] == "#EXTM3U", f"{what}: does not start with #EXTM3U")
    return lines


def check_hls(c, name, pk, meta, keyframe_check):
    master = c.path(pk["manifest"])
    lines = read_lines(c, name, master)
    if lines is None:
        return
    base = os.path.dirname(master)
    variants, media = [], []
    for i, line in enumerate(lines):
        if line.startswith("#EXT-X-STREAM-INF:"):
            uri = next((x for x in lines[i + 1:] if not x.startswith("#")), None)
            variants.append((parse_attrs(line.split(":", 1)[1]), uri))
        elif line.startswith("#EXT-X-MEDIA:"):
            media.append(parse_attrs(line.split(":", 1)[1]))
    res = [v.get("RESOLUTION") for v, _ in variants]
    want = [f"{q['width']}x{q['height']}" for q in meta["ladder"]]
    c.expect(res == want, f"{name}: variants {res}, want {want}")
    for attrs, uri in variants:
        c.expect(int(attrs.get("BANDWIDTH", "0")) > 0, f"{name}: variant {uri} has no BANDWIDTH")
        c.expect("avc1" in attrs.get("CODECS", ""), f"{name}: variant {uri} has no CODECS")
    audio_groups = {m["GROUP-ID"] for m in media if m.get("TYPE") == "AUDIO"}
    if pk["audio"] == "separate":
        c.expect(len(audio_groups) == 1, f"{name}: {len(audio_groups)} audio groups, want 1")
        c.expect(all(a.get("AUDIO") in audio_groups for a, _ in variants),
                 f"{name}: a variant does not name the audio group")
    else:
        c.expect(not media, f"{name}: unexpected EXT-X-MEDIA in a muxed-audio packaging")

    listed = [os.path.normpath(os.path.join(os.path.dirname(pk["manifest"]), u)) for _, u in variants]
    c.expect(listed == pk["playlists"]["video"], f"{name}: variant playlists {listed}")
    audio_uris = [os.path.normpath(os.path.join(os.path.dirname(pk["manifest"]), m["URI"]))
                  for m in media if m.get("URI")]
    c.expect(audio_uris == pk["playlists"]["audio"], f"{name}: audio playlists {audio_uris}")

    period = pk["periods"][0]
    for kind in ("video", "audio"):
        for rel, count in zip(pk["playlists"][kind], period["segments"][kind]):
            c.expect(is_relative_url(rel), f"{name}: absolute URI {rel}")
            check_media_playlist(c, f"{name} {rel}", c.path(rel), count,
                                 pk["segment_duration_s"] if kind == "video" else None,
                                 keyframe_check and kind == "video")


def check_media_playlist(c, what, path, count, seg_dur, keyframe_check):
    lines = read_lines(c, what, path)
    if lines is None:
        return
    base = os.path.dirname(path)
    c.expect("#EXT-X-ENDLIST" in lines, f"{what}: no #EXT-X-ENDLIST")
    target = next((int(x.split(":")[1]) for x in lines if x.startswith("#EXT-X-TARGETDURATION:")), None)
    c.expect(target is not None, f"{what}: no #EXT-X-TARGETDURATION")
    segments, durations = [], []
    next_offset = {}                       # implicit BYTERANGE offsets continue per file
    duration, byterange = None, None
    for line in lines[1:]:
        if line.startswith("#EXTINF:"):
            duration = float(line.split(":", 1)[1].split(",")[0])
        elif line.startswith("#EXT-X-BYTERANGE:"):
            byterange = line.split(":", 1)[1]
        elif line.startswith("#EXT-X-MAP:"):
            attrs = parse_attrs(line.split(":", 1)[1])
            c.expect(is_relative_url(attrs["URI"]), f"{what}: absolute EXT-X-MAP URI")
            c.expect(os.path.isfile(os.path.join(base, attrs["URI"])), f"{what}: missing {attrs['URI']}")
        elif not line.startswith("#"):
            c.expect(is_relative_url(line), f"{what}: absolute URI {line}")
            file = os.path.join(base, line)
            if c.expect(os.path.isfile(file), f"{what}: missing {line}") and byterange:
                length, _, offset = byterange.partition("@")
                offset = int(offset) if offset else next_offset.get(file, 0)
                end = offset + int(length)
                c.expect(end <= os.path.getsize(file),
                         f"{what}: byte range {byterange} beyond the end of {line}")
                next_offset[file] = end
            segments.append((file, byterange))
            durations.append(duration)
            duration, byterange = None, None
    c.expect(len(segments) == count, f"{what}: {len(segments)} segments, media.json says {count}")
    c.expect(target is None or all(d is not None and round(d) <= target for d in durations),
             f"{what}: a segment is longer than EXT-X-TARGETDURATION")
    if seg_dur is not None:
        c.expect(all(abs(d - seg_dur) < 1e-3 for d in durations[:-1]) and
                 all(d <= seg_dur + 1e-3 for d in durations[-1:]),
                 f"{what}: segment durations {sorted(set(durations))}, want {seg_dur}")
    if keyframe_check:
        for file, byterange in segments:
            check_ts_starts_with_keyframe(c, what, file, byterange)


def check_ts_starts_with_keyframe(c, what, file, byterange):
    """The first video packet of an MPEG-TS segment must be a keyframe (IDR)."""
    if byterange or not os.path.isfile(file):
        return
    info = ffprobe_json(c, file, "-select_streams", "v:0", "-read_intervals", "%+#1",
                        "-show_entries", "packet=flags")
    if info is None:
        return
    flags = [p.get("flags", "") for p in info.get("packets", [])]
    c.expect(bool(flags) and flags[0].startswith("K"),
             f"{what}: {os.path.basename(file)} does not start with a keyframe")


# --- sources ------------------------------------------------------------------------------

def check_sources(c, meta):
    for q in meta["ladder"]:
        src = c.path(q["source"])
        if not c.expect(os.path.isfile(src), f"{q['source']} missing"):
            continue
        info = ffprobe_json(c, src, "-count_frames", "-select_streams", "v:0", "-show_entries",
                            "stream=codec_name,width,height,r_frame_rate,nb_read_frames")
        if info is None:
            continue
        st = info["streams"][0]
        c.expect(st["codec_name"] == "h264", f"{q['source']}: codec {st['codec_name']}")
        c.expect((st["width"], st["height"]) == (q["width"], q["height"]),
                 f"{q['source']}: {st['width']}x{st['height']}")
        c.expect(st["r_frame_rate"] == f"{meta['fps']}/1", f"{q['source']}: rate {st['r_frame_rate']}")
        c.expect(int(st["nb_read_frames"]) == meta["video_frames"],
                 f"{q['source']}: {st['nb_read_frames']} frames, media.json says {meta['video_frames']}")
        check_colour_bars(c, q, src, meta["test_pattern"]["bars"])

    a = meta["audio"]
    src = c.path(a["source"])
    if c.expect(os.path.isfile(src), f"{a['source']} missing"):
        info = ffprobe_json(c, src, "-count_frames", "-select_streams", "a:0", "-show_entries",
                            "stream=codec_name,sample_rate,channels,nb_read_frames")
        if info is None:
            return
        st = info["streams"][0]
        c.expect(st["codec_name"] == "aac", f"{a['source']}: codec {st['codec_name']}")
        c.expect(int(st["sample_rate"]) == a["sample_rate"], f"{a['source']}: rate {st['sample_rate']}")
        c.expect(st["channels"] == a["channels"], f"{a['source']}: {st['channels']} channels")
        c.expect(int(st["nb_read_frames"]) == a["frames"],
                 f"{a['source']}: {st['nb_read_frames']} frames, media.json says {a['frames']}")
        check_sine(c, src, a)


def check_colour_bars(c, q, src, bars):
    w, h = q["width"], q["height"]
    raw = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-ss", "1", "-i", src,
                          "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                         check=True, capture_output=True).stdout
    if not c.expect(len(raw) == w * h * 3, f"{q['source']}: decoded frame has {len(raw)} bytes"):
        return
    for bar in bars:
        # Average a patch of half the bar's size around its centre.
        x0 = int((bar["cx"] - (bar["x1"] - bar["x0"]) / 4) * w)
        x1 = int((bar["cx"] + (bar["x1"] - bar["x0"]) / 4) * w)
        y0 = int((bar["cy"] - (bar["y1"] - bar["y0"]) / 4) * h)
        y1 = int((bar["cy"] + (bar["y1"] - bar["y0"]) / 4) * h)
        sums, n = [0, 0, 0], 0
        for y in range(y0, y1):
            row = raw[(y * w + x0) * 3:(y * w + x1) * 3]
            for ch in range(3):
                sums[ch] += sum(row[ch::3])
            n += x1 - x0
        rgb = [round(s / n) for s in sums]
        c.expect(all(abs(a - b) <= COLOUR_TOLERANCE for a, b in zip(rgb, bar["rgb"])),
                 f"{q['source']}: {bar['name']} bar is {rgb}, media.json says {bar['rgb']}")


def check_sine(c, src, a):
    rate = a["sample_rate"]
    pcm = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-ss", "1", "-t", "1", "-i", src,
                          "-ac", "1", "-f", "s16le", "-acodec", "pcm_s16le", "-"],
                         check=True, capture_output=True).stdout
    samples = struct.unpack(f"<{len(pcm) // 2}h", pcm)
    crossings = sum(1 for x, y in zip(samples, samples[1:]) if x < 0 <= y)
    seconds = len(samples) / rate
    freq = crossings / seconds if seconds else 0
    c.expect(abs(freq - a["sine_hz"]) < 5, f"{a['source']}: tone at {freq:.1f} Hz, want {a['sine_hz']}")
    peak = max(abs(x) for x in samples) / 32768 if samples else 0
    c.expect(abs(peak - a["sine_amplitude"]) < 0.03,
             f"{a['source']}: peak {peak:.3f}, want about {a['sine_amplitude']}")


def check_manifest_opens(c, name, pk):
    # Absolute path: FFmpeg 5.1's DASH demuxer cannot resolve segments of an MPD opened
    # through a relative path with a directory in it.
    path = os.path.abspath(c.path(pk["manifest"]))
    r = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_type",
                        "-of", "csv=p=0", path], capture_output=True, text=True)
    types = set(r.stdout.split())
    c.expect(r.returncode == 0 and types == {"video", "audio"},
             f"{name}: ffprobe cannot open {pk['manifest']}: {r.stderr.strip()[:200]}")


# --- main ---------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--generator", required=True, help="path of scripts/gen-media.sh")
    ap.add_argument("--outdir", required=True)
    ap.add_argument("--duration", type=int, default=20)
    args = ap.parse_args()

    t0 = time.monotonic()
    subprocess.run(["bash", args.generator, "--duration", str(args.duration), args.outdir], check=True)
    print(f"generator: {time.monotonic() - t0:.1f} s", flush=True)

    c = Checker(args.outdir)
    with open(c.path("media.json"), encoding="utf-8") as f:
        meta = json.load(f)

    # A second run must find the set up to date and leave it alone.
    stamp_file = c.path(".gen-media.stamp")
    before = os.stat(stamp_file).st_mtime_ns
    subprocess.run(["bash", args.generator, "--duration", str(args.duration), args.outdir],
                   check=True, capture_output=True)
    c.expect(os.stat(stamp_file).st_mtime_ns == before, "a second run rebuilt an up-to-date set")

    c.expect(meta["duration_s"] == args.duration, f"media.json duration {meta['duration_s']}")
    c.expect(meta["video_frames"] == meta["duration_s"] * meta["fps"], "video_frames != duration * fps")
    expected = {"dash-number", "dash-time", "dash-base", "dash-list", "dash-2period",
                "hls-ts", "hls-fmp4", "hls-byterange", "hls-audio"}
    c.expect(set(meta["packagings"]) == expected,
             f"packagings {sorted(meta['packagings'])}, want {sorted(expected)}")

    check_sources(c, meta)
    for name, pk in meta["packagings"].items():
        c.expect(pk["colour_bars"] == meta["test_pattern"]["bars"], f"{name}: colour_bars differ")
        if pk["format"] == "dash":
            check_dash(c, name, pk, meta)
        else:
            check_hls(c, name, pk, meta, keyframe_check=(pk["container"] == "mpegts"))
        check_manifest_opens(c, name, pk)

    print(f"checked {c.checks} things in {time.monotonic() - t0:.1f} s")
    for f in c.failures:
        print("FAIL:", f)
    return 1 if c.failures else 0


if __name__ == "__main__":
    sys.exit(main())
