-- wrk script: optional If-None-Match (env WRK_INM) and a one-line JSON summary at the end.
local inm = os.getenv("WRK_INM")
if inm and inm ~= "" then
  wrk.headers["If-None-Match"] = inm
end

done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'JSON {"requests": %d, "rps": %.1f, "median_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, ' ..
    '"bytes": %d, "errors": %d, "bad_status": %d}\n',
    summary.requests, summary.requests / seconds, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, summary.bytes,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
