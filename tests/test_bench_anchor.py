"""`make bench-anchor` in a fresh clone (issue 22, finding 9): the static files are collected before
pages are captured, and a failing step says why instead of a bare CalledProcessError."""

import importlib.util
import subprocess
import sys

import pytest
from django.conf import settings


@pytest.fixture
def anchor():
    spec = importlib.util.spec_from_file_location("bench_anchor", settings.BASE_DIR / "bench" / "anchor.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_failing_step_shows_its_error(anchor):
    with pytest.raises(SystemExit) as failed:
        anchor.checked_run(
            [
                sys.executable,
                "-c",
                "import sys; sys.stderr.write('ValueError: Missing staticfiles manifest entry'); sys.exit(3)",
            ]
        )
    assert "failed (3)" in str(failed.value)
    assert "Missing staticfiles manifest entry" in str(failed.value)


def test_the_portal_is_loaded_with_its_static_files_collected(anchor, monkeypatch, tmp_path):
    steps = []
    monkeypatch.setattr(anchor, "manage", lambda *args: steps.append(args[0]))
    monkeypatch.setattr(subprocess, "run", lambda *args, **kwargs: None)  # dropdb
    anchor.load_portal(tmp_path / "corpus.jsonl")
    assert steps.index("collectstatic") < steps.index("generate_synthetic_entries")


def test_the_anchor_material_is_found_where_ANCHOR_BENCH_DIR_says_or_refused_saying_where_it_looked(
    anchor, monkeypatch, tmp_path
):
    (tmp_path / "gen_corpus.py").write_text("")
    (tmp_path / "run_bench.py").write_text("")
    monkeypatch.setenv("ANCHOR_BENCH_DIR", str(tmp_path))
    assert anchor.anchor_dir() == tmp_path.resolve()

    monkeypatch.setenv("ANCHOR_BENCH_DIR", str(tmp_path / "elsewhere"))
    with pytest.raises(SystemExit) as missing:
        anchor.anchor_dir()
    assert str(tmp_path / "elsewhere") in str(missing.value)
    assert "ANCHOR_BENCH_DIR" in str(missing.value)


def test_a_reused_database_skips_the_import_unless_it_is_asked_for(anchor):
    assert anchor.chosen_parts(None, reuse=False) == ["queries", "throughput", "writes", "import"]
    assert anchor.chosen_parts(None, reuse=True) == ["queries", "throughput", "writes"]
    assert anchor.chosen_parts("import,queries", reuse=True) == ["queries", "import"]
    with pytest.raises(SystemExit, match="unknown part"):
        anchor.chosen_parts("queries,pages", reuse=True)


def test_the_targets_table_says_which_parts_were_not_measured(anchor):
    report = {
        "entries": 2000,
        "writes": {
            "date": "2026-12-04 15:20 UTC",
            "loadavg": {"before": [1.0, 1.0, 1.0], "after": [1.5, 1.0, 1.0]},
            "save_with_index_ms": 17.0,
            "save_without_index_ms": 3.9,
            "rebuild_seconds": 64.0,
            "size_fresh_mb": 57.0,
            "size_after_1000_edits_mb": 58.0,
        },
    }
    table = anchor.markdown(report)
    assert "| saving one entry adds under 30 ms | 13.1 ms | yes |" in table
    assert "| `rebuild_search_index` under 60 s | 64.0 s | **no** |" in table
    assert "| Q6's SQL under 5 ms | not measured | - |" in table
    assert "load average 1.00 1.00 1.00 before, 1.50 1.00 1.00 after" in table


def test_the_throughput_runs_rotate_over_every_facet_value_and_its_pages(anchor):
    import anchor_throughput

    paths = anchor_throughput.facet_paths({"theme": {"youth": 45, "gender": 3}, "tag": {"tag-01": 20}}, pages=5)
    assert paths == [
        "/depository/?tag=tag-01",
        "/depository/?theme=gender",
        "/depository/?theme=youth",
        "/depository/?theme=youth&page=2",
        "/depository/?theme=youth&page=3",
    ]
