"""What every writer of depository/citations reads of a CSL item (depository.csl.csl_item): its names as
text, its pages as a range, its dates at their precision, its keywords, and the "variable: value" lines
of what a format has no field for."""

import re

from depository.csl import DATE_VARIABLES, NAME_VARIABLES, split_keywords, text_of

# A page range as one string: '45-67', '45–67', '45--67', 'e123-e130'.
PAGE_RANGE = re.compile(r"^\s*([^\s\-–—]+)\s*(?:-{1,3}|–|—)\s*([^\s\-–—]+)\s*$")
# What no bibliographic format writes: the item's id in its file, the portal's own markers.
NEVER_WRITTEN = {"id", "citation-key", "citation-label", "citation-number", "first-reference-note-number", "locator"}


def one_line(text):
    return re.sub(r"\s+", " ", str(text or "")).strip()


def name_text(name):
    """A CSL name as a reference manager writes it in one field: 'Family, Given' for a person (particles
    before the family name, a suffix after the given names), the name itself for an organization."""
    if name.get("literal") and not name.get("family"):
        return one_line(name["literal"])
    family = " ".join(one_line(name[part]) for part in ("non-dropping-particle", "family") if name.get(part))
    given = " ".join(one_line(name[part]) for part in ("given", "dropping-particle") if name.get(part))
    text = f"{family}, {given}" if given else family
    return f"{text}, {one_line(name['suffix'])}" if name.get("suffix") else text


def is_organization(name):
    return bool(name.get("literal")) and not name.get("family")


def page_range(page):
    """(first, last) of CSL's `page`: ('45', '67') for '45-67', ('e12', '') for one page or a list of pages
    that is no single range ('12, 15-17' stays whole in `first`)."""
    match = PAGE_RANGE.match(str(page or ""))
    if match:
        return match.group(1), match.group(2)
    return one_line(page), ""


def date_parts_of(value):
    """[year], [year, month] or [year, month, day] of a CSL date as csl_item writes it; [] for a date kept
    as written (`raw`), which the writers then write as text."""
    if isinstance(value, dict) and value.get("date-parts"):
        try:
            return [int(part) for part in value["date-parts"][0]]
        except (TypeError, ValueError):
            return []
    return []


def iso_date(value):
    """'2019', '2019-03' or '2019-03-04' (ISO 8601 at the date's precision), or the date as written."""
    parts = date_parts_of(value)
    if parts:
        return "-".join(f"{part:02d}" if n else str(part) for n, part in enumerate(parts))
    return text_of(value)


def keywords(item):
    """The item's keywords, one per tag (csl_item joins them with ', ')."""
    words, long_words = split_keywords(item.get("keyword"))
    return [*words, *long_words]


def extra_lines(item, written):
    """ "variable: value" lines of the item's variables not in `written` (the set a format has a field
    for), as Zotero writes the CSL variables it has no field for in its Extra field (and reads them back):
    names as 'Family, Given', dates in ISO 8601."""
    lines = []
    for variable, value in item.items():
        if variable in written or variable in NEVER_WRITTEN or ":" in variable or variable in {"type", "note"}:
            continue
        if variable in NAME_VARIABLES:
            lines += [f"{variable}: {name_text(name)}" for name in value]
        elif variable in DATE_VARIABLES:
            lines.append(f"{variable}: {iso_date(value)}")
        elif text_of(value):
            lines.append(f"{variable}: {text_of(value)}")
    return lines
