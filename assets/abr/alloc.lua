-- Sandbox test (tests/unit/test_abr_sandbox.c): unbounded allocation (memory cap)
-- The first decision misbehaves; later ones answer quality 2.
local calls = 0
function on_rate_adaptation(group, base_group, force_low_complexity, stats)
    calls = calls + 1
    if calls == 1 then
        local t = {}
        for i = 1, math.huge do t[i] = string.rep("x", 1000) .. i end
    end
    return 2
end
