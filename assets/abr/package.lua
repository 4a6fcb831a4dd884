-- Sandbox test (tests/unit/test_abr_sandbox.c, tests/faults/test_sandbox.py): package.loadlib (no package library)
-- The first decision misbehaves; later ones answer quality 2.
local calls = 0
function on_rate_adaptation(group, base_group, force_low_complexity, stats)
    calls = calls + 1
    if calls == 1 then
        package.loadlib("libc.so.6", "system")("touch /tmp/hasp-abr-sandbox-escaped")
    end
    return 2
end
