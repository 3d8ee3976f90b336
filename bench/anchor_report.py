"""The anchor comparison's report (bench/anchor.py): the section "Search against tantivy" of
docs/performance.md from bench/anchor.json, with issue 23's targets table. Pure functions of the report
dict; bench/run.py rewrites the section from bench/anchor.json through anchor.markdown and write_section.
"""

import json
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECTION = "## Search against tantivy (issues 12 and 23)"
OLD_SECTIONS = ["## Search against tantivy (issue 12)"]  # replaced by SECTION where a page still has them
THROUGHPUT = {  # run: (what it rotates over, requests/s at least, p99 ms under): issue 23's targets
    "Q2-like": ("one facet value (any value of any facet) and a page 1-3 of it", 150, 150),
    "Q4-like": ("one of the corpus's 200 most frequent words (no stop words), page 1", 60, 300),
}


def load_text(part):
    """`part`'s load averages (1, 5, 15 min) before and after it, as markdown."""
    before, after = part["loadavg"]["before"], part["loadavg"]["after"]
    return f"load average {' '.join(f'{v:.2f}' for v in before)} before, {' '.join(f'{v:.2f}' for v in after)} after"


def markdown(report):
    n = report["entries"]
    database = report.get("database") or {}
    if database.get("load_seconds") is not None:
        loaded = (
            f"loaded {database['date']} in {database['load_seconds']:.0f} s through `generate_synthetic_entries "
            "--from-jsonl` (rows and index)"
        )
    else:
        loaded = "loaded earlier (`--reuse`; its load was not timed by this report's runs)"
    if database.get("terms_seconds") is not None:
        loaded += f", term rows chosen in {database['terms_seconds']:.0f} s (`choose_search_terms`)"
    if database.get("term_rows") is not None:
        loaded += f"; {database['term_rows']:,} term rows"
    lines = [
        SECTION,
        "",
        f"The anchor corpus (`gen_corpus.py --n {n}`, seed 42), {n:,} entries, {loaded}; "
        f"{report.get('cores', '?')} cores. Each part was measured at its own time, with the machine's load "
        "average (/proc/loadavg: 1, 5 and 15 minutes) before and after it: compare figures between parts "
        "measured on an equally quiet machine. Rerun: `make bench-anchor` (every part), or "
        f"`bench/anchor.py --n {n} --reuse [--only queries,throughput,writes,import]` on the loaded database.",
        "",
    ]
    lines += queries_markdown(report.get("queries"))
    lines += throughput_markdown(report.get("throughput"))
    writes = report.get("writes")
    if writes:
        lines += [
            f"**Writes** ({writes['date']}, {load_text(writes)}): saving one entry (one UPDATE, committed) "
            f"{writes['save_with_index_ms']:.1f} ms with the index's triggers and commit-time reindex, "
            f"{writes['save_without_index_ms']:.1f} ms without (the search adds "
            f"{writes['save_with_index_ms'] - writes['save_without_index_ms']:.1f} ms); `rebuild_search_index` "
            f"{writes['rebuild_seconds']:.1f} s; database {writes['size_fresh_mb']:.0f} MB after a rebuild and "
            f"VACUUM, {writes['size_after_1000_edits_mb']:.0f} MB after 1,000 saves and VACUUM "
            f"(x{writes['size_after_1000_edits_mb'] / writes['size_fresh_mb']:.2f}).",
            "",
        ]
    imported = report.get("import")
    if imported:
        lines += [
            f"**Import** ({imported['date']}, {load_text(imported)}): a spreadsheet of {imported['new']:,} entries "
            "of the corpus through the admin's large-import task into an empty database: dry run "
            f"{imported['dry_run_seconds']:.1f} s, confirmed import {imported['confirm_seconds']:.1f} s (index "
            f"included, at its commit); database {imported['size_fresh_mb']:.0f} MB after VACUUM, "
            f"{imported['size_after_1000_edits_mb']:.0f} MB after 1,000 saves and VACUUM "
            f"(x{imported['size_after_1000_edits_mb'] / imported['size_fresh_mb']:.2f}).",
            "",
        ]
    lines += targets(report)
    notes = BASE_DIR / "bench" / "anchor_notes.md"
    if notes.exists():  # the written reading of the figures: which targets are met, which not, and why
        lines += [notes.read_text().strip(), ""]
    return "\n".join(lines)


