-- A recorded PHI read: GET /v1/patients/{id} (`patient.read` entry and an access-log row before the answer).
dofile(os.getenv("BENCH_HTTP_DIR") .. "/common.lua")

function request()
  local headers, patient = next_target()
  return wrk.format("GET", "/v1/patients/" .. patient, headers)
end
