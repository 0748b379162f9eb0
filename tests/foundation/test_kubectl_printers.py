"""kubectl's printer spellings and its usage hints, as a user who knows kubectl types them
(docs/changes/audit11-grammar.md)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from akscli import jsonpath, yamlio
from tests.cli import invoke, list_items
from tests.emulators.kube.emulator import KubeEmulator


def test_jsonpath_as_json_prints_each_result_group_as_an_indented_json_array() -> None:
    # kubectl get ... -o 'jsonpath-as-json={.items[0:2].name}{"x<"}' prints two arrays, four-space
    # indented, HTML characters escaped as encoding/json does (client-go jsonpath.go PrintResults).
    result = invoke("model", "catalog", "-o", 'jsonpath-as-json={.items[0:2].name}{"x<"}')
    assert result.exit_code == 0, result.stderr
    names = [m["name"] for m in list_items(invoke("model", "catalog", "-o", "json").stdout)[:2]]
    assert result.stdout == "[\n" + ",\n".join(f'    "{n}"' for n in names) + '\n]\n[\n    "x\\u003c"\n]\n'


def test_jsonpath_as_json_indents_nested_objects_as_json_marshal_indent_does() -> None:
    text = jsonpath.execute("{.a}{.none}", {"a": {"b": [1, {}], "c": []}}, as_json=True)
    expected = '[\n    {\n        "b": [\n            1,\n            {}\n        ],\n        "c": []\n    }\n]\n'
    assert text == expected + "[]\n"  # the empty second group: "[]", as MarshalIndent writes it


def test_an_empty_jsonpath_template_is_a_usage_error() -> None:
    # kubectl: "error: template format specified but no template given" (jsonpath_flags.go).
    result = invoke("model", "catalog", "-o", "jsonpath=")
    assert result.exit_code == 2
    assert "no template given" in result.stderr and result.stdout == ""


def test_a_flag_missing_its_value_hints_at_its_commands_help() -> None:
    # kubectl get pods -n: "See 'kubectl get --help' for usage.", the command's help, not the root's.
    result = invoke("model", "catalog", "-o")
    assert result.exit_code == 2
    assert "hint: run 'akscli model catalog --help' for usage" in result.stderr


def test_delete_prints_kubectls_line_with_the_kinds_group(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    # kubectl delete raycluster rc --dry-run=client:
    # 'raycluster.ray.io "rc" deleted from default namespace (dry run)', not
    # 'raycluster/rc deleted (dry run)' (upstream: kubernetes/kubectl HEAD pkg/cmd/delete/delete.go
    # PrintObj; the namespace since kubectl 1.34, kubernetes/kubernetes#126619).
    kube_emulator.cluster.create(
        {"apiVersion": "ray.io/v1", "kind": "RayCluster", "metadata": {"name": "rc", "namespace": "default"}}
    )
    result = invoke("ray", "cluster", "delete", "rc", "--dry-run=client")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == 'raycluster.ray.io "rc" deleted from default namespace (dry run)\n'


def test_delete_server_dry_run_suffix_follows_the_namespace(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    # delete.go PrintObj: "from NS namespace" is added to the operation before the dry-run suffix.
    kube_emulator.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}})
    kube_emulator.cluster.create(
        {"apiVersion": "ray.io/v1", "kind": "RayCluster", "metadata": {"name": "rc", "namespace": "team-a"}}
    )
    result = invoke("ray", "cluster", "delete", "rc", "-n", "team-a", "--dry-run=server")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == 'raycluster.ray.io "rc" deleted from team-a namespace (server dry run)\n'
    assert kube_emulator.cluster.get("ray.io/v1", "RayCluster", "team-a", "rc") is not None


def test_delete_line_of_a_cluster_scoped_object_names_no_namespace(capsys: pytest.CaptureFixture[str]) -> None:
    # delete.go PrintObj adds the namespace only where info.Namespaced().
    from akscli import output

    output.deleted("placement.kubernetes-fleet.io/v1", "ClusterResourcePlacement", "llm", None)
    output.deleted("placement.kubernetes-fleet.io/v1", "ClusterResourcePlacement", "llm", None, "client")
    assert capsys.readouterr().out.splitlines() == [
        'clusterresourceplacement.placement.kubernetes-fleet.io "llm" deleted',
        'clusterresourceplacement.placement.kubernetes-fleet.io "llm" deleted (dry run)',
    ]


def test_delete_o_name_prints_each_deleted_object_as_kind_group_slash_name(
    kube_emulator: KubeEmulator, kubeconfig: Path
) -> None:
    # kubectl delete -o name: 'raycluster.ray.io/rc' (delete.go PrintObj, Output == "name")
    kube_emulator.cluster.create(
        {"apiVersion": "ray.io/v1", "kind": "RayCluster", "metadata": {"name": "rc", "namespace": "default"}}
    )
    result = invoke("ray", "cluster", "delete", "rc", "-y", "-o", "name")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "raycluster.ray.io/rc\n"
    assert kube_emulator.cluster.get("ray.io/v1", "RayCluster", "default", "rc") is None


def test_delete_refuses_output_formats_kubectl_delete_has_not(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    # kubectl delete -o json: "unexpected -o output mode: json. We only support '-o name'"
    result = invoke("ray", "cluster", "delete", "rc", "-y", "-o", "json")
    assert result.exit_code == 2, result
    assert result.stderr.splitlines() == ["error: -o: unknown output format 'json'", "hint: use -o name"]
    assert kube_emulator.request_log == []


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
@pytest.mark.parametrize("fmt", ["json", "yaml"])
@pytest.mark.parametrize("namespace", [["-A"], ["-n", "nothing-here"]], ids=["all-namespaces", "empty"])
def test_a_list_prints_the_document_kubectl_get_prints(
    kube_emulator: KubeEmulator, kubeconfig: Path, fmt: str, namespace: list[str]
) -> None:
    # kubectl get rayclusters -A -o json|yaml: a v1 List, its keys sorted, metadata.resourceVersion
    # "" (kubernetes/kubectl pkg/cmd/get/get.go printGeneric); akscli's list prints the same document.
    for name in ("rc1", "rc2"):
        kube_emulator.cluster.create(
            {"apiVersion": "ray.io/v1", "kind": "RayCluster", "metadata": {"name": name, "namespace": "default"}}
        )
    kube_emulator.idle()
    theirs = subprocess.run(
        ["kubectl", "get", "rayclusters.ray.io", *namespace, "-o", fmt], capture_output=True, text=True, timeout=60
    )
    assert theirs.returncode == 0, theirs.stderr
    ours = invoke("ray", "cluster", "list", *namespace, "-o", fmt)
    assert ours.exit_code == 0, ours.stderr
    expected, printed = yamlio.load(theirs.stdout), yamlio.load(ours.stdout)
    assert list(printed) == list(expected) == ["apiVersion", "items", "kind", "metadata"]
    # kubectl hides managedFields (--show-managed-fields=false); akscli prints the object as read.
    for item in printed["items"]:
        item["metadata"].pop("managedFields", None)
    assert printed == expected
    assert len(list_items(ours.stdout)) == len(expected["items"]) == (2 if namespace == ["-A"] else 0)
