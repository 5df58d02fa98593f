-- A ledgered write: PATCH /v1/patients/{id} with a new given name (`patient.update`, sealed payload, projection).
dofile(os.getenv("BENCH_HTTP_DIR") .. "/common.lua")

local names = { "Ada", "Grace", "Mary", "Nia", "Cora", "Ines", "Rosa", "Lena" }

function request()
  local headers, patient, n = next_target()
  local body = '{"givenName":"' .. names[n % #names + 1] .. '"}'
  return wrk.format("PATCH", "/v1/patients/" .. patient, headers, body)
end
