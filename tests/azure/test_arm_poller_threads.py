"""No azure-core poller thread outlives the command that stopped following its operation.

azure-core's LROPoller polls in a daemon thread named ``LROPoller(<uuid>)`` from the moment a
``begin_*`` call returns (azure/core/polling/_poller.py). ``--no-wait`` sends the write with
``polling=False``, as az does (Azure/azure-cli src/azure-cli-core/azure/cli/core/util.py
``sdk_no_wait``), so no thread starts and nothing polls; a wait cut by --timeout stops its thread
(akscli.azure.arm.stop_polling). In the test process such a thread polled the next test's (or a
stopped) emulator, its --debug line landing in another test."""

from __future__ import annotations

import json
import threading

import pytest

from tests.azure.helpers import RG
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator

HELD = 10**9  # polls: the operation never ends while the test runs
OPERATION = r"/(operations|operationresults)/"


def _pollers() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name.startswith("LROPoller(") and t.is_alive()}


def test_no_wait_starts_no_poller_and_sends_no_poll(azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    azure_env.lro_polls = HELD
    monkeypatch.setenv("AKSCLI_LRO_POLL_INTERVAL", "0.01")
    before = _pollers()
    r = invoke("cluster", "create", "aks1", "-g", RG, "--no-wait", "-o", "json")
    assert r.exit_code == 0, r
    assert _pollers() - before == set()
    assert azure_env.requests_to(OPERATION, "GET") == []
    # What --no-wait reports is read from Azure's answer to the PUT, as before (arm.begun_status).
    started = json.loads(r.stdout)
    assert started["status"] == "InProgress"
    assert "/operations/" in started["operationUrl"]


def test_a_wait_cut_by_its_timeout_leaves_no_poller_polling(
    azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    azure_env.lro_polls = HELD
    monkeypatch.setenv("AKSCLI_LRO_POLL_INTERVAL", "0.2")
    before = _pollers()
    r = invoke("cluster", "create", "ml", "-g", RG, "--timeout", "500ms")
    assert r.exit_code == 5, r
    for thread in _pollers() - before:
        thread.join(timeout=2)  # stopped: it wakes from its wait at once and sends nothing more
        assert not thread.is_alive()


def test_the_emulator_keeps_its_url_after_stop_for_a_late_request() -> None:
    emu = ArmEmulator().start()
    port = emu.port
    emu.stop()
    assert emu.url == f"https://127.0.0.1:{port}"


def test_a_stopped_poller_thread_wakes_from_its_wait_at_once() -> None:
    from akscli.azure import armretry

    raised: list[BaseException] = []

    def poll() -> None:
        try:
            armretry.pause(60.0)  # the RPC's default interval between two polls
        except armretry.PollingStopped as exc:
            raised.append(exc)

    thread = threading.Thread(target=poll, name="LROPoller(test)", daemon=True)
    thread.start()
    armretry.stop_polling(thread)
    thread.join(timeout=5)
    assert not thread.is_alive() and len(raised) == 1
