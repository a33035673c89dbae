-- wrk script: POST one signed webhook body with a unique X-GitHub-Delivery per request, so every
-- request is a new delivery that the server must store durably before answering.
-- Environment: BODY_FILE (payload), SIGNATURE (sha256=...), EVENT (X-GitHub-Event), RUN_ID,
-- UNIQUE=0 to send one fixed request instead (for pings, which are answered but never stored).
local f = assert(io.open(os.getenv("BODY_FILE"), "rb"))
local body = f:read("*a")
f:close()
local event = os.getenv("EVENT") or "pull_request"
local signature = os.getenv("SIGNATURE")
local run = (os.getenv("RUN_ID") or tostring(os.time())) .. "-" .. tostring(math.random(1, 1e9))
local headers = {
  ["Content-Type"] = "application/json",
  ["X-GitHub-Event"] = event,
  ["X-Hub-Signature-256"] = signature,
}

if os.getenv("UNIQUE") == "0" then
  -- One request sent as is, for deliveries that are never stored (ping): the id does not matter,
  -- and wrk then sends it without running Lua per request, so the load tool is not the limit.
  wrk.method = "POST"
  wrk.body = body
  for name, value in pairs(headers) do wrk.headers[name] = value end
  wrk.headers["X-GitHub-Delivery"] = run
else
  local counter = 0
  request = function()
    counter = counter + 1
    headers["X-GitHub-Delivery"] = run .. "-" .. counter
    return wrk.format("POST", nil, headers, body)
  end
end

done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests":%d,"seconds":%.2f,"rps":%.0f,"p50_ms":%.2f,"p90_ms":%.2f,"p99_ms":%.2f,"errors":%d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
