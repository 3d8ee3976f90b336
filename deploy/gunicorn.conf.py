"""gunicorn's settings for the TWG Portal, behind nginx (deploy/nginx.conf.template; docs/deployment.md).

`make run` and `make deploy-test` start gunicorn with this file; a production unit runs
`gunicorn -c deploy/gunicorn.conf.py` from the project's directory. Options given on the command
line (`--bind`, `--workers`) win over this file; GUNICORN_BIND and WEB_CONCURRENCY set them too.
"""

import os

wsgi_app = "twg_portal.wsgi"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Synchronous workers, one request at a time each: gunicorn's documentation recommends them behind a
# buffering proxy, and nginx buffers whole request bodies and responses (proxy_request_buffering,
# proxy_buffering), so a slow client holds an nginx connection, never a worker. One per core is a
# good start (docs/deployment.md, "What one server carries").
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 2)

# A request still running after 30 s is killed (its client gets a 502 from nginx): long work belongs
# in a background task. On SIGTERM (a deploy), workers get as long to finish what they hold.
timeout = 30
graceful_timeout = 30
# nginx opens a new upstream connection per request (HTTP/1.0 to the upstream); sync workers close it.
keepalive = 2

# Recycle each worker after about 5,000 requests (the jitter keeps them from restarting together):
# bounds what a slow leak in any library can grow to. A recycled worker's successor starts cold (its
# first request ~0.4 s: templates, catalogs, the counts' cache); at 1,000 both workers were recycled
# within a 20 s benchmark run at ~90 requests/s, and the requests queued behind them made its p99 1.3 s
# (docs/performance.md, 2026-12-04).
max_requests = 5000
max_requests_jitter = 500
# The master imports the project once and forks workers from it: a new or recycled worker serves at
# once instead of importing Django and every app again (~1 s). Nothing opens a database connection at
# import (no AppConfig.ready() queries), so no connection is shared across the fork.
preload_app = True

# Request line and headers, as large as nginx lets through (large_client_header_buffers 4 8k), so that
# what nginx passes is never refused here; without nginx, gunicorn answers 400 past them.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

# X-Forwarded-Proto is believed only from nginx on this machine (Django's SECURE_PROXY_SSL_HEADER and
# TRUSTED_PROXY_COUNT decide what the portal itself believes).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# No control socket (gunicorn 25+ opens one in the home directory by default): several gunicorns on one
# machine would share its path, and reloads and restarts go through signals (HUP, TERM) anyway.
control_socket_disable = True

accesslog = "-"
