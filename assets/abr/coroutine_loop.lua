-- Sandbox test (tests/unit/test_abr_sandbox.c): an endless loop inside coroutines that swallow errors
-- The first decision misbehaves; later ones answer quality 2.
local calls = 0
function on_rate_adaptation(group, base_group, force_low_complexity, stats)
    calls = calls + 1
    if calls == 1 then
        while true do
            local co = coroutine.create(function() while true do end end)
            coroutine.resume(co)
        end
    end
    return 2
end
