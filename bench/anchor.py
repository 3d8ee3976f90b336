"""The anchor comparison (issues 12 and 23): the portal's search against tantivy on the anchor corpus.

Loads the anchor corpus (`gen_corpus.py --n N`, 100,000 by default) into its own benchmark database
through `generate_synthetic_entries --from-jsonl` (the portal's own bulk path: rows, then the index at
commit) and chooses its term rows (`choose_search_terms`, as after any large import); and into tantivy
0.27 given the portal's own documents (bench/anchor_tantivy.py: each entry's text as the portal indexes
it, vocabulary names included, stemmed in the entry's language; the anchor's query, boosts and facets).
Then, each part with the load average before and after it:

- queries: one gunicorn worker, one interleaved loop (each round runs Q1..Q6, and within a query the
  three measurements in rotating order, so machine noise hits all alike) timing the browse page over
  HTTP (the whole response), the page's own SQL statements replayed over TCP, and tantivy's answer
  (count, top 20, every facet's counts); the counts of both must be equal;
- throughput: gunicorn as deployed (deploy/gunicorn.conf.py, 2 workers) under
  `wrk -t2 -c8 -d20s --latency`, rotating over hundreds of distinct facet pages (Q2-like) and
  one-word searches (Q4-like) (bench/anchor_throughput.py); any non-2xx response fails the run;
- writes: the search's share of saving one entry (the same UPDATE with the index's triggers on and
  off), `rebuild_search_index`, the database's size after 1,000 edits against a fresh rebuild;
- import: a 10,000-row spreadsheet through the admin's import task (dry run and confirm) into an
  empty database.

Writes bench/anchor.json and the section "Search against tantivy" of docs/performance.md. A part not
run this time keeps its figures (and their date) from bench/anchor.json when that was of the same N.
Exit status 1 when a count differs from tantivy's or a throughput run saw a non-2xx response.

    make bench-anchor                                   # N=100000, every part
    make bench-anchor ANCHOR_N=10000
    .venv/bin/python bench/anchor.py --n 10000 --reuse  # keep the loaded database: minutes, not an hour
    .venv/bin/python bench/anchor.py --n 10000 --reuse --only queries,throughput

Environment: ANCHOR_BENCH_DIR (the anchor's gen_corpus.py and run_bench.py; else the checkout's
../shared/anchor_bench, else /work/shared/anchor_bench), ANCHOR_DATABASE, ANCHOR_IMPORT_DATABASE,
BENCH_PORT.
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
import anchor_tantivy  # noqa: E402 (bench/anchor_tantivy.py)
import anchor_throughput  # noqa: E402 (bench/anchor_throughput.py)
import run  # noqa: E402 (bench/run.py: the portal's server, as the per-size benchmark starts it)
from anchor_report import THROUGHPUT, markdown, write_section  # noqa: E402, F401 (bench/run.py uses both)

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PORT = int(os.environ.get("BENCH_PORT", "8051"))
DATABASE = os.environ.get("ANCHOR_DATABASE", "twg_portal_anchor_bench")
DSN = f"host=127.0.0.1 port=5432 user=postgres dbname={DATABASE}"
IMPORT_DATABASE = os.environ.get("ANCHOR_IMPORT_DATABASE", "twg_portal_import_bench")
PARTS = ["queries", "throughput", "writes", "import"]


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


def anchor_dir():
    """The anchor's material (gen_corpus.py, run_bench.py): ANCHOR_BENCH_DIR if set, else the checkout's
    ../shared/anchor_bench (the steering repository beside it), else /work/shared/anchor_bench (a clone
    made anywhere else on the project's machines). SystemExit saying where it looked if none has it."""
    given = os.environ.get("ANCHOR_BENCH_DIR")
    candidates = (
        [Path(given)] if given else [BASE_DIR.parent / "shared" / "anchor_bench", Path("/work/shared/anchor_bench")]
    )
    for candidate in candidates:
        if (candidate / "gen_corpus.py").is_file() and (candidate / "run_bench.py").is_file():
            return candidate.resolve()
    raise SystemExit(
        "The anchor benchmark's gen_corpus.py and run_bench.py are in none of: "
        + ", ".join(str(candidate) for candidate in candidates)
        + ". Set ANCHOR_BENCH_DIR to the directory that holds them (the steering repository's anchor_bench)."
    )


def anchor_module(directory):
    sys.path.insert(0, str(directory))
    import run_bench  # the anchor's own engines and queries

    return run_bench


def corpus_path(directory, n, workdir):
    path = workdir / f"corpus-{n}.jsonl"
    if not path.exists():
        checked_run([PYTHON, str(directory / "gen_corpus.py"), "--n", str(n), "--out", str(path)])
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


def entries_loaded():
    """The number of entries in the benchmark database, or None when it does not exist."""
    try:
        connection = psycopg2.connect(DSN)
    except psycopg2.OperationalError:
        return None
    with connection, connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('depository_entry') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return None
        cursor.execute("SELECT count(*) FROM depository_entry")
        count = cursor.fetchone()[0]
    connection.close()
    return count


def term_rows():
    """The number of term rows (depository_termposting: the common words' bit strings, docs/search.md)."""
    with psycopg2.connect(DSN) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM depository_termposting")
        count = cursor.fetchone()[0]
    connection.close()
    return count


def choose_terms():
    """`choose_search_terms`, as after any large import (docs/search.md): {"terms_seconds", "term_rows"}."""
    started = time.perf_counter()
    manage("choose_search_terms")
    return {"terms_seconds": time.perf_counter() - started, "term_rows": term_rows()}


def reuse_portal():
    """The loaded database as the code now expects it: pending migrations (a new search_vN.sql), the static
    files, and its term rows chosen if it has none (a database loaded before they existed). {} or
    choose_terms()'s figures."""
    manage("migrate", "--no-input", "-v0")
    manage("collectstatic", "--no-input", "-v0")
    return {} if term_rows() else choose_terms()


def loadavg():
    return anchor_throughput.loadavg()


def now():
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())


