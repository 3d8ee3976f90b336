"""Text in another language than the page's, marked so that browsers lay it out and read it right.

Fallback text (an English definition on an Arabic page, an entry's English title on a French one)
carries `lang`, for pronunciation, hyphenation and fonts, AND `dir`: without a direction, English
inside a right-to-left page is laid out by the page's direction and its punctuation jumps to the
wrong end ("(2015." instead of "2015)."). Issue 22, finding 9; docs/i18n.md, "Text in another language".

- `<p {{ text|lang_dir }}>`: `lang="en" dir="ltr"` for the element that holds `text`. `text` is a
  `TranslatedText` (it knows its `.language`: depository/models/translations.py), a language code
  ("ar"), or any other text, taken to be in the records' language (settings.LANGUAGE_CODE: tags,
  city names, meeting timings, organizations' countries as typed). Always both attributes, whatever
  the page's language: an element's language never depends on its surroundings.
- `{{ text|in_its_language }}`: the text, escaped, inside `<span lang dir>` when its language is not
  the page's (inline text with no element of its own: a tag, a country, "Autumn 2015").
"""

from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, reverse, translate_url
from django.utils.html import format_html
from django.utils.translation import get_language, get_language_info, override

register = template.Library()


def language_of(text):
    """The language code of `text` ("en" for "en-gb"): its `.language`, itself if it is one of
    settings.LANGUAGES' codes, else settings.LANGUAGE_CODE."""
    language = getattr(text, "language", None)
    if language is None:
        known = {code for code, _name in settings.LANGUAGES}
        language = text if isinstance(text, str) and text in known else settings.LANGUAGE_CODE
    return str(language).split("-")[0]


def direction_of(language):
    """ "rtl" or "ltr" from Django's language information; "auto" for a language it does not know."""
    try:
        return "rtl" if get_language_info(language)["bidi"] else "ltr"
    except KeyError:
        return "auto"


@register.filter
def lang_dir(text):
    return _lang_dir_attributes(language_of(text))


@lru_cache(maxsize=64)
def _lang_dir_attributes(language):
    """The attributes for one language code, built once (a result page asks for them ~80 times)."""
    return format_html('lang="{}" dir="{}"', language, direction_of(language))


@register.filter
def in_its_language(text, language=None):
    """`text` marked with its language (or `language`, a code) when that is not the page's."""
    language = language or language_of(text)
    if language == (get_language() or settings.LANGUAGE_CODE).split("-")[0]:
        return text
    return format_html('<span lang="{}" dir="{}">{}</span>', language, direction_of(language), text)


def _translated_path(request, path, language):
    """Django's translate_url(path, language) for the request's own address: translate_url resolves
    the address again, for each language (four resolutions a page, issue 23), where the request's
    resolver match already says which view and arguments it names. Under a script prefix, Django's
    own (which resolves the address with its prefix)."""
    match = request.resolver_match
    if request.path != request.path_info:
        return translate_url(path, language)
    name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
    parsed = urlsplit(path)
    with override(language):
        try:
            url = reverse(name, args=match.args, kwargs=match.kwargs)
        except NoReverseMatch:
            return path
    return urlunsplit((parsed.scheme, parsed.netloc, url, parsed.query, parsed.fragment))


@register.simple_tag(takes_context=True)
def language_alternates(context):
    """[(hreflang, absolute URL)] of this page in each of settings.LANGUAGES, and "x-default" (the
    unprefixed English address), for <link rel="alternate" hreflang>. [] outside a request or on an
    address with no language versions (core/language_urls.py)."""
    request = context.get("request")
    if request is None or getattr(request, "resolver_match", None) is None:
        return []
    path = request.get_full_path()
    alternates = []
    for code, _name in settings.LANGUAGES:
        translated = _translated_path(request, path, code)
        if translated == path and code != get_language():
            return []  # not a page with language versions
        alternates.append((code, request.build_absolute_uri(translated)))
    default = dict(alternates)[settings.LANGUAGE_CODE]
    return [*alternates, ("x-default", default)]
