-- wrk script: RegisterInstance with a unique InstanceId per request, "<prefix>-<thread>-<counter>",
-- round-robin over the services given. Every request is a new instance (an insert, not an update).
--   wrk -t2 -c64 -d20s -s register.lua http://127.0.0.1:PORT/ -- <prefix> <serviceId> [<serviceId> ...]
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  prefix = args[1] or "r"
  services = {}
  for i = 2, #args do services[#services + 1] = args[i] end
  if #services == 0 then error("register.lua: pass <prefix> <serviceId>... after --") end
  counter = 0
  headers = {
    ["X-Amz-Target"] = "Route53AutoNaming_v20170314.RegisterInstance",
    ["Content-Type"] = "application/x-amz-json-1.1",
  }
end

function request()
  counter = counter + 1
  local svc = services[(counter % #services) + 1]
  local body = string.format(
    '{"ServiceId":"%s","InstanceId":"%s-%d-%d","Attributes":{"AWS_INSTANCE_IPV4":"10.%d.%d.%d","AWS_INSTANCE_PORT":"8080"}}',
    svc, prefix, tid, counter, tid % 256, math.floor(counter / 256) % 256, counter % 256)
  return wrk.format("POST", "/", headers, body)
end
