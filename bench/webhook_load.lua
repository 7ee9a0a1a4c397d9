-- wrk script for bench/webhook_load.sh: POSTs one sealed delivery (body file + headers from the
-- environment) and prints one machine-readable RESULT line at the end.
local f = assert(io.open(os.getenv("WEBHOOK_BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["content-type"] = "application/json"
wrk.headers["x-signature"] = os.getenv("WEBHOOK_SIGNATURE")
wrk.headers["x-timestamp"] = os.getenv("WEBHOOK_TIMESTAMP")

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  -- wrk counts every status > 399 in errors.status; these servers answer no 1xx/3xx, so that is
  -- the non-2xx count.
  io.write(string.format(
    "RESULT requests=%d seconds=%.2f rps=%.0f p50_ms=%.2f p99_ms=%.2f non2xx=%d socket_errors=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
