"""Look up every installed Python package in PyPI's vulnerability records (issue 8's supply chain).

pip-audit asks PyPI for one release's record (`/pypi/<name>/<version>/json`); where that address is
out of reach (it is on the project's build machines: only the project-level record is served), pip-audit
reports every package as "could not be audited". The project-level record (`/pypi/<name>/json`)
carries the same vulnerability list (`vulnerabilities`, from the Python Packaging Advisory Database
and OSV) for the project's newest release. So each installed package is looked up by release first and,
failing that, by project when the installed version is the newest; a package older than the newest
release that cannot be looked up by release is reported as not audited.

Fails (exit 1) on any known vulnerability, when no package at all could be audited (the check would
prove nothing), and, with --strict, when any package could not be audited.
"""

import json
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from django.core.management.base import BaseCommand, CommandError

PYPI = "https://pypi.org/pypi"
TIMEOUT_SECONDS = 20


@dataclass
class Finding:
    name: str
    version: str
    vulnerabilities: list = field(default_factory=list)
    audited_by: str = ""  # "release" or "project"; "" when not audited
    reason: str = ""


def installed_distributions(python=sys.executable):
    """(name, version) of every distribution installed beside this Python, pip included."""
    listing = subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [python, "-m", "pip", "list", "--format=json", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        check=True,
    )
    return [(item["name"], item["version"]) for item in json.loads(listing.stdout)]


def fetch_json(url):
    """The JSON document at `url`, or None when PyPI does not serve it (404) or cannot be reached."""
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (https only)
            return json.load(response)
    except (urllib.error.URLError, TimeoutError, ValueError):
        return None


def active(vulnerabilities):
    return [item for item in vulnerabilities or [] if not item.get("withdrawn")]


def audit(name, version, fetch=None):
    """What PyPI knows of this release's vulnerabilities, by release record or else by project record."""
    fetch = fetch or fetch_json
    release = fetch(f"{PYPI}/{name}/{version}/json")
    if release is not None:
        return Finding(name, version, active(release.get("vulnerabilities")), audited_by="release")
    project = fetch(f"{PYPI}/{name}/json")
    if project is None:
        return Finding(name, version, reason="PyPI has no record of it, or could not be reached")
    newest = project.get("info", {}).get("version")
    if newest != version:
        return Finding(
            name, version, reason=f"the release record is out of reach and {version} is not the newest ({newest})"
        )
    return Finding(name, version, active(project.get("vulnerabilities")), audited_by="project")


class Command(BaseCommand):
    help = "Look up every installed package in PyPI's vulnerability records; fail on a known vulnerability."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--strict", action="store_true", help="Also fail when a package could not be audited.")

    def handle(self, *args, strict=False, **options):
        findings = [audit(name, version) for name, version in installed_distributions()]
        audited = [finding for finding in findings if finding.audited_by]
        vulnerable = [finding for finding in audited if finding.vulnerabilities]
        skipped = [finding for finding in findings if not finding.audited_by]
        for finding in vulnerable:
            for item in finding.vulnerabilities:
                fixed = ", ".join(item.get("fixed_in") or []) or "no fixed release"
                aliases = ", ".join(item.get("aliases") or [])
                self.stdout.write(
                    f"VULNERABLE {finding.name} {finding.version}: {item.get('id')} ({aliases}); fixed in {fixed}"
                )
        for finding in skipped:
            self.stdout.write(f"not audited {finding.name} {finding.version}: {finding.reason}")
        by_release = sum(1 for finding in audited if finding.audited_by == "release")
        self.stdout.write(
            f"{len(findings)} packages installed: {len(audited)} audited ({by_release} by release record, "
            f"{len(audited) - by_release} by project record), {len(skipped)} not audited; "
            f"{sum(len(finding.vulnerabilities) for finding in vulnerable)} known vulnerabilities."
        )
        if vulnerable:
            raise CommandError(f"Known vulnerabilities in: {', '.join(finding.name for finding in vulnerable)}")
        if not audited:
            raise CommandError("No package could be audited: PyPI's vulnerability records are out of reach.")
        if strict and skipped:
            raise CommandError(f"{len(skipped)} packages could not be audited (--strict).")
