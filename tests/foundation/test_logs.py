"""Logging is configured before anything can log (akscli.logconfig), in a fresh process where
``logging`` is not loaded yet: an offline command never loads it, and the cluster side gets the
same quiet configuration as before, applied as it loads the libraries that log."""

from __future__ import annotations

import subprocess
import sys

RUN = """
import contextlib, io, sys
from akscli.cli.main import run
with contextlib.redirect_stdout(io.StringIO()):
    code = run(sys.argv[1:])
print("code", code, "logging loaded" if "logging" in sys.modules else "logging not loaded")
"""


def _python(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=60)


def test_a_quiet_offline_command_never_loads_logging() -> None:
    done = _python(RUN, "version")
    assert done.stdout.strip() == "code 0 logging not loaded", done.stderr


def test_a_library_logging_to_the_root_logger_prints_nothing_once_the_cluster_side_loads() -> None:
    """The kubernetes client's exec provider calls logging.error(): without akscli's NullHandler
    on the root logger, Python would print it on stderr (logging.basicConfig)."""
    script = RUN + (
        "import akscli.kube.client, logging\n"
        "logging.error('a library complains')\n"
        "print(logging.getLogger('akscli').level == logging.WARNING)\n"
    )
    done = _python(script, "version")
    assert done.stdout.split("\n")[:2] == ["code 0 logging not loaded", "True"]
    assert done.stderr == ""


def test_the_request_log_is_configured_at_once_with_double_v() -> None:
    script = RUN + ("import logging\nlogging.getLogger('akscli.kube').debug('GET /api -> 200')\n")
    done = _python(script, "version", "-vv")
    assert done.stdout.startswith("code 0 logging loaded")
    assert "akscli.kube: GET /api -> 200" in done.stderr


LIBRARY_WARNING = RUN + (
    "import logging\n"
    "from akscli import redact\n"
    "redact.remember('canary-client-secret-value')\n"
    "logging.getLogger('azure.identity').warning(\n"
    "    'ClientSecretCredential.get_token failed: secret canary-client-secret-value, '\n"
    "    'Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjYW5hcnkifQ.c2ln'\n"
    ")\n"
)


def test_a_library_warning_with_debug_is_printed_scrubbed_not_by_the_last_resort_handler() -> None:
    """Upstream: cpython Lib/logging/__init__.py, Logger.callHandlers falls back to
    ``lastResort`` (a bare stderr handler at WARNING) when no handler is found; the Azure SDKs
    log their failed attempts at WARNING (azure-identity's get_token logging)."""
    done = _python(LIBRARY_WARNING, "version", "--debug")
    assert "azure.identity: WARNING: ClientSecretCredential.get_token failed" in done.stderr
    assert "canary-client-secret-value" not in done.stderr
    assert "eyJhbGciOiJSUzI1NiJ9" not in done.stderr


def test_a_library_warning_with_double_v_is_printed_scrubbed() -> None:
    done = _python(LIBRARY_WARNING, "version", "-vv")
    assert "ClientSecretCredential.get_token failed" in done.stderr
    assert "canary-client-secret-value" not in done.stderr


def test_an_akscli_warning_with_debug_is_printed_once() -> None:
    script = RUN + "import logging\nlogging.getLogger('akscli.kube').warning('slow answer')\n"
    done = _python(script, "version", "--debug")
    assert done.stderr.count("slow answer") == 1
