-- GET /oauth2/authorize with the session cookie in $COOKIE; the code in each answer's
-- Location goes to $CODES.<thread>, one per line, for token.lua to exchange.
wrk.headers["Cookie"] = os.getenv("COOKIE")

local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

function init(args)
  codes = io.open(os.getenv("CODES") .. "." .. id, "w")
  codes:setvbuf("line")
end

function response(status, headers, body)
  local location = headers["location"] or headers["Location"]
  local code = location and location:match("[?&]code=([^&]+)")
  if code then
    codes:write(code, "\n")
  end
end
