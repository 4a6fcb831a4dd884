-- Sandbox test: a finalizer that never returns, run when the state closes.
setmetatable({}, { __gc = function() while true do end end })
function on_rate_adaptation() return 2 end
