"""Stop requests: the first SIGINT/SIGTERM asks the loop to stop at the next batch
boundary (the unfinished epoch is dropped; the state and bundle stay those of the
last finished epoch); a second one stops at once."""

import signal
import threading


class StopFlag:
    def __init__(self) -> None:
        self._event = threading.Event()

    def request(self) -> None:
        self._event.set()

    @property
    def requested(self) -> bool:
        return self._event.is_set()

    def install(self) -> None:
        def handler(signum, frame):  # noqa: ARG001 - signal handler signature
            if self._event.is_set():
                raise KeyboardInterrupt
            self._event.set()

        signal.signal(signal.SIGINT, handler)
        signal.signal(signal.SIGTERM, handler)
