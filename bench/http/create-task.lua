-- A ledgered write: POST /v1/tasks for a patient of the caller's (`task.create`, sealed payload, projection).
dofile(os.getenv("BENCH_HTTP_DIR") .. "/common.lua")

function request()
  local headers, patient, n = next_target()
  local body = '{"patientId":"' .. patient .. '","title":"Check vitals ' .. thread_number .. '-' .. n ..
    '","priority":"high","tags":["vitals"]}'
  return wrk.format("POST", "/v1/tasks", headers, body)
end
