-- cycle: the next quality on every segment, wrapping around to the lowest.
-- Source: the custom algorithm example of the GPAC wiki ("DASH / HLS custom
-- adaptation in Python", MyCustomDASHAlgo), with Lua's 1-based indices.
-- For tests and demonstrations of switching; it ignores the network.
-- Defaults: none.
local algo = {}

function algo.on_period_reset(kind)
end

function algo.on_new_group(group)
end

function algo.on_rate_adaptation(group, base_group, force_low_complexity, stats)
    -- active_quality_idx is 0 before the first segment: start at 1
    local next_q = stats.active_quality_idx + 1
    if next_q > #group.qualities then
        next_q = 1
    end
    return next_q
end

return algo
