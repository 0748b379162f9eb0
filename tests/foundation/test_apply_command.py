"""akscli apply -f, as a user runs it: plan on stderr, results on stdout, confirmations."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli import invoke
from tests.foundation.manifest_files import CONFIG_MAP_ONE, CONFIG_MAPS


def test_apply_prints_results_on_stdout_and_the_plan_on_stderr(kubeconfig: Path, manifest: Path) -> None:
    result = invoke("apply", "-f", str(manifest), "--stack", "demo")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines() == ["configmap/one created", "configmap/two created"]
    assert "configmap/one (default): will be created" in result.stderr


def test_apply_output_name_lists_the_objects(kubeconfig: Path, manifest: Path) -> None:
    result = invoke("apply", "-f", str(manifest), "-o", "name")
    assert result.stdout.splitlines() == ["configmap/one", "configmap/two"]


def test_client_dry_run_prints_labelled_manifests_without_a_cluster(manifest: Path, tmp_path: Path) -> None:
    result = invoke("apply", "-f", str(manifest), "--dry-run=client", "--kubeconfig", str(tmp_path / "none"))
    assert result.exit_code == 0, result
    assert "app.kubernetes.io/managed-by: akscli" in result.stdout


def test_prune_asks_on_a_terminal_and_no_keeps_everything(
    kubeconfig: Path, manifest: Path, tmp_path: Path, kube_emulator: Any
) -> None:
    invoke("apply", "-f", str(manifest), "--stack", "demo")
    only_one = tmp_path / "one.yaml"
    only_one.write_text(CONFIG_MAP_ONE)
    result = invoke("apply", "-f", str(only_one), "--stack", "demo", "--prune", tty=True, input="n\n")
    assert result.exit_code == 1
    assert "cancelled" in result.stderr
    assert kube_emulator.cluster.get("v1", "ConfigMap", "default", "two") is not None


def test_prune_asks_on_a_terminal_and_yes_deletes(
    kubeconfig: Path, manifest: Path, tmp_path: Path, kube_emulator: Any
) -> None:
    invoke("apply", "-f", str(manifest), "--stack", "demo")
    only_one = tmp_path / "one.yaml"
    only_one.write_text(CONFIG_MAP_ONE)
    result = invoke("apply", "-f", str(only_one), "--stack", "demo", "--prune", tty=True, input="y\n")
    assert result.exit_code == 0, result
    assert kube_emulator.cluster.get("v1", "ConfigMap", "default", "two") is None


def test_prune_without_a_terminal_or_yes_refuses_with_exit_2(kubeconfig: Path, manifest: Path, tmp_path: Path) -> None:
    invoke("apply", "-f", str(manifest), "--stack", "demo")
    only_one = tmp_path / "one.yaml"
    only_one.write_text(CONFIG_MAP_ONE)
    result = invoke("apply", "-f", str(only_one), "--stack", "demo", "--prune")
    assert result.exit_code == 2
    assert "error: refusing to delete 1 object(s) no longer in stack demo" in result.stderr
    assert "-y/--yes" in result.stderr


def test_applying_into_a_namespace_that_does_not_exist_hints_how_to_create_it(kubeconfig: Path, manifest: Path) -> None:
    result = invoke("apply", "-f", str(manifest), "-n", "nosuchns", "-y")
    assert result.exit_code == 3, result
    assert 'namespaces "nosuchns" not found' in result.stderr and result.stderr.count("error:") == 1
    assert "hint: create it first (kubectl create namespace nosuchns), or pick another with -n" in result.stderr


def test_a_manifest_without_a_name_is_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n")
    result = invoke("apply", "-f", str(bad), "--dry-run=client")
    assert result.exit_code == 2
    assert "metadata.name" in result.stderr


def test_invalid_yaml_is_one_line_naming_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [1, 2\n")
    result = invoke("apply", "-f", str(bad), "--dry-run=client")
    assert result.exit_code == 2
    assert str(bad) in result.stderr
    assert "Traceback" not in result.stderr


def test_reason_is_recorded_in_the_audit_log(kubeconfig: Path, manifest: Path, tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    result = invoke("apply", "-f", str(manifest), "--reason", "ticket 42", "--audit-log", str(log))
    assert result.exit_code == 0, result
    line = log.read_text().splitlines()[-1]
    assert "ticket 42" in line and "configmap/one" in line


def test_debug_logs_each_request_without_the_token(kubeconfig: Path, manifest: Path) -> None:
    token = json.loads(kubeconfig.read_text())["users"][0]["user"]["token"]
    result = invoke("apply", "-f", str(manifest), "--debug")
    assert result.exit_code == 0, result
    assert "akscli.kube: PATCH /api/v1/namespaces/default/configmaps/one -> 201" in result.stderr
    assert token not in result.stderr


OTHER_NAMESPACE = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: three, namespace: other}
---
apiVersion: v1
kind: Namespace
metadata: {name: other}
"""


@pytest.mark.parametrize("dry_run", ["--dry-run=none", "--dry-run=server", "--dry-run=client"])
def test_an_explicit_namespace_refuses_an_object_in_another_as_kubectl_does(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path, dry_run: str
) -> None:
    path = tmp_path / "other.yaml"
    path.write_text(CONFIG_MAPS + "---\n" + OTHER_NAMESPACE)
    result = invoke("apply", "-f", str(path), "-n", "default", dry_run)
    assert result.exit_code == 2, result
    assert 'the namespace from the provided object "other" does not match the namespace "default"' in result.stderr
    assert "--namespace=other" in result.stderr
    assert not kube_emulator.requests(method="PATCH")  # nothing applied, not even the two in default


