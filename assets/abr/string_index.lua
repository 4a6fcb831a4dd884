-- Sandbox test (tests/unit/test_abr_sandbox.c, tests/faults/test_sandbox.py): string methods replaced through the string table: only this script sees it
-- The first decision misbehaves; later ones answer quality 2.
local calls = 0
function on_rate_adaptation(group, base_group, force_low_complexity, stats)
    calls = calls + 1
    if calls == 1 then
        string.rep = function() while true do end end
        local s = ("x"):rep(3)
    end
    return 2
end
