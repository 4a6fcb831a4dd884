-- Sandbox test (tests/unit/test_abr_sandbox.c, tests/faults/test_sandbox.py): a backtracking pattern that would run for hours in one C call
-- The first decision misbehaves; later ones answer quality 2.
local calls = 0
function on_rate_adaptation(group, base_group, force_low_complexity, stats)
    calls = calls + 1
    if calls == 1 then
        local s = string.rep("a", 100000)
        s:find(".-.-.-.-b")
    end
    return 2
end
