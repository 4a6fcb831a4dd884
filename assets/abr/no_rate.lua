-- Sandbox test: no on_rate_adaptation.
return { on_new_group = function(group) end }
