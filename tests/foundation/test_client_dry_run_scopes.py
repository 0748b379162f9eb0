"""`apply -f --dry-run=client` without a cluster: a namespaced kind whose scope akscli knows
(akscli.kube.scopes: the built-in kinds, the operators' CRDs) is printed in -n, else the context's
namespace, else `default`, as kubectl apply --dry-run=client -o yaml prints it with a cluster
(k8s.io/cli-runtime pkg/resource/visitor.go SetNamespace); a cluster-scoped one without a
namespace; a kind it does not know is left as written, with a warning (kubectl cannot render
offline at all: it needs the cluster's discovery)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from akscli import yamlio
from akscli.kube import scopes
from tests.cli import invoke


def printed(tmp_path: Path, objects: list[dict[str, Any]], *flags: str) -> tuple[list[dict[str, Any]], str]:
    path = tmp_path / "x.yaml"
    path.write_text("\n---\n".join(json.dumps(o) for o in objects), encoding="utf-8")
    result = invoke("apply", "-f", str(path), "--dry-run=client", "-o", "yaml", *flags)
    assert result.exit_code == 0, result
    return [d for d in yamlio.load_all(result.stdout, "stdout") if d], result.stderr


@pytest.fixture(autouse=True)
def no_kubeconfig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "none"))


def test_offline_a_namespaced_object_without_one_is_printed_in_default(tmp_path: Path) -> None:
    (cm,), _ = printed(tmp_path, [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web"}}])
    assert list(cm["metadata"])[:2] == ["name", "namespace"]
    assert cm["metadata"]["namespace"] == "default"


def test_offline_an_operator_kind_without_a_namespace_is_printed_in_n(tmp_path: Path) -> None:
    (rc,), _ = printed(
        tmp_path, [{"apiVersion": "ray.io/v1", "kind": "RayCluster", "metadata": {"name": "rc"}}], "-n", "ml"
    )
    assert rc["metadata"]["namespace"] == "ml"


def test_offline_a_cluster_scoped_object_loses_the_namespace_its_file_gave_it_and_ignores_n(tmp_path: Path) -> None:
    pool = {"apiVersion": "karpenter.sh/v1", "kind": "NodePool", "metadata": {"name": "gpu", "namespace": "team-b"}}
    (printed_pool,), _ = printed(tmp_path, [pool], "-n", "ml")
    assert "namespace" not in printed_pool["metadata"]


def test_offline_a_kind_of_a_crd_in_the_same_files_takes_the_crds_scope(tmp_path: Path) -> None:
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced", "names": {"kind": "Widget", "plural": "widgets"}},
    }
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    (printed_crd, printed_widget), _ = printed(tmp_path, [crd, widget], "-n", "ml")
    assert "namespace" not in printed_crd["metadata"]
    assert printed_widget["metadata"]["namespace"] == "ml"


def test_offline_an_unknown_kind_is_left_as_written_with_a_warning(tmp_path: Path) -> None:
    (widget,), stderr = printed(
        tmp_path, [{"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}]
    )
    assert "namespace" not in widget["metadata"]
    assert stderr.splitlines() == [
        f"warning: widget.example.com/w: namespace left as written: no cluster answered to say whether Widget "
        f"is namespaced (no kubeconfig found at {tmp_path / 'none'})"
    ]


def test_every_operator_kind_akscli_prunes_has_a_known_scope() -> None:
    from akscli.kube.apply import PRUNE_KINDS

    assert [k for api, k in PRUNE_KINDS if scopes.namespaced(api, k) is None] == []