def portal_url(text, filters):
    from urllib.parse import urlencode

    pairs = [("q", text)] if text else []
    pairs += [(name, value) for name, values in filters.items() for value in values]
    return "/depository/?" + urlencode(pairs)


def capture(urls):
    """({name: (status, [SQL of the page's statements], count, {facet: {value: n}}, [PREPARE statements])},
    {corpus kind: portal kind}) from three requests each through Django's test client: the third request's
    statements (as a page served by a warm connection runs them: EXECUTE of the statements the first two
    prepared), and the first two's PREPAREs (depository/search/prepared.py), which the replay runs once
    beforehand. Two, because a process's first counting statement also reads the facet rows' terms
    (depository/search/facet_terms.py), a text of its own, and the next one does not. The kinds are
    generate_synthetic_entries's map of the anchor's kinds (to compare facets)."""
    script = (
        "import django, json, sys; django.setup()\n"
        "from django.db import connection\n"
        "from django.test import Client\n"
        "from django.test.utils import CaptureQueriesContext, setup_test_environment\n"
        "from depository.management.commands.generate_synthetic_entries import Command\n"
        "setup_test_environment()  # the test client records each response's context\n"
        "client = Client(); out = {}\n"
        "for name, url in json.loads(sys.argv[1]).items():\n"
        "    with CaptureQueriesContext(connection) as first:\n"
        "        client.get(url)\n"
        "        client.get(url)\n"
        "    with CaptureQueriesContext(connection) as ctx:\n"
        "        response = client.get(url)\n"
        "    facets = {item['facet'].name: {v.value: v.count for v in item['values'] if v.count}\n"
        "              for item in response.context['facets']}\n"
        "    out[name] = [response.status_code, [q['sql'] for q in ctx.captured_queries],\n"
        "                 response.context['page'].paginator.count, facets,\n"
        "                 [q['sql'] for q in first.captured_queries if q['sql'].startswith('PREPARE')]]\n"
        "print(json.dumps([out, {key: str(value) for key, value in Command.ANCHOR_KINDS.items()}]))\n"
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


def facet_differences(portal, engine, kinds):
    """[(facet, value, portal's count, tantivy's)] where the two differ; the corpus's kinds are summed
    into the portal's (`kinds`), facets only one side counts (the portal's year, tag, ...) left out."""
    differences = []
    for facet, counts in engine.items():
        if facet == "kind":
            summed = {}
            for value, count in counts.items():
                summed[kinds.get(value, value)] = summed.get(kinds.get(value, value), 0) + count
            counts = summed
        theirs = portal.get(facet, {})
        for value in sorted(set(counts) | set(theirs)):
            if counts.get(value, 0) != theirs.get(value, 0):
                differences.append((facet, value, theirs.get(value, 0), counts.get(value, 0)))
    return differences


def run_queries(anchor, corpus, path, workdir, rounds, warmup):
    """The queries part: tantivy given the portal's documents, the pages captured, the interleaved loop.
    {"rows": {name: row}, "text_check": ..., "matches": ..., "facet_differences": ...}."""
    entries, differing, without = anchor_tantivy.check_texts(DSN)
    texts, stops = anchor_tantivy.portal_texts(DSN), anchor_tantivy.stop_words(DSN)
    tantivy = anchor_tantivy.engine_class(anchor)(str(workdir / f"tantivy-portal-{len(corpus.entries)}"))
    started = time.perf_counter()
    tantivy.load(corpus, texts, stops)
    tantivy_load_seconds = time.perf_counter() - started
    urls = {name: portal_url(text, filters) for name, (text, filters, _) in anchor.QUERIES.items()}
    pages, kinds = capture(urls)
    captured = {
        name: {"url": urls[name], "sql": sql, "count": count, "facets": facets, "prepare": prepare}
        for name, (status, sql, count, facets, prepare) in pages.items()
    }
    server = run.start_server(env(), PORT, timeout=120)
    try:
        samples = measure_queries(tantivy, anchor.QUERIES, captured, rounds, warmup)
    finally:
        server.terminate()
        server.wait(timeout=30)
    rows, matches, facets = {}, {}, {}
    for name, (text, filters, description) in anchor.QUERIES.items():
        answer = tantivy.query(text, filters)
        rows[name] = {
            "description": description,
            "url": urls[name],
            "statements": len(captured[name]["sql"]),
            "count": captured[name]["count"],
            "tantivy_count": answer["count"],
            **{kind: [statistics.median(values), pct(values, 0.95)] for kind, values in samples[name].items()},
        }
        facets[name] = facet_differences(captured[name]["facets"], answer["facets"], kinds)
        if text and not filters:  # the matched entries themselves, not only their number
            only_portal, only_tantivy = anchor_tantivy.match_differences(DSN, tantivy, text, answer["count"])
            matches[name] = {"only_portal": only_portal[:20], "only_tantivy": only_tantivy[:20],
                             "differing": len(only_portal) + len(only_tantivy)}  # fmt: skip
    differences = []
    if any(match["differing"] for match in matches.values()):  # why: the words the stemmers split otherwise
        words = sorted({word for text, *_ in anchor.QUERIES.values() if text for word in text.split()})
        differences = anchor_tantivy.stem_differences(tantivy.t, stops, DSN, texts, words)[:50]
    return {
        "rounds": rounds,
        "warmup": warmup,
        "tantivy_load_seconds": tantivy_load_seconds,
        "text_check": {"entries": entries, "differing": differing, "without_document": without},
        "matches": matches,
        "stem_differences": differences,
        "facet_differences": facets,
        "rows": rows,
    }


def facet_values():
    """{facet: {value as the query string writes it: entries}} of every value of every registered facet
    that has entries (the browse page lists at most 40 tags, cities or countries: these are all), from
    the search's facet rows (depository_facetposting) and each facet's terms (ids to slugs)."""
    script = (
        "import django, json; django.setup()\n"
        "from django.db import connection\n"
        "from depository import facets\n"
        "out = {}\n"
        "with connection.cursor() as cursor:\n"
        "    for facet in facets.registered():\n"
        "        cursor.execute('SELECT value, size FROM depository_facetposting WHERE facet = %s AND size > 0',\n"
        "                       [facet.name])\n"
        "        values = dict(cursor.fetchall())\n"
        "        terms = facet.terms_sql(True)\n"
        "        if terms:\n"
        "            cursor.execute(f'SELECT key, slug FROM ({terms}) t')\n"
        "            slugs = dict(cursor.fetchall())\n"
        "            values = {slugs[key]: n for key, n in values.items() if key in slugs}\n"
        "        out[facet.name] = values\n"
        "print(json.dumps(out))\n"
    )
    result = checked_run([PYTHON, "-c", script], cwd=BASE_DIR, env=env())
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_throughput(path, workdir, seconds, warmup_seconds):
    """The throughput part: {"workers": 2, "runs": {name: wrk's figures, the load average, the target}}."""
    facets = facet_values()
    stops = anchor_tantivy.stop_words(DSN)["english"]
    words = anchor_throughput.common_words(path, stops, 200)
    paths = {
        "Q2-like": anchor_throughput.facet_paths(facets, 3),
        "Q4-like": anchor_throughput.word_paths([word for word, _ in words], 1),
    }
    for name, urls in paths.items():
        if len(set(urls)) < 200:
            print(f"warning: {name} rotates over {len(set(urls))} distinct URLs only (fewer than 200)", file=sys.stderr)
    workers = 2
    log = workdir / "gunicorn-throughput.log"
    server = anchor_throughput.start_gunicorn(Path(PYTHON).with_name("gunicorn"), BASE_DIR, env(), PORT, workers, log)
    runs = {}
    try:
        for name, urls in paths.items():
            script = workdir / f"wrk-{name}.lua"
            anchor_throughput.run_wrk(PORT, urls, warmup_seconds, script)  # fresh workers' first requests
            before = loadavg()
            figures = anchor_throughput.run_wrk(PORT, urls, seconds, script)
            runs[name] = {
                **figures,
                "loadavg": {"before": before, "after": loadavg()},
                "rotates_over": THROUGHPUT[name][0],
            }
            runs[name]["sample_paths"] = urls[:3]
    finally:
        anchor_throughput.stop(server)
    return {"workers": workers, "seconds": seconds, "warmup_seconds": warmup_seconds, "words": words[:10], "runs": runs}


def measure_writes(n):
    """The search's share of one entry's save, rebuild_search_index, and the size after 1,000 edits; the
    edited titles are then restored."""
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
    # The corpus's titles back (a reused database keeps the corpus's text): one statement, after the sizes.
    cursor.execute(
        r"UPDATE depository_entry SET title = regexp_replace(title, '( \(revised\))+$', '') WHERE id = ANY(%s)", [ids]
    )
    connection.close()
    return {
        "save_with_index_ms": statistics.median(with_index),
        "save_without_index_ms": statistics.median(without_index),
        "rebuild_seconds": rebuild_seconds,
        "size_fresh_mb": fresh / 1e6,
        "size_after_1000_edits_mb": edited / 1e6,
    }


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


def chosen_parts(only, reuse):
    """The parts to run: `only` (comma-separated names of PARTS) if given, else every part, the import
    left out with `reuse` (it loads a database of its own: ask for it with --only)."""
    if only:
        parts = [part.strip() for part in only.split(",") if part.strip()]
        unknown = sorted(set(parts) - set(PARTS))
        if unknown:
            raise SystemExit(f"--only: unknown part(s) {', '.join(unknown)} (choose among {', '.join(PARTS)})")
        return [part for part in PARTS if part in parts]
    return [part for part in PARTS if not (reuse and part == "import")]


def previous_report(path, n):
    """bench/anchor.json when it holds this report format and the same number of entries, else {}."""
    try:
        report = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return report if report.get("format") == 2 and report.get("entries") == n else {}


def measured(part_name, function):
    """Run one part: its result with the date and the load average before and after it."""
    print(f"{now()}: {part_name}", file=sys.stderr, flush=True)
    before = loadavg()
    result = function()
    return {"date": now(), **result, "loadavg": {"before": before, "after": loadavg()}}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="keep the benchmark database if it holds N entries")
    parser.add_argument("--only", help=f"comma-separated parts to run, among {','.join(PARTS)} (default: all)")
    parser.add_argument("--seconds", type=int, default=20, help="each throughput run's length (wrk -d)")
    parser.add_argument("--workdir", default=str(BASE_DIR / "bench" / ".anchor"), help="corpus and tantivy index")
    parser.add_argument("--output", default=str(BASE_DIR / "docs" / "performance.md"))
    args = parser.parse_args()
    parts = chosen_parts(args.only, args.reuse)
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    directory = anchor_dir()
    anchor = anchor_module(directory)
    path = corpus_path(directory, args.n, workdir)
    results = BASE_DIR / "bench" / "anchor.json"
    report = {**previous_report(results, args.n), "format": 2, "entries": args.n, "cores": os.cpu_count()}
    if args.reuse and entries_loaded() == args.n:
        print(f"{now()}: reusing {DATABASE} ({args.n} entries)", file=sys.stderr, flush=True)
        chosen = reuse_portal()
        report.setdefault("database", {"date": None, "load_seconds": None})
        report["database"].update({**chosen, "term_rows": term_rows(), "reused": now()})
    else:
        if args.reuse:
            print(f"{now()}: {DATABASE} does not hold {args.n} entries: loading it", file=sys.stderr, flush=True)
        report["database"] = measured("load", lambda: {"load_seconds": load_portal(path), **choose_terms()})
    corpus = anchor.Corpus(str(path)) if "queries" in parts else None
    if "queries" in parts:
        report["queries"] = measured(
            "queries", lambda: run_queries(anchor, corpus, path, workdir, args.rounds, args.warmup)
        )
    if "throughput" in parts:
        report["throughput"] = measured("throughput", lambda: run_throughput(path, workdir, args.seconds, 5))
    if "writes" in parts:
        report["writes"] = measured("writes", lambda: measure_writes(args.n))
    if "import" in parts:
        report["import"] = measured("import", lambda: measure_import(path))
    results.write_text(json.dumps(report, indent=2) + "\n")
    text = markdown(report)
    write_section(text, args.output)
    print(text)
    failures = []
    for name, row in (report.get("queries") or {}).get("rows", {}).items():
        if row["count"] != row["tantivy_count"]:
            failures.append(f"{name}: the portal counts {row['count']:,}, tantivy {row['tantivy_count']:,}")
    for name, figures in (report.get("throughput") or {}).get("runs", {}).items():
        if figures["non_2xx"] or sum(figures["socket_errors"].values()):
            failures.append(
                f"{name}: {figures['non_2xx']} non-2xx responses, socket errors {figures['socket_errors']} "
                f"(gunicorn's log: {workdir / 'gunicorn-throughput.log'})"
            )
    if failures:
        raise SystemExit("FAILED:\n" + "\n".join(failures))


if __name__ == "__main__":
    main()
