-- wrk script for bench/proxy.sh: every request is Gloo's Lambda example, POST "abc" as JSON.
-- The path comes from the URL on wrk's command line (the proxy's /lambda, or the backend's
-- Invoke path when the backend is called directly).
wrk.method = "POST"
wrk.body = '"abc"'
wrk.headers["Content-Type"] = "application/json"
