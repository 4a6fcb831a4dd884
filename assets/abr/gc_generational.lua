-- Sandbox test (tests/unit/test_abr_sandbox.c, tests/faults/test_sandbox.py): collectgarbage retuning the host's collector
-- The first decision misbehaves; later ones answer quality 2.
local calls = 0
function on_rate_adaptation(group, base_group, force_low_complexity, stats)
    calls = calls + 1
    if calls == 1 then
        collectgarbage("generational", 0, 0)
    end
    return 2
end
