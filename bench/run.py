"""The portal's benchmark: serve it as production does and measure its public pages at several sizes.

For each size N it fills a separate benchmark database with N synthetic published entries
(`generate_synthetic_entries`), starts gunicorn (one worker, DEBUG off, whitenoise) on a loopback
port, and measures per URL: median, p95 and p99 latency of sequential requests, requests per second
at concurrency 8 (wrk), SQL queries per request (Django's test client in a separate process, the same
code path), and the ratio of each median to the /healthz median; then the worker's peak memory.

    make bench                      # sizes 1000, 10000, 100000
    make bench SIZES=1000           # a quick run

Writes docs/performance.md (a table, with the machine's cores and memory and the date) and
bench/results.json. Every request goes to 127.0.0.1; every loop is bounded.
"""

import argparse
import datetime
import http.client
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# BENCH_DATABASE and BENCH_PORT let a second checkout measure without colliding with another run.
PORT = int(os.environ.get("BENCH_PORT", "8050"))
BENCH_DB = os.environ.get("BENCH_DATABASE", "twg_portal_bench")


def bench_env(size):
    env = {key: value for key, value in os.environ.items() if key != "DEBUG"}
    env.update(
        {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{BENCH_DB}",
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "DJANGO_SETTINGS_MODULE": "twg_portal.settings",
            "BENCH_SIZE": str(size),
        }
    )
    return env


