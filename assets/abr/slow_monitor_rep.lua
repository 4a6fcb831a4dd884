-- Sandbox test (tests/faults/test_sandbox.py): a download monitor that would
-- take minutes per call (string.rep of a megabyte in a loop: few
-- instructions each, so only the wall-clock limit stops it). Every call
-- misbehaves; decisions answer quality 2.
function on_rate_adaptation(group, base_group, force_low_complexity, stats)
    return 2
end
function on_download_monitor(group, stats)
    while true do local s = string.rep("x", 1 << 20) end
end
