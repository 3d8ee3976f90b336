"""What harvesters (OAI-PMH, depository/oai/) and API clients (depository/api.py) read of an entry.

Creators and identifiers are read through ONE function each, `creators()` and `identifiers()`, so
that they can be pointed at structured creators and identifiers (issue 14, part 1) without touching
their callers. Today both are derived from the entry's `authors` string and `external_url`.

Only what an anonymous visitor may see leaves through here: published entries, public files, and
people's names as their disclosure level allows (meetings/privacy.py).
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models.functions import Lower

from meetings.models import Disclosure, Person
from meetings.privacy import Viewer

# A DOI as Crossref and DataCite write it (https://www.crossref.org/blog/dois-and-matching-regular-expressions/).
DOI_PATTERN = re.compile(r"^10\.\d{4,9}/\S+$")
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
    """An identifier of a work: `scheme` is "doi" or "url"; `value` is a bare DOI or an absolute URL."""

    scheme: str
    value: str

    @property
    def uri(self):
        """The identifier as a resolvable URI (a DOI through https://doi.org/)."""
        return f"https://doi.org/{self.value}" if self.scheme == "doi" else self.value


def public_viewer():
    """The viewer harvesters and API clients are: an anonymous visitor."""
    return Viewer(AnonymousUser())


def creators(entries, viewer):
    """{entry pk: [Creator, ...]} in the order written, for the entries (one query for all of them).

    A name matching a `meetings.Person` whose disclosure level does not let `viewer` see it is left
    out altogether: a record that lists "one participant" as an author would say nothing true.
    """
    written = {entry.pk: entry.author_list for entry in entries}
    names = {name.lower() for names in written.values() for name in names}
    hidden = set()
    if names:
        people = (
            Person.objects.annotate(lower_name=Lower("name"))
            .filter(lower_name__in=names)
            .exclude(disclosure=Disclosure.PUBLIC)
            .only("name", "disclosure")
        )
        hidden = {person.lower_name for person in people if not viewer.may_name(person)}
    return {pk: [_creator(name) for name in names if name.lower() not in hidden] for pk, names in written.items()}


def _creator(name):
    family, comma, given = name.partition(",")
    if comma and family.strip() and given.strip():
        return Creator(name=f"{family.strip()}, {given.strip()}", family=family.strip(), given=given.strip())
    return Creator(name=name)


def identifiers(entry):
    """The entry's identifiers, [Identifier, ...]: its DOI when its link is a doi.org URL, else the link."""
    url = entry.external_url
    if not url:
        return []
    parts = urlsplit(url)
    doi = parts.path.lstrip("/")
    if parts.hostname in DOI_HOSTS and DOI_PATTERN.match(doi):
        return [Identifier("doi", doi.lower())]
    return [Identifier("url", url)]


def absolute_url(path):
    """The public absolute URL of a path of the portal (settings.SITE_URL is the public origin)."""
    return settings.SITE_URL + path
