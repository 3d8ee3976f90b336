"""The anchor comparison (issue 12): the portal's search against tantivy on the anchor corpus.

Loads `../shared/anchor_bench/gen_corpus.py --n N` (100,000 by default) into its own benchmark
database through `generate_synthetic_entries --from-jsonl` (the portal's own bulk path: rows, then
the index at commit) and into tantivy 0.27 (the anchor's own engine class, in process). Serves the
portal with gunicorn (one worker) and, in one interleaved loop (each round runs Q1..Q6, and within a
query the three measurements in rotating order, so machine noise hits all alike), times:

- page: the browse page over HTTP (`/depository/?q=...&theme=...`), the whole response;
- SQL: the page's own statements (captured once through Django's test client) replayed over TCP;
- tantivy: the anchor's Tantivy.query (count, top 20, every facet's counts).

Then the writes: the search's share of saving one entry (the same UPDATE with the index's triggers on
and off), `rebuild_search_index`, the database's size after 1,000 edits against a fresh load, and a
10,000-row spreadsheet through the admin's import task (dry run and confirm) into an empty database.
Writes bench/anchor.json and the section "Search against tantivy" of docs/performance.md.

    make bench-anchor            # N=100000
    make bench-anchor ANCHOR_N=10000
"""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402 (bench/run.py: the portal's server, as the per-size benchmark starts it)

BASE_DIR = Path(__file__).resolve().parent.parent
ANCHOR_DIR = Path(os.environ.get("ANCHOR_BENCH_DIR", BASE_DIR.parent / "shared" / "anchor_bench"))
PYTHON = sys.executable
PORT = int(os.environ.get("BENCH_PORT", "8051"))
DATABASE = os.environ.get("ANCHOR_DATABASE", "twg_portal_anchor_bench")
DSN = f"host=127.0.0.1 port=5432 user=postgres dbname={DATABASE}"
SECTION = "## Search against tantivy (issue 12)"


def env():
    environment = {key: value for key, value in os.environ.items() if key != "DEBUG"}
    environment.update(
        {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "DJANGO_SETTINGS_MODULE": "twg_portal.settings",
        }
    )
    return environment


def checked_run(command, **options):
    """subprocess.run with the output captured; a failure raises SystemExit with the command and the
    end of its standard error (captured output would otherwise hide why, e.g. a page rendered before
    `collectstatic` wrote the static files' manifest: issue 22)."""
    try:
        return subprocess.run(command, check=True, capture_output=True, text=True, **options)
    except subprocess.CalledProcessError as failed:
        output = (failed.stderr or failed.stdout or "").strip().splitlines()[-40:]
        raise SystemExit(
            f"failed ({failed.returncode}): {' '.join(map(str, command))[:300]}\n" + "\n".join(output)
        ) from None


def manage(*args):
    return checked_run([PYTHON, "manage.py", *args], cwd=BASE_DIR, env=env()).stdout


def anchor_module():
    sys.path.insert(0, str(ANCHOR_DIR))
    import run_bench  # the anchor's own engines and queries

    return run_bench


def corpus_path(n, workdir):
    path = workdir / f"corpus-{n}.jsonl"
    if not path.exists():
        subprocess.run([PYTHON, str(ANCHOR_DIR / "gen_corpus.py"), "--n", str(n), "--out", str(path)], check=True)
    return path


def load_portal(path):
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DATABASE], check=True)
    manage("ensure_database")
    manage("migrate", "--no-input", "-v0")
    # The pages are rendered with DEBUG off: the static files' manifest must exist (a fresh clone has none).
    manage("collectstatic", "--no-input", "-v0")
    started = time.perf_counter()
    manage("generate_synthetic_entries", "--from-jsonl", str(path), "--reset")
    return time.perf_counter() - started


def portal_url(text, filters):
    from urllib.parse import urlencode

    pairs = [("q", text)] if text else []
    pairs += [(name, value) for name, values in filters.items() for value in values]
    return "/depository/?" + urlencode(pairs)


