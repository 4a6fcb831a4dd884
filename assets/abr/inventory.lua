-- Sandbox test: answers 2 when the environment is as the sandbox promises,
-- else logs what is wrong and answers 1.
local function check()
    for _, name in ipairs({ "os", "io", "package", "require", "debug", "dofile",
                            "loadfile" }) do
        if _G[name] ~= nil then return name .. " is reachable" end
    end
    if string.dump ~= nil or ("").dump ~= nil then return "string.dump is reachable" end
    if getmetatable("") ~= false then return "the string metatable is reachable" end
    if load("return 1 + 1")() ~= 2 then return "load of text fails" end
    local env = {}
    load("x = 3", "chunk", "b", env)()
    if env.x ~= 3 or x ~= nil then return "load ignores its env" end
    for _, lib in ipairs({ "string", "table", "math", "utf8", "coroutine" }) do
        if type(_G[lib]) ~= "table" then return lib .. " is missing" end
    end
    if type(hasp.now()) ~= "number" then return "hasp.now is missing" end
    return nil
end
function on_rate_adaptation(group, base_group, force_low_complexity, stats)
    local problem = check()
    if problem then
        hasp.log("error", problem)
        error(problem)
    end
    return 2
end
