"""Logging: akscli's request log on stderr with --debug or -vv, otherwise quiet; configured
before anything can log, and without importing ``logging`` before then.

Offline commands never log, and ``import logging`` is about 3 ms of their start-up. So
``configure()`` (run by the CLI before each command) configures at once only with --debug or
-vv, or when ``logging`` is already loaded; otherwise nothing has logged and nothing can until
the libraries that log are loaded (the kubernetes client, the Azure SDKs), and the akscli
modules that use them call ``ready()`` first (``akscli.kube.client`` as it loads,
``akscli.azure.identity`` before making a credential), which configures then.
"""

from __future__ import annotations

import sys
from typing import Any

from akscli.globals import FLAGS

_pending = False


def configure() -> None:
    """Configure for this run's flags now, or at ``ready()`` when nothing can log yet."""
    global _pending
    _pending = not (FLAGS.debug or FLAGS.verbose >= 2 or "logging" in sys.modules)
    if not _pending:
        _apply()


def ready() -> None:
    """A library that logs is about to be used: apply the configuration ``configure()`` left."""
    global _pending
    if _pending:
        _pending = False
        _apply()


def _apply() -> None:
    """--debug or -vv: akscli's own request log (method, path, status, latency) on stderr, and a
    library's warnings (the Azure SDKs', urllib3's retries) there too; every line scrubbed
    (akscli.redact) as an error line is."""
    import logging

    logger = logging.getLogger("akscli")
    if FLAGS.debug or FLAGS.verbose >= 2:
        if not logger.handlers:
            handler = _stderr_handler()
            handler.setFormatter(_scrubbing_formatter("%(name)s: %(message)s"))
            logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
        # Without a handler on the root logger a library's WARNING goes to Python's last-resort
        # handler (logging.lastResort), which prints it as it came: an SDK message that quotes a
        # credential would reach stderr unscrubbed. This handler takes its place, at its level.
        root = logging.getLogger()
        if not any(getattr(h.formatter, "akscli_scrubs", False) for h in root.handlers):
            library = _stderr_handler()
            library.setLevel(logging.WARNING)
            library.setFormatter(_scrubbing_formatter("%(name)s: %(levelname)s: %(message)s"))
            library.addFilter(lambda record: not record.name.startswith("akscli"))  # printed above
            root.addHandler(library)
    else:
        logger.setLevel(logging.WARNING)
        # Libraries (the kubernetes client's exec provider) log to the root logger; without a
        # handler Python prints those records on stderr. Errors reach the user through akscli.
        root = logging.getLogger()
        if not root.handlers:
            root.addHandler(logging.NullHandler())


def _scrubbing_formatter(fmt: str) -> Any:
    import logging

    from akscli.printable import terminal_safe
    from akscli.redact import scrub

    class ScrubbingFormatter(logging.Formatter):
        """The record as Formatter writes it (message, traceback), with credentials and the
        remembered Secret values taken out (akscli.redact.scrub), and each control character but a
        line break or a tab written as its escape (akscli.printable.terminal_safe), as every other
        stderr line: a line may repeat a server's words (an ARM x-ms-ratelimit-remaining-* header
        value, a library's warning)."""

        akscli_scrubs = True

        def format(self, record: logging.LogRecord) -> str:
            return terminal_safe(scrub(super().format(record)))

    return ScrubbingFormatter(fmt)


def _stderr_handler() -> Any:
    import logging

    class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
        """Writes to whatever sys.stderr is at the time (tests and wrappers replace it)."""

        def emit(self, record: logging.LogRecord) -> None:
            self.stream = sys.stderr
            super().emit(record)

    return StderrHandler()
