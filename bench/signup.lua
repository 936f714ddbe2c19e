-- wrk script: each request signs up a new, unique address with the CSRF pair in
-- $CSRF_COOKIE / $CSRF_TOKEN (a pair stays valid for every request).
local cookie = os.getenv("CSRF_COOKIE")
local token = os.getenv("CSRF_TOKEN")
local threads = 0
local counter = 0

function setup(thread)
  thread:set("thread_id", threads)
  threads = threads + 1
end

function init(args)
  math.randomseed(os.time() + (thread_id or 0))
  prefix = string.format("bench-%d-%d", thread_id or 0, math.random(1, 1000000000))
end

function request()
  counter = counter + 1
  local body = "csrf_token=" .. token .. "&email=" .. prefix .. "-" .. counter ..
    "%40example.com&password=correct+horse+battery+staple"
  return wrk.format("POST", "/signup", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = cookie,
  }, body)
end
