"""Settings for the TWG Portal.

Every secret and every fact about a deployment comes from the environment; the defaults are the
ones a developer's machine needs (`make run`), and they are safe: DEBUG is off unless asked for,
and without DEBUG a missing SECRET_KEY stops the start-up instead of falling back to a known one.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envlist(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def database_from_url(url, variable="DATABASE_URL"):
    """Turn postgres://user:password@host:port/name?option=value into a DATABASES entry (`variable`
    names the environment variable in error messages)."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured(f"{variable} must be a postgres:// URL: the portal runs on PostgreSQL only")
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise ImproperlyConfigured(
            f"{variable} must name a database, e.g. postgres://postgres@127.0.0.1:5432/twg_portal"
        )
    options = {"connect_timeout": 5}
    options.update(parse_qsl(parts.query))
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        # Persistent connections, checked before reuse so a restarted server costs one request
        # nothing more than a reconnect.
        "CONN_MAX_AGE": envint("CONN_MAX_AGE", 60),
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": options,
        "TEST": {"NAME": os.environ.get("TEST_DATABASE_NAME") or f"test_{name}"},
    }


def read_secret_file():
    """SECRET_KEY_FILE names a file holding the key (default: .secret_key, which `make run` writes
    and git ignores)."""
    path = Path(os.environ.get("SECRET_KEY_FILE") or BASE_DIR / ".secret_key")
    if path.is_file():
        return path.read_text().strip()
    return ""


DEBUG = envbool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY") or read_secret_file()
if not SECRET_KEY:
    if DEBUG:
        # A throw-away key: sessions do not survive a restart, and nothing known is ever used.
        SECRET_KEY = secrets.token_urlsafe(50)
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
            "(`make run` writes a local one to .secret_key)."
        )

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# With a read replica (same syntax as DATABASE_URL) the public read-only pages read from it; the
# "Past one machine: a read replica" section below holds its other settings.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")

INSTALLED_APPS = [
    "portal.apps.PortalAdminConfig",  # Django's admin with the organizers' start page
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.postgres",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_filters",
    "taggit",
    # The floors, lowest first (docs/architecture.md; `make lint` checks them with import-linter).
    "core",
    # Issue 15: cities and countries; country names in the visitor's language (django-countries).
    "places",
    "people",
    "depository",
    "meetings",
    "members",
    "django_countries",
    "alerts",
    "django_tasks_db",  # background tasks: the database-backed queue (see "Background tasks" below)
    "import_export",  # bulk import/export of depository entries in the admin
    "axes",  # login lockout (see "Login lockout" below)
    "usage",  # use statistics without personal data (issue 16)
    "harvest",  # harvesting OAI-PMH, Zotero and ReliefWeb into candidate entries (issue 21)
    "network",  # issue 24: expertise profiles, the members' directory, sub-groups
    "portal",  # the top floor: pages and interfaces that read across apps
]

# The whole chain, outermost first (tests/test_settings.py pins it). Each entry's reason is in
# the section of its settings below.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A body larger than its path accepts is refused from its Content-Length, before anything reads it.
    "core.body_limits.RequestBodyLimitMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # The 503 page when the database is unreachable, and the CSP header on it.
    "core.middleware.DatabaseUnavailableMiddleware",
    "core.middleware.RejectNullCharactersMiddleware",  # a NUL in the query string is a 400
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After whitenoise, which answers static files (compressed ahead of time) before this sees them.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.LocaleMiddleware",  # Django's, with the language prefixes of twg_portal/urls.py
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "usage.middleware.UsageCountingMiddleware",  # counts after the response
    # Innermost, so that it decides once the view is known and sees the view's errors first.
    *(["core.db_routers.ReadReplicaMiddleware"] if DATABASE_REPLICA_URL else []),
]

ROOT_URLCONF = "twg_portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",  # {{ csp_nonce }} for inline scripts and styles
            ],
        },
    },
]

WSGI_APPLICATION = "twg_portal.wsgi.application"

