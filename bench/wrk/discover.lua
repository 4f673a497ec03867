-- wrk script: DiscoverInstances, one static request (default MaxResults 100, HealthStatus HEALTHY, which a
-- service without a health check ignores: every instance is returned).
--   wrk -t2 -c64 -d20s -s discover.lua http://127.0.0.1:PORT/ -- <namespaceName> <serviceName>
function init(args)
  local ns = args[1] or "bench"
  local svc = args[2] or "disc100"
  wrk.method = "POST"
  wrk.headers["X-Amz-Target"] = "Route53AutoNaming_v20170314.DiscoverInstances"
  wrk.headers["Content-Type"] = "application/x-amz-json-1.1"
  wrk.body = string.format('{"NamespaceName":"%s","ServiceName":"%s"}', ns, svc)
end
-- No request() function: wrk then formats the request once per thread, after init, and reuses it.
