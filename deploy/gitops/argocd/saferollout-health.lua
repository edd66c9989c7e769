-- Argo CD health for saferollout.io/SafeRollout, read from the operator's status.
-- Argo CD runs this with gopher-lua (Lua 5.1): keep to 5.1 and no libraries.
local hs = { status = "Progressing", message = "Waiting for the SafeRollout operator to report" }

local function find(conditions, kind)
  for _, c in ipairs(conditions or {}) do
    if c.type == kind then
      return c
    end
  end
  return nil
end

local function describe(c, fallback)
  if c.message ~= nil and c.message ~= "" then
    return c.message
  end
  return c.reason or fallback
end

if obj.status == nil then
  return hs
end

-- A status written for an older spec says nothing about the current one.
local generation = obj.metadata.generation
if generation ~= nil and (obj.status.observedGeneration == nil or obj.status.observedGeneration < generation) then
  hs.message = "Waiting for the operator to observe generation " .. generation
  return hs
end

local degraded = find(obj.status.conditions, "Degraded")
if degraded ~= nil and degraded.status == "True" then
  hs.status = "Degraded"
  hs.message = describe(degraded, "Degraded")
  return hs
end

local progressing = find(obj.status.conditions, "Progressing")
if progressing ~= nil and progressing.status == "True" then
  hs.message = describe(progressing, "Progressing")
  return hs
end

local ready = find(obj.status.conditions, "Ready")
if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = describe(ready, "Ready")
  return hs
end
if ready ~= nil then
  hs.message = describe(ready, "Not ready")
end
return hs
