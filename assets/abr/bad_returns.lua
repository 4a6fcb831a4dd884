-- Sandbox test: answers that are not quality indices, one per decision,
-- then quality 2.
local bad = { 99, "x", 1.5, {}, 0, -3, "2", true }
local calls = 0
function on_rate_adaptation(group, base_group, force_low_complexity, stats)
    calls = calls + 1
    if calls <= #bad then
        return bad[calls]
    end
    return 2
end
