"""The endpoint picker the AI Runway simulator makes for `--expose`, against what AI Runway's
controller makes (ai-runway/airunway v0.7.0 controller/internal/controller/gateway_reconciler.go:
reconcileEPP, reconcileEPPDestinationRule). Plain unit tests of the simulator's objects."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube.controllers.airunway_objects import _epp_objects, _gateway_objects

MD = {
    "apiVersion": "airunway.ai/v1alpha1",
    "kind": "ModelDeployment",
    "metadata": {"name": "phi-4", "namespace": "ml", "uid": "u1"},
}


def _by_kind(objects: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    return next(o for o in objects if o["kind"] == kind)


class _Cluster:
    """Serves the DestinationRule CRD at the versions given (none: not installed)."""

    def __init__(self, *versions: str) -> None:
        self.versions = versions

    def get(self, api_version: str, kind: str, namespace: str | None, name: str) -> dict[str, Any] | None:
        if kind != "CustomResourceDefinition" or name != "destinationrules.networking.istio.io" or not self.versions:
            return None
        return {"spec": {"versions": [{"name": v, "served": True} for v in self.versions]}}


def test_the_pickers_container_has_reconcile_epps_env_health_probes_and_plugins_volume() -> None:
    deployment = _by_kind(_epp_objects(MD), "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    health = {"grpc": {"port": 9003, "service": "inference-extension"}}
    assert container["env"] == [
        {"name": "NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
        {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
    ]
    assert container["livenessProbe"] == {
        **health,
        "initialDelaySeconds": 30,
        "periodSeconds": 10,
        "failureThreshold": 5,
    }
    assert container["readinessProbe"] == {**health, "initialDelaySeconds": 10, "periodSeconds": 5}
    assert container["volumeMounts"] == [{"name": "plugins-config", "mountPath": "/config"}]
    assert pod["volumes"] == [{"name": "plugins-config", "configMap": {"name": "phi-4-epp"}}]
    assert pod["terminationGracePeriodSeconds"] == 130
    assert container["imagePullPolicy"] == "IfNotPresent"


def test_the_picker_reads_its_plugins_file_from_the_configmap_it_mounts() -> None:
    objects = _epp_objects(MD)
    (container,) = _by_kind(objects, "Deployment")["spec"]["template"]["spec"]["containers"]
    path = container["args"][container["args"].index("--config-file") + 1]
    mount = container["volumeMounts"][0]["mountPath"]
    assert path.startswith(mount + "/")
    assert path.removeprefix(mount + "/") in _by_kind(objects, "ConfigMap")["data"]


def test_ai_runway_makes_the_pickers_destination_rule_where_istio_serves_it() -> None:
    objects = _gateway_objects(_Cluster("v1alpha3", "v1beta1", "v1"), MD, 8000, "gw", "inference-gateway", "phi-4")
    rule = _by_kind(objects, "DestinationRule")
    assert rule["apiVersion"] == "networking.istio.io/v1beta1"
    assert rule["metadata"]["name"] == "phi-4-epp"
    assert rule["spec"] == {
        "host": "phi-4-epp.ml.svc.cluster.local",
        "trafficPolicy": {"tls": {"mode": "SIMPLE", "insecureSkipVerify": True}},
    }
    assert rule["metadata"]["ownerReferences"][0]["kind"] == "ModelDeployment"


def test_ai_runway_makes_no_destination_rule_where_istio_is_not_installed() -> None:
    objects = _gateway_objects(_Cluster(), MD, 8000, "gw", "inference-gateway", "phi-4")
    assert [o["kind"] for o in objects if o["kind"] == "DestinationRule"] == []
    assert [o["kind"] for o in objects][-2:] == ["InferencePool", "HTTPRoute"]
