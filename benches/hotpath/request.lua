-- Every workload but the upload: one fixed request. Environment: BENCH_METHOD (GET),
-- BENCH_PATH, BENCH_TOKEN (optional bearer), BENCH_BODY (optional JSON body).
local method = os.getenv("BENCH_METHOD") or "GET"
local path = os.getenv("BENCH_PATH")
local token = os.getenv("BENCH_TOKEN") or ""
local body = os.getenv("BENCH_BODY") or ""
local headers = {}
if token ~= "" then
  headers["Authorization"] = "Bearer " .. token
end
if body ~= "" then
  headers["Content-Type"] = "application/json"
else
  body = nil
end
local req = wrk.format(method, path, headers, body)

request = function()
  return req
end
