-- Sandbox test: the first download monitor call runs forever; later ones
-- ask to re-fetch at quality 1.
local calls = 0
function on_rate_adaptation(group, base_group, force_low_complexity, stats)
    return 2
end
function on_download_monitor(group, stats)
    calls = calls + 1
    if calls == 1 then
        while true do end
    end
    return 1
end