def test_without_n_each_object_goes_to_its_own_namespace(kubeconfig: Path, kube_emulator: Any, tmp_path: Path) -> None:
    path = tmp_path / "other.yaml"
    path.write_text(CONFIG_MAPS + "---\n" + OTHER_NAMESPACE)
    assert invoke("apply", "-f", str(path)).exit_code == 0
    assert kube_emulator.cluster.get("v1", "ConfigMap", "other", "three")
    assert kube_emulator.cluster.get("v1", "ConfigMap", "default", "one")


def test_a_cluster_scoped_object_is_not_held_to_the_namespace(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    path = tmp_path / "ns.yaml"
    path.write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: team-a}\n")
    assert invoke("apply", "-f", str(path), "-n", "default").exit_code == 0


def test_an_unchanged_object_prints_apiversion_and_kind_first_as_kubectl_does(kubeconfig: Path, tmp_path: Path) -> None:
    # The second apply prints the stack's listed object (the API server's list items carry no
    # apiVersion or kind); kubectl's printers put them first.
    path = tmp_path / "one.yaml"
    path.write_text(CONFIG_MAP_ONE)
    assert invoke("apply", "-f", str(path), "--stack", "demo").exit_code == 0
    again = invoke("apply", "-f", str(path), "--stack", "demo", "-o", "json")
    assert again.exit_code == 0, again
    assert list(json.loads(again.stdout))[:3] == ["apiVersion", "kind", "metadata"]


SECRET = """\
apiVersion: v1
kind: Secret
metadata:
  name: db
stringData:
  password: hunter2
"""


def test_an_applied_secret_prints_its_keys_with_masked_values(kubeconfig: Path, tmp_path: Path) -> None:
    path = tmp_path / "secret.yaml"
    path.write_text(SECRET)
    result = invoke("apply", "-f", str(path), "-o", "yaml")
    assert result.exit_code == 0, result
    assert "hunter2" not in result.stdout and "aHVudGVyMg" not in result.stdout
    assert "password: '***'" in result.stdout


def test_applied_objects_print_without_managed_fields_as_kubectl_does(kubeconfig: Path, manifest: Path) -> None:
    result = invoke("apply", "-f", str(manifest), "-o", "json")
    assert result.exit_code == 0, result
    assert "managedFields" not in result.stdout


def test_show_managed_fields_keeps_them(kubeconfig: Path, manifest: Path) -> None:
    result = invoke("apply", "-f", str(manifest), "-o", "yaml", "--show-managed-fields")
    assert result.exit_code == 0, result
    assert "managedFields:" in result.stdout and "manager: akscli" in result.stdout


def test_server_dry_run_yaml_is_the_servers_answer_and_creates_nothing(
    kubeconfig: Path, manifest: Path, kube_emulator: Any
) -> None:
    result = invoke("apply", "-f", str(manifest), "--dry-run=server", "-o", "yaml")
    assert result.exit_code == 0, result
    docs = result.stdout.split("---")
    assert len(docs) == 2 and "kind: ConfigMap" in docs[0] and "uid:" in docs[0]
    assert "configmap/one (default): will be created" in result.stderr
    assert kube_emulator.cluster.get("v1", "ConfigMap", "default", "one") is None


def test_show_managed_fields_takes_kubectls_bool_values(kubeconfig: Path, manifest: Path) -> None:
    result = invoke("apply", "-f", str(manifest), "-o", "yaml", "--show-managed-fields=false")
    assert result.exit_code == 0, result
    assert "managedFields" not in result.stdout


def test_show_managed_fields_with_a_value_that_is_no_bool_is_refused() -> None:
    result = invoke("version", "--show-managed-fields=maybe")
    assert result.exit_code == 2
    assert "invalid --show-managed-fields value 'maybe': not a bool" in result.stderr


CPU_ONLY_FALLBACK = """\
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: phi-4
spec:
  scaleTargetRef: {name: phi-4}
  fallback: {failureThreshold: 3, replicas: 6}
  triggers:
    - type: cpu
      metricType: Utilization
      metadata: {value: "50"}
"""


def test_a_fallback_keda_refuses_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    # KEDA's webhook refuses it (CheckFallbackValid); akscli says so without a cluster.
    path = tmp_path / "so.yaml"
    path.write_text(CPU_ONLY_FALLBACK)
    result = invoke("apply", "-f", str(path), "--kubeconfig", str(tmp_path / "none"))
    assert result.exit_code == 2
    assert "scaledobject/phi-4: a fallback needs a trigger that is not cpu or memory" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_negative_fallback_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "so.yaml"
    path.write_text(CPU_ONLY_FALLBACK.replace("replicas: 6", "replicas: -1"))
    result = invoke("apply", "-f", str(path), "--dry-run=client")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        "error: scaledobject/phi-4: fallback.failureThreshold and fallback.replicas must be 0 or more, not 3 and -1 "
        "(KEDA's webhook refuses it)"
    )


def test_scaling_modifiers_with_only_empty_fields_do_not_make_a_cpu_only_fallback_valid(tmp_path: Path) -> None:
    # KEDA's IsUsingModifiers compares with ScalingModifiers{}: an empty formula is not using them.
    path = tmp_path / "so.yaml"
    path.write_text(CPU_ONLY_FALLBACK + '  advanced: {scalingModifiers: {formula: ""}}\n')
    result = invoke("apply", "-f", str(path), "--dry-run=client")
    assert result.exit_code == 2
    assert "scaledobject/phi-4: a fallback needs a trigger that is not cpu or memory" in result.stderr
