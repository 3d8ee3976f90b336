"""Creators from text, and which creators a viewer may see.

`split_name` and `parse_creators` turn author strings as reports and spreadsheets write them into
creators (the data migration 0014, the spreadsheet import, the records loader and the
reference-manager import all use them); `shown_creators` applies disclosure levels (the entry page
and every export call it, never filtering on their own).
"""

import re

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from depository.models import Creator, CreatorKind, CreatorRole
from people.models import Person
from people.privacy import Viewer

# Words that mark a name as an organization's rather than a person's. Short on purpose: it decides
# only how an author *string* is read (a curator corrects any miss in the admin); imports from
# reference managers say which names are organizations themselves.
ORGANIZATION_WORDS = (
    "UN-Habitat",
    "United Nations",
    "UNDP",
    "UNODC",
    "Office",
    "Institute",
    "Platform",
    "Programme",
    "Program",
    "University",
    "Network",
    "Forum",
    "Secretariat",
    "Commission",
    "Council",
    "Centre",
    "Center",
    "Foundation",
    "Agency",
    "Bank",
    "Working Group",
    "Ministry",
    "Coalition",
    "Alliance",
    "Association",
)
ORGANIZATION_PATTERN = re.compile(
    r"(?<![\w-])(?:" + "|".join(re.escape(word) for word in ORGANIZATION_WORDS) + r")(?![\w-])", re.IGNORECASE
)


def is_organization_name(text):
    """Whether an author string names an organization (one of ORGANIZATION_WORDS, as a whole word)."""
    return bool(ORGANIZATION_PATTERN.search(text))


def split_name(text):
    """One author as written -> {"kind", "family", "given", "name"}.

    'Family, Given' splits at the comma; 'Given Family' takes the last word as the family name
    (particles such as 'van' then stay in the given names: curators fix those in the admin); a name
    with an ORGANIZATION_WORDS word is an organization. Returns None for an empty string.
    """
    text = re.sub(r"\s+", " ", text or "").strip(" ;,")
    if not text:
        return None
    if is_organization_name(text):
        return {"kind": CreatorKind.ORGANIZATION, "family": "", "given": "", "name": text}
    if "," in text:
        family, given = (part.strip() for part in text.split(",", 1))
    else:
        given, _, family = text.rpartition(" ")
    return {"kind": CreatorKind.PERSON, "family": family, "given": given, "name": ""}


def parse_creators(text):
    """Authors written one after another, separated by semicolons -> a list of `split_name` dicts."""
    return [name for name in (split_name(part) for part in (text or "").split(";")) if name]


def person_index(people):
    """{lower-cased spelling: person} over `people.Person` rows (name and other spellings), to link
    creators to people the TWG knows."""
    index = {}
    for person in people:
        for spelling in [person.name, *person.other_spellings.split(";")]:
            if spelling.strip():
                index.setdefault(re.sub(r"\s+", " ", spelling).strip().lower(), person)
    return index


def known_people():
    """`person_index` of every `people.Person`."""
    return person_index(Person.objects.only("pk", "name", "other_spellings", "disclosure"))


# Authors and editors of one entry, at most (issue 22, finding 5: one RIS record of 33,000 authors kept
# the import's request past the worker's timeout, validating and writing each). A report of the TWG's
# field has a handful; 500 leaves room for a large consortium, and bounds the work of one record.
MAX_CREATORS_PER_ENTRY = 500


def too_many_creators_message(count):
    return _(
        "%(count)s authors and editors; at most %(limit)s are imported per record. Shorten the list in "
        "your reference manager (the first authors and “et al.”) and import it again."
    ) % {"count": f"{count:,}", "limit": MAX_CREATORS_PER_ENTRY}


def creators_from_text(entry, text, people=None):
    """Unsaved Creator rows for `entry` from an author string, linked to the people of `people`
    (a `person_index`; by default `known_people()`) whose name or spelling matches 'Given Family'."""
    people = known_people() if people is None else people
    creators = []
    for position, parts in enumerate(parse_creators(text)):
        creator = Creator(entry=entry, position=position, role=CreatorRole.AUTHOR, **parts)
        if creator.is_person:
            creator.person = people.get(creator.display_name.lower())
        creators.append(creator)
    return creators


def creator_for_person(entry, person, position):
    """An unsaved author linked to a `people.Person` (its name split by `split_name`)."""
    parts = split_name(person.name) or {"kind": CreatorKind.PERSON, "family": person.name, "given": "", "name": ""}
    if parts["kind"] == CreatorKind.ORGANIZATION:
        parts = {"kind": CreatorKind.PERSON, "family": parts["name"], "given": "", "name": ""}
    return Creator(entry=entry, position=position, role=CreatorRole.AUTHOR, person=person, **parts)


def creators_prefetch():
    """The prefetch every page and export uses: creators in order, with the linked person's disclosure."""
    return Prefetch("creators", queryset=Creator.objects.select_related("person").order_by("position", "pk"))


def viewer_of(request):
    """The request's `people.privacy.Viewer`, made once per request (the one place the depository
    reads the meetings app's disclosure rule)."""
    if not hasattr(request, "_creators_viewer"):
        request._creators_viewer = Viewer(request.user)
    return request._creators_viewer


def public_viewer():
    """A `Viewer` for anyone (feeds and files that readers share and caches keep)."""
    return Viewer(AnonymousUser())


def shown_creators(entry, viewer):
    """The creators of `entry` (from `entry.creators_in_order()`) whose names `viewer` may see.

    `viewer` is a `people.privacy.Viewer` (anything with `may_name(person)`). A creator linked to
    a person whose disclosure hides the name from this viewer is left out: a citation cannot say
    "one participant" (docs/citations.md, "Disclosure").
    """
    return [
        creator for creator in entry.creators_in_order() if creator.person is None or viewer.may_name(creator.person)
    ]
