-- Sandbox test (tests/unit/test_abr_sandbox.c, tests/faults/test_sandbox.py): the same through gsub on a string method
-- The first decision misbehaves; later ones answer quality 2.
local calls = 0
function on_rate_adaptation(group, base_group, force_low_complexity, stats)
    calls = calls + 1
    if calls == 1 then
        local s = ("ab"):rep(50000)
        s:gsub("(a-)(b-)(a-)x", "%1")
    end
    return 2
end
