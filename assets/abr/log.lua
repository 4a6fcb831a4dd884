-- API test: hasp.log and print go to the log; an unknown level is an error.
local calls = 0
function on_rate_adaptation(group, base_group, force_low_complexity, stats)
    calls = calls + 1
    hasp.log("info", "decision", calls)
    print("print goes to the log too", calls)
    if calls == 2 then
        hasp.log("loud", "no such level")
    end
    return 2
end