def capture(urls):
    """{name: (status, [SQL of the page's statements], count, {facet: {value: n}}, [PREPARE statements])}
    from two requests each through Django's test client: the second request's statements (as a page
    served by a warm connection runs them: EXECUTE of the statement the first one prepared), and the
    first one's PREPAREs (depository/search/prepared.py), which the replay runs once beforehand."""
    script = (
        "import django, json, sys; django.setup()\n"
        "from django.db import connection\n"
        "from django.test import Client\n"
        "from django.test.utils import CaptureQueriesContext, setup_test_environment\n"
        "setup_test_environment()  # the test client records each response's context\n"
        "client = Client(); out = {}\n"
        "for name, url in json.loads(sys.argv[1]).items():\n"
        "    with CaptureQueriesContext(connection) as first:\n"
        "        client.get(url)\n"
        "    with CaptureQueriesContext(connection) as ctx:\n"
        "        response = client.get(url)\n"
        "    facets = {item['facet'].name: {v.value: v.count for v in item['values'] if v.count}\n"
        "              for item in response.context['facets']}\n"
        "    out[name] = [response.status_code, [q['sql'] for q in ctx.captured_queries],\n"
        "                 response.context['page'].paginator.count, facets,\n"
        "                 [q['sql'] for q in first.captured_queries if q['sql'].startswith('PREPARE')]]\n"
        "print(json.dumps(out))\n"
    )
    result = checked_run([PYTHON, "-c", script, json.dumps(urls)], cwd=BASE_DIR, env=env())
    return json.loads(result.stdout.strip().splitlines()[-1])


def timed(function):
    started = time.perf_counter()
    function()
    return (time.perf_counter() - started) * 1000


def measure_queries(tantivy, queries, captured, rounds, warmup):
    http_connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    sql_connection = psycopg2.connect(DSN)
    sql_connection.autocommit = True

    def page(url):
        http_connection.request("GET", url, headers={"Accept-Encoding": "gzip"})
        response = http_connection.getresponse()
        response.read()
        assert response.status == 200, (url, response.status)

    with sql_connection.cursor() as cursor:
        for name in queries:
            for statement in captured[name]["prepare"]:  # "PREPARE x AS ...; EXECUTE x(...)", once
                cursor.execute(statement)

    def replay(statements):
        with sql_connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
                cursor.fetchall()

    samples = {name: {"page": [], "sql": [], "tantivy": []} for name in queries}
    for round_number in range(warmup + rounds):
        for position, (name, (text, filters, _)) in enumerate(queries.items()):
            runs = [
                ("page", lambda url=captured[name]["url"]: page(url)),
                ("sql", lambda statements=captured[name]["sql"]: replay(statements)),
                ("tantivy", lambda text=text, filters=filters: tantivy.query(text, filters)),
            ]
            shift = (round_number + position) % len(runs)
            for kind, measure in runs[shift:] + runs[:shift]:
                elapsed = timed(measure)
                if round_number >= warmup:
                    samples[name][kind].append(elapsed)
    sql_connection.close()
    http_connection.close()
    return samples


