-- Sandbox test (tests/unit/test_abr_sandbox.c, tests/faults/test_sandbox.py): collectgarbage("stop"), then garbage
-- The first decision misbehaves; later ones answer quality 2.
local calls = 0
function on_rate_adaptation(group, base_group, force_low_complexity, stats)
    calls = calls + 1
    if calls == 1 then
        collectgarbage("stop")
        for i = 1, 100000 do local t = { i } end
    end
    return 2
end
