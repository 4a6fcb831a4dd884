-- Sandbox test (tests/unit/test_abr_sandbox.c): deep recursion
-- The first decision misbehaves; later ones answer quality 2.
local calls = 0
function on_rate_adaptation(group, base_group, force_low_complexity, stats)
    calls = calls + 1
    if calls == 1 then
        local function f(n) return 1 + f(n + 1) end
        f(1)
    end
    return 2
end
