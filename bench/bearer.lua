-- Every request carries the access token in $ACCESS_TOKEN.
wrk.headers["Authorization"] = "Bearer " .. os.getenv("ACCESS_TOKEN")
