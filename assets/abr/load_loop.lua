-- Sandbox test: never finishes loading (instruction budget).
while true do end
