"""`model status` says why a model's missing replicas are not running: the scheduler's or the
kubelet's words from the first troubled pod (akscli.kube.pod_problems)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from tests.baremetal.nodes import nc_a100_node, small_cpu_node
from tests.cli import invoke
from tests.emulators.kube.profiles import hf_token_secret

Start = Callable[..., Any]


def test_status_of_a_model_no_node_has_room_for_quotes_the_scheduler(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.cluster.create(small_cpu_node(labels={"kubernetes.azure.com/mode": "system"}))
    deployed = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--vm-size", "Standard_NC24ads_A100_v4", "-y")
    assert deployed.exit_code == 0, deployed
    doc: dict[str, Any] = {}

    def pods_line() -> str | None:
        doc.update(json.loads(invoke("model", "status", "phi-4", "-o", "json").stdout))
        return doc.get("pods")

    deadline = time.monotonic() + 5
    while not pods_line() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert " not scheduled: 0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector." in (
        doc["pods"] or ""
    )
    table = invoke("model", "status", "phi-4").stdout
    assert "pods:" in table and "not scheduled" in table


def test_status_of_a_ready_model_has_no_pod_problem(model_emulator: Start) -> None:
    model_emulator().cluster.create(nc_a100_node())  # the vLLM pod is Ready only on a node that has its GPU
    assert invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--wait", "--timeout", "20s", "-y").exit_code == 0
    doc = json.loads(invoke("model", "status", "phi-4", "-o", "json").stdout)
    assert doc["pods"] is None
    assert "pods:" not in invoke("model", "status", "phi-4").stdout


def test_status_of_a_model_whose_access_secret_is_missing_names_it_and_the_check(model_emulator: Start) -> None:
    # The kubelet's CreateContainerConfigError for a secretKeyRef to a Secret that does not exist
    # (upstream: kubernetes/kubernetes v1.32.0 pkg/kubelet/kubelet_pods.go, makeEnvironmentVariables).
    # deploy refuses a Secret that does not exist, so it goes away after the deploy, before the pod starts.
    emu = model_emulator()
    # The kubelet of the pod's node reports the missing Secret; the second node takes the replacement
    # while the deleted pod still terminates on the first (it holds its GPU until it is gone).
    for i in range(2):
        emu.cluster.create(nc_a100_node(f"aks-gpua100-{i}"))
    hf_token_secret(emu)
    deployed = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--access-secret", "hf-token", "-y")
    assert deployed.exit_code == 0, deployed
    emu.cluster.delete("v1", "Secret", "default", "hf-token")
    for pod in emu.cluster.list("v1", "Pod", "default", label_selector="akscli.io/model=phi-4"):
        emu.cluster.delete("v1", "Pod", "default", pod["metadata"]["name"])
    doc: dict[str, Any] = {}
    # The replacement pod comes from the Deployment's controller; the loop ends as soon as status
    # names it, the bound only guards a loaded machine (the full suite on two shared cores).
    deadline = time.monotonic() + 30
    while not doc.get("pods") and time.monotonic() < deadline:
        doc.update(json.loads(invoke("model", "status", "phi-4", "-o", "json").stdout))
        time.sleep(0.05)
    pods = doc["pods"] or ""
    seen = [(p["metadata"]["name"], p.get("status")) for p in emu.cluster.list("v1", "Pod", "default")]
    assert 'CreateContainerConfigError: secret "hf-token" not found' in pods, (doc, seen)
    assert "(Secret hf-token, which env HF_TOKEN of container" in pods
    assert pods.endswith("check with: kubectl get secret hf-token -n default)")
