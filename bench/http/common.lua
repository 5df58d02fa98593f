-- Shared by the bench-http scripts (scripts/bench-http.sh): the seeded clinicians with their access tokens and
-- patients, handed out round-robin per thread, and one JSON line of results at the end. The data file is written by
-- the script (mode 0600) and named by BENCH_HTTP_DATA.
local data = dofile(os.getenv("BENCH_HTTP_DATA"))

-- Global, not local: setup() runs in wrk's main Lua state and sets it in each thread's own state.
thread_number = 0

function setup(thread)
  thread_number = thread_number + 1
  thread:set("thread_number", thread_number)
end

local sent = 0
local headers_of = {}

function init(args)
  math.randomseed(thread_number * 7919)
  for i, clinician in ipairs(data.clinicians) do
    headers_of[i] = { ["Authorization"] = "Bearer " .. clinician.token, ["Content-Type"] = "application/json" }
  end
end

-- The next (headers, patient id) pair: every clinician in turn, a random patient of theirs.
function next_target()
  sent = sent + 1
  local index = (sent + thread_number) % #data.clinicians + 1
  local patients = data.clinicians[index].patients
  return headers_of[index], patients[math.random(#patients)], sent
end

-- wrk calls done() once, in its main Lua state, with the totals of every thread.
function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local socket_errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"requests_per_second":%.1f,"p50_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f,' ..
    '"non_2xx":%d,"socket_errors":%d}\n',
    summary.requests, seconds, summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.errors.status, socket_errors))
end
