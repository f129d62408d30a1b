"""gunicorn for Influence Map: `gunicorn -c deploy/gunicorn.conf.py` (deploy/influence-map.service).

Run from the checkout, with the settings in the environment (deploy/influence-map.env).
"""

import logging
import multiprocessing
import os

from influence_map.logs import DropQueryStrings

wsgi_app = "influence_map.wsgi:application"
# nginx on the same host proxies to this address (deploy/nginx-influence-map.conf).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# As `make loadtest` measures: 2 x cores + 1 processes of 4 threads each.
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1))
worker_class = "gthread"
threads = 4
timeout = 60
keepalive = 5
# Both logs to stdout/stderr: systemd keeps them in the journal.
accesslog = "-"
errorlog = "-"
# Method, path, protocol: never the query string, where the admin's search and
# autocomplete put names, and never the referrer, which holds the previous page's.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'
# systemctl starts, reloads and stops it: no control socket (it would go in $HOME).
control_socket_disable = True


def on_starting(server) -> None:
    # Also for any other format, and for the error log, which names a failed request.
    for name in ("gunicorn.access", "gunicorn.error"):
        logging.getLogger(name).addFilter(DropQueryStrings())
