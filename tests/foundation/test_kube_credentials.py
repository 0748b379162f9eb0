"""Credentials are re-read once per interval, one thread at a time, however many requests fly."""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from akscli.concurrency import parallel_map
from akscli.kube import credentials
from akscli.kube.client import KubeTarget
from akscli.kube.connecting import connect


class Config:
    def __init__(self) -> None:
        self.runs = 0
        self.refresh_api_key_hook: Any = self.hook

    def hook(self, _config: Any) -> None:
        self.runs += 1


def test_the_refresh_hook_runs_once_for_many_requests_in_flight() -> None:
    config = Config()
    credentials.refresh_at_most_once_per_interval(config)
    threads = [
        threading.Thread(target=lambda: [config.refresh_api_key_hook(config) for _ in range(50)]) for _ in range(16)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert config.runs == 1


def test_the_refresh_hook_runs_again_after_the_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(credentials.time, "monotonic", lambda: now[0])
    config = Config()
    credentials.refresh_at_most_once_per_interval(config)
    config.refresh_api_key_hook(config)
    now[0] += credentials.INTERVAL_S / 2
    config.refresh_api_key_hook(config)
    now[0] += credentials.INTERVAL_S
    config.refresh_api_key_hook(config)
    assert config.runs == 2


def test_a_configuration_without_a_hook_is_left_alone() -> None:
    config = Config()
    config.refresh_api_key_hook = None
    credentials.refresh_at_most_once_per_interval(config)
    assert config.refresh_api_key_hook is None


def test_an_expiring_exec_credential_is_not_run_by_every_request(kube_emulator: Any, tmp_path: Path) -> None:
    """The plugin's token counts as expired (it expires within the loader's five minutes), so the
    official client's hook would run the plugin before each of the 60 requests."""
    runs = tmp_path / "runs"
    plugin = tmp_path / "plugin.py"
    plugin.write_text(
        "import datetime, json, pathlib\n"
        f"pathlib.Path({str(runs)!r}).open('a').write('x')\n"
        "now = datetime.datetime.now(datetime.timezone.utc)\n"
        "soon = (now + datetime.timedelta(minutes=1)).strftime('%Y-%m-%dT%H:%M:%SZ')\n"
        "print(json.dumps({'apiVersion': 'client.authentication.k8s.io/v1', 'kind': 'ExecCredential',\n"
        f"    'status': {{'token': {kube_emulator.token!r}, 'expirationTimestamp': soon}}}}))\n"
    )
    config = kube_emulator.kubeconfig_dict()
    config["users"][0]["user"] = {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1",
            "command": sys.executable,
            "args": [str(plugin)],
            "interactiveMode": "Never",
        }
    }
    kubeconfig = tmp_path / "config"
    kubeconfig.write_text(json.dumps(config))
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    answers = parallel_map(lambda _: kube.request("GET", "/api/v1/namespaces/default"), range(60), 16)
    assert all(a["metadata"]["name"] == "default" for a in answers)
    assert len(runs.read_text()) <= 3  # the load, then at most once a second
