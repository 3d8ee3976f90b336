"""`manage.py audit_dependencies` (make audit): PyPI's vulnerability records, by release or by project."""

import pytest
from django.core.management import CommandError, call_command

from core.management.commands import audit_dependencies
from core.management.commands.audit_dependencies import audit

# Shaped like PyPI's JSON API (https://docs.pypi.org/api/json/): a real record of pycrypto 2.6.1.
PYCRYPTO_VULNERABILITY = {
    "id": "PYSEC-2017-94",
    "aliases": ["CVE-2013-7459", "GHSA-cq27-v7xp-c356"],
    "fixed_in": [],
    "withdrawn": None,
}
WITHDRAWN = {"id": "PYSEC-0000-1", "aliases": [], "fixed_in": ["9.9"], "withdrawn": "2024-01-01T00:00:00Z"}


def records(documents):
    """A `fetch` that serves these URL -> JSON documents and answers None (404) for anything else."""
    return lambda url: documents.get(url)


def test_a_release_record_is_used_when_pypi_serves_it():
    fetch = records({"https://pypi.org/pypi/pycrypto/2.6.1/json": {"vulnerabilities": [PYCRYPTO_VULNERABILITY]}})
    finding = audit("pycrypto", "2.6.1", fetch)
    assert finding.audited_by == "release"
    assert [item["id"] for item in finding.vulnerabilities] == ["PYSEC-2017-94"]


def test_the_project_record_audits_the_newest_release_when_the_release_record_is_out_of_reach():
    fetch = records(
        {
            "https://pypi.org/pypi/pycrypto/json": {
                "info": {"version": "2.6.1"},
                "vulnerabilities": [PYCRYPTO_VULNERABILITY, WITHDRAWN],
            }
        }
    )
    finding = audit("pycrypto", "2.6.1", fetch)
    assert finding.audited_by == "project"
    # A withdrawn advisory is not a vulnerability.
    assert [item["id"] for item in finding.vulnerabilities] == ["PYSEC-2017-94"]


def test_an_older_release_is_not_audited_by_the_newest_releases_record():
    fetch = records({"https://pypi.org/pypi/django/json": {"info": {"version": "6.1.3"}, "vulnerabilities": []}})
    finding = audit("django", "4.2.0", fetch)
    assert finding.audited_by == ""
    assert "4.2.0 is not the newest (6.1.3)" in finding.reason


def test_an_unknown_package_is_not_audited():
    finding = audit("no-such-package", "1.0", records({}))
    assert finding.audited_by == ""


@pytest.fixture
def installed(monkeypatch):
    def install(packages, documents):
        monkeypatch.setattr(audit_dependencies, "installed_distributions", lambda: packages)
        monkeypatch.setattr(audit_dependencies, "fetch_json", records(documents))

    return install


def test_the_command_fails_on_a_known_vulnerability(installed, capsys):
    installed(
        [("pycrypto", "2.6.1"), ("django", "6.1.3")],
        {
            "https://pypi.org/pypi/pycrypto/json": {
                "info": {"version": "2.6.1"},
                "vulnerabilities": [PYCRYPTO_VULNERABILITY],
            },
            "https://pypi.org/pypi/django/json": {"info": {"version": "6.1.3"}, "vulnerabilities": []},
        },
    )
    with pytest.raises(CommandError, match="Known vulnerabilities in: pycrypto"):
        call_command("audit_dependencies")
    output = capsys.readouterr().out
    assert (
        "VULNERABLE pycrypto 2.6.1: PYSEC-2017-94 (CVE-2013-7459, GHSA-cq27-v7xp-c356); fixed in no fixed release"
        in output
    )
    assert "2 packages installed: 2 audited" in output


def test_the_command_passes_when_every_package_is_clean_and_reports_what_it_skipped(installed, capsys):
    installed(
        [("django", "6.1.3"), ("old-thing", "1.0")],
        {
            "https://pypi.org/pypi/django/json": {"info": {"version": "6.1.3"}, "vulnerabilities": []},
            "https://pypi.org/pypi/old-thing/json": {"info": {"version": "2.0"}, "vulnerabilities": []},
        },
    )
    call_command("audit_dependencies")
    output = capsys.readouterr().out
    assert "not audited old-thing 1.0" in output
    assert "1 audited (0 by release record, 1 by project record), 1 not audited; 0 known vulnerabilities." in output
    with pytest.raises(CommandError, match="1 packages could not be audited"):
        call_command("audit_dependencies", strict=True)


def test_the_command_fails_when_nothing_could_be_audited(installed):
    installed([("django", "6.1.3")], {})
    with pytest.raises(CommandError, match="No package could be audited"):
        call_command("audit_dependencies")
