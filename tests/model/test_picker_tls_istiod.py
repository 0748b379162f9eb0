"""Which istiod's mesh config judges the endpoint picker's TLS: the istiod of the revision that
owns the Gateway, wherever it runs (istio/istio 86c9f01f pkg/revisions/tag_watcher.go IsMine: the
Gateway's istio.io/rev, else its Namespace's, a tag resolved by its MutatingWebhookConfiguration,
else the default tag; istiod found by its Deployment's app=istiod and istio.io/rev labels, as the
chart labels it), and its SHARED_MESH_CONFIG ConfigMap under its own (pilot/pkg/bootstrap/mesh.go
getConfigurationSources), which is how AKS's add-on reads istio-shared-configmap-REV
(MicrosoftDocs/azure-aks-docs articles/aks/istio-meshconfig.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke

from .test_picker_tls import POOLED, _namespace, _rule
from .test_picker_tls_mesh import INSECURE, PLAINTEXT_WARNING, _shared_gateway
from .test_serving_on_the_operators import _picker

Start = Callable[..., Any]
WEBHOOKS = "admissionregistration.k8s.io/v1"


def _istiod(emu: Any, namespace: str, revision: str, shared: str | None = None) -> None:
    """istiod's Deployment as the chart labels it (manifests/charts/istio-control/istio-discovery/
    templates/deployment.yaml), with SHARED_MESH_CONFIG where given."""
    if emu.cluster.get("v1", "Namespace", None, namespace) is None:
        _namespace(emu, namespace)
    env = [{"name": "REVISION", "value": revision}] + (
        [{"name": "SHARED_MESH_CONFIG", "value": shared}] if shared else []
    )
    labels = {"app": "istiod", "istio.io/rev": revision}
    name = "istiod" if revision == "default" else f"istiod-{revision}"
    emu.cluster.create(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": name, "namespace": namespace, "labels": labels},
            "spec": {
                "selector": {"matchLabels": labels},
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {"containers": [{"name": "discovery", "image": "istio/pilot:1.29.6", "env": env}]},
                },
            },
        }
    )


def _config_map(emu: Any, namespace: str, name: str, mesh: str) -> None:
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": namespace},
            "data": {"mesh": mesh},
        }
    )


def _tag(emu: Any, tag: str, revision: str) -> None:
    """istioctl tag set's webhook: labels istio.io/tag and istio.io/rev."""
    emu.cluster.create(
        {
            "apiVersion": WEBHOOKS,
            "kind": "MutatingWebhookConfiguration",
            "metadata": {
                "name": f"istio-revision-tag-{tag}",
                "labels": {"istio.io/tag": tag, "istio.io/rev": revision},
            },
            "webhooks": [],
        }
    )


def _label_gateway(emu: Any, revision: str, name: str = "inference-gateway", namespace: str = "default") -> None:
    gateway = emu.cluster.get("gateway.networking.k8s.io/v1", "Gateway", namespace, name)
    gateway["metadata"]["labels"] = {"istio.io/rev": revision}
    emu.cluster.update(gateway)


def _judged_by_root(emu: Any, root: str) -> Any:
    """Deploy with the picker's only rule in ``root``: no warning when ``root`` is the mesh's root namespace."""
    if emu.cluster.get("v1", "Namespace", None, root) is None:
        _namespace(emu, root)
    _picker(emu, "phi-4-epp", secure_serving=True)
    _rule(emu, root, INSECURE)
    result = invoke(*POOLED)
    assert result.exit_code == 0, result
    return result


def test_an_istiod_outside_istio_system_is_found_by_its_labels_and_its_root_namespace_read(
    model_emulator: Start,
) -> None:
    emu = model_emulator()
    _istiod(emu, "mesh-control", "default")
    _config_map(emu, "mesh-control", "istio", "rootNamespace: mesh-control\n")
    result = _judged_by_root(emu, "mesh-control")
    assert "endpoint picker" not in result.stderr


def test_a_gateway_without_a_revision_label_belongs_to_the_default_tags_revision(model_emulator: Start) -> None:
    emu = model_emulator()
    _istiod(emu, "mesh-control", "1-29")
    _config_map(emu, "mesh-control", "istio-1-29", "rootNamespace: mesh-root\n")
    _tag(emu, "default", "1-29")
    result = _judged_by_root(emu, "mesh-root")
    assert "endpoint picker" not in result.stderr


