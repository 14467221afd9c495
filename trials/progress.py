"""Progress output for long imports: a live bar on a terminal, plain periodic lines otherwise."""

from __future__ import annotations

import time
from typing import TextIO

from django.utils.translation import gettext as _


class Progress:
    """Counts documents and reports count, rate and (when the total is known) ETA.

    On a terminal the line is redrawn in place at most a few times a second; in a log (cron,
    CI) a plain line is written every `interval` seconds, so logs stay short and readable.
    """

    def __init__(
        self,
        stream: TextIO,
        *,
        total: int | None = None,
        interval: float = 10.0,
        clock=time.monotonic,
    ):
        self.stream = stream
        self.total = total
        self.interval = interval
        self.clock = clock
        self.count = 0
        self.started = clock()
        self.last_report = self.started
        self.is_tty = bool(getattr(stream, "isatty", lambda: False)())

    def advance(self, step: int = 1) -> None:
        self.count += step
        now = self.clock()
        wait = 0.25 if self.is_tty else self.interval
        if now - self.last_report >= wait:
            self.last_report = now
            self._write(self.line(now), final=False)

    def finish(self) -> None:
        self._write(self.line(self.clock()), final=True)

    def line(self, now: float) -> str:
        elapsed = max(now - self.started, 1e-9)
        rate = self.count / elapsed
        if self.total:
            remaining = max(self.total - self.count, 0) / rate if rate > 0 else 0
            return _("%(count)d/%(total)d documents · %(rate).0f/s · %(eta)s left") % {
                "count": self.count,
                "total": self.total,
                "rate": rate,
                "eta": _clock(remaining),
            }
        return _("%(count)d documents · %(rate).0f/s") % {"count": self.count, "rate": rate}

    def _write(self, text: str, *, final: bool) -> None:
        if self.is_tty:
            self.stream.write("\r" + text + ("\n" if final else ""))
        else:
            self.stream.write(text + "\n")
        self.stream.flush()


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