DATABASES = {
    "default": database_from_url(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/twg_portal"))
}

# The search's facet counting statement is prepared once per connection (depository/search/prepared.py).
# Off behind a pooler in transaction mode (PgBouncer pool_mode = transaction), which does not keep a
# session's prepared statements from one transaction to the next.
SEARCH_PREPARED_STATEMENTS = envbool("SEARCH_PREPARED_STATEMENTS", True)

# The browse page's facets, in display order: declarations (depository.facets.Facet) or dotted paths to
# one or to a list of them. A facet added here gets its rows at the next `manage.py migrate`.
DEPOSITORY_FACETS = ["depository.facets.FACETS"]
# The export formats (depository.exports.ExportFormat), the same way.
DEPOSITORY_EXPORT_FORMATS = ["depository.exports.FORMATS"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "members:login"

# Internationalisation: the network works in English, Spanish, French and Arabic.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("es", _("Spanish")),
    ("fr", _("French")),
    ("ar", _("Arabic")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

# Static files: collected, compressed and cache-busted, served by whitenoise.
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]

# Uploaded files. Public ones under MEDIA_ROOT; members' unpublished papers go to
# PRIVATE_MEDIA_ROOT, which is never served directly.
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "private_media"))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # members/storage.py: PrivateStorage is PRIVATE_MEDIA_ROOT, with no URL.
    "private": {"BACKEND": "members.storage.PrivateStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Past one machine (issue 7; docs/deployment.md): with AWS_STORAGE_BUCKET_NAME set, uploaded files
# live in S3-compatible object storage instead of MEDIA_ROOT and PRIVATE_MEDIA_ROOT: public ones
# under the prefix media/, members' unpublished papers under private/, of the same bucket, or of
# AWS_PRIVATE_STORAGE_BUCKET_NAME when that is set. Every object is private and has no URL: files
# are served only through the portal's permission-checking views (core/storage.py).
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")


def s3_storage_options(*, bucket_name, location):
    """OPTIONS of a PrivateS3Storage, from the AWS_* variables django-storages documents."""
    return {
        "bucket_name": bucket_name,
        "location": location,
        "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
        "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
        "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
        "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
        # No ACL is sent: a new object is then private to the bucket's owner (S3's own default), and
        # buckets with ACLs disabled (AWS's default "bucket owner enforced") refuse any other ACL
        # header. Nothing is public: PrivateS3Storage makes no URL, the bucket grants no public read.
        "default_acl": None,
        # Names are generated; a new upload never replaces a stored file that has the same name.
        "file_overwrite": False,
    }


if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "core.storage.PrivateS3Storage",
        "OPTIONS": s3_storage_options(bucket_name=AWS_STORAGE_BUCKET_NAME, location="media"),
    }
    STORAGES["private"] = {
        "BACKEND": "core.storage.PrivateS3Storage",
        "OPTIONS": s3_storage_options(
            bucket_name=os.environ.get("AWS_PRIVATE_STORAGE_BUCKET_NAME") or AWS_STORAGE_BUCKET_NAME,
            location="private",
        ),
    }

# django-import-export keeps an uploaded file between its dry run and its confirmation, which may be
# answered by different web servers: in the private storage (PRIVATE_MEDIA_ROOT, or the private
# prefix of the bucket), under django-import-export/, never served. Not in the cache, which forgets
# (issue 22, finding 1: a confirmation after the cache culled answered 500). Unconfirmed files are
# removed after a day (core/pending_imports.py).
STORAGES["import_export"] = STORAGES["private"]
IMPORT_EXPORT_TMP_STORAGE_CLASS = "core.pending_imports.PendingImportStorage"

# The cache: Redis when REDIS_URL is set (redis://host:6379/0), else a table of the database
# (`manage.py createcachetable`, which `make run` runs). Either way every web server sees the same
# cache; nothing is kept in one process's memory (but the search's counts, used only under the index
# generation they were counted at: depository/search/counts_cache.py). Only what may be forgotten goes
# there: the database cache culls a third of its rows past MAX_ENTRIES (300), Redis evicts. Rate
# limits, throttles, pending imports and the use statistics' counts are tables (core/ratelimits.py,
# usage/counting.py).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "twg_cache"}}

