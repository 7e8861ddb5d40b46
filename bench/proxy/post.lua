-- wrk script for bench/proxy.sh: every request is Gloo's Lambda example, POST "abc" as JSON.
-- The path comes from the URL on wrk's command line (the proxy's /lambda, or the backend's
-- Invoke path when the backend is called directly).
wrk.method = "POST"
wrk.body = '"abc"'
wrk.headers["Content-Type"] = "application/json"

-- wrk's own CPU time (user + system, both of its threads) at the end of a run: wrk shares core 1
-- with the backend, so what each proxy's answers cost wrk to read is part of that core's load.
function done(summary, latency, requests)
  io.write(string.format("wrk CPU: %.3f s\n", os.clock()))
end
