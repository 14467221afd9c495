"""gunicorn settings for deploy/living-handbook-web.service (`gunicorn -c deploy/gunicorn.conf.py`).

Command-line options in the unit file win over these. Two things only a config file can do:
each worker parses the criteria of open trials in the background once it has started, so the
first patient to search is not the one who waits for it (finder/warmup.py); and the access log
leaves out the uptime monitor's `/healthz` requests.
"""

import threading

from gunicorn.glogging import Logger

bind = "127.0.0.1:8000"
workers = 2
worker_class = "gthread"
threads = 8
timeout = 60


class AccessLogWithoutHealthChecks(Logger):
    """The access log without the uptime monitor's /healthz requests, which would drown it."""

    def access(self, resp, req, environ, request_time):
        if environ.get("PATH_INFO") != "/healthz":
            super().access(resp, req, environ, request_time)


logger_class = AccessLogWithoutHealthChecks


def post_worker_init(worker):
    def warm():
        from django.db import connection

        from finder.warmup import warm_criteria_cache

        try:
            warm_criteria_cache()
        except Exception:
            worker.log.exception("finder warm-up failed; searches parse criteria as they go")
        finally:
            connection.close()

    threading.Thread(target=warm, name="finder-warm-up", daemon=True).start()
