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
