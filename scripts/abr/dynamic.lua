-- dynamic: the throughput rule while the buffer is low, BOLA once it is full
-- enough, with hysteresis.
-- Source: dash.js's DYNAMIC ABR strategy (AbrController,
-- updateIsUsingBufferOccupancyAbr): BOLA takes over above the stable buffer
-- time and hands back below half of it. K. Spiteri, R. Sitaraman,
-- D. Sparacio, "From Theory to Practice: Improving Bitrate Adaptation in the
-- DASH Reference Player", MMSys 2018.
-- Scripts cannot share code (the sandbox has no require), so this keeps its
-- own small copies: the throughput rule of throughput.lua and BOLA's
-- quality from buffer of bola.lua (with BOLA-O and a placeholder buffer that
-- starts BOLA from the throughput rule's quality, as dash.js's BOLA startup).
-- It has no abandonment; bola.lua has.
-- Defaults: switch to BOLA above 12 s of buffer, back below 6 s (both at
-- most half and a quarter of stats.buffer_max); BOLA with dash.js's
-- minimum buffer 10 s and 2 s per quality (scaled down to the player's
-- buffer); throughput EWMA half-lives 3 s and 8 s, safety 0.9.
local STABLE_BUFFER_S = 12
local MINIMUM_BUFFER_S = 10
local MINIMUM_BUFFER_PER_LEVEL_S = 2
local PLACEHOLDER_DECAY = 0.99
local SAFETY = 0.9
local FAST_HALFLIFE, SLOW_HALFLIFE = 3.0, 8.0

local algo = {}
local groups = {}

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
    local scale = capacity > 0 and math.min(1, capacity / target) or 1
    if n > 1 then
        s.gp = (s.utilities[n] - 1) / (target / MINIMUM_BUFFER_S - 1)
        s.Vp = MINIMUM_BUFFER_S * scale / s.gp
    end
    s.switch_on = capacity > 0 and math.min(STABLE_BUFFER_S, capacity / 2) or STABLE_BUFFER_S
    s.capacity = capacity
end

local function bola_quality(s, level)
    local best, best_score
    for i, b in ipairs(s.bitrates) do
        local score = (s.Vp * (s.utilities[i] + s.gp) - level) / b
        if not best_score or score >= best_score then
            best, best_score = i, score
        end
    end
    return best
end

local function max_level(s, i)
    return s.Vp * (s.utilities[i] + s.gp)
end

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

local function bola(s, buffer, q_tput)
    s.placeholder = math.min(s.placeholder * PLACEHOLDER_DECAY,
                             math.max(0, max_level(s, s.last_q) - buffer))
    local q = bola_quality(s, buffer + s.placeholder)
    if q_tput and q > s.last_q and q > q_tput then
        q = math.max(q_tput, s.last_q)     -- BOLA-O
    end
    s.placeholder = math.max(0, s.placeholder - math.max(0, buffer + s.placeholder - max_level(s, q)))
    return q
end

function algo.on_new_group(group)
    groups[group.idx] = { placeholder = 0, use_bola = false,
                          tput = { fast = 0, slow = 0, weight = 0 } }
end

function algo.on_rate_adaptation(group, base_group, force_low_complexity, stats)
    local s = groups[group.idx]
    if not s then
        algo.on_new_group(group)
        s = groups[group.idx]
    end
    local capacity = stats.buffer_max / 1000
    if s.capacity ~= capacity then
        set_parameters(s, group, capacity)
    end
    if #s.list <= 1 then
        return s.list[1] or -1
    end
    add_sample(s.tput, stats.download_rate, stats.download_time)
    local buffer = stats.buffer / 1000
    local q_tput = throughput_quality(s)
    local was_bola = s.use_bola
    s.use_bola = buffer > (was_bola and s.switch_on / 2 or s.switch_on) and s.last_q ~= nil
    local q
    if s.use_bola and not was_bola then
        -- Hand over without a jump: BOLA continues from the current quality.
        s.placeholder = math.max(0, min_level(s, s.last_q) - buffer)
        q = s.last_q
    elseif s.use_bola then
        q = bola(s, buffer, q_tput)
    else
        q = q_tput or s.last_q
    end
    if not q then
        return -1
    end
    s.last_q = q
    return s.list[q]
end

return algo