def manage(*args, env):
    subprocess.run([PYTHON, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


def prepare_database(size, env):
    manage("ensure_database", env=env)
    manage("migrate", "--no-input", "-v0", env=env)
    manage("load_twg_records", env=env)
    started = time.perf_counter()
    manage("generate_synthetic_entries", "--entries", str(size), "--reset", env=env)
    return time.perf_counter() - started


def pick_urls(env):
    """Real slugs from the benchmark database: a common theme and violence type, a city type, an entry."""
    script = (
        "import django, json; django.setup()\n"
        "from django.db.models import Count\n"
        "from depository.models import Entry, Theme, ViolenceType, CityType\n"
        "def top(model, count):\n"
        "    ranked = model.objects.annotate(n=Count('entries')).order_by('-n')\n"
        "    return list(ranked.values_list('slug', flat=True)[:count])\n"
        "themes = top(Theme, 2)\n"
        "violence = top(ViolenceType, 1)[0]\n"
        "city_type = top(CityType, 1)[0]\n"
        "entry = Entry.objects.published().order_by('id').values_list('slug', flat=True)[len(themes) * 997 % 50]\n"
        "print(json.dumps({'themes': themes, 'violence': violence, 'city_type': city_type, 'entry': entry}))\n"
    )
    result = subprocess.run([PYTHON, "-c", script], cwd=BASE_DIR, env=env, check=True, capture_output=True, text=True)
    picked = json.loads(result.stdout.strip().splitlines()[-1])
    css = static_css_url(env)
    theme_a, theme_b = (picked["themes"] + picked["themes"])[:2]
    return {
        "home": "/",
        "browse": "/depository/",
        "browse, 1 facet value": f"/depository/?theme={theme_a}",
        "browse, 3 values in 2 facets": (
            f"/depository/?theme={theme_a}&theme={theme_b}&violence_type={picked['violence']}"
        ),
        "search": "/depository/?q=crime+prevention",
        "search + 2 facets": f"/depository/?q=crime+prevention&theme={theme_a}&city_type={picked['city_type']}",
        "entry page": f"/depository/{picked['entry']}/",
        "Atom feed": "/depository/feed/",
        "static file (floor)": css,
        "/healthz (floor)": "/healthz",
    }


def static_css_url(env):
    script = (
        "import django; django.setup()\n"
        "from django.templatetags.static import static\n"
        "print(static('css/portal.css'))\n"
    )
    result = subprocess.run([PYTHON, "-c", script], cwd=BASE_DIR, env=env, check=True, capture_output=True, text=True)
    return result.stdout.strip().splitlines()[-1]


def count_queries(urls, env):
    script = (
        "import django, json, sys; django.setup()\n"
        "from django.db import connection\n"
        "from django.test import Client\n"
        "from django.test.utils import CaptureQueriesContext\n"
        "urls = json.loads(sys.argv[1]); client = Client(); counts = {}\n"
        "for name, url in urls.items():\n"
        "    client.get(url)\n"
        "    with CaptureQueriesContext(connection) as ctx:\n"
        "        response = client.get(url)\n"
        "    counts[name] = {'queries': len(ctx.captured_queries), 'status': response.status_code}\n"
        "print(json.dumps(counts))\n"
    )
    result = subprocess.run(
        [PYTHON, "-c", script, json.dumps(urls)], cwd=BASE_DIR, env=env, check=True, capture_output=True, text=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def start_server(env, port=PORT, timeout=30):
    """gunicorn with one worker on 127.0.0.1:`port` (gunicorn's `--timeout` `timeout` s), once /healthz
    answers (at most 60 s)."""
    manage("collectstatic", "--no-input", "-v0", env=env)
    process = subprocess.Popen(
        [str(Path(PYTHON).with_name("gunicorn")), "twg_portal.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "--timeout", str(timeout), "--log-level", "warning"],
        cwd=BASE_DIR,
        env=env,
    )  # fmt: skip
    if wait_until_healthy(process, port):
        return process
    process.terminate()
    raise RuntimeError("gunicorn did not start within 60 s")


def wait_until_healthy(process, port, seconds=60):
    """True once http://127.0.0.1:`port`/healthz answers 200, within `seconds`; False if the server
    process (a Popen) exits first or the time runs out. Polls the port: a server says nothing when it
    is ready, and its answer is the event waited on."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return True
        except OSError:
            time.sleep(0.2)
    return False


def worker_pids(master_pid):
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def peak_memory_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def sequential_latencies(url, count):
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        connection.request("GET", url, headers={"Accept-Encoding": "gzip"})
        response = connection.getresponse()
        response.read()
        timings.append((time.perf_counter() - started) * 1000)
        if response.status != 200:
            raise RuntimeError(f"{url} answered {response.status}")
    connection.close()
    return timings


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))
    return ordered[index]


def throughput(url, seconds):
    """Requests per second at concurrency 8, with wrk when it is installed."""
    if not shutil.which("wrk"):
        return None
    result = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{seconds}s", "--timeout", "10s", f"http://127.0.0.1:{PORT}{url}"],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
    )
    match = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
    return float(match.group(1)) if match else None


def measure(size, requests, seconds):
    env = bench_env(size)
    generation_seconds = prepare_database(size, env)
    urls = pick_urls(env)
    queries = count_queries(urls, env)
    server = start_server(env)
    try:
        workers = worker_pids(server.pid)
        rows = {}
        for name, url in urls.items():
            sequential_latencies(url, 5)  # warm caches and connections
            timings = sequential_latencies(url, requests)
            rows[name] = {
                "url": url,
                "median_ms": statistics.median(timings),
                "p95_ms": percentile(timings, 0.95),
                "p99_ms": percentile(timings, 0.99),
                "rps_c8": throughput(url, seconds),
                "queries": queries[name]["queries"],
            }
        floor = rows["/healthz (floor)"]["median_ms"]
        for row in rows.values():
            row["ratio_to_healthz"] = row["median_ms"] / floor if floor else None
        memory = max((peak_memory_mb(pid) or 0) for pid in workers) if workers else None
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    return {"entries": size, "generation_seconds": generation_seconds, "worker_peak_mb": memory, "urls": rows}


def machine():
    memory_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    return {
        "cores": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def markdown(report):
    lines = [
        "# Performance",
        "",
        f"Measured {report['machine']['date']} on {report['machine']['cores']} cores and "
        f"{report['machine']['memory_gb']} GB of memory, Python {report['machine']['python']}, one gunicorn "
        "worker, `DEBUG` off, whitenoise, PostgreSQL on the same machine. Rerun with `make bench`.",
        "",
        "Absolute times on a shared 2-core machine are noisy: compare the ratio to `/healthz` and the "
        "query counts between runs.",
        "",
    ]
    for run in report["runs"]:
        lines += [
            f"## {run['entries']:,} published entries",
            "",
            f"Generated in {run['generation_seconds']:.1f} s; worker peak memory "
            + (f"{run['worker_peak_mb']:.0f} MB." if run["worker_peak_mb"] else "not measured."),
            "",
            "| page | median ms | p95 ms | p99 ms | req/s at c=8 | SQL queries | median / healthz |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for name, row in run["urls"].items():
            rps = f"{row['rps_c8']:.0f}" if row["rps_c8"] else "n/a"
            lines.append(
                f"| {name} | {row['median_ms']:.1f} | {row['p95_ms']:.1f} | {row['p99_ms']:.1f} | {rps} | "
                f"{row['queries']} | {row['ratio_to_healthz']:.1f} |"
            )
        lines.append("")
    lines += targets_markdown(report)
    notes = BASE_DIR / "bench" / "notes.md"
    if notes.exists():  # the written explanation of the figures (why a target is missed, by how much)
        lines += ["", notes.read_text().strip(), ""]
    return "\n".join(lines)


# Issue 7's targets, checked against the largest size measured.
LISTING_PAGES = ["browse", "browse, 1 facet value", "browse, 3 values in 2 facets", "search", "search + 2 facets"]
DETAIL_PAGES = ["entry page", "Atom feed"]
PUBLIC_PAGES = ["home", *LISTING_PAGES, *DETAIL_PAGES]


def target_rows(report):
    """(target, measured, met) for issue 7's targets, at the largest size measured."""
    runs = sorted(report["runs"], key=lambda run: run["entries"])
    if not runs:
        return []
    largest = runs[-1]
    rows = []
    for name in LISTING_PAGES:
        row = largest["urls"][name]
        rows.append((f"{name}: median <= 50 ms", f"{row['median_ms']:.1f} ms", row["median_ms"] <= 50))
        rows.append((f"{name}: p95 <= 100 ms", f"{row['p95_ms']:.1f} ms", row["p95_ms"] <= 100))
    for name in DETAIL_PAGES:
        row = largest["urls"][name]
        rows.append((f"{name}: p95 <= 30 ms", f"{row['p95_ms']:.1f} ms", row["p95_ms"] <= 30))
    most = max(run["urls"][name]["queries"] for run in runs for name in PUBLIC_PAGES)
    same = all(
        run["urls"][name]["queries"] == runs[0]["urls"][name]["queries"] for run in runs for name in PUBLIC_PAGES
    )
    rows.append(("at most 12 SQL queries per public page", f"at most {most}", most <= 12))
    rows.append(("the same queries at every size", "the same" if same else "they differ", same))
    memory = largest["worker_peak_mb"]
    rows.append(
        ("worker memory <= 200 MB", f"{memory:.0f} MB" if memory else "not measured", bool(memory) and memory <= 200)
    )
    by_size = {run["entries"]: run for run in runs}
    if 10_000 in by_size and 100_000 in by_size:
        ratio = by_size[100_000]["urls"]["browse"]["median_ms"] / by_size[10_000]["urls"]["browse"]["median_ms"]
        rows.append(("browse median, 10,000 -> 100,000 entries: at most x2", f"x{ratio:.2f}", ratio <= 2))
    return rows


def targets_markdown(report):
    rows = target_rows(report)
    if not rows:
        return []
    size = max(run["entries"] for run in report["runs"])
    lines = [
        f"## Issue 7's targets at {size:,} entries",
        "",
        "| target | measured | met |",
        "| --- | ---: | :---: |",
    ]
    lines += [f"| {target} | {measured} | {'yes' if met else '**no**'} |" for target, measured, met in rows]
    return [*lines, ""]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--requests", type=int, default=200, help="sequential requests per URL")
    parser.add_argument("--seconds", type=int, default=5, help="wrk duration per URL")
    parser.add_argument("--output", default=str(BASE_DIR / "docs" / "performance.md"))
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    report = {"machine": machine(), "runs": [measure(size, args.requests, args.seconds) for size in sizes]}
    Path(args.output).write_text(markdown(report) + "\n")
    (BASE_DIR / "bench" / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    anchor_results = BASE_DIR / "bench" / "anchor.json"
    if anchor_results.exists():  # the search against tantivy (bench/anchor.py), kept in the same page
        sys.path.insert(0, str(BASE_DIR / "bench"))
        import anchor

        anchor.write_section(anchor.markdown(json.loads(anchor_results.read_text())), args.output)
    print(markdown(report))


if __name__ == "__main__":
    main()
