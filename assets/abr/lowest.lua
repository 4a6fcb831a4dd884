-- Always the lowest quality (1-based index 1): for fault tests that must
-- stay on one quality. A failed quality is skipped by the player itself.
function on_rate_adaptation(group, base_group, force_low_complexity, stats)
    return 1
end
