-- Sandbox test: a callback that is not a function.
return { on_rate_adaptation = function() return -1 end, on_download_monitor = 42 }
