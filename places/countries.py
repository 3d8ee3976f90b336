"""Country names in the visitor's language, from django-countries (ISO 3166 codes, translated names).

The records keep a city's country as its English name (the depository's country facet is keyed on
it); pages show the name django-countries gives for the active language. No hand-typed list.
"""

from functools import lru_cache

from django_countries import countries


@lru_cache(maxsize=512)
def country_code(english_name):
    """The ISO 3166-1 alpha-2 code of an English country name ("Switzerland" -> "CH"), "" if unknown."""
    return countries.by_name(english_name) or "" if english_name else ""


def country_name(english_name):
    """`english_name` in the active language ("Suiza" for "Switzerland" in Spanish); unchanged if
    django-countries does not know it, "" for ""."""
    code = country_code(english_name)
    return str(countries.name(code)) if code else english_name
