-- A form POST without a CSRF token: the rate limit runs first, then the CSRF check
-- answers 403, so the request does no other work.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "email=a%40example.com&password=x"
