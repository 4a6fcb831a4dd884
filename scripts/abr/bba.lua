-- bba: buffer-based adaptation, BBA-0.
-- Source: T.-Y. Huang, R. Johari, N. McKeown, M. Trunnell, M. Watson,
-- "A Buffer-Based Approach to Rate Adaptation: Evidence from a Large Video
-- Streaming Service", SIGCOMM 2014, section 4 (Algorithm 1).
-- The rate map f(B) rises linearly from the lowest bandwidth at the end of
-- the reservoir r to the highest at r + cushion; below r the lowest quality,
-- above r + cushion the highest. Between, the quality changes only when f(B)
-- passes the next bandwidth up or down (no oscillation between neighbours).
-- Defaults: the paper's 90 s reservoir and 126 s cushion for a 240 s buffer,
-- scaled to the player's buffer (stats.buffer_max; 30 s if unknown):
-- reservoir 37.5 % and cushion 52.5 % of it (11.25 s and 15.75 s for 30 s).
-- Throughput is not used: BBA-0 reads the buffer only.
local RESERVOIR_SHARE = 90 / 240
local CUSHION_SHARE = 126 / 240
local DEFAULT_BUFFER_S = 30

local algo = {}

-- The enabled qualities' indices, lowest bandwidth first.
local function enabled(group)
    local list = {}
    for i, q in ipairs(group.qualities) do
        if not q.disabled then
            list[#list + 1] = i
        end
    end
    return list
end

-- f(B): the bandwidth the buffer level affords.
local function rate_map(buffer_s, reservoir, cushion, r_min, r_max)
    local x = (buffer_s - reservoir) / cushion
    return r_min + math.max(0, math.min(1, x)) * (r_max - r_min)
end

function algo.on_rate_adaptation(group, base_group, force_low_complexity, stats)
    local qs = group.qualities
    local list = enabled(group)
    if #list == 0 then
        return -1
    end
    local lowest, highest = list[1], list[#list]
    local capacity = stats.buffer_max > 0 and stats.buffer_max / 1000 or DEFAULT_BUFFER_S
    local reservoir = RESERVOIR_SHARE * capacity
    local cushion = CUSHION_SHARE * capacity
    local buffer_s = stats.buffer / 1000
    local prev = stats.active_quality_idx
    if prev < 1 or prev > #qs or qs[prev].disabled then
        prev = lowest
    end
    if buffer_s <= reservoir then
        return lowest
    elseif buffer_s >= reservoir + cushion then
        return highest
    end
    local f = rate_map(buffer_s, reservoir, cushion, qs[lowest].bandwidth, qs[highest].bandwidth)
    -- Rate+ / Rate-: the neighbours of the previous quality (itself at the ends).
    local up, down = prev, prev
    for _, i in ipairs(list) do
        if i > prev and up == prev then up = i end
        if i < prev then down = i end
    end
    local next_q = prev
    if f >= qs[up].bandwidth then
        -- max{Ri : Ri < f(B)}
        for _, i in ipairs(list) do
            if qs[i].bandwidth < f then next_q = i end
        end
    elseif f <= qs[down].bandwidth then
        -- min{Ri : Ri > f(B)}
        for k = #list, 1, -1 do
            if qs[list[k]].bandwidth > f then next_q = list[k] end
        end
    end
    return next_q
end

return algo
