-- wrk script: POST /confirm for one pending account with a wrong password. Each request
-- costs what a real confirmation costs (one argon2 verification) and changes nothing.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = os.getenv("CSRF_COOKIE")
wrk.body = "csrf_token=" .. os.getenv("CSRF_TOKEN") .. "&token=" .. os.getenv("CONFIRM_TOKEN") ..
  "&password=not+the+password+at+all"
