"""A long test worker runs thousands of commands in-process: what one leaves open adds up. Two
leaks did: the transport kept every Kube client it had sent with (its pools, so their sockets),
up to 256 of them, and a stopped emulator left a handler thread reading each idle keep-alive
connection, its socket open. A pytest-xdist worker reached 1,518 descriptors in tests/foundation,
past the 1,023 that select() takes (tests/shells.py now uses a selector)."""

from __future__ import annotations

import gc
import http.client
import os
import weakref
from pathlib import Path
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator

pytestmark = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts /proc/self/fd")


def open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


def configmap(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "default"}}


def test_a_dropped_kube_client_takes_its_pools_and_connections_with_it(
    kube_emulator: KubeEmulator, tmp_path: Path
) -> None:
    from akscli.kube.client import KubeTarget
    from akscli.kube.connecting import connect

    kube = connect(KubeTarget(kubeconfig=str(kube_emulator.write_kubeconfig(tmp_path / "kubeconfig"))))
    kube.create(configmap("one"))  # a body: the transport's JSON encoder for this client
    assert kube.get("v1", "ConfigMap", "one", "default") is not None  # a read: its pool
    manager = weakref.ref(kube.api.rest_client.pool_manager)
    client = weakref.ref(kube.api)
    del kube
    gc.collect()
    assert manager() is None
    assert client() is None


def test_a_stopped_emulator_closes_an_idle_keep_alive_connection(kube_emulator_factory: Any) -> None:
    gc.collect()  # what earlier tests dropped is closed now, not while this one counts
    before = open_descriptors()
    emu = kube_emulator_factory(tls=False, builtin_controllers=False)
    host, port = emu.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request("GET", "/version", headers={"Authorization": f"Bearer {emu.token}"})
    conn.getresponse().read()  # the connection stays open, idle, as a client's pool keeps it
    emu.stop()
    try:
        # what is left is the client's own socket: the server's end of it is closed
        assert open_descriptors() == before + 1
    finally:
        conn.close()
    assert open_descriptors() == before
