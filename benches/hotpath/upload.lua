-- POST /files/upload: a 64 KiB PNG in a multipart body, different bytes on every request (a
-- counter inside the padding), so every upload hashes, writes and records a new blob.
-- Environment: BENCH_TOKEN, BENCH_PATH.
local token = os.getenv("BENCH_TOKEN")
local path = os.getenv("BENCH_PATH")
local boundary = "----hotpathbench7d9a1c"
-- Signature and a whole IHDR chunk: what the server sniffs.
local png_head = "\137PNG\r\n\26\n\0\0\0\13IHDR\0\0\0\1\0\0\0\1\8\6\0\0\0\31\21\196\137"
local size = 64 * 1024
local padding = string.rep("x", size - #png_head - 20)
local before = "--" .. boundary .. "\r\n"
  .. "Content-Disposition: form-data; name=\"file\"; filename=\"bench.png\"\r\n"
  .. "Content-Type: image/png\r\n\r\n" .. png_head
local after = "\r\n--" .. boundary .. "--\r\n"
local headers = {
  ["Authorization"] = "Bearer " .. token,
  ["Content-Type"] = "multipart/form-data; boundary=" .. boundary,
}
math.randomseed(os.time())
local counter = math.random(1, 1000000000) * 1000000

request = function()
  counter = counter + 1
  local body = before .. string.format("%020d", counter) .. padding .. after
  return wrk.format("POST", path, headers, body)
end
