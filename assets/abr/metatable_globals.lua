-- Sandbox test (tests/unit/test_abr_sandbox.c, tests/faults/test_sandbox.py): a metatable on the globals that loops on every lookup
-- The first decision misbehaves; later ones answer quality 2.
local calls = 0
function on_rate_adaptation(group, base_group, force_low_complexity, stats)
    calls = calls + 1
    if calls == 1 then
        setmetatable(_G, { __index = function(t, k) while true do end end })
        local x = undefined_global
    end
    return 2
end
