"""The hub agent's writes are the field manager "hubagent": its image runs /hubagent and sets no
user agent, so client-go's default names the binary (kubefleet-dev/kubefleet e160c1cd
docker/hub-agent.Dockerfile; kubernetes/client-go rest/config.go DefaultKubernetesUserAgent;
kubernetes/apiserver pkg/endpoints/handlers/create.go prefixFromUserAgent)."""

from __future__ import annotations

from tests.fleet.conftest import Hub
from tests.fleet.test_apply_strategy import _place


def test_a_placements_status_is_written_by_the_hubagent_manager(hub: Hub) -> None:
    assert _place(wait=True).exit_code == 0
    entries = hub.get("ClusterResourcePlacement", "llm")["metadata"]["managedFields"]
    writers = {(m["manager"], m["operation"], m.get("subresource", "")) for m in entries}
    assert ("hubagent", "Update", "status") in writers
    assert ("akscli", "Apply", "") in writers
