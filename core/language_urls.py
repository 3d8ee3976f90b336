"""Public addresses with an optional language prefix: `/ar/depository/` is the Arabic depository,
`/depository/` is what it always was (issue 22, finding 9; docs/i18n.md, "Addresses").

Django's `i18n_patterns(prefix_default_language=False)` gives `/ar/...`, `/es/...`, `/fr/...` and
keeps English unprefixed, but then answers an unprefixed address only in English: its pattern
expects the *active* language's prefix, and its LocaleMiddleware activates English for every
unprefixed address. The portal chose the language of an unprefixed address from the switcher's
cookie and the browser's Accept-Language before the prefixes existed, and still does: this pattern
also matches an address with no language prefix whatever the active language, and
core.middleware.LocaleMiddleware keeps choosing that language. Links are reversed with the active
language's prefix, so every link of an Arabic page is an Arabic address.
"""

from django.conf import settings
from django.urls import URLResolver
from django.urls.resolvers import LocalePrefixPattern
from django.utils.translation import get_language_from_path


class OptionalLanguagePrefixPattern(LocalePrefixPattern):
    """Matches `ar/...`, `es/...`, `fr/...` and addresses with no language prefix, whatever the active
    language (the language switch resolves an Arabic address while another language is active, to
    translate it); not `en/...` (English has no prefix). Reverses with the active language's prefix."""

    def match(self, path):
        language = get_language_from_path(f"/{path}")
        if language is None:
            return path, (), {}
        if language == settings.LANGUAGE_CODE:
            return None
        return path.removeprefix(f"{language}/"), (), {}


def language_patterns(*urls):
    """`urls` under an optional language prefix (English: none)."""
    return [URLResolver(OptionalLanguagePrefixPattern(prefix_default_language=False), list(urls))]
