"""Throughput of the browse and search pages under load (issue 23): gunicorn as deployed, wrk rotating over
hundreds of distinct requests.

The server is `gunicorn -c deploy/gunicorn.conf.py` (sync workers, max_requests 1,000 with jitter, as in
production) with WEB_CONCURRENCY workers (2: one per core of the benchmark machine) and `DEBUG` off. The
load is `wrk -t2 -c8 -d20s --latency` with a Lua script that cycles through a list of paths, each wrk
thread from its own offset, so no single cached answer could serve the run:

- Q2-like: one facet value (every value of every facet the unfiltered page counts: theme, city type,
  violence type, kind, language, year, tag, ...) and a page 1..k of its results, k at most the
  value's last page;
- Q4-like: one word among the corpus's 200 most frequent (PostgreSQL's English stop words left out).

The script counts every response whose status is not 2xx (wrk's own "Non-2xx or 3xx" misses a 3xx)
and prints one JSON line at the end: requests, seconds, latency percentiles (ms), socket errors.
"""

import collections
import json
import math
import random
import re
import subprocess
from pathlib import Path
from urllib.parse import urlencode

import run  # bench/run.py (bench/ is on the path: anchor.py puts it there)

PAGE_SIZE = 20  # the browse page's cards per page (depository.search's default page size)

LUA = """
local paths = %(paths)s
local threads, counter = {}, 0

function setup(thread)
    thread:set("offset", counter)
    counter = counter + 1
    table.insert(threads, thread)
end

function init(args)
    -- each thread starts at its own share of the list (wrk gives every thread its own Lua state)
    position = math.floor(offset * #paths / %(threads)d)
    non2xx = 0
end

function request()
    position = position + 1
    return wrk.format("GET", paths[(position %% #paths) + 1], {["Accept-Encoding"] = "gzip"})
end

function response(status, headers, body)
    if status < 200 or status > 299 then
        non2xx = non2xx + 1
    end
end

function done(summary, latency, requests)
    local non2xx_total = 0
    for _, thread in ipairs(threads) do
        non2xx_total = non2xx_total + thread:get("non2xx")
    end
    local e = summary.errors
    io.write(string.format(
        'RESULT {"requests": %%d, "seconds": %%.3f, "p50_ms": %%.2f, "p90_ms": %%.2f, "p99_ms": %%.2f, ' ..
        '"max_ms": %%.2f, "non_2xx": %%d, "socket_errors": {"connect": %%d, "read": %%d, "write": %%d, ' ..
        '"timeout": %%d}}\\n',
        summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
        latency:percentile(99) / 1000, latency.max / 1000, non2xx_total, e.connect, e.read, e.write, e.timeout))
end
"""


def facet_paths(facets, pages):
    """Q2-like paths: [/depository/?<facet>=<value>&page=<p>] for every facet value with entries in
    `facets` ({facet: {value: entries}}, the unfiltered page's counts) and p = 1..min(pages, its last)."""
    paths = []
    for facet, values in sorted(facets.items()):
        for value, count in sorted(values.items()):
            for page in range(1, min(pages, math.ceil(count / PAGE_SIZE)) + 1):
                pairs = [(facet, value)] + ([("page", page)] if page > 1 else [])
                paths.append("/depository/?" + urlencode(pairs))
    return paths


def common_words(corpus_path, stop_words, count=200):
    """The `count` most frequent words of the corpus's titles, summaries and bodies (ties by word), not
    counting `stop_words`. [(word, occurrences)]."""
    stop = set(stop_words)
    counter = collections.Counter()
    with open(corpus_path, encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            counter.update(re.findall(r"\w+", f"{item['title']} {item['summary']} {item['body']}".lower()))
    ranked = sorted(
        ((word, n) for word, n in counter.items() if word not in stop), key=lambda pair: (-pair[1], pair[0])
    )
    return ranked[:count]


def word_paths(words, pages):
    """Q4-like paths: [/depository/?q=<word>&page=<p>] for each word and p = 1..pages."""
    return [
        "/depository/?" + urlencode([("q", word)] + ([("page", page)] if page > 1 else []))
        for word in words
        for page in range(1, pages + 1)
    ]


def start_gunicorn(gunicorn, base_dir, environment, port, workers, log_path):
    """`gunicorn` (its executable) with deploy/gunicorn.conf.py and `workers` workers on 127.0.0.1:`port`, its
    access log and errors to `log_path`, once /healthz answers 200 (at most 60 s; RuntimeError otherwise)."""
    environment = {**environment, "WEB_CONCURRENCY": str(workers), "GUNICORN_BIND": f"127.0.0.1:{port}"}
    command = [str(gunicorn), "-c", str(base_dir / "deploy" / "gunicorn.conf.py")]
    log = open(log_path, "w")  # noqa: SIM115 (kept open for the server's life; closed with it by stop())
    process = subprocess.Popen(command, cwd=base_dir, env=environment, stdout=log, stderr=subprocess.STDOUT)
    process.log = log
    if run.wait_until_healthy(process, port):
        return process
    stop(process)
    raise RuntimeError(f"gunicorn did not answer /healthz within 60 s; its log: {log_path}")


def stop(process):
    process.terminate()
    process.wait(timeout=60)
    process.log.close()


def run_wrk(port, paths, seconds, script_path, shuffle_seed=23, threads=2, connections=8):
    """wrk -t`threads` -c`connections` -d`seconds`s --latency over `paths` (shuffled, seed `shuffle_seed`, so
    consecutive requests differ in facet and page). The script's RESULT line as a dict, plus requests_per_s,
    distinct_paths and the command; RuntimeError if wrk printed none."""
    order = list(paths)
    random.Random(shuffle_seed).shuffle(order)
    script_path.write_text(
        LUA % {"paths": "{" + ",\n".join(json.dumps(path) for path in order) + "}", "threads": threads}
    )
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s",
        "-s", str(script_path), f"http://127.0.0.1:{port}",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    match = re.search(r"^RESULT (\{.*\})$", result.stdout, re.MULTILINE)
    if not match:
        raise RuntimeError(f"wrk gave no result ({result.returncode}): {result.stdout[-2000:]} {result.stderr[-2000:]}")
    figures = json.loads(match.group(1))
    figures["requests_per_s"] = figures["requests"] / figures["seconds"]
    figures["distinct_paths"] = len(set(paths))
    figures["command"] = " ".join(command[:-3] + ["-s", script_path.name, command[-1]])
    return figures


def loadavg():
    """The 1-, 5- and 15-minute load averages ([float] * 3) from /proc/loadavg."""
    return [float(value) for value in Path("/proc/loadavg").read_text().split()[:3]]
