"""Drive one URL with wrk and read its report: requests/s, p50, p99, errors."""

import re
import subprocess
import tempfile
from dataclasses import asdict, dataclass

POST_SCRIPT = """
-- thread_id is a global: setup() sets it in each thread's own Lua state (a local
-- would be captured by request() before that and stay 0 in every thread).
local counter = FIRST_COUNTER
thread_id = 0
local threads = {}
function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end
request = function()
  counter = counter + 1
  local body = string.format(BODY_FORMAT, thread_id, counter)
  return wrk.format(METHOD, nil, nil, body)
end
"""


@dataclass
class Result:
    name: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int

    def as_dict(self):
        return asdict(self)


def _milliseconds(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse(name: str, output: str) -> Result:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _milliseconds(re.search(r"\s50%\s+(\S+)", output).group(1))
    p99 = _milliseconds(re.search(r"\s99%\s+(\S+)", output).group(1))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors += int(match.group(1))
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                          output):
        errors += sum(int(n) for n in match.groups())
    return Result(name, rps, p50, p99, errors, requests)


def run(name: str, url: str, *, headers: dict | None = None, method: str = "GET",
        body_format: str | None = None, content_type: str = "application/json",
        connections: int = 32, threads: int = 2, seconds: int = 10,
        first_counter: int = 0) -> Result:
    """`body_format` is a Lua format string with two %d (thread, counter) for unique bodies;
    each thread's counter starts after `first_counter` (another value for each run of one
    scenario, so that no two runs send the same body)."""
    headers = dict(headers or {})
    threads = min(threads, connections)  # wrk refuses more threads than connections
    # wrk's own 2 s timeout would count a slow answer as a socket error; slowness shows in p99.
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s",
               "--latency"]
    script = None
    if method != "GET":
        headers["Content-Type"] = content_type
        script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)  # noqa: SIM115
        lua = POST_SCRIPT.replace("BODY_FORMAT", repr(body_format or "{}"))
        lua = lua.replace("FIRST_COUNTER", str(first_counter))
        script.write(lua.replace("METHOD", repr(method)))
        script.close()
        command += ["-s", script.name]
    for key, value in headers.items():
        command += ["-H", f"{key}: {value}"]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    return parse(name, output)
