"""`manage.py nginx_config`: the portal's nginx configuration, with the body limits of these settings."""

import getpass
import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.template import Context, Engine

from core.body_limits import BODY_LIMITS, default_body_limit

TEMPLATE = Path(settings.BASE_DIR) / "deploy" / "nginx.conf.template"


def render_nginx_config(
    *,
    listen="80",
    server_name="_",
    upstream="127.0.0.1:8000",
    tls_listen="443",
    tls_certificate="",
    tls_key="",
    standalone=False,
    prefix="",
):
    """The text of deploy/nginx.conf.template for these settings' body limits (in bytes).

    Without `standalone`, a `server` block (and its `upstream`) for Debian's
    /etc/nginx/sites-available/. With it, a whole nginx.conf running in the foreground with its pid,
    logs and temporary files under `prefix` (an absolute directory), as `make deploy-test` runs it.
    ValueError if `tls_certificate` is given without `tls_key`, or `standalone` without `prefix`."""
    if bool(tls_certificate) != bool(tls_key):
        raise ValueError("--tls-certificate and --tls-key go together")
    if standalone and not prefix:
        raise ValueError("--standalone needs --prefix")
    limits = [{"name": row.name, "pattern": row.pattern, "limit": row.limit()} for row in BODY_LIMITS]
    context = {
        "listen": listen,
        "server_name": server_name,
        "upstream": upstream,
        "tls_listen": tls_listen,
        "tls_certificate": tls_certificate,
        "tls_key": tls_key,
        "standalone": standalone,
        "prefix": str(prefix).rstrip("/"),
        # nginx started by root switches its workers to `nobody`, who could not write the prefix's
        # temporary files; a standalone nginx keeps the user that started it.
        "run_as": getpass.getuser() if standalone and os.geteuid() == 0 else "",
        "limits": limits,
        "default_limit": default_body_limit(),
    }
    engine = Engine(autoescape=False)
    return engine.from_string(TEMPLATE.read_text()).render(Context(context))


class Command(BaseCommand):
    help = "Print the nginx configuration of the portal (deploy/nginx.conf.template) with this deployment's limits."

    def add_arguments(self, parser):
        parser.add_argument("--listen", default="80", help="address:port or port for plain HTTP (default 80)")
        parser.add_argument("--server-name", default="_", help="nginx server_name (default _: any)")
        parser.add_argument("--upstream", default="127.0.0.1:8000", help="gunicorn's address (default 127.0.0.1:8000)")
        parser.add_argument("--tls-listen", default="443", help="address:port or port for HTTPS (default 443)")
        parser.add_argument("--tls-certificate", default="", help="certificate chain file: adds an HTTPS listener")
        parser.add_argument("--tls-key", default="", help="the certificate's private key file")
        parser.add_argument("--standalone", action="store_true", help="a whole nginx.conf (for tests), under --prefix")
        parser.add_argument("--prefix", default="", help="directory for the standalone nginx's pid, logs, temp files")
        parser.add_argument("--output", default="", help="write to this file instead of standard output")

    def handle(self, *args, output, verbosity, **options):
        options = {
            key: options[key]
            for key in (
                "listen",
                "server_name",
                "upstream",
                "tls_listen",
                "tls_certificate",
                "tls_key",
                "standalone",
                "prefix",
            )
        }
        try:
            text = render_nginx_config(**options)
        except ValueError as error:
            raise CommandError(str(error)) from None
        if output:
            Path(output).write_text(text)
        else:
            self.stdout.write(text, ending="")
