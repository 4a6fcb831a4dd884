-- Sandbox test (tests/unit/test_abr_sandbox.c, tests/faults/test_sandbox.py): table.remove at the front of a table whose __len says 2^62
-- The first decision misbehaves; later ones answer quality 2.
local calls = 0
function on_rate_adaptation(group, base_group, force_low_complexity, stats)
    calls = calls + 1
    if calls == 1 then
        local t = setmetatable({ 1 }, { __len = function() return 1 << 62 end })
        table.remove(t, 1)
    end
    return 2
end
