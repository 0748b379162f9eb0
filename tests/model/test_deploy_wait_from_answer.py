"""``model deploy --wait`` follows what it applied from the server's answer to the apply, not from
a list made after it: a state the Workspace passed through before the wait began is still said,
and the wait sends no more requests than before (kube/wait.py; upstream: kubernetes/client-go
v0.35.0 tools/watch/until.go Until from an initial version)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.cli import invoke
from tests.ray.test_kuberay_names import wait_until

KAITO = "kaito.sh/v1beta1"
Start = Callable[..., Any]


def _succeeded(emu: Any) -> bool:
    ws = emu.cluster.get(KAITO, "Workspace", "default", "phi-4") or {}
    conditions = (ws.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "WorkspaceSucceeded" and c.get("status") == "True" for c in conditions)


def test_deploy_wait_says_a_state_the_workspace_left_before_the_wait_began(
    model_emulator: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    from akscli.kube import reflector

    emu = model_emulator()
    follow = reflector.list_and_watch

    def late(kube: Any, api_version: str, kind: str, **kwargs: Any) -> Any:
        # The wait's follow of the Workspace begins only once KAITO has made it ready.
        if kind == "Workspace":
            wait_until(lambda: _succeeded(emu))
        return follow(kube, api_version, kind, **kwargs)

    monkeypatch.setattr(reflector, "list_and_watch", late)
    emu.record_requests = True
    result = invoke("model", "deploy", "phi-4", "--wait", "--timeout", "20s", "-y")
    assert result.exit_code == 0, result
    # KAITO's step between the apply and ready: the nodes are up, the inference pods are not yet.
    assert "workspace.kaito.sh/phi-4: InferenceReady=False" in result.stderr
    # After the plan's list of the stack's Workspaces, the wait's one read: a watch of the name from
    # the apply's answer, not a watch-list (one request for the Workspace, as before).
    reads = [r for r in emu.requests(method="GET", path="/workspaces") if "fieldSelector" in r.query]
    assert [(r.verb, "sendInitialEvents" in r.query) for r in reads] == [("watch", False)]
    answered = emu.cluster.get(KAITO, "Workspace", "default", "phi-4")["metadata"]["resourceVersion"]
    assert int(reads[0].query["resourceVersion"][0]) < int(answered)


def test_rollback_wait_watches_the_workspace_it_applied_from_the_answer(model_emulator: Start) -> None:
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "--max-model-len", "4096", "-y").exit_code == 0
    assert invoke("model", "deploy", "phi-4", "--max-model-len", "8192", "--autoscale", "1:2", "-y").exit_code == 0
    emu.record_requests = True
    emu.request_log.clear()  # the deploys' requests
    # Back to revision 1: the InferenceSet goes, the Workspace is created again and waited for.
    result = invoke("model", "rollback", "phi-4", "--to-revision", "1", "--wait", "--timeout", "20s", "-y")
    assert result.exit_code == 0, result
    reads = [r for r in emu.requests(method="GET", path="/workspaces") if "fieldSelector" in r.query]
    # The wait's one read of the Workspace: a watch of its name from the create's answer, no watch-list.
    assert [(r.verb, "sendInitialEvents" in r.query, bool(r.query.get("resourceVersion"))) for r in reads] == [
        ("watch", False, True)
    ]
