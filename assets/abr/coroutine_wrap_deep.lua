-- Sandbox test (tests/unit/test_abr_sandbox.c, tests/faults/test_sandbox.py): coroutines nested inside coroutines (C stack)
-- The first decision misbehaves; later ones answer quality 2.
local calls = 0
function on_rate_adaptation(group, base_group, force_low_complexity, stats)
    calls = calls + 1
    if calls == 1 then
        local function deeper(n) return coroutine.wrap(function() return deeper(n + 1)() end) end
        deeper(1)()
    end
    return 2
end
