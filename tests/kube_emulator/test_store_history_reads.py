"""A test reads the store's event history on its own thread while the controllers' thread records
events (tests/ray/test_kuberay_retries.py job_statuses: "deque mutated during iteration" under
load, audit39-flake39). Store.events gives a copy taken under the store's lock. Emulator structure,
no upstream behaviour."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube.store import Store


def pod(name: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "namespace": "default", "uid": name}, "spec": {}}


def test_a_write_recorded_while_the_history_is_read_leaves_the_read_whole() -> None:
    store = Store()
    store.put("/pods", "default/a", pod("a"))
    store.put("/pods", "default/b", pod("b"))
    seen = []
    for event in store.events():
        store.put("/pods", "default/c", pod("c"))  # a controller's write between two steps of the read
        seen.append(event.key)
    assert seen == ["default/a", "default/b"]
