-- Sandbox test (tests/unit/test_abr_sandbox.c, tests/faults/test_sandbox.py): table.move of 2^62 elements
-- The first decision misbehaves; later ones answer quality 2.
local calls = 0
function on_rate_adaptation(group, base_group, force_low_complexity, stats)
    calls = calls + 1
    if calls == 1 then
        table.move({}, 1, 1 << 62, 2, {})
    end
    return 2
end
