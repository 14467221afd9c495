"""gunicorn settings for deploy/living-handbook-web.service (`gunicorn -c deploy/gunicorn.conf.py`).

Command-line options in the unit file win over these. The one thing only a config file can do:
each worker parses the criteria of open trials in the background once it has started, so the
first patient to search is not the one who waits for it (finder/warmup.py).
"""

import threading

bind = "127.0.0.1:8000"
workers = 2
worker_class = "gthread"
threads = 8
timeout = 60


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