def test_a_tag_on_the_gateways_namespace_names_its_revision(model_emulator: Start) -> None:
    emu = model_emulator()
    namespace = emu.cluster.get("v1", "Namespace", None, "default")
    namespace["metadata"]["labels"] = {"istio.io/rev": "prod"}
    emu.cluster.update(namespace)
    _istiod(emu, "mesh-control", "1-29")
    _istiod(emu, "mesh-control", "1-28")
    _config_map(emu, "mesh-control", "istio-1-29", "rootNamespace: mesh-root\n")
    _config_map(emu, "mesh-control", "istio-1-28", "rootNamespace: mesh-control\n")
    _tag(emu, "prod", "1-29")
    result = _judged_by_root(emu, "mesh-root")
    # The label injects a sidecar too (so a warning of its own); the rule found is mesh-root's.
    assert "(DestinationRule mesh-root/phi-4-epp tls mode SIMPLE)" in result.stderr


def test_the_add_ons_shared_config_map_keeps_rules_private(model_emulator: Start) -> None:
    emu = model_emulator()
    shared = "istio-shared-configmap-asm-1-25"
    _istiod(emu, "aks-istio-system", "asm-1-25", shared=shared)
    _config_map(emu, "aks-istio-system", "istio-asm-1-25", "rootNamespace: aks-istio-system\n")
    _config_map(emu, "aks-istio-system", shared, 'defaultDestinationRuleExportTo: ["."]\n')
    _shared_gateway(emu)
    _label_gateway(emu, "asm-1-25", name="shared", namespace="gateways")
    _picker(emu, "phi-4-epp", secure_serving=True)
    _rule(emu, "default", INSECURE)
    result = invoke(*POOLED, "--gateway", "gateways/shared")
    assert result.exit_code == 0, result
    assert f"{PLAINTEXT_WARNING} (no DestinationRule sets TLS for it)" in result.stderr


def test_the_revisions_own_config_map_wins_over_the_shared_one(model_emulator: Start) -> None:
    emu = model_emulator()
    shared = "istio-shared-configmap-asm-1-25"
    _istiod(emu, "aks-istio-system", "asm-1-25", shared=shared)
    own = 'rootNamespace: aks-istio-system\ndefaultDestinationRuleExportTo: ["*"]\n'
    _config_map(emu, "aks-istio-system", "istio-asm-1-25", own)
    _config_map(emu, "aks-istio-system", shared, 'defaultDestinationRuleExportTo: ["."]\n')
    _shared_gateway(emu)
    _label_gateway(emu, "asm-1-25", name="shared", namespace="gateways")
    _picker(emu, "phi-4-epp", secure_serving=True)
    _rule(emu, "default", INSECURE)
    result = invoke(*POOLED, "--gateway", "gateways/shared")
    assert result.exit_code == 0, result
    assert "endpoint picker" not in result.stderr


def test_a_user_who_may_not_list_istiod_still_gets_the_add_ons_shared_config_map(model_emulator: Start) -> None:
    emu = model_emulator()
    shared = "istio-shared-configmap-asm-1-25"
    _istiod(emu, "aks-istio-system", "asm-1-25", shared=shared)
    _config_map(emu, "aks-istio-system", shared, 'defaultDestinationRuleExportTo: ["."]\n')
    emu.faults.add(verb="list", path="/apis/apps/v1/deployments", status=403, count=None)
    _shared_gateway(emu)
    _label_gateway(emu, "asm-1-25", name="shared", namespace="gateways")
    _picker(emu, "phi-4-epp", secure_serving=True)
    _rule(emu, "default", INSECURE)
    result = invoke(*POOLED, "--gateway", "gateways/shared")
    assert result.exit_code == 0, result
    assert f"{PLAINTEXT_WARNING} (no DestinationRule sets TLS for it)" in result.stderr


def test_without_a_default_tag_the_default_revision_owns_an_unlabelled_gateway(model_emulator: Start) -> None:
    emu = model_emulator()
    _istiod(emu, "mesh-control", "1-29")
    _config_map(emu, "mesh-control", "istio-1-29", "rootNamespace: mesh-root\n")
    emu.cluster.create(
        {
            "apiVersion": WEBHOOKS,
            "kind": "ValidatingWebhookConfiguration",
            "metadata": {"name": "istiod-default-validator", "labels": {"istio.io/rev": "1-29"}},
            "webhooks": [],
        }
    )
    result = _judged_by_root(emu, "mesh-root")
    assert "endpoint picker" not in result.stderr
