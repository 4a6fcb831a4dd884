-- Sandbox test (tests/unit/test_abr_sandbox.c, tests/faults/test_sandbox.py): load of a huge generated chunk (memory cap while compiling)
-- The first decision misbehaves; later ones answer quality 2.
local calls = 0
function on_rate_adaptation(group, base_group, force_low_complexity, stats)
    calls = calls + 1
    if calls == 1 then
        local body = string.rep("a = 1 ", 2000000)
        load(body)()
    end
    return 2
end
