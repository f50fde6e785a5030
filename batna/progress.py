"""A tiny progress bar on standard error.

It draws nothing during the first second (short runs stay silent), nothing
when disabled (``--quiet``) and nothing when the stream is not a terminal
(logs and pipes stay clean).  Redraws at most ten times a second.
"""

from __future__ import annotations

import sys
import time

__all__ = ["Progress"]


def _duration(s: float) -> str:
    s = int(s + 0.5)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


class Progress:
    """Progress of a job measured in points.

    Parameters
    ----------
    total : int
        Points to do in all.
    done : int
        Points already done (e.g. resumed chunks).
    enabled : bool
        False to draw nothing.
    stream : file, optional
        Default ``sys.stderr``; nothing is drawn unless ``stream.isatty()``.
    label : str
    delay : float
        Seconds before the first draw.
    """

    def __init__(self, total: int, done: int = 0, enabled: bool = True, stream=None,
                 label: str = "sweep", delay: float = 1.0, width: int = 30):
        self.stream = sys.stderr if stream is None else stream
        isatty = getattr(self.stream, "isatty", lambda: False)
        self.enabled = bool(enabled) and isatty()
        self.total, self.done, self.start_done = total, done, done
        self.label, self.delay, self.width = label, delay, width
        self.t0 = time.monotonic()
        self.last = 0.0
        self.drawn = False

    def update(self, n: int) -> None:
        """Record ``n`` more points done and redraw if due."""
        self.done += n
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.t0 < self.delay or (now - self.last < 0.1 and self.done < self.total):
            return
        self.last = now
        self._draw(now)

    def line(self, now: float | None = None) -> str:
        """The text of the bar."""
        now = time.monotonic() if now is None else now
        frac = self.done / self.total if self.total else 1.0
        fill = int(self.width * frac)
        elapsed = now - self.t0
        rate = (self.done - self.start_done) / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else float("nan")
        eta_text = _duration(eta) if eta == eta else "?"
        return (f"{self.label} [{'#' * fill}{'.' * (self.width - fill)}] {100 * frac:5.1f}% "
                f"{self.done:,}/{self.total:,} points, {rate:,.0f}/s, {_duration(elapsed)} elapsed, "
                f"{eta_text} left")

    def _draw(self, now: float) -> None:
        self.stream.write("\r" + self.line(now))
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        """End the bar's line (only if anything was drawn)."""
        if self.drawn:
            self._draw(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()
