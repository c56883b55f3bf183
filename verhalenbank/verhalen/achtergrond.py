"""After-store processing on a background thread of the serving process.

A resident's thank-you page must not wait for spaCy and the search index: under load that
wait was seconds (see benchmarks/bench_belasting.py). The story is committed first; its id is
then queued here and analysed and indexed in batches. One worker thread per process; a story
the worker has not reached when the process dies simply stays 'te analyseren', and
`verhalenbank analyse` (or the next `serve`) picks it up.
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
import time

logger = logging.getLogger(__name__)

BATCH = 32  # stories per nlp.pipe call; a burst of sends is analysed together
DRAIN_ON_EXIT_SECONDS = 25  # inside gunicorn's default 30 s graceful timeout


class Achtergrondverwerker:
    def __init__(self, app) -> None:
        self._app = app
        self._lock = threading.Lock()
        self._queue: queue.Queue[int] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None

    def plan(self, verhaal_ids: list[int]) -> None:
        self._ensure_thread()
        for verhaal_id in verhaal_ids:
            self._queue.put(verhaal_id)

    def wacht(self, timeout: float | None = None) -> bool:
        """Block until everything queued so far is processed; False when the timeout passed."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def _ensure_thread(self) -> None:
        with self._lock:
            pid = os.getpid()
            if self._pid == pid and self._thread is not None and self._thread.is_alive():
                return
            if self._pid != pid:
                # A forked server worker inherits no thread: start clean, drain at its own exit.
                self._queue = queue.Queue()
                atexit.register(self._drain_on_exit)
            self._pid = pid
            self._thread = threading.Thread(target=self._run, name="verhalenbank-verwerking", daemon=True)
            self._thread.start()

    def _drain_on_exit(self) -> None:
        if os.getpid() == self._pid and not self.wacht(DRAIN_ON_EXIT_SECONDS):
            logger.warning("stopping with stories still queued; they stay 'te analyseren'")

    def _run(self) -> None:
        from verhalenbank.verhalen.verwerking import verwerk_verhalen

        while True:
            ids = [self._queue.get()]
            while len(ids) < BATCH:
                try:
                    ids.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                with self._app.app_context():
                    verwerk_verhalen(ids)
            except Exception:  # noqa: BLE001 - the thread must survive; the stories are stored
                logger.exception("background processing of %d stories failed", len(ids))
            finally:
                for _ in ids:
                    self._queue.task_done()
