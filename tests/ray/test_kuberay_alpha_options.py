"""KubeRay v1.7's three Alpha RayCluster options (historyServerOptions, networkPolicy, tlsOptions),
judged alike by akscli (akscli.ray.cluster_options through kuberay_rules/object_rules) and the
simulator (controllers/kuberay/cluster_options.py through validation.py), by the operator's gates.

upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/utils/validation.go
ValidateRayClusterSpec, validateCollectorOptions, validateNetworkPolicy, validateTLSOptions,
validateNoConflictingTLSVolumeMount; utils/util.go IsTLSEnabled; pkg/features/features.go (the three
gates Alpha, off); apis/ray/v1/raycluster_types.go (the fields are new in v1.7.0).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from akscli.ray.cluster_options import GATES
from akscli.ray.object_rules import object_problem
from akscli.ray.operator_gates import container_gates
from tests.cli import invoke
from tests.emulators.kube.controllers.kuberay.gates import at_release
from tests.emulators.kube.controllers.kuberay.validation import cluster_spec_problem
from tests.ray.test_cli_cluster import wait_until
from tests.ray.test_kuberay_validation import events

V170 = "quay.io/kuberay/operator:v1.7.0"
ALL_ON = "--feature-gates=" + ",".join(f"{g}=true" for g in GATES)
HEAD = {"name": "ray-head", "image": "rayproject/ray:2.52.0"}
GROUP = {"groupName": "gpu", "minReplicas": 0, "maxReplicas": 2, "template": {"spec": {"containers": [{"name": "w"}]}}}
SPEC: dict[str, Any] = {
    "headGroupSpec": {"rayStartParams": {}, "template": {"spec": {"containers": [HEAD]}}},
    "workerGroupSpecs": [GROUP],
}
MANAGED = "when tlsOptions is set - the operator manages TLS configuration automatically"


def _collector(*env: tuple[str, str]) -> dict[str, Any]:
    return {
        "collectorOptions": {
            "image": "quay.io/kuberay/collector:v1.7.0",
            "env": [{"name": k, "value": v} for k, v in env],
        }
    }


def _with(
    extra: dict[str, Any], head: dict[str, Any] | None = None, group: dict[str, Any] | None = None
) -> dict[str, Any]:
    spec = copy.deepcopy(SPEC) | extra
    if head is not None:
        spec["headGroupSpec"]["template"]["spec"]["containers"] = [HEAD | head]
    if group is not None:
        spec["workerGroupSpecs"] = [GROUP | group]
    return spec


def _judge(spec: dict[str, Any], image: str = V170, *args: str) -> tuple[str | None, str | None]:
    """akscli's judgement (as apply -f makes it from the operator container) and the simulator's."""
    op = container_gates({"image": image, "args": list(args)})
    obj = {"apiVersion": "ray.io/v1", "kind": "RayCluster", "metadata": {"name": "c"}, "spec": spec}
    ours = object_problem(obj, None, None, op.release, None, {g for g in GATES if op.gate(g)})
    return ours, cluster_spec_problem(spec, {}, at_release(image, *args))


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (_with({"historyServerOptions": {}}), "historyServerOptions.collectorOptions must be set"),
        (
            _with({"historyServerOptions": {"collectorOptions": {"env": []}}}),
            "historyServerOptions.collectorOptions.image must be set",
        ),
        (
            _with({"historyServerOptions": _collector(("STORAGE_BACKEND", "s3"), ("POD_IP", "x"))}),
            "historyServerOptions.collectorOptions.env must not contain POD_IP: it is managed by KubeRay and "
            "injected automatically into the collector container",
        ),
        (
            _with({"historyServerOptions": _collector()}),
            "STORAGE_BACKEND environment variable must be set with a literal string value in "
            "historyServerOptions.collectorOptions.env",
        ),
        (
            _with({"historyServerOptions": _collector(("STORAGE_BACKEND", "gcs"))}),
            "GCS_BUCKET environment variable must be set when STORAGE_BACKEND is GCS",
        ),
        (
            _with(
                {
                    "historyServerOptions": _collector(
                        ("STORAGE_BACKEND", "azureblob"), ("AZURE_STORAGE_AUTH_MODE", " Default")
                    )
                }
            ),
            "AZURE_STORAGE_ACCOUNT_URL environment variable must be set when STORAGE_BACKEND is AZUREBLOB and "
            "AZURE_STORAGE_AUTH_MODE is default",
        ),
        (
            _with({"historyServerOptions": _collector(("STORAGE_BACKEND", "AzureBlob"))}),
            "either AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCOUNT_URL environment variable must be set "
            "when STORAGE_BACKEND is AZUREBLOB",
        ),
        (
            _with(
                {"historyServerOptions": _collector(("STORAGE_BACKEND", "S3"), ("S3_REGION", "eu"))},
                group={"template": {"spec": {"containers": [{"name": "w"}, {"name": "ray-history-collector"}]}}},
            ),
            "worker group gpu pod template must not define a container with name 'ray-history-collector' when "
            "history server collector options are enabled",
        ),
        (_with({"historyServerOptions": _collector(("STORAGE_BACKEND", "S3"), ("S3_REGION", "eu"))}), None),
        (
            _with({"networkPolicy": {"mode": "DenyAllEgress", "head": {"ingressRules": [{}]}}}),
            'networkPolicy.head.ingressRules cannot be set when mode is "DenyAllEgress" (ingress is not restricted)',
        ),
        # mode defaults to DenyAll (the CRD's kubebuilder default), which takes both kinds of rule
        (_with({"networkPolicy": {"worker": {"ingressRules": [{}], "egressRules": [{}]}}}), None),
        (
            _with({"networkPolicy": {}}, group={"groupName": "GPU_a"}),
            'worker group name "GPU_a" must be a valid DNS1123 label when networkPolicy is enabled (it is embedded '
            "in the NetworkPolicy name): [a lowercase RFC 1123 label must consist of lower case alphanumeric "
            "characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or "
            "'123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')]",
        ),
        (
            _with({"networkPolicy": {"mode": "DenyAllIngress", "workerGroups": [{"groupName": "cpu"}]}}),
            'networkPolicy.workerGroups["cpu"] does not match any group name in workerGroupSpecs',
        ),
        # IsTLSEnabled: without enabled: true the options are ignored
        (_with({"tlsOptions": {}}, head={"env": [{"name": "RAY_USE_TLS", "value": "1"}]}), None),
        (
            _with({"tlsOptions": {"enabled": True}}, head={"env": [{"name": "RAY_TLS_CA_CERT", "value": "x"}]}),
            f"cannot set RAY_TLS_CA_CERT environment variable in head Pod {MANAGED}",
        ),
        (
            _with(
                {"tlsOptions": {"enabled": True}},
                group={
                    "template": {
                        "spec": {
                            "containers": [
                                {"name": "w", "volumeMounts": [{"name": "certs", "mountPath": "/etc/ray/tls"}]}
                            ]
                        }
                    }
                },
            ),
            f'cannot use volume mount at path "/etc/ray/tls" in worker group "gpu" {MANAGED}',
        ),
        (
            _with(
                {
                    "tlsOptions": {"enabled": True},
                    "autoscalerOptions": {"volumeMounts": [{"name": "ray-tls", "mountPath": "/t"}]},
                }
            ),
            f'cannot use volume mount named "ray-tls" in autoscalerOptions.volumeMounts {MANAGED}',
        ),
    ],
)
def test_with_its_gate_on_akscli_and_the_simulator_hold_each_option_to_upstreams_rules(
    spec: dict[str, Any], expected: str | None
) -> None:
    assert _judge(spec, V170, ALL_ON) == (expected, expected)


@pytest.mark.parametrize(
    ("field", "value", "gate_off"),
    [
        ("historyServerOptions", {}, "RayClusterHistoryServer feature gate is not enabled"),
        ("networkPolicy", {}, "spec.networkPolicy requires the RayClusterNetworkPolicy feature gate to be enabled"),
        ("tlsOptions", {"enabled": True}, "spec.tlsOptions requires the RayClusterMTLS feature gate to be enabled"),
    ],
)
def test_gate_off_refuses_the_field_and_before_v170_it_is_ignored(field: str, value: Any, gate_off: str) -> None:
    spec = _with({field: value})
    assert _judge(spec) == (gate_off, gate_off)  # v1.7.0's default: Alpha, off
    assert _judge(spec, "quay.io/kuberay/operator:v1.6.2") == (None, None)  # no such field before v1.7.0


def test_apply_and_the_simulator_read_the_operators_gates_for_these_options(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    """A v1.7.0 operator pod run with the three gates on: `apply -f` sends a networkPolicy cluster
    (before, akscli refused it whatever the flag), the simulator reconciles it (makes its head pod),
    and a broken networkPolicy is refused in KubeRay's words before anything is sent."""
    from tests.emulators.kube.profiles import ready_pod

    emu = ray_emulator()
    labels = {"app.kubernetes.io/component": "kuberay-operator"}
    ready_pod(emu, "kuberay-system", "kuberay-operator-0", labels, V170, [ALL_ON])
    good = {"apiVersion": "ray.io/v1", "kind": "RayCluster", "metadata": {"name": "np", "namespace": "default"}}
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(good | {"spec": _with({"networkPolicy": {"mode": "DenyAllIngress"}})}))
    result = invoke("apply", "-f", str(path), "-y")
    assert result.exit_code == 0, result
    wait_until(lambda: bool(emu.cluster.list("v1", "Pod", "default", label_selector="ray.io/node-type=head")))
    assert not events(emu, "InvalidRayClusterSpec")
    path.write_text(yaml.safe_dump(good | {"spec": _with({"networkPolicy": {"workerGroups": [{"groupName": "x"}]}})}))
    result = invoke("apply", "-f", str(path), "-y")
    assert result.exit_code == 2, result
    assert 'networkPolicy.workerGroups["x"] does not match any group name in workerGroupSpecs' in result.stderr
