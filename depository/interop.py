"""What harvesters (OAI-PMH, depository/oai/) and API clients (portal/api.py) read of an entry.

Creators and identifiers are read through ONE function each, `creators()` and `identifiers()`, from
the entry's structured creators (depository/creators.py, disclosure applied) and identifiers (DOI,
ISBN, ISSN, report number, link).

Only what an anonymous visitor may see leaves through here: published entries, public files, and
people's names as their disclosure level allows (people/privacy.py).
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import prefetch_related_objects

from depository.creators import creators_prefetch, shown_creators
from people.privacy import Viewer

DOI_HOSTS = {"doi.org", "dx.doi.org", "www.doi.org"}


@dataclass(frozen=True)
class Creator:
    """One creator of a work, as Dublin Core's `creator` and CSL's name variables read it.

    `name` is what is shown ("Family, Given" for persons whose name was written with a comma, else
    the name as written); `family`/`given` are empty when the name was not split; `kind` is
    "person" or "organization".
    """

    name: str
    family: str = ""
    given: str = ""
    kind: str = "person"


@dataclass(frozen=True)
class Identifier:
    """An identifier of a work: `scheme` is "doi", "isbn", "issn", "report-number" or "url"; `value` is
    the bare identifier (normalised by the Entry model) or an absolute URL."""

    scheme: str
    value: str

    @property
    def uri(self):
        """The identifier as a URI where it has one: https://doi.org/ for a DOI, URNs for ISBN and
        ISSN (RFC 8254, RFC 3044); a report number as written."""
        prefixes = {"doi": "https://doi.org/", "isbn": "urn:isbn:", "issn": "urn:issn:"}
        return prefixes.get(self.scheme, "") + self.value


def public_viewer():
    """The viewer harvesters and API clients are: an anonymous visitor."""
    return Viewer(AnonymousUser())


def creators(entries, viewer):
    """{entry pk: [Creator, ...]} in order (authors, then editors), for the entries: one query for all
    of them unless their creators are prefetched already (creators_prefetch()).

    A creator linked to a `people.Person` whose disclosure level does not let `viewer` see the name
    is left out altogether (depository.creators.shown_creators): a record that lists "one
    participant" as an author would say nothing true.
    """
    entries = list(entries)
    prefetch_related_objects(entries, creators_prefetch())
    return {
        entry.pk: [
            Creator(
                name=creator.inverted_name,
                family=creator.family if creator.is_person else "",
                given=creator.given if creator.is_person else "",
                kind=creator.kind,
            )
            for creator in shown_creators(entry, viewer)
        ]
        for entry in entries
    }


def identifiers(entry):
    """The entry's identifiers, [Identifier, ...]: DOI, ISBN, ISSN, report number, then its link."""
    found = [
        Identifier(scheme, value)
        for scheme, value in (
            ("doi", entry.doi),
            ("isbn", entry.isbn),
            ("issn", entry.issn),
            ("report-number", entry.report_number),
        )
        if value
    ]
    link = entry.external_url
    if not link or (entry.doi and urlsplit(link).hostname in DOI_HOSTS and link.lower().endswith(entry.doi)):
        return found  # no link, or the DOI's own address
    return [*found, Identifier("url", link)]


def absolute_url(path):
    """The public absolute URL of a path of the portal (settings.SITE_URL is the public origin)."""
    return settings.SITE_URL + path
