-- bola: BOLA-E, buffer-based adaptation by Lyapunov optimization.
-- Sources: K. Spiteri, R. Urgaonkar, R. K. Sitaraman, "BOLA: Near-Optimal
-- Bitrate Adaptation for Online Videos", INFOCOM 2016 / IEEE/ACM ToN 2020;
-- K. Spiteri, R. Sitaraman, D. Sparacio, "From Theory to Practice: Improving
-- Bitrate Adaptation in the DASH Reference Player", MMSys 2018 (BOLA-E), as
-- implemented in dash.js (src/streaming/rules/abr/BolaRule.js) and in Sabre
-- (sabre.py, BolaEnh).
-- * Utility of a quality: ln(bandwidth / lowest bandwidth) + 1.
-- * Next quality: the one maximising (V * (utility + gamma) - buffer) / bandwidth,
--   where V and gamma put the top quality at the buffer target and the
--   lowest below the minimum buffer (dash.js calculateBolaParameters).
-- * Startup: the throughput rule until one segment is buffered, with a
--   placeholder buffer that makes BOLA continue from that quality.
-- * Placeholder buffer: time spent waiting (for buffer room, for a live
--   segment) counts as buffer; it decays by 1 % per segment and is capped so
--   that it never lifts the buffer over the last quality's level.
-- * BOLA-O: never step up past what the throughput sustains.
-- * Abandonment (on_download_monitor): Sabre's BOLA-E rule, with the buffer
--   expected once the rest of the segment arrives at the current rate: a
--   lower quality whose whole segment is smaller than what remains and that
--   BOLA scores higher is fetched instead.
-- A pause before downloading (dash.js delays requests when the buffer is
-- above the quality's level) is left to the player's buffer limit.
-- Defaults (dash.js): minimum buffer 10 s, 2 s more per quality, stable
-- buffer 12 s (target = max(12, 10 + 2 * qualities)), both scaled down when
-- the player's buffer (stats.buffer_max) is smaller than the target;
-- placeholder decay 0.99; throughput: EWMA half-lives 3 s and 8 s, safety 0.9.
local MINIMUM_BUFFER_S = 10
local MINIMUM_BUFFER_PER_LEVEL_S = 2
local STABLE_BUFFER_S = 12
local PLACEHOLDER_DECAY = 0.99
local SAFETY = 0.9
local FAST_HALFLIFE, SLOW_HALFLIFE = 3.0, 8.0

local algo = {}
local groups = {}

-- ---- throughput (as throughput.lua), for startup and BOLA-O

local function ewma(avg, sample, weight, halflife)
    local alpha = 0.5 ^ (weight / halflife)
    return alpha * avg + (1 - alpha) * sample
end

local function add_sample(t, bps, seconds)
    if not (bps > 0 and seconds > 0) or bps == math.huge or seconds == math.huge then
        return
    end
    seconds = math.max(seconds, 0.05)
    t.fast = ewma(t.fast, bps, seconds, FAST_HALFLIFE)
    t.slow = ewma(t.slow, bps, seconds, SLOW_HALFLIFE)
    t.weight = t.weight + seconds
end

-- The highest position in s.bitrates that the estimate sustains, nil before any sample.
local function throughput_quality(s)
    local t = s.tput
    if t.weight <= 0 then
        return nil
    end
    local est = math.min(t.fast / (1 - 0.5 ^ (t.weight / FAST_HALFLIFE)),
                         t.slow / (1 - 0.5 ^ (t.weight / SLOW_HALFLIFE)))
    local best = 1
    for i, b in ipairs(s.bitrates) do
        if b <= est * SAFETY then
            best = i
        end
    end
    return best
end

-- ---- BOLA

-- s.list: the enabled qualities' indices; s.bitrates, s.utilities by position.
local function set_parameters(s, group, capacity)
    s.list, s.bitrates, s.utilities = {}, {}, {}
    for i, q in ipairs(group.qualities) do
        if not q.disabled then
            s.list[#s.list + 1] = i
            s.bitrates[#s.bitrates + 1] = q.bandwidth
        end
    end
    local n = #s.bitrates
    for i = 1, n do
        s.utilities[i] = math.log(s.bitrates[i] / s.bitrates[1]) + 1
    end
    local target = math.max(STABLE_BUFFER_S, MINIMUM_BUFFER_S + MINIMUM_BUFFER_PER_LEVEL_S * n)
    -- Scaling both buffers keeps gamma and shrinks V.
    local scale = capacity > 0 and math.min(1, capacity / target) or 1
    if n > 1 then
        s.gp = (s.utilities[n] - 1) / (target / MINIMUM_BUFFER_S - 1)
        s.Vp = MINIMUM_BUFFER_S * scale / s.gp
    end
    s.capacity = capacity
end

local function quality_from_buffer(s, level)
    local best, best_score
    for i, b in ipairs(s.bitrates) do
        local score = (s.Vp * (s.utilities[i] + s.gp) - level) / b
        if not best_score or score >= best_score then
            best, best_score = i, score
        end
    end
    return best
end

-- The highest buffer level at which BOLA still downloads quality i.
local function max_level(s, i)
    return s.Vp * (s.utilities[i] + s.gp)
end

-- The lowest buffer level at which BOLA prefers quality q to every lower one.
local function min_level(s, q)
    local level = 0
    for i = q - 1, 1, -1 do
        local bq, bi = s.bitrates[q], s.bitrates[i]
        if bi < bq then
            level = math.max(level,
                             s.Vp * (s.gp + (bq * s.utilities[i] - bi * s.utilities[q]) / (bq - bi)))
        end
    end
    return level
end

local function state(group)
    local s = groups[group.idx]
    if not s then
        s = { startup = true, placeholder = 0, tput = { fast = 0, slow = 0, weight = 0 } }
        groups[group.idx] = s
    end
    return s
end

local function startup(s, group, buffer, q_tput)
    local q = q_tput or s.last_q
    if not q then
        return nil
    end
    -- Continue from the throughput's choice once BOLA takes over.
    s.placeholder = math.max(0, min_level(s, q) - buffer)
    if buffer >= group.segment_duration then
        s.startup = false
    end
    return q
end

local function steady(s, stats, buffer, q_tput, now)
    if s.last_call then
        -- Waiting that was not downloading (buffer full, live edge) is not
        -- a reason to lower the quality.
        s.placeholder = s.placeholder + math.max(0, now - s.last_call - stats.download_time)
    end
    s.placeholder = s.placeholder * PLACEHOLDER_DECAY
    if buffer <= 0 then
        s.placeholder = 0   -- after a stall, no optimism
    end
    local before_download = buffer + stats.download_time
    s.placeholder = math.min(s.placeholder, math.max(0, max_level(s, s.last_q) - before_download))
    local q = quality_from_buffer(s, buffer + s.placeholder)
    if q_tput and q > s.last_q and q > q_tput then
        q = math.max(q_tput, s.last_q)     -- BOLA-O
    end
    -- Above the quality's level, spend the placeholder first.
    local excess = math.max(0, buffer + s.placeholder - max_level(s, q))
    s.placeholder = math.max(0, s.placeholder - excess)
    return q
end

function algo.on_new_group(group)
    groups[group.idx] = nil
    state(group)
end

function algo.on_rate_adaptation(group, base_group, force_low_complexity, stats)
    local s = state(group)
    local capacity = stats.buffer_max / 1000
    if s.capacity ~= capacity then
        set_parameters(s, group, capacity)
    end
    if #s.list <= 1 then
        return s.list[1] or -1
    end
    add_sample(s.tput, stats.download_rate, stats.download_time)
    local now, buffer = hasp.now(), stats.buffer / 1000
    local q_tput = throughput_quality(s)
    local q
    if s.startup or not s.last_q then
        q = startup(s, group, buffer, q_tput)
    else
        q = steady(s, stats, buffer, q_tput, now)
    end
    s.last_call = now
    if not q then
        return -1
    end
    s.last_q = q
    return s.list[q]
end

-- The position in s.list of the quality downloading.
local function downloading(s, group)
    for pos, i in ipairs(s.list) do
        if group.qualities[i].is_selected then
            return pos
        end
    end
    return nil
end

function algo.on_download_monitor(group, stats)
    local s = groups[group.idx]
    if not s or s.startup or not s.Vp then
        return -1
    end
    local cur = downloading(s, group)
    local total, done, rate = stats.total_bytes, stats.bytes_done, stats.bits_per_sec
    local remain = total - done
    if not cur or cur == 1 or done <= 0 or remain <= 0 or not (rate > 0) then
        return -1
    end
    -- The buffer once the rest of this segment has arrived at this rate.
    local buffer = math.max(0, stats.buffer_dur / 1000 + s.placeholder - remain * 8 / rate)
    local score = (max_level(s, cur) - buffer) / remain
    if score < 0 then
        return -1
    end
    local best
    for q = 1, cur - 1 do
        local size = total * s.bitrates[q] / s.bitrates[cur]
        local other = (max_level(s, q) - buffer) / size
        if size < remain and other > score then
            best, score = q, other
        end
    end
    if not best then
        return -1
    end
    s.last_q = best
    return s.list[best]
end

return algo