# E-mail (Django 6.1 mailers): printed to the console unless EMAIL_HOST names an SMTP server.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": EMAIL_HOST,
                "port": envint("EMAIL_PORT", 587),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": envbool("EMAIL_USE_TLS", True),
                "timeout": envint("EMAIL_TIMEOUT", 10),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
del EMAIL_HOST  # the deprecated EMAIL_* settings are not used; MAILERS holds the configuration
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "TWG Portal <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# HTTPS. Off for `make run` on http://127.0.0.1:8000; a production deployment behind TLS sets
# SECURE_HTTPS=true, which turns on redirects, HSTS and secure cookies (see docs/deployment.md).
SECURE_HTTPS = envbool("SECURE_HTTPS", False)
SECURE_SSL_REDIRECT = SECURE_HTTPS
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000 if SECURE_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
if envbool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# No script of the portal reads the CSRF cookie (forms carry {% csrf_token %}; htmx only GETs), so it
# is HttpOnly too, as issue 8 asks of every cookie.
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Axes logs each start-up and each checked attempt at INFO; keep its failures and lockouts (WARNING).
    "loggers": {"axes": {"level": "WARNING"}},
}

TAGGIT_CASE_INSENSITIVE = True

# --- Four languages, low bandwidth (issue 6; docs/i18n.md, docs/browser-tests.md) -------------
# Dates in the visitor's language: templates write {{ date|date }} (the locale's DATE_FORMAT);
# English follows the UN's "5 November 2014" (twg_portal/formats/en/formats.py).
FORMAT_MODULE_PATH = ["twg_portal.formats"]
# HTML compressed on the fly (static files are compressed ahead of time by whitenoise, which
# answers them before this middleware sees them). Django's GZipMiddleware pads every response
# with random bytes ("Heal The Breach") and CSRF tokens are masked per response, which together
# blunt BREACH-style attacks on compressed pages that reflect a search query and carry a token.
# (GZipMiddleware in MIDDLEWARE, after whitenoise.)

