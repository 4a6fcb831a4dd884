-- API test (tests/unit/test_abr_api.c): checks the tables a script receives
-- against the test's fake group and stats; answers 2 when all is right,
-- raises an error naming the first difference otherwise.
local seen_group
local new_groups, resets = 0, {}

local function check(cond, what)
    if not cond then error("wrong " .. what, 2) end
end

local function check_group(g)
    check(g.idx == 0 and math.type(g.idx) == "integer", "idx")
    check(g.type == "video", "type")
    check(g.lang == "en", "lang")
    check(g.duration == 60, "duration")
    check(g.segment_duration == 2, "segment_duration")
    check(g.is_live == false, "is_live")
    check(#g.qualities == 4, "number of qualities")
    local bw = { 400000, 800000, 1400000, 2800000 }
    for i, q in ipairs(g.qualities) do
        check(q.ID == "q" .. (i - 1), "ID")
        check(q.bandwidth == bw[i] and math.type(q.bandwidth) == "integer", "bandwidth")
        check(q.mime == "video/mp4" and q.codec == "avc1.64001f", "mime or codec")
        check(q.fps == 25 and q.sar == "1:1", "fps or sar")
        check(q.height > 0 and q.width == q.height * 16 // 9, "width or height")
        check(q.sample_rate == 0 and q.nb_channels == 0, "audio fields")
        check(q.disabled == false and type(q.is_selected) == "boolean", "flags")
        check(q.ast_offset == 0 and q.average_duration == 2, "ast_offset or average_duration")
    end
end

local function selected(g)
    local found
    for i, q in ipairs(g.qualities) do
        if q.is_selected then
            check(not found, "is_selected: more than one")
            found = i
        end
    end
    return found or 0
end

function on_period_reset(kind)
    resets[#resets + 1] = kind
end

function on_new_group(group)
    new_groups = new_groups + 1
    check_group(group)
    seen_group = group
end

-- The test passes segment_index 4 (C), active quality 2 (C), buffer 12.5 s,
-- and expects the answer 2.
function on_rate_adaptation(group, base_group, force_low_complexity, stats)
    check(new_groups == 1, "on_new_group count")
    check(group == seen_group, "group table identity")
    check(base_group == group, "base_group")
    check(force_low_complexity == false, "force_low_complexity")
    check_group(group)
    check(stats.segment_index == 5, "segment_index (1-based)")
    check(stats.active_quality_idx == 3, "active_quality_idx (1-based)")
    check(selected(group) == 3, "is_selected")
    check(stats.buffer == 12500 and stats.buffer_max == 30000, "buffer (ms)")
    check(stats.download_rate == 2e6 and stats.download_time == 0.7, "download stats")
    check(stats.filesize == 175000 and stats.speed == 1, "filesize or speed")
    check(stats.latency == nil, "latency (not live)")
    check(#resets == 1 and resets[1] == "period_start", "on_period_reset")
    return 2
end

-- After the answer 2: quality 2 is downloading.
function on_download_monitor(group, stats)
    check(selected(group) == 2, "is_selected while downloading")
    check(stats.bits_per_sec == 1e6 and stats.total_bytes == 200000, "monitor rate or size")
    check(stats.bytes_done == 5000 and stats.time_since_start == 40000, "monitor progress")
    check(stats.buffer_dur == 9000 and stats.current_seg_dur == 2000, "monitor durations")
    return 1
end