def measure_writes(n):
    """The search's share of one entry's save, rebuild_search_index, and the size after 1,000 edits."""
    connection = psycopg2.connect(DSN)
    connection.autocommit = True
    cursor = connection.cursor()
    cursor.execute("SELECT id FROM depository_entry ORDER BY id LIMIT 1000 OFFSET %s", [n // 3])
    ids = [row[0] for row in cursor.fetchall()]

    def save(entry_id, index_on):
        # As the admin's save: one UPDATE of the entry's row, committed (the index follows at commit).
        cursor.execute("BEGIN")
        if not index_on:
            cursor.execute("SET LOCAL session_replication_role = replica")  # the index's triggers off
        cursor.execute(
            "UPDATE depository_entry SET title = title || ' (revised)', updated_at = now() WHERE id = %s", [entry_id]
        )
        cursor.execute("COMMIT")

    with_index, without_index = [], []
    for position, entry_id in enumerate(ids[:40]):
        first, second = (True, False) if position % 2 else (False, True)
        (with_index if first else without_index).append(timed(lambda: save(entry_id, first)))  # noqa: B023
        (with_index if second else without_index).append(timed(lambda: save(entry_id, second)))  # noqa: B023
    cursor.execute("SELECT count(*) FROM depository_searchqueue")
    assert cursor.fetchone()[0] == 0
    cursor.execute("SELECT depository_search_rebuild()")  # the 20 saves without triggers: caught up
    started = time.perf_counter()
    manage("rebuild_search_index")
    rebuild_seconds = time.perf_counter() - started
    cursor.execute("VACUUM ANALYZE")
    cursor.execute("SELECT pg_database_size(current_database())")
    fresh = cursor.fetchone()[0]
    for entry_id in ids:
        save(entry_id, True)
    cursor.execute("VACUUM ANALYZE")
    cursor.execute("SELECT pg_database_size(current_database())")
    edited = cursor.fetchone()[0]
    connection.close()
    return {
        "save_with_index_ms": statistics.median(with_index),
        "save_without_index_ms": statistics.median(without_index),
        "rebuild_seconds": rebuild_seconds,
        "size_fresh_mb": fresh / 1e6,
        "size_after_1000_edits_mb": edited / 1e6,
    }


IMPORT_DATABASE = os.environ.get("ANCHOR_IMPORT_DATABASE", "twg_portal_import_bench")


def measure_import(path, rows=10_000):
    """A spreadsheet of `rows` entries of the corpus (title, kind, summary, year, language, status,
    tags) through the admin's large-import path (depository.tasks.run_entry_import_file: the dry run,
    then the confirmed import, as the task worker runs them) into an empty database; then the database
    size after VACUUM, and again after 1,000 of the entries are saved one by one and VACUUM."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["title", "kind", "summary", "year", "language", "status", "tags"])
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            if number >= rows:
                break
            item = json.loads(line)
            writer.writerow(
                [
                    item["title"],
                    "publication",
                    item["summary"],
                    item["year"],
                    "en",
                    "published",
                    ", ".join(item["tags"]),
                ]
            )
    csv_path = Path(path).with_name(f"import-{rows}.csv")
    csv_path.write_text(buffer.getvalue(), encoding="utf-8")
    environment = {**env(), "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{IMPORT_DATABASE}"}
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", IMPORT_DATABASE], check=True)
    for command in (["ensure_database"], ["migrate", "--no-input", "-v0"]):
        checked_run([PYTHON, "manage.py", *command], cwd=BASE_DIR, env=environment)
    script = (
        "import django, json, sys, time; django.setup()\n"
        "from pathlib import Path\n"
        "from django.db import connection\n"
        "from depository.models import EntryImport\n"
        "from depository.tasks import run_entry_import_file\n"
        "data = Path(sys.argv[1]).read_bytes()\n"
        "job = EntryImport.objects.create(\n"
        "    file_name='bench.csv', file_format='csv', data=data, row_count=int(sys.argv[2]))\n"
        "started = time.perf_counter(); checked = run_entry_import_file(job.pk, dry_run=True)\n"
        "dry = time.perf_counter() - started\n"
        "started = time.perf_counter(); done = run_entry_import_file(job.pk, dry_run=False)\n"
        "confirm = time.perf_counter() - started\n"
        "job.refresh_from_db()\n"
        "print(json.dumps({'dry_run_seconds': dry, 'confirm_seconds': confirm, 'status': [checked, done],\n"
        "                  'new': job.report.get('new')}))\n"
    )
    result = checked_run([PYTHON, "-c", script, str(csv_path), str(rows)], cwd=BASE_DIR, env=environment)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    connection = psycopg2.connect(f"host=127.0.0.1 port=5432 user=postgres dbname={IMPORT_DATABASE}")
    connection.autocommit = True
    cursor = connection.cursor()
    cursor.execute("VACUUM ANALYZE")
    cursor.execute("SELECT pg_database_size(current_database())")
    report["size_fresh_mb"] = cursor.fetchone()[0] / 1e6
    cursor.execute("SELECT id FROM depository_entry ORDER BY id LIMIT 1000")
    for (entry_id,) in cursor.fetchall():  # as the admin's save: one UPDATE, committed
        cursor.execute(
            "UPDATE depository_entry SET title = title || ' (revised)', updated_at = now() WHERE id = %s", [entry_id]
        )
    cursor.execute("VACUUM ANALYZE")
    cursor.execute("SELECT pg_database_size(current_database())")
    report["size_after_1000_edits_mb"] = cursor.fetchone()[0] / 1e6
    connection.close()
    return report


def pct(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def markdown(report):
    n = report["entries"]
    lines = [
        SECTION,
        "",
        f"Measured {report['date']}: the anchor corpus (`gen_corpus.py --n {n}`, seed 42) loaded in "
        f"{report['load_seconds']:.0f} s through `generate_synthetic_entries --from-jsonl` (rows and index); "
        f"{report['rounds']} interleaved rounds after {report['warmup']} warm-ups, one gunicorn worker. Median / p95 "
        "ms. *SQL* is the page's own statements replayed over TCP; *outside SQL* is page minus SQL.",
        "",
        "| query | page | SQL | tantivy | SQL / tantivy | page / (tantivy + 10 ms) | outside SQL "
        "| count (portal / tantivy) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]  # fmt: skip
    for name, row in report["queries"].items():
        lines.append(
            f"| {name} {row['description']} | {row['page'][0]:.1f} / {row['page'][1]:.1f} | "
            f"{row['sql'][0]:.1f} / {row['sql'][1]:.1f} | {row['tantivy'][0]:.1f} / {row['tantivy'][1]:.1f} | "
            f"{row['sql'][0] / row['tantivy'][0]:.1f}x | {row['page'][0] / (row['tantivy'][0] + 10):.1f}x | "
            f"{row['page'][0] - row['sql'][0]:.1f} | {row['count']:,} / {row['tantivy_count']:,} |"
        )
    writes = report["writes"]
    lines += [
        "",
        f"Writes at {n:,} entries: saving one entry (one UPDATE, committed) {writes['save_with_index_ms']:.1f} ms "
        f"with the index's triggers and commit-time reindex, {writes['save_without_index_ms']:.1f} ms without "
        f"(the search adds {writes['save_with_index_ms'] - writes['save_without_index_ms']:.1f} ms); "
        f"`rebuild_search_index` {writes['rebuild_seconds']:.1f} s; database {writes['size_fresh_mb']:.0f} MB "
        f"after a rebuild and VACUUM, {writes['size_after_1000_edits_mb']:.0f} MB after 1,000 saves and VACUUM "
        f"(x{writes['size_after_1000_edits_mb'] / writes['size_fresh_mb']:.2f}).",
        "",
    ]
    imported = report.get("import")
    if imported:
        lines += [
            f"A spreadsheet of {imported['new']:,} entries of the corpus through the admin's large-import task "
            f"into an empty database: dry run {imported['dry_run_seconds']:.1f} s, confirmed import "
            f"{imported['confirm_seconds']:.1f} s (index included, at its commit); database "
            f"{imported['size_fresh_mb']:.0f} MB after VACUUM, {imported['size_after_1000_edits_mb']:.0f} MB after "
            f"1,000 saves and VACUUM (x{imported['size_after_1000_edits_mb'] / imported['size_fresh_mb']:.2f}).",
            "",
        ]
    lines += targets(report)
    notes = BASE_DIR / "bench" / "anchor_notes.md"
    if notes.exists():  # the written reading of the figures: which targets are met, which not, and why
        lines += [notes.read_text().strip(), ""]
    return "\n".join(lines)


def targets(report):
    """Issue 12's measurable targets against this run: markdown lines of a table (target, measured, met)."""
    queries = list(report["queries"].values())
    browse, text = queries[:3], queries[3:6]

    def ratios(rows, of):
        return [of(row) for row in rows]

    sql_ratio = lambda row: row["sql"][0] / row["tantivy"][0]  # noqa: E731
    page_ratio = lambda row: row["page"][0] / (row["tantivy"][0] + 10)  # noqa: E731
    outside = [row["page"][0] - row["sql"][0] for row in queries]
    writes, imported = report["writes"], report.get("import") or {}
    added = writes["save_with_index_ms"] - writes["save_without_index_ms"]
    rows = [
        ("SQL of Q1-Q3 within 3x of tantivy", ratios(browse, sql_ratio), 3, "x"),
        ("SQL of Q4-Q6 within 3x of tantivy", ratios(text, sql_ratio), 3, "x"),
        ("Q6's SQL under 5 ms", [text[-1]["sql"][0]], 5, " ms"),
        ("browse pages (Q1-Q3) within 3x of tantivy + 10 ms", ratios(browse, page_ratio), 3, "x"),
        ("search pages (Q4-Q6) within 3x of tantivy + 10 ms", ratios(text, page_ratio), 3, "x"),
        ("time outside SQL at most 15 ms", outside, 15, " ms"),
        ("saving one entry adds at most 30 ms", [added], 30, " ms"),
        ("`rebuild_search_index` under 60 s", [writes["rebuild_seconds"]], 60, " s"),
        (
            "size after 1,000 edits within 1.3x of a fresh load",
            [writes["size_after_1000_edits_mb"] / writes["size_fresh_mb"]],
            1.3,
            "x",
        ),
    ]
    if imported:
        rows.append(
            (
                "a 10,000-row spreadsheet, dry run and confirm, under 2 minutes",
                [imported["dry_run_seconds"] + imported["confirm_seconds"]],
                120,
                " s",
            )
        )
    lines = ["### Issue 12's targets against this run", "", "| target | measured | met |", "| --- | --- | :---: |"]
    for label, values, limit, unit in rows:
        measured = ", ".join(f"{value:.1f}{unit}" for value in values)
        lines.append(f"| {label} | {measured} | {'yes' if max(values) <= limit else '**no**'} |")
    return [*lines, ""]


def write_section(text, output):
    path = Path(output)
    current = path.read_text() if path.exists() else "# Performance\n"
    if SECTION in current:
        before, _, rest = current.partition(SECTION)
        following = rest.find("\n## ")
        current = before + text + (rest[following + 1 :] if following >= 0 else "")
    else:
        current = current.rstrip("\n") + "\n\n" + text
    path.write_text(current.rstrip("\n") + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--workdir", default=str(BASE_DIR / "bench" / ".anchor"), help="corpus and tantivy index")
    parser.add_argument("--output", default=str(BASE_DIR / "docs" / "performance.md"))
    args = parser.parse_args()
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    anchor = anchor_module()
    path = corpus_path(args.n, workdir)
    load_seconds = load_portal(path)
    tantivy = anchor.Tantivy(str(workdir / f"tantivy-{args.n}"))
    tantivy.load(anchor.Corpus(str(path)))
    urls = {name: portal_url(text, filters) for name, (text, filters, _) in anchor.QUERIES.items()}
    captured = {
        name: {"url": urls[name], "sql": sql, "count": count, "facets": facets, "prepare": prepare}
        for name, (status, sql, count, facets, prepare) in capture(urls).items()
    }
    server = run.start_server(env(), PORT, timeout=120)
    try:
        samples = measure_queries(tantivy, anchor.QUERIES, captured, args.rounds, args.warmup)
    finally:
        server.terminate()
        server.wait(timeout=30)
    report = {
        "entries": args.n,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load_seconds": load_seconds,
        "rounds": args.rounds,
        "warmup": args.warmup,
        "queries": {},
    }
    for name, (text, filters, description) in anchor.QUERIES.items():
        answer = tantivy.query(text, filters)
        report["queries"][name] = {
            "description": description,
            "url": urls[name],
            "statements": len(captured[name]["sql"]),
            "count": captured[name]["count"],
            "tantivy_count": answer["count"],
            **{kind: [statistics.median(values), pct(values, 0.95)] for kind, values in samples[name].items()},
        }
    report["writes"] = measure_writes(args.n)
    report["import"] = measure_import(path)
    (BASE_DIR / "bench" / "anchor.json").write_text(json.dumps(report, indent=2) + "\n")
    text = markdown(report)
    write_section(text, args.output)
    print(text)


if __name__ == "__main__":
    main()
