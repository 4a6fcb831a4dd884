-- throughput: the highest quality that fits the estimated throughput.
-- Source: lib/abr/throughput.c, hasp's built-in rule, itself after dash.js's
-- ThroughputRule with Shaka's bias-corrected EWMA: two exponentially weighted
-- moving averages of segment throughput, weighted by download time (a slow
-- download weighs more, so a collapsing link shows within one segment);
-- the estimate is the smaller of the two.
-- Defaults: half-lives 3 s (fast) and 8 s (slow), safety factor 0.9,
-- downloads shorter than 50 ms count as 50 ms. Before the first measured
-- download it keeps the current quality (the player's start quality).
local FAST_HALFLIFE = 3.0
local SLOW_HALFLIFE = 8.0
local SAFETY = 0.9
local MIN_DOWNLOAD_S = 0.05

local algo = {}
local groups = {}   -- per group idx: {fast, slow, weight}

local function ewma(avg, sample, weight, halflife)
    local alpha = 0.5 ^ (weight / halflife)
    return alpha * avg + (1 - alpha) * sample
end

local function add_sample(s, bps, seconds)
    if not (bps > 0 and seconds > 0) or bps == math.huge or seconds == math.huge then
        return
    end
    seconds = math.max(seconds, MIN_DOWNLOAD_S)
    s.fast = ewma(s.fast, bps, seconds, FAST_HALFLIFE)
    s.slow = ewma(s.slow, bps, seconds, SLOW_HALFLIFE)
    s.weight = s.weight + seconds
end

-- Unbiased: the averages start at 0, so early values are divided by the
-- weight the samples have had so far.
local function estimate(s)
    if s.weight <= 0 then
        return nil
    end
    local fast = s.fast / (1 - 0.5 ^ (s.weight / FAST_HALFLIFE))
    local slow = s.slow / (1 - 0.5 ^ (s.weight / SLOW_HALFLIFE))
    return math.min(fast, slow)
end

local function state(group)
    local s = groups[group.idx]
    if not s then
        s = { fast = 0, slow = 0, weight = 0 }
        groups[group.idx] = s
    end
    return s
end

function algo.on_period_reset(kind)
end

function algo.on_new_group(group)
    state(group)
end

function algo.on_rate_adaptation(group, base_group, force_low_complexity, stats)
    local s = state(group)
    add_sample(s, stats.download_rate, stats.download_time)
    local est = estimate(s)
    if not est then
        return -1
    end
    local best = 1
    for i, q in ipairs(group.qualities) do
        if not q.disabled and q.bandwidth <= est * SAFETY then
            best = i
        end
    end
    return best
end

return algo
