-- A mix of what a PetSage instance serves, for the leak check in bench/startup.py: probes (fast
-- path and full route, with health+json), a plain route, the system info, the OpenAPI document
-- and an unknown path (404). Each connection walks the list in turn.
local paths = {
  {"/system/health", nil},
  {"/system/health/ready", nil},
  {"/system/health/ready", "application/health+json"},
  {"/system/health/checks", nil},
  {"/", nil},
  {"/system/info", nil},
  {"/openapi.json", nil},
  {"/no-such-path", nil},
}
local counter = 0

request = function()
  counter = counter + 1
  local entry = paths[(counter % #paths) + 1]
  local headers = {}
  if entry[2] then headers["Accept"] = entry[2] end
  return wrk.format("GET", entry[1], headers)
end
