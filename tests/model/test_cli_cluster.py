"""Every model command end to end against the Kubernetes emulator and the KAITO simulator."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

from akscli import yamlio
from tests.baremetal.nodes import nc_a100_node
from tests.cli import invoke, list_items
from tests.emulators.kube.controllers.kaito import openai_handler
from tests.emulators.kube.profiles import hf_token_secret

KAITO = "kaito.sh/v1beta1"
Start = Callable[..., Any]


def _crash_reported(workspace: dict[str, Any] | None) -> bool:
    conditions = ((workspace or {}).get("status") or {}).get("conditions") or []
    return any(c.get("reason") == "ContainerCrashLoopBackOff" for c in conditions)


def _deploy(*args: str) -> Any:
    result = invoke("model", "deploy", *args, "-y")
    assert result.exit_code == 0, result
    return result


def test_deploy_with_kaito_creates_a_workspace_and_waits_for_its_conditions(model_emulator: Start) -> None:
    emu = model_emulator()
    result = _deploy("phi-4", "--wait", "--timeout", "20s")
    assert "workspace.kaito.sh/phi-4 created" in result.stdout
    ws = emu.cluster.get(KAITO, "Workspace", "default", "phi-4")
    assert ws["resource"]["instanceType"] == "Standard_NC24ads_A100_v4"
    assert ws["inference"]["preset"]["name"] == "phi-4"
    assert "ready" in result.stderr


def test_deploy_wait_sends_no_request_twice_and_reads_only_objects_with_immutable_fields(
    model_emulator: Start,
) -> None:
    """Waiting lists and watches, never polls; discovery is asked once per API; and only objects
    with fields that cannot change in place (the Workspace, not its ConfigMap) are read before
    the apply (tests/bench/bench_deploy_wait.py prints the counts)."""
    emu = model_emulator()
    emu.record_requests = True
    _deploy("phi-4", "--wait", "--timeout", "20s")
    sent = [(r.method, r.path, sorted(r.query.items())) for r in emu.request_log if r.verb != "watch"]
    repeated = [request for request in sent if sent.count(request) > 1]
    assert repeated == []
    gets = [path for method, path, query in sent if method == "GET" and "/configmaps/" in path]
    assert gets == []


def test_wait_times_out_on_a_node_that_did_not_launch_and_says_azures_error_from_its_nodeclaim(
    model_emulator: Start,
) -> None:
    # KAITO cuts the launch error to 256 characters, inside the agent pool PUT's URL, so Azure's
    # QuotaExceeded is not on the Workspace: the timeout reads it from the NodeClaim (kube.kaito_claims).
    model_emulator(failure="quota")
    result = invoke("model", "deploy", "phi-4", "--wait", "--timeout", "2s", "-y")
    assert result.exit_code == 5, result
    assert "ResourceReady=False" in result.stderr and "LaunchFailed" in result.stderr
    error = next(line for line in result.stderr.splitlines() if line.startswith("error:"))
    claim = re.search(r"; NodeClaim (ws[0-9a-f]{9}): Azure refused its node: ", error)
    assert claim is not None, error
    # AKS's message names the family's quota by its usage name; Karpenter's 800 characters end just
    # after it, before the location and the numbers (kaito.quota_message, kaito_nodes.launch_error).
    assert error.endswith("Azure refused its node: standardNCADSA100v4Family vCPU quota exceeded"), error
    hint = result.stderr.splitlines()[-1]
    assert hint.startswith("hint: request more standardNCADSA100v4Family at ")
    assert "(or 'az quota update --resource-name standardNCADSA100v4Family')" in hint
    assert hint.endswith(f"the whole error: kubectl describe nodeclaim {claim.group(1)}; nothing was rolled back")


def test_a_missing_operator_is_named_with_its_install_command(model_emulator: Start) -> None:
    model_emulator(crds=())
    result = invoke("model", "deploy", "phi-4", "-y")
    assert result.exit_code == 7
    assert "KAITO is not installed" in result.stderr
    assert "akscli cluster create --enable-kaito" in result.stderr


def test_autoscale_without_keda_names_keda(model_emulator: Start) -> None:
    model_emulator(crds=("kaito",))
    result = invoke("model", "deploy", "phi-4", "--autoscale", "1:3", "-y")
    assert result.exit_code == 7 and "KEDA is not installed" in result.stderr


def test_expose_without_gateway_api_names_gateway_api(model_emulator: Start) -> None:
    model_emulator(crds=("kaito",))
    result = invoke("model", "deploy", "phi-4", "--expose", "-y")
    assert result.exit_code == 7 and "Gateway API is not installed" in result.stderr


def test_list_shows_replicas_gpus_size_endpoint_and_state(model_emulator: Start) -> None:
    model_emulator()
    _deploy("phi-4", "--wait", "--timeout", "20s")
    _deploy("phi-4", "--name", "phi-vllm", "--runtime", "vllm")
    rows = {r["name"]: r for r in list_items(invoke("model", "list", "-o", "json").stdout)}
    assert rows["phi-4"]["state"] == "Ready" and rows["phi-4"]["gpus"] == 1
    assert rows["phi-4"]["endpoint"] == "http://phi-4.default.svc.cluster.local:80"
    assert rows["phi-vllm"]["runtime"] == "vllm"
    assert rows["phi-vllm"]["vm_size"] == "Standard_NC24ads_A100_v4"
    table = invoke("model", "list").stdout
    assert "READY" in table and "microsoft/phi-4" in table


def test_an_inferenceset_reports_ready_replicas(model_emulator: Start) -> None:
    emu = model_emulator()
    _deploy("phi-4", "--replicas", "2", "--wait", "--timeout", "20s")
    children = emu.cluster.list(KAITO, "Workspace", "default", label_selector="inferenceset.kaito.sh/created-by=phi-4")
    assert len(children) == 2
    rows = list_items(invoke("model", "list", "-o", "json").stdout)
    assert [(r["name"], r["ready"], r["desired"], r["gpus"]) for r in rows] == [("phi-4", 2, 2, 2)]


def test_status_shows_conditions_and_events(model_emulator: Start) -> None:
    model_emulator(failure="quota")
    _deploy("phi-4")
    emu_wait = invoke("model", "deploy", "phi-4", "--wait", "--timeout", "1s", "-y")
    assert emu_wait.exit_code == 5
    doc = json.loads(invoke("model", "status", "phi-4", "-o", "json").stdout)
    resource = next(c for c in doc["conditions"] if c["type"] == "ResourceReady")
    assert resource["status"] == "False" and resource["reason"] == "LaunchFailed"
    assert any(e["reason"] == "NodeClaimCreated" for e in doc["events"])
    assert "Conditions:" in invoke("model", "status", "phi-4").stdout


def test_status_says_none_on_stdout_for_a_model_without_conditions_or_events(model_emulator: Start) -> None:
    # kubectl describe prints "Events:  <none>" in the report itself: a pipe sees the whole report.
    # No KAITO at all: the Workspace gets no status and no event. (With the simulator running, its
    # first status write raced the status read.)
    model_emulator(controller=False, simulator=False)
    _deploy("phi-4")
    result = invoke("model", "status", "phi-4")
    assert result.exit_code == 0, result
    assert "\nConditions:  <none>\n" in result.stdout and result.stdout.endswith("\nEvents:  <none>\n")
    assert "none" not in result.stderr


def test_endpoint_reads_the_served_model_from_v1_models(model_emulator: Start) -> None:
    emu = model_emulator()
    _deploy("phi-4", "--wait", "--timeout", "20s")
    emu.register_service_proxy("default", "phi-4", 80, openai_handler("phi-4"))
    doc = json.loads(invoke("model", "endpoint", "phi-4", "-o", "json").stdout)
    assert doc == {"name": "phi-4", "url": "http://phi-4.default.svc.cluster.local:80/v1", "models": ["phi-4"]}


def test_test_sends_one_chat_completion_and_prints_reply_and_latency(model_emulator: Start) -> None:
    emu = model_emulator()
    _deploy("phi-4", "--wait", "--timeout", "20s")
    emu.register_service_proxy("default", "phi-4", 80, openai_handler("phi-4", reply="Hi there"))
    result = invoke("model", "test", "phi-4", "--prompt", "hello")
    assert result.exit_code == 0, result
    assert result.stdout.strip() == "Hi there"
    assert "ms" in result.stderr and "7 tokens" in result.stderr


def test_logs_prints_the_inference_pods_output(model_emulator: Start) -> None:
    model_emulator()
    _deploy("phi-4", "--wait", "--timeout", "20s")
    result = invoke("model", "logs", "phi-4")
    assert result.exit_code == 0, result
    assert "Uvicorn running" in result.stdout


def test_each_deploy_records_a_revision_and_history_lists_them(model_emulator: Start) -> None:
    model_emulator()
    _deploy("phi-4", "--max-model-len", "4096")
    _deploy("phi-4", "--max-model-len", "8192")
    rows = list_items(invoke("model", "history", "phi-4", "-o", "json").stdout)
    assert [(r["revision"], r["params"]["context"]) for r in rows] == [(1, 4096), (2, 8192)]


def test_history_of_a_model_that_is_not_deployed_is_not_found(model_emulator: Start) -> None:
    """As `kubectl rollout history deployment/nosuch`: a wrong name is exit 3, not an empty list."""
    model_emulator()
    result = invoke("model", "history", "nosuch")
    assert result.exit_code == 3
    assert "error: model deployment nosuch not found in namespace default" in result.stderr


def test_status_of_a_mistyped_model_names_the_deployed_one_it_is_close_to(model_emulator: Start) -> None:
    # `model plan phi-44` said "did you mean phi-4"; `model status phi4` said not found only.
    model_emulator()
    _deploy("phi-4")
    result = invoke("model", "status", "phi4")
    assert result.exit_code == 3
    assert "hint: did you mean phi-4? list them with: akscli model list -n default" in result.stderr


def test_rollback_reapplies_the_earlier_revision(model_emulator: Start) -> None:
    emu = model_emulator()
    _deploy("phi-4", "--max-model-len", "4096")
    _deploy("phi-4", "--max-model-len", "8192", "--autoscale", "1:2")
    result = invoke("model", "rollback", "phi-4", "--to-revision", "1", "-y")
    assert result.exit_code == 0, result
    config = emu.cluster.get("v1", "ConfigMap", "default", "phi-4-inference-config")
    assert "max-model-len: 4096" in config["data"]["inference_config.yaml"]
    assert 'inferenceset.kaito.sh "phi-4" deleted' in result.stdout
    assert emu.cluster.get(KAITO, "InferenceSet", "default", "phi-4") is None
    assert emu.cluster.get(KAITO, "Workspace", "default", "phi-4") is not None
    rows = list_items(invoke("model", "history", "phi-4", "-o", "json").stdout)
    assert rows[-1]["change"] == "rollback to 1"


def test_changing_the_vm_size_of_a_workspace_needs_recreate(model_emulator: Start) -> None:
    emu = model_emulator()
    _deploy("phi-4")
    result = invoke("model", "deploy", "phi-4", "--vm-size", "Standard_NC40ads_H100_v5", "-y")
    assert result.exit_code == 2
    assert "resource.instanceType: Standard_NC24ads_A100_v4 -> Standard_NC40ads_H100_v5" in result.stderr
    assert "--recreate" in result.stderr
    _deploy("phi-4", "--vm-size", "Standard_NC40ads_H100_v5", "--recreate")
    ws = emu.cluster.get(KAITO, "Workspace", "default", "phi-4")
    assert ws["resource"]["instanceType"] == "Standard_NC40ads_H100_v5"


def test_delete_removes_the_model_and_its_history(model_emulator: Start) -> None:
    emu = model_emulator()
    _deploy("phi-4", "--autoscale", "1:2")
    result = invoke("model", "delete", "phi-4", "-y")
    assert result.exit_code == 0, result
    assert emu.cluster.get(KAITO, "InferenceSet", "default", "phi-4") is None
    assert emu.cluster.list("v1", "ConfigMap", "default", label_selector="akscli.io/model-revision-of=phi-4") == []


def test_status_of_an_unknown_model_is_not_found(model_emulator: Start) -> None:
    model_emulator()
    result = invoke("model", "status", "nope")
    assert result.exit_code == 3 and "akscli model list" in result.stderr


def test_vllm_deploy_renders_the_plan_into_the_server_arguments(model_emulator: Start) -> None:
    emu = model_emulator()
    hf_token_secret(emu, "hf")
    _deploy("gpt-oss-120b", "--runtime", "vllm", "--vm-size", "Standard_NC80adis_H100_v5", "--access-secret", "hf")
    dep = emu.cluster.get("apps/v1", "Deployment", "default", "gpt-oss-120b")
    args = dep["spec"]["template"]["spec"]["containers"][0]["args"]
    assert args[args.index("--tensor-parallel-size") + 1] == "2"
    assert "hf" not in json.dumps(dep["spec"]["template"]["spec"]["containers"][0]["args"])


def test_server_dry_run_changes_nothing(model_emulator: Start) -> None:
    emu = model_emulator()
    result = invoke("model", "deploy", "phi-4", "--dry-run=server")
    assert result.exit_code == 0, result
    assert emu.cluster.get(KAITO, "Workspace", "default", "phi-4") is None
    assert "will be created" in result.stdout


def test_dry_run_client_output_is_valid_yaml_for_gitops(model_emulator: Start) -> None:
    result = invoke("model", "deploy", "phi-4", "--expose", "--dry-run=client")
    kinds = [d["kind"] for d in yamlio.load_all(result.stdout)]
    assert kinds == ["ConfigMap", "Workspace", "HTTPRoute"]


def test_a_crash_looping_inference_server_times_out_naming_kaitos_reason(model_emulator: Start) -> None:
    # KAITO has no final failure for an inference Workspace: it keeps reconciling, so the wait
    # runs to its timeout (exit 5) and says what InferenceReady says.
    model_emulator(failure="inference")
    result = invoke("model", "deploy", "phi-4", "--wait", "--timeout", "3s", "-y")
    assert result.exit_code == 5, result
    assert 'InferenceReady=False (ContainerCrashLoopBackOff): container "phi-4" is in CrashLoopBackOff' in result.stderr


def test_the_logs_of_a_crash_looping_model_show_why_it_exits(model_emulator: Start) -> None:
    emu = model_emulator(failure="inference")
    _deploy("phi-4")
    # The simulator makes the pods (with their logs) before it writes the Workspace's status:
    # once the status names the crash, the logs are there to read.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not _crash_reported(emu.cluster.get(KAITO, "Workspace", "default", "phi-4")):
        time.sleep(0.05)
    result = invoke("model", "logs", "phi-4", "--tail", "10")
    assert result.exit_code == 0, result
    assert "CUDA out of memory" in result.stdout


def test_vllm_logs_come_from_the_deployments_pods(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.cluster.create(nc_a100_node())  # vLLM's pod is Ready only on a node
    _deploy("phi-4", "--runtime", "vllm", "--wait", "--timeout", "20s")
    pods = emu.cluster.list("v1", "Pod", "default", label_selector="akscli.io/model=phi-4")
    assert pods
    emu.cluster.set_pod_logs("default", pods[0]["metadata"]["name"], "INFO vLLM ready\n")
    result = invoke("model", "logs", "phi-4", "--tail", "10")
    assert result.exit_code == 0, result
    assert "vLLM ready" in result.stdout


def test_list_across_namespaces_shows_the_namespace_in_wide(model_emulator: Start) -> None:
    model_emulator()
    _deploy("phi-4", "-n", "team-a", "--create-namespace")
    table = invoke("model", "list", "-A", "-o", "wide").stdout
    assert "team-a" in table and "Workspace" in table


def test_list_across_namespaces_leads_with_the_namespace_as_kubectl_get_a_does(model_emulator: Start) -> None:
    model_emulator()
    _deploy("phi-4")
    _deploy("phi-4", "-n", "team-a", "--create-namespace")
    lines = invoke("model", "list", "-A").stdout.splitlines()
    assert lines[0].split()[:2] == ["NAMESPACE", "NAME"]
    assert sorted(line.split()[0] for line in lines[1:]) == ["default", "team-a"]


def test_a_missing_namespace_is_named_with_the_flag_that_creates_it(model_emulator: Start) -> None:
    model_emulator()
    result = invoke("model", "deploy", "phi-4", "-n", "team-b", "-y")
    assert result.exit_code == 3
    assert "namespace team-b does not exist" in result.stderr
    assert "--create-namespace" in result.stderr


def test_delete_with_client_dry_run_lists_what_it_would_delete_and_deletes_nothing(model_emulator: Start) -> None:
    emu = model_emulator()
    _deploy("phi-4")
    result = invoke("model", "delete", "phi-4", "--dry-run=client")
    assert result.exit_code == 0, result
    assert 'workspace.kaito.sh "phi-4" deleted from default namespace (dry run)' in result.stdout
    assert emu.cluster.get(KAITO, "Workspace", "default", "phi-4") is not None


def test_delete_o_name_with_client_dry_run_prints_only_the_name_forms(model_emulator: Start) -> None:
    # kubectl delete --dry-run=client -o name: 'workspace.kaito.sh/phi-4', no "deleted" line
    model_emulator()
    _deploy("phi-4")
    result = invoke("model", "delete", "phi-4", "--dry-run=client", "-o", "name")
    assert result.exit_code == 0, result
    assert "workspace.kaito.sh/phi-4" in result.stdout.splitlines()
    assert "deleted" not in result.stdout