def queries_markdown(part):
    if not part:
        return ["**Queries**: not measured.", ""]
    check = part["text_check"]
    lines = [
        f"**Queries** ({part['date']}, {load_text(part)}): {part['rounds']} interleaved rounds after "
        f"{part['warmup']} warm-ups, one gunicorn worker, one client. Median / p95 ms. *SQL* is the page's own "
        "statements replayed over TCP; *outside SQL* is page minus SQL. *tantivy* is given the portal's "
        "documents (`bench/anchor_tantivy.py`): each entry's text as `depository_search_documents` builds it "
        "(titles; summary, vocabulary names and keywords; body), whose lexemes in PostgreSQL equal the stored "
        f"documents for {check['entries'] - check['differing'] - check['without_document']:,} of "
        f"{check['entries']:,} entries, in per-language fields analysed as the entry's language's configuration "
        "(lowercase, ASCII folding for `unaccent`, PostgreSQL's stop words, the language's Snowball stemmer); "
        "the anchor's query (boosts title 3, summary 2), facets and top 20.",
        "",
        "| query | page | SQL | tantivy | SQL / tantivy | page / (tantivy + 10 ms) | outside SQL "
        "| count (portal / tantivy) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]  # fmt: skip
    for name, row in part["rows"].items():
        lines.append(
            f"| {name} {row['description']} | {row['page'][0]:.1f} / {row['page'][1]:.1f} | "
            f"{row['sql'][0]:.1f} / {row['sql'][1]:.1f} | {row['tantivy'][0]:.1f} / {row['tantivy'][1]:.1f} | "
            f"{row['sql'][0] / row['tantivy'][0]:.1f}x | {row['page'][0] / (row['tantivy'][0] + 10):.1f}x | "
            f"{row['page'][0] - row['sql'][0]:.1f} | {row['count']:,} / {row['tantivy_count']:,} |"
        )
    matched = ", ".join(
        f"{name} " + ("the same entries" if match["differing"] == 0 else f"**{match['differing']:,} entries differ**")
        for name, match in part["matches"].items()
    )
    facet_rows = {name: rows for name, rows in part["facet_differences"].items() if rows}
    lines += [
        "",
        f"Matched entries, portal (`depository_matching_ids`) against tantivy: {matched}. Facet counts (city "
        "type, violence type, theme, kind with the corpus's 9 kinds summed into the portal's, language): "
        + ("equal for Q1-Q6." if not facet_rows else f"**differ**: {json.dumps(facet_rows)[:600]}."),
    ]
    if part.get("stem_differences"):
        lines.append(
            "Words the two engines' stemmers split otherwise (language, query word, corpus word, PostgreSQL's "
            f"lexeme, tantivy's): {json.dumps(part['stem_differences'][:20], ensure_ascii=False)}."
        )
    return [*lines, ""]


def throughput_markdown(part):
    if not part:
        return ["**Throughput**: not measured.", ""]
    lines = [
        f"**Throughput** ({part['date']}, {load_text(part)}): gunicorn with `deploy/gunicorn.conf.py`, "
        f"{part['workers']} workers (`WEB_CONCURRENCY={part['workers']}`), `DEBUG` off; "
        f"`wrk -t2 -c8 -d{part['seconds']}s --latency` with a Lua script cycling through the run's distinct "
        f"URLs (each wrk thread from its own offset; `bench/anchor_throughput.py`), after {part['warmup_seconds']} s "
        "of the same to warm the fresh workers. Q4-like words, most frequent first: "
        + ", ".join(word for word, _ in part["words"])
        + ", ...",
        "",
        "| run | rotates over | distinct URLs | requests | requests/s | p50 ms | p99 ms | non-2xx | socket errors "
        "| load average before, after |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]  # fmt: skip
    for name, run_ in part["runs"].items():
        errors = sum(run_["socket_errors"].values())
        lines.append(
            f"| {name} | {run_['rotates_over']} | {run_['distinct_paths']:,} | {run_['requests']:,} | "
            f"{run_['requests_per_s']:.1f} | {run_['p50_ms']:.1f} | {run_['p99_ms']:.1f} | {run_['non_2xx']} | "
            f"{errors} | {' '.join(f'{v:.2f}' for v in run_['loadavg']['before'])}, "
            f"{' '.join(f'{v:.2f}' for v in run_['loadavg']['after'])} |"
        )
    return [*lines, ""]


def target_rows(report):
    """Issue 23's targets (and issue 12's import target) against this report: [(target, measured or None
    when the part was not measured, met)]."""
    queries, throughput = report.get("queries"), report.get("throughput")
    writes, imported = report.get("writes"), report.get("import")
    rows = []

    def row(label, present, measured=None, met=None):
        rows.append((label, measured() if present else None, met() if present else None))

    listed = lambda values, unit: ", ".join(f"{value:.1f}{unit}" for value in values)  # noqa: E731
    q = list(queries["rows"].values()) if queries else []
    sql_ratios = [r["sql"][0] / r["tantivy"][0] for r in q]
    page_ratios = [r["page"][0] / (r["tantivy"][0] + 10) for r in q]
    outside = [r["page"][0] - r["sql"][0] for r in q]
    row("SQL of each of Q1-Q6 within 3x of tantivy", q, lambda: listed(sql_ratios, "x"), lambda: max(sql_ratios) <= 3)
    row("Q6's SQL under 5 ms", q, lambda: f"{q[5]['sql'][0]:.1f} ms", lambda: q[5]["sql"][0] < 5)
    row(
        "each page (Q1-Q6) within 3x of tantivy + 10 ms", q, lambda: listed(page_ratios, "x"),
        lambda: max(page_ratios) <= 3,
    )  # fmt: skip
    row("at most 15 ms outside SQL (Q1-Q6)", q, lambda: listed(outside, " ms"), lambda: max(outside) <= 15)
    row(
        "counts equal, portal / tantivy (Q1-Q6)", q,
        lambda: f"{sum(r['count'] == r['tantivy_count'] for r in q)} of {len(q)} equal",
        lambda: all(r["count"] == r["tantivy_count"] for r in q),
    )  # fmt: skip
    for name, (_, rate, p99) in THROUGHPUT.items():
        figures = (throughput or {}).get("runs", {}).get(name)
        row(
            f"{name} throughput at least {rate} requests/s with p99 under {p99} ms (2 workers, wrk -c8)", figures,
            lambda figures=figures: f"{figures['requests_per_s']:.1f} requests/s, p99 {figures['p99_ms']:.1f} ms",
            lambda figures=figures, rate=rate, p99=p99: figures["requests_per_s"] >= rate and figures["p99_ms"] < p99,
        )  # fmt: skip
    runs = (throughput or {}).get("runs", {})
    row(
        "no non-2xx response or socket error under load", runs,
        lambda: ", ".join(f"{name}: {r['non_2xx']} non-2xx, {sum(r['socket_errors'].values())} errors"
                          for name, r in runs.items()),
        lambda: all(r["non_2xx"] == 0 and not sum(r["socket_errors"].values()) for r in runs.values()),
    )  # fmt: skip
    added = writes and writes["save_with_index_ms"] - writes["save_without_index_ms"]
    row("saving one entry adds under 30 ms", writes, lambda: f"{added:.1f} ms", lambda: added < 30)
    row(
        "`rebuild_search_index` under 60 s", writes, lambda: f"{writes['rebuild_seconds']:.1f} s",
        lambda: writes["rebuild_seconds"] < 60,
    )  # fmt: skip
    growth = writes and writes["size_after_1000_edits_mb"] / writes["size_fresh_mb"]
    row(
        "size after 1,000 edits within 1.3x of a fresh rebuild", writes, lambda: f"{growth:.2f}x", lambda: growth <= 1.3
    )
    total = imported and imported["dry_run_seconds"] + imported["confirm_seconds"]
    row(
        "a 10,000-row spreadsheet, dry run and confirm, under 2 minutes (issue 12)", imported,
        lambda: f"{total:.1f} s" + (f" for {imported['new']:,} rows" if imported["new"] != 10_000 else ""),
        lambda: total < 120 if imported["new"] == 10_000 else None,  # fewer rows (a smaller N): not comparable
    )  # fmt: skip
    return rows


def targets(report):
    """Markdown lines of the targets table (target, measured, met)."""
    lines = ["### Issue 23's targets against this report", "", "| target | measured | met |", "| --- | --- | :---: |"]
    for label, measured, met in target_rows(report):
        if measured is None:
            lines.append(f"| {label} | not measured | - |")
        else:
            lines.append(f"| {label} | {measured} | {'-' if met is None else 'yes' if met else '**no**'} |")
    return [*lines, ""]


def write_section(text, output):
    path = Path(output)
    current = path.read_text() if path.exists() else "# Performance\n"
    for heading in [SECTION, *OLD_SECTIONS]:
        if heading in current:
            before, _, rest = current.partition(heading)
            following = rest.find("\n## ")
            current = before + text + (rest[following + 1 :] if following >= 0 else "")
            break
    else:
        current = current.rstrip("\n") + "\n\n" + text
    path.write_text(current.rstrip("\n") + "\n")
