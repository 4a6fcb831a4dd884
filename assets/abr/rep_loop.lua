-- Sandbox test (tests/unit/test_abr_sandbox.c, tests/faults/test_sandbox.py): string.rep of a megabyte in a loop: few instructions, much time (wall-clock limit)
-- The first decision misbehaves; later ones answer quality 2.
local calls = 0
function on_rate_adaptation(group, base_group, force_low_complexity, stats)
    calls = calls + 1
    if calls == 1 then
        while true do local s = string.rep("x", 1 << 20) end
    end
    return 2
end
