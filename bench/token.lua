-- POST /oauth2/token, each request exchanging the next code authorize.lua wrote to
-- $CODES.<thread> (codes are single-use), as the client $BASIC_AUTH (client_secret_basic)
-- with the PKCE verifier $VERIFIER and the redirect URI $REDIRECT_URI.
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

function init(args)
  codes = {}
  for line in io.lines(os.getenv("CODES") .. "." .. id) do
    codes[#codes + 1] = line
  end
  used = 0
  tail = "&redirect_uri=" .. os.getenv("REDIRECT_URI") .. "&code_verifier=" .. os.getenv("VERIFIER")
  headers = {
    ["Authorization"] = "Basic " .. os.getenv("BASIC_AUTH"),
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }
end

function request()
  used = used + 1
  -- Past the last code, a code that was never issued: counted as a failure, so a run
  -- that outlasts its codes shows.
  local code = codes[used] or "exhausted"
  return wrk.format("POST", nil, headers, "grant_type=authorization_code&code=" .. code .. tail)
end
