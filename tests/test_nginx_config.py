"""`manage.py nginx_config` writes the portal's own body limits into the nginx configuration."""

import io
import re

import pytest
from django.core.management import CommandError, call_command

from core.body_limits import LOGIN_MAX_BODY_BYTES, MULTIPART_OVERHEAD_BYTES


def rendered(*args):
    out = io.StringIO()
    call_command("nginx_config", *args, stdout=out)
    return out.getvalue()


def location_limit(text, pattern):
    match = re.search(r'location ~ "' + re.escape(pattern) + r'" \{\s*client_max_body_size (\d+);', text)
    assert match, f"no location for {pattern}"
    return int(match.group(1))


def test_the_limits_follow_the_settings(settings):
    settings.MEMBERS_PAPER_MAX_BYTES = 1000
    settings.ATTACHMENT_MAX_UPLOAD_BYTES = 2000
    settings.ENTRY_IMPORT_MAX_BYTES = 3000
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4000
    text = rendered("--server-name", "twg.example.org", "--upstream", "10.0.0.5:8000")
    assert location_limit(text, r"^/members/papers/\d+/upload/$") == 1000 + MULTIPART_OVERHEAD_BYTES
    assert location_limit(text, r"^/admin/depository/(entry|attachment)/(add|\d+/change)/$") == 2000 + (
        MULTIPART_OVERHEAD_BYTES
    )
    assert location_limit(text, r"^/admin/depository/entry/import/$") == 3000 + MULTIPART_OVERHEAD_BYTES
    assert location_limit(text, r"^/(members/login|members/password/.*|admin/login)/$") == LOGIN_MAX_BODY_BYTES
    assert "    client_max_body_size 4000;" in text
    assert "server_name twg.example.org;" in text and "server 10.0.0.5:8000;" in text
    assert "ssl_certificate" not in text


def test_tls_needs_a_certificate_and_its_key():
    text = rendered("--tls-certificate", "/etc/ssl/twg.pem", "--tls-key", "/etc/ssl/twg.key")
    assert "listen 443 ssl http2;" in text and "ssl_certificate_key /etc/ssl/twg.key;" in text
    with pytest.raises(CommandError, match="go together"):
        rendered("--tls-certificate", "/etc/ssl/twg.pem")
    with pytest.raises(CommandError, match="needs --prefix"):
        rendered("--standalone")
