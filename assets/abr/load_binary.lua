-- Sandbox test (tests/unit/test_abr_sandbox.c): load of a binary chunk
-- The first decision misbehaves; later ones answer quality 2.
local calls = 0
function on_rate_adaptation(group, base_group, force_low_complexity, stats)
    calls = calls + 1
    if calls == 1 then
        assert(load("\27LuaT\0\25\147\r\n\26\n\4\8\8xV\0\0\0\0\0\0\0\0\0\0\0(w@"))
    end
    return 2
end
