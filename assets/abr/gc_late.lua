-- Sandbox test: __gc added after setmetatable does not make a finalizer
-- (Lua 5.4 marks an object only when its metatable has __gc as it is set),
-- so the endless loop below never runs, neither on collection nor on close.
local mt = {}
local collected = setmetatable({}, mt)
kept = setmetatable({}, mt)
mt.__gc = function() while true do end end
collected = nil
collectgarbage()
function on_rate_adaptation() return 2 end
