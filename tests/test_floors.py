"""The floors (docs/architecture.md) are enforced: import-linter's layers contract in pyproject.toml
passes on the code as it is and fails on a deliberately upward import."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.servers  # runs lint-imports in subprocesses
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
CONFIG = tomllib.loads((settings.BASE_DIR / "pyproject.toml").read_text())["tool"]["importlinter"]


def lint_imports(root):
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml")],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def copy_of_the_apps(tmp_path):
    for package in CONFIG["root_packages"]:
        shutil.copytree(settings.BASE_DIR / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(settings.BASE_DIR / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_layers_contract_names_every_app_of_the_portal():
    layers = CONFIG["contracts"][0]["layers"]
    named = {name.strip() for layer in layers for name in layer.split("|")}
    portal_apps = {app for app in settings.INSTALLED_APPS if (settings.BASE_DIR / app).is_dir()}
    assert portal_apps | {"twg_portal"} == named == set(CONFIG["root_packages"])


def test_the_code_keeps_the_floors(tmp_path):
    result = lint_imports(copy_of_the_apps(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "upward"),
    [
        ("depository/facets.py", "meetings.models"),  # the depository must not know the meetings
        ("depository/search/__init__.py", "members.models"),
        ("people/privacy.py", "depository.models"),
        ("core/text.py", "twg_portal.settings"),  # no app imports the project package
        ("alerts/services.py", "usage.models"),  # siblings on one floor stay independent
    ],
)
def test_an_upward_import_breaks_the_contract(tmp_path, module, upward):
    root = copy_of_the_apps(tmp_path)
    with (root / module).open("a") as source:
        source.write(f"\nimport {upward}  # deliberately upward\n")
    result = lint_imports(root)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert f"{module.removesuffix('.py').removesuffix('/__init__').replace('/', '.')} -> {upward}" in result.stdout
