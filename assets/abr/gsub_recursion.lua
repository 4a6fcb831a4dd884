-- Sandbox test (tests/unit/test_abr_sandbox.c, tests/faults/test_sandbox.py): recursion through a C function (gsub calling back into Lua)
-- The first decision misbehaves; later ones answer quality 2.
local calls = 0
function on_rate_adaptation(group, base_group, force_low_complexity, stats)
    calls = calls + 1
    if calls == 1 then
        local function f(s) return (s:gsub(".", f)) end
        f("abc")
    end
    return 2
end
