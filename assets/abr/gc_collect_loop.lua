-- Sandbox test (tests/unit/test_abr_sandbox.c, tests/faults/test_sandbox.py): a full collection of a big heap, over and over (wall-clock limit)
-- The first decision misbehaves; later ones answer quality 2.
local calls = 0
function on_rate_adaptation(group, base_group, force_low_complexity, stats)
    calls = calls + 1
    if calls == 1 then
        local keep = {}
        for i = 1, 100000 do keep[i] = { i } end
        while true do collectgarbage("collect") end
    end
    return 2
end
