-- Sandbox test: a syntax error.
function on_rate_adaptation(group
