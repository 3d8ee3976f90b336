"""Every e-mail the portal sends is a `PortalEmail` (issue 22, finding 2).

Python's e-mail policies fold a header at 78 characters; a value with a word longer than that (a
signed unsubscribe URL) cannot be folded at a space, and the policy then rewrites the whole value as
RFC 2047 encoded words (`=?utf-8?q?=3Chttps=3A//...`). That is legal for text, but a header that
carries a URL or a token is read literally: mail providers ignore a `List-Unsubscribe` written so
(RFC 2369 and RFC 8058 want `<https://...>`). Django builds the message with `email.policy.default`
(the outbox, the console) or `email.policy.SMTP` (the SMTP backend), so the fix is in `message()`,
which every backend calls: a header whose value is plain ASCII is never encoded, only left longer
than 78 characters when it has to be (RFC 5322 allows 998). Non-ASCII values (a translated subject, a
name) are still encoded, as they must be.
"""

import email.policy

from django.core.mail import EmailMultiAlternatives

FOLD_AT = 78  # email.policy's max_line_length


class PortalEmail(EmailMultiAlternatives):
    def message(self, *, policy=email.policy.default):
        # Values stored raw (set_raw) are then written as they are, not refolded; header objects
        # (everything else) are still folded by the policy.
        msg = super().message(policy=policy.clone(refold_source="none"))
        headers = list(msg.items())
        if not any(_needs_raw(name, value) for name, value in headers):
            return msg
        for name in {name for name, _value in headers}:
            del msg[name]
        for name, value in headers:
            if _needs_raw(name, value):
                msg.set_raw(name, str(value))
            else:
                msg[name] = value
        return msg


def _needs_raw(name, value):
    """An ASCII value with a word too long to fold: the policy would encode it."""
    text = str(value)
    if not text.isascii() or "\n" in text or "\r" in text:
        return False
    longest = max((len(word) for word in text.split()), default=0)
    return len(name) + 2 + longest > FOLD_AT
