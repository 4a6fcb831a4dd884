-- Sandbox test: ordinary uses of the wrapped library functions keep
-- working (patterns on short strings, table.insert/remove/move, collectgarbage
-- count and collect); answers 2 when all is right, raises an error otherwise.
local function check(cond, what)
    if not cond then error("wrong " .. what, 2) end
end

function on_rate_adaptation(group, base_group, force_low_complexity, stats)
    local codec = "avc1.64001f"
    check(codec:match("^avc1%.(%x%x)") == "64", "match")
    check(select(2, ("a,b,,c"):gsub(",", ";")) == 3, "gsub count")
    local parts = {}
    for p in ("1400000,800000,400000"):gmatch("[^,]+") do parts[#parts + 1] = tonumber(p) end
    check(#parts == 3 and parts[3] == 400000, "gmatch")
    check(string.find("a.b", ".", 1, true) == 2, "plain find")
    check(("x"):rep(3) == "xxx", "rep")
    local long = string.rep("ab", 100000)
    check(long:find("ba", 1, true) == 2 and long:find("abab") == 1, "find on a long string")
    local h = {}
    for i = 1, 10 do table.insert(h, i) end
    table.insert(h, 1, 0)
    check(table.remove(h, 1) == 0 and table.remove(h) == 10 and #h == 9, "insert/remove")
    check(table.move(h, 1, 3, 1, {})[3] == 3, "move")
    local Hist = {}
    Hist.__index = Hist
    local obj = setmetatable({}, Hist)
    table.insert(obj, 5)
    check(obj[1] == 5, "insert into an object")
    check(collectgarbage("count") > 0, "count")
    collectgarbage()
    collectgarbage("step")
    return 2
end
