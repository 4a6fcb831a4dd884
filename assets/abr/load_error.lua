-- Sandbox test: fails while loading.
local algo = {}
function algo.on_rate_adaptation() return -1 end
error("this script refuses to load")
return algo
