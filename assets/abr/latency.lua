-- For live tests: logs the latency stat of every decision ("latency N", in
-- seconds behind the live edge) and stays at the lowest quality.
function on_rate_adaptation(group, base_group, force_low_complexity, stats)
    hasp.log("info", "latency", stats.latency)
    return 1
end
