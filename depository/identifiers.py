"""Identifiers of works: DOI, ISBN, ISSN, ORCID. Each `normalise_*` returns the canonical form or
raises `django.core.exceptions.ValidationError` with a message a curator can act on.

Checksums come from python-stdnum (ISBN: ISO 2108; ISSN: ISO 3297; ORCID: ISO 7064 MOD 11-2, as
https://support.orcid.org/hc/en-us/articles/360006897674 describes). DOIs have no checksum; the
syntax is the DOI Handbook's (section 2.2): the directory indicator "10.", a registrant code of
digits and dots, "/", then any suffix. DOIs are case-insensitive, so the canonical form is lower case.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import isbn, issn
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.iso7064 import mod_11_2

DOI_PATTERN = re.compile(r"^10\.\d{4,9}(\.\d+)*/\S+$")
DOI_PREFIXES = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
ORCID_PREFIX = re.compile(r"^https?://orcid\.org/", re.IGNORECASE)


def normalise_doi(value):
    """'https://doi.org/10.1000/ABC' or 'doi:10.1000/abc' -> '10.1000/abc'; '' stays ''."""
    value = DOI_PREFIXES.sub("", (value or "").strip()).strip().lower()
    if value and not DOI_PATTERN.match(value):
        raise ValidationError(_("“%(value)s” is not a DOI (10.NNNN/…)."), params={"value": value}, code="doi")
    return value


def doi_from_url(url):
    """The DOI of a doi.org link, or '' when the link is not one (or not a valid DOI)."""
    if not url or not DOI_PREFIXES.match(url.strip()) or url.strip().lower().startswith("doi:"):
        return ""
    try:
        return normalise_doi(url)
    except ValidationError:
        return ""


def normalise_isbn(value):
    """An ISBN-10 or ISBN-13 with a valid check digit -> the ISBN-13, hyphenated ('978-0-306-40615-7')."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return isbn.format(isbn.validate(value), convert=True)
    except StdnumError:
        raise ValidationError(
            _("“%(value)s” is not a valid ISBN (check the digits)."), params={"value": value}, code="isbn"
        ) from None


def normalise_issn(value):
    """An ISSN with a valid check digit -> 'NNNN-NNNC'."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return issn.format(issn.validate(value))
    except StdnumError:
        raise ValidationError(
            _("“%(value)s” is not a valid ISSN (check the digits)."), params={"value": value}, code="issn"
        ) from None


def normalise_orcid(value):
    """'https://orcid.org/0000-0002-1825-0097' or '0000000218250097' -> '0000-0002-1825-0097'."""
    value = ORCID_PREFIX.sub("", (value or "").strip())
    if not value:
        return ""
    compact = value.replace("-", "").upper()
    if not re.fullmatch(r"\d{15}[\dX]", compact) or not mod_11_2.is_valid(compact):
        raise ValidationError(
            _("“%(value)s” is not a valid ORCID iD (check the digits)."), params={"value": value}, code="orcid"
        )
    return "-".join(compact[i : i + 4] for i in range(0, 16, 4))
