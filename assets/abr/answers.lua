-- API test: the answers a script may give, by segment (1-based).
local answers = { [1] = nil, [2] = -1, [3] = -2, [4] = 4, [5] = 1.0 }
function on_rate_adaptation(group, base_group, force_low_complexity, stats)
    return answers[stats.segment_index]
end
