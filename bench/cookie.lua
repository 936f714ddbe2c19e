-- Every request carries the session cookie given in $COOKIE.
wrk.headers["Cookie"] = os.getenv("COOKIE")