# Uploaded documents and their text (depository/documents; docs/files.md). Upload limits are checked
# before anything is parsed; text extraction runs in a child process with these limits.
ATTACHMENT_MAX_UPLOAD_BYTES = envint("ATTACHMENT_MAX_UPLOAD_BYTES", 50 * 1024 * 1024)
DOCUMENT_EXTRACTION_TIMEOUT = envint("DOCUMENT_EXTRACTION_TIMEOUT", 60)  # seconds of wall-clock time
# OCR of a scanned PDF (ocrmypdf + Tesseract, in the task worker; docs/files.md): by default the same
# wall-clock limit as an extraction; a portal that receives long scans may raise it.
DOCUMENT_OCR_TIMEOUT = envint("DOCUMENT_OCR_TIMEOUT", DOCUMENT_EXTRACTION_TIMEOUT)
DOCUMENT_CHECK_TIMEOUT = envint("DOCUMENT_CHECK_TIMEOUT", 15)  # the parse that validates an upload, in the request
DOCUMENT_EXTRACTION_MEMORY_MB = envint("DOCUMENT_EXTRACTION_MEMORY_MB", 768)  # address space of the child
DOCUMENT_MAX_ZIP_ENTRIES = envint("DOCUMENT_MAX_ZIP_ENTRIES", 1000)  # parts of a DOCX/ODT
DOCUMENT_MAX_UNCOMPRESSED_BYTES = envint("DOCUMENT_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024)
DOCUMENT_MAX_COMPRESSION_RATIO = envint("DOCUMENT_MAX_COMPRESSION_RATIO", 100)  # per part of 1 MB or more
DOCUMENT_MAX_TEXT_CHARS = envint("DOCUMENT_MAX_TEXT_CHARS", 500_000)  # kept for search; the rest is cut

# Background tasks (text extraction of uploads): Django's tasks framework on a database-backed queue.
# `make run` starts `manage.py db_worker` beside gunicorn; see docs/files.md for running more workers.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Harvesting (issue 21; docs/harvesting.md). Every harvest request and document download goes through
# harvest.fetch: public addresses only (the tests allow loopback), this User-Agent, these limits.
HARVEST_ALLOW_PRIVATE_ADDRESSES = envbool("HARVEST_ALLOW_PRIVATE_ADDRESSES", False)
HARVEST_USER_AGENT = os.environ.get(
    "HARVEST_USER_AGENT", "TWG-Portal-Harvester/1.0 (+https://github.com/; urban safety depository)"
)
HARVEST_TIMEOUT_SECONDS = envint("HARVEST_TIMEOUT_SECONDS", 30)  # connect, and each read
HARVEST_TOTAL_SECONDS = envint("HARVEST_TOTAL_SECONDS", 120)  # one request, redirects and body included
HARVEST_HOST_RATE = os.environ.get("HARVEST_HOST_RATE", "60/m")  # requests per host (core.ratelimits)
HARVEST_MAX_RESPONSE_BYTES = envint("HARVEST_MAX_RESPONSE_BYTES", 20 * 1024 * 1024)  # one API or OAI-PMH page
# A downloaded document is bounded as an uploaded one is.
HARVEST_MAX_DOCUMENT_BYTES = ATTACHMENT_MAX_UPLOAD_BYTES
HARVEST_ZOTERO_API = os.environ.get("HARVEST_ZOTERO_API", "https://api.zotero.org")
HARVEST_RELIEFWEB_API = os.environ.get("HARVEST_RELIEFWEB_API", "https://api.reliefweb.int/v2")
# Link health (docs/harvesting.md): `manage.py check_links` checks each external link at most this often,
# through harvest.fetch (its address rules and HARVEST_HOST_RATE), waiting this long for an answer.
LINK_CHECK_INTERVAL_DAYS = envint("LINK_CHECK_INTERVAL_DAYS", 7)
LINK_CHECK_TIMEOUT_SECONDS = envint("LINK_CHECK_TIMEOUT_SECONDS", 15)
# ReliefWeb answers only pre-approved appnames (since November 2025): a source may name its own.
RELIEFWEB_APPNAME = os.environ.get("RELIEFWEB_APPNAME", "")

# Alerts (issue 16; docs/alerts.md): a visitor's confirmation link expires after this many seconds.
ALERTS_CONFIRMATION_MAX_AGE = envint("ALERTS_CONFIRMATION_MAX_AGE", 3 * 24 * 3600)
# Confirmation e-mails to a visitor's typed address (issue 22, finding 2): at most this many per
# recipient and per client address ("N/s|m|h|d", counted in a table: core/ratelimits.py); over
# either, the form answers 429 with a message and sends nothing.
ALERTS_CONFIRMATION_RATE_PER_RECIPIENT = os.environ.get("ALERTS_CONFIRMATION_RATE_PER_RECIPIENT", "3/h")
ALERTS_CONFIRMATION_RATE_PER_CLIENT = os.environ.get("ALERTS_CONFIRMATION_RATE_PER_CLIENT", "10/h")

# The network (issue 24; docs/network.md): requests to join sub-groups and updates posted, per member
# ("N/s|m|h|d", counted in a table: core/ratelimits.py; an update e-mails the sub-group), and how many
# days a sub-group digest gathers (`manage.py send_subgroup_digests`, daily from cron).
NETWORK_JOIN_RATE = os.environ.get("NETWORK_JOIN_RATE", "20/h")
NETWORK_UPDATE_RATE = os.environ.get("NETWORK_UPDATE_RATE", "10/h")
NETWORK_DIGEST_DAYS = envint("NETWORK_DIGEST_DAYS", 7)

# Members (issue 5; docs/members.md): invitations, log-in pages and input-paper uploads.
MEMBERS_INVITATION_DAYS = envint("MEMBERS_INVITATION_DAYS", 14)
MEMBERS_PAPER_MAX_BYTES = envint("MEMBERS_PAPER_MAX_BYTES", 20 * 1024 * 1024)
LOGIN_REDIRECT_URL = "members:dashboard"
LOGOUT_REDIRECT_URL = "home"

# Bulk import/export of depository entries in the admin (django-import-export; docs/files.md).
ENTRY_IMPORT_MAX_BYTES = envint("ENTRY_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
# A file of more rows is checked and imported by the task worker, with its status in the admin.
ENTRY_IMPORT_BACKGROUND_ROWS = envint("ENTRY_IMPORT_BACKGROUND_ROWS", 500)

# Reference-manager imports (RIS, BibTeX, CSL-JSON) and participant lists: the largest file each
# upload form accepts. Every upload's form, its body limit and nginx's read the same setting
# (core/body_limits.py BODY_LIMITS; issue 22, finding 4).
REFERENCE_IMPORT_MAX_BYTES = envint("REFERENCE_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
PARTICIPANT_IMPORT_MAX_BYTES = envint("PARTICIPANT_IMPORT_MAX_BYTES", 256 * 1024)

# Depository (issue 3): the largest briefing pack (ZIP of a filtered selection's CSV, citations and
# public files) the browse page offers; a bigger selection gets a message asking to narrow it.
BRIEFING_PACK_MAX_BYTES = envint("BRIEFING_PACK_MAX_BYTES", 50 * 1024 * 1024)

# --- Security (issue 8): Content-Security-Policy, login lockout, database-outage page -------------
# Content-Security-Policy, Django's own middleware. Scripts and styles come from our static files;
# an inline <script> or <style> needs nonce="{{ csp_nonce }}" (see docs/security.md). The admin
# puts the nonce on its own tags (Django 6.1). ContentSecurityPolicyMiddleware in MIDDLEWARE, the csp
# context processor in TEMPLATES.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# A request whose database is unreachable gets a short 503 page at once instead of a 500
# (DatabaseUnavailableMiddleware in MIDDLEWARE, inside the CSP middleware).

# Login lockout (django-axes; docs/security.md): after LOGIN_FAILURE_LIMIT failed logins for one
# username from one address, that (username, address) pair is refused, even with the right password,
# for LOGIN_COOLOFF_MINUTES after its latest failure. A username alone is only slowed down (one checked
# attempt per LOGIN_USERNAME_SLOWDOWN_SECONDS once LOGIN_USERNAME_SLOWDOWN_AFTER failures from any
# addresses) and an address alone is never locked: issue 13, finding 5. Covers every login that goes
# through django.contrib.auth.authenticate() with a request: the admin's and the members' login views.
AUTHENTICATION_BACKENDS = [
    "core.auth_backends.LoginLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]  # the pair, not either one alone
# A refused attempt (locked or slowed) is not a guess: it is not recorded, so it neither renews the
# pair's lock nor feeds the username's slowdown.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
LOGIN_USERNAME_SLOWDOWN_AFTER = envint("LOGIN_USERNAME_SLOWDOWN_AFTER", 10)
LOGIN_USERNAME_SLOWDOWN_SECONDS = envint("LOGIN_USERNAME_SLOWDOWN_SECONDS", 60)
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "core.auth_backends.lockout_response"
# Behind a reverse proxy, the client's address is the TRUSTED_PROXY_COUNT-th entry from the right of
# X-Forwarded-For; without one (the default) it is REMOTE_ADDR, and the header is ignored.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "core.auth_backends.client_ip_address"
AXES_USERNAME_CALLABLE = "core.auth_backends.login_username"
# Failed logins are recorded in the axes tables; successful ones need no log of their own.
AXES_DISABLE_ACCESS_LOG = True

# Trust (issue 8): a query string holding a NUL character is a 400, not a 500 from PostgreSQL
# (the admin's list filters and autocomplete hand query parameters to the ORM unvalidated):
# RejectNullCharactersMiddleware in MIDDLEWARE.

# A real front server (issue 13; docs/deployment.md, deploy/): a request body larger than its path
# accepts (core/body_limits.py: the upload limits above for uploads, 64 KB for the log-in and
# password forms, DATA_UPLOAD_MAX_MEMORY_SIZE elsewhere) is refused with 413 from its Content-Length,
# before anything reads it (RequestBodyLimitMiddleware in MIDDLEWARE). nginx (`manage.py nginx_config`)
# applies the same table in front.
# Load balancers probe /healthz over plain HTTP: it answers there instead of redirecting to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Tasks that survive a crash (issue 13; core/task_recovery.py, docs/deployment.md): a task whose
# worker died is taken again, at most TASK_MAX_ATTEMPTS times in all, then FAILED; every worker looks
# for such tasks when it starts and every TASK_RECOVERY_INTERVAL seconds.
TASK_MAX_ATTEMPTS = envint("TASK_MAX_ATTEMPTS", 3)
TASK_RECOVERY_INTERVAL = envint("TASK_RECOVERY_INTERVAL", 30)

# Use statistics without personal data (issue 16; docs/privacy.md): views of entry pages and downloads
# of their files are counted in a table after the response, then added to the monthly table by
# `manage.py flush_statistics` or the task worker.
USAGE_FLUSH_INTERVAL_SECONDS = envint("USAGE_FLUSH_INTERVAL_SECONDS", 300)  # counted hits wait this long

# --- Past one machine: a read replica (issue 13; docs/deployment.md "Read replica") ---------------
# With DATABASE_REPLICA_URL (same syntax as DATABASE_URL) the public read-only pages read from a
# streaming replica (alias "replica"); writes, sessions, logins, members' pages and the admin stay on
# the primary (core/db_routers.py; ReadReplicaMiddleware, innermost in MIDDLEWARE). Without it
# nothing below is used.
# A replica whose last replayed commit is older than this while the primary has moved on is lagging:
# its pages are read from the primary until it catches up. 5 s tolerates a burst (a bulk import)
# while bounding how stale a public page can be.
REPLICA_MAX_LAG_SECONDS = envint("REPLICA_MAX_LAG_SECONDS", 5)
# How long each web worker trusts its last look at the replica (reachable, lag): one query on each
# server per worker per period, never one per page.
REPLICA_CHECK_SECONDS = envint("REPLICA_CHECK_SECONDS", 3)
# After any POST, that visitor reads from the primary for this long (a signed cookie with a
# timestamp). It must exceed the lag bound plus the check period: by then the replica has replayed
# the write, or it was found lagging and nobody reads from it (docs/deployment.md has the argument).
REPLICA_READ_YOUR_WRITES_SECONDS = envint("REPLICA_READ_YOUR_WRITES_SECONDS", 10)
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = database_from_url(DATABASE_REPLICA_URL, "DATABASE_REPLICA_URL")
    # Tests that do not start a replica of their own read the test database through this alias.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["core.db_routers.ReplicaRouter"]
    if REPLICA_READ_YOUR_WRITES_SECONDS <= REPLICA_MAX_LAG_SECONDS + REPLICA_CHECK_SECONDS:
        raise ImproperlyConfigured(
            "REPLICA_READ_YOUR_WRITES_SECONDS must exceed REPLICA_MAX_LAG_SECONDS + REPLICA_CHECK_SECONDS, "
            "or a visitor may not see their own write"
        )
# OAI-PMH at /oai/ and the JSON API at /api/ (issue 14; docs/oai-and-api.md).
# Identify's adminEmail must look like an address with a dotted domain (OAI-PMH.xsd emailType).
OAI_ADMIN_EMAIL = os.environ.get("OAI_ADMIN_EMAIL", "webmaster@example.org")
OAI_PAGE_SIZE = envint("OAI_PAGE_SIZE", 100)  # records per ListRecords/ListIdentifiers response
API_PAGE_SIZE_MAX = 100  # the largest `limit` the API accepts
# Requests per client IP address (portal/api.py's throttle, counted in a table: core/ratelimits.py).
API_THROTTLE_RATE = os.environ.get("API_THROTTLE_RATE", "120/m")

# Password-reset e-mails (issue 13, finding 7): counters in a table (core/ratelimits.py), per address and
# per e-mail address asked for (members/views/accounts.py; docs/security.md). Rates as "N/s|m|h|d".
PASSWORD_RESET_RATE_PER_ADDRESS = os.environ.get("PASSWORD_RESET_RATE_PER_ADDRESS", "10/h")
PASSWORD_RESET_RATE_PER_ACCOUNT = os.environ.get("PASSWORD_RESET_RATE_PER_ACCOUNT", "3/h")

# Registrations for meetings and events (issue 24, docs/network-meetings.md): a member's dietary and access
# needs and their travel-support data are blanked this many days after the meeting's last day
# (`manage.py blank_registration_data`, daily from cron or the scheduler).
REGISTRATION_DATA_RETENTION_DAYS = envint("REGISTRATION_DATA_RETENTION_DAYS", 180)
