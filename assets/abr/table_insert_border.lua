-- Sandbox test (tests/unit/test_abr_sandbox.c, tests/faults/test_sandbox.py): table.insert at the front of a table whose border is 2^61 (one C loop of 2^61 steps)
-- The first decision misbehaves; later ones answer quality 2.
local calls = 0
function on_rate_adaptation(group, base_group, force_low_complexity, stats)
    calls = calls + 1
    if calls == 1 then
        local parts = {}
        for i = 3, 61 do parts[#parts + 1] = string.format("[%d] = 1", 1 << i) end
        local t = load("return { 1, 2, 3, 4, [5] = 5, " .. table.concat(parts, ", ") .. " }")()
        table.insert(t, 1, "x")
    end
    return 2
end
