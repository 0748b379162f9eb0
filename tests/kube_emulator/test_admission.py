"""The operators' validating webhooks: what KubeRay's and KAITO's webhooks deny is denied with
their messages (ray-project/kuberay ray-operator/pkg/webhooks/v1, kaito-project/kaito
api/v1beta1/workspace_validation.go)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.kube_emulator.helpers import raw

RAYCLUSTERS = "/apis/ray.io/v1/namespaces/default/rayclusters"
WORKSPACES = "/apis/kaito.sh/v1beta1/namespaces/default/workspaces"


@pytest.fixture
def kuberay(kube_emulator_factory: Callable[..., KubeEmulator]) -> KubeEmulator:
    return kube_emulator_factory(kuberay_webhook=True)


def raycluster(name: str, groups: tuple[str, ...] = ()) -> dict[str, Any]:
    pod = {"spec": {"containers": [{"name": "ray", "image": "rayproject/ray:2.41.0"}]}}
    return {
        "apiVersion": "ray.io/v1",
        "kind": "RayCluster",
        "metadata": {"name": name},
        "spec": {
            "headGroupSpec": {"rayStartParams": {}, "template": pod},
            "workerGroupSpecs": [
                {
                    "groupName": g,
                    "replicas": 1,
                    "minReplicas": 0,
                    "maxReplicas": 2,
                    "rayStartParams": {},
                    "template": pod,
                }
                for g in groups
            ],
        },
    }


def workspace(
    name: str = "phi", preset: str = "phi-4-mini-instruct", instance_type: str = "Standard_NC24ads_A100_v4"
) -> dict[str, Any]:
    return {
        "apiVersion": "kaito.sh/v1beta1",
        "kind": "Workspace",
        "metadata": {"name": name},
        "resource": {"instanceType": instance_type, "labelSelector": {"matchLabels": {"apps": name}}},
        "inference": {"preset": {"name": preset}},
    }


def test_raycluster_name_longer_than_53_is_denied_by_the_kuberay_webhook(kuberay: KubeEmulator) -> None:
    name = "r" * 54
    r = raw(kuberay, "POST", RAYCLUSTERS, raycluster(name))
    assert r.status == 422
    assert r.json()["message"] == (
        f'admission webhook "vraycluster.kb.io" denied the request: RayCluster.ray.io "{name}" is invalid: '
        f'metadata.name: Invalid value: "{name}": RayCluster name should be no more than 53 characters'
    )


def test_raycluster_name_must_be_a_dns1035_label(kuberay: KubeEmulator) -> None:
    r = raw(kuberay, "POST", RAYCLUSTERS, raycluster("1abc"))
    assert r.status == 422
    assert "RayCluster name should be a valid DNS1035 label: [a DNS-1035 label must consist" in r.json()["message"]


def test_a_rayservice_name_denial_says_its_metadata_is_invalid(kuberay: KubeEmulator) -> None:
    # upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/utils/validation.go
    # ValidateRayServiceMetadata: "The RayService metadata is invalid: RayService name should be ..."
    name = "s" * 48
    service = {
        "apiVersion": "ray.io/v1",
        "kind": "RayService",
        "metadata": {"name": name},
        "spec": {"rayClusterConfig": raycluster("x")["spec"]},
    }
    r = raw(kuberay, "POST", "/apis/ray.io/v1/namespaces/default/rayservices", service)
    assert r.status == 422
    assert r.json()["message"].endswith(
        f'metadata.name: Invalid value: "{name}": The RayService metadata is invalid: '
        "RayService name should be no more than 47 characters"
    )


def test_duplicate_worker_group_names_are_denied(kuberay: KubeEmulator) -> None:
    r = raw(kuberay, "POST", RAYCLUSTERS, raycluster("rc", ("gpu", "gpu")))
    assert r.status == 422
    assert 'spec.workerGroupSpecs[1]: Invalid value: "object": worker group names must be unique' in r.json()["message"]


def test_a_valid_raycluster_is_admitted(kuberay: KubeEmulator) -> None:
    assert raw(kuberay, "POST", RAYCLUSTERS, raycluster("rc", ("cpu", "gpu"))).status == 201


def test_workspace_with_an_unknown_preset_is_denied_by_the_kaito_webhook(kube_emulator: KubeEmulator) -> None:
    r = raw(kube_emulator, "POST", WORKSPACES, workspace(preset="llama3.1-8b-instruct"))
    assert r.status == 400
    assert r.json()["message"] == (
        'admission webhook "validation.workspace.kaito.sh" denied the request: validation failed: '
        "invalid value: Unsupported inference preset name llama3.1-8b-instruct: inference.presetName"
    )


def test_workspace_accepts_hugging_face_model_ids(kube_emulator: KubeEmulator) -> None:
    assert raw(kube_emulator, "POST", WORKSPACES, workspace(preset="microsoft/phi-4")).status == 201


def _with_secret(ws: dict[str, Any], secret: str) -> dict[str, Any]:
    ws["inference"]["preset"]["presetOptions"] = {"modelAccessSecret": secret}
    return ws


def test_workspace_admits_an_access_secret_with_a_preset_as_kaito_v0_12_does(kube_emulator: KubeEmulator) -> None:
    # Every v0.12.0 preset downloads at runtime, so "This preset does not require a
    # modelAccessSecret" never fires for one (api/v1beta1/workspace_validation.go).
    r = raw(kube_emulator, "POST", WORKSPACES, _with_secret(workspace(preset="phi-4"), "hf-token"))
    assert r.status == 201, r.json()


def test_workspace_admits_a_gated_preset_without_a_secret_as_kaito_v0_12_does(kube_emulator: KubeEmulator) -> None:
    # v0.12.0 builds a preset from model_catalog.yaml and never sets DownloadAuthRequired for it;
    # the download fails later, at the Hub (akscli refuses it before sending).
    r = raw(kube_emulator, "POST", WORKSPACES, workspace(name="llama", preset="llama-3.1-8b-instruct"))
    assert r.status == 201, r.json()


def test_workspace_count_is_immutable(kube_emulator: KubeEmulator) -> None:
    assert raw(kube_emulator, "POST", WORKSPACES, workspace()).status == 201
    r = raw(
        kube_emulator,
        "PATCH",
        WORKSPACES + "/phi",
        {"resource": {"count": 2}},
        content_type="application/merge-patch+json",
    )
    assert r.status == 400
    assert r.json()["message"].endswith("denied the request: validation failed: field is immutable: resource.count")


def test_workspace_preset_options_are_immutable(kube_emulator: KubeEmulator) -> None:
    # upstream: kaito-project/kaito v0.12.0 api/v1beta1/workspace_validation.go
    # InferenceSpec.validateUpdate: reflect.DeepEqual of the whole preset, via "inference".
    assert raw(kube_emulator, "POST", WORKSPACES, workspace()).status == 201
    r = raw(
        kube_emulator,
        "PATCH",
        WORKSPACES + "/phi",
        {"inference": {"preset": {"presetOptions": {"modelAccessSecret": "hf-token"}}}},
        content_type="application/merge-patch+json",
    )
    assert r.status == 400
    assert r.json()["message"].endswith("denied the request: validation failed: field is immutable: inference.preset")


def test_workspace_without_instance_type_is_denied(kube_emulator: KubeEmulator) -> None:
    ws = workspace()
    del ws["resource"]["instanceType"]
    r = raw(kube_emulator, "POST", WORKSPACES, ws)
    assert r.status == 400
    assert (
        "missing field(s): spec.instanceType is required when node auto-provisioning is enabled, "
        "spec.resource.instanceType" in r.json()["message"]
    )


def test_the_kuberay_webhook_is_off_by_default_as_in_its_chart(kube_emulator: KubeEmulator) -> None:
    assert raw(kube_emulator, "POST", RAYCLUSTERS, raycluster("r" * 54)).status == 201


# ---- KubeFleet (kubefleet-dev/kubefleet pkg/utils/validator/placement.go) ---------------------------

CRPS = "/apis/placement.kubernetes-fleet.io/v1/clusterresourceplacements"
CRP_WEBHOOK = 'admission webhook "fleet.clusterresourceplacementv1beta1.validating" denied the request: '


def crp(name: str, **spec: Any) -> dict[str, Any]:
    selector = {"group": "", "version": "v1", "kind": "Namespace", "name": "llm"}
    return {
        "apiVersion": "placement.kubernetes-fleet.io/v1",
        "kind": "ClusterResourcePlacement",
        "metadata": {"name": name},
        "spec": {"resourceSelectors": [selector], **spec},
    }


def test_crp_name_longer_than_63_is_denied_by_the_fleet_webhook(kube_emulator: KubeEmulator) -> None:
    r = raw(kube_emulator, "POST", CRPS, crp("p" * 64))
    assert r.status == 403
    assert r.json()["message"] == (
        CRP_WEBHOOK + "deny create/update v1beta1 CRP has invalid fields the name field cannot have length exceeding 63"
    )


def test_crp_external_strategy_with_a_rolling_update_is_denied(kube_emulator: KubeEmulator) -> None:
    r = raw(kube_emulator, "POST", CRPS, crp("p", strategy={"type": "External", "rollingUpdate": {"maxSurge": 1}}))
    assert r.status == 403
    assert "rollingUpdateConifg is not valid for ExternalRollout strategy type" in r.json()["message"]


def test_crp_server_side_apply_config_under_another_apply_type_is_denied(kube_emulator: KubeEmulator) -> None:
    # validateRolloutStrategy (kubefleet-dev/kubefleet e160c1cd pkg/utils/validator/placement.go); an
    # unset type is the CRD's default ClientSideApply.
    for apply in ({"type": "ReportDiff"}, {}):
        strategy = {"applyStrategy": {**apply, "serverSideApplyConfig": {"force": True}}}
        r = raw(kube_emulator, "POST", CRPS, crp("p", strategy=strategy))
        assert r.status == 403, apply
        assert r.json()["message"] == (
            CRP_WEBHOOK + "deny create/update v1beta1 CRP has invalid fields the rollout Strategy field  is "
            "invalid: serverSideApplyConfig is only valid for ServerSideApply strategy type"
        )


def test_crp_server_side_apply_config_under_server_side_apply_is_admitted(kube_emulator: KubeEmulator) -> None:
    strategy = {"applyStrategy": {"type": "ServerSideApply", "serverSideApplyConfig": {"force": True}}}
    assert raw(kube_emulator, "POST", CRPS, crp("p", strategy=strategy)).status == 201


def test_crp_tolerations_can_be_added_but_not_removed(kube_emulator: KubeEmulator) -> None:
    toleration = {"key": "maintenance", "operator": "Exists", "effect": "NoSchedule"}
    created = raw(kube_emulator, "POST", CRPS, crp("p", policy={"placementType": "PickAll"}))
    assert created.status == 201
    # a PUT of a custom resource carries the resourceVersion it replaces (422 without one)
    more = crp("p", policy={"placementType": "PickAll", "tolerations": [toleration]})
    more["metadata"]["resourceVersion"] = created.json()["metadata"]["resourceVersion"]
    updated = raw(kube_emulator, "PUT", CRPS + "/p", more)
    assert updated.status == 200
    fewer = crp("p", policy={"placementType": "PickAll"})
    fewer["metadata"]["resourceVersion"] = updated.json()["metadata"]["resourceVersion"]
    r = raw(kube_emulator, "PUT", CRPS + "/p", fewer)
    assert r.status == 403
    assert r.json()["message"] == (
        CRP_WEBHOOK + "tolerations have been updated/deleted, only additions to tolerations are allowed"
    )


def _required_property(name: str) -> dict[str, Any]:
    term = {
        "labelSelector": {},
        "propertySelector": {"matchExpressions": [{"name": name, "operator": "Ge", "values": ["1"]}]},
    }
    return {
        "placementType": "PickAll",
        "affinity": {
            "clusterAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"clusterSelectorTerms": [term]}}
        },
    }


def test_crp_resource_property_of_an_unknown_capacity_type_is_denied(kube_emulator: KubeEmulator) -> None:
    # validateName (placement.go): resources.kubernetes-fleet.io/[CAPACITY_TYPE]-[RESOURCE_NAME].
    r = raw(kube_emulator, "POST", CRPS, crp("p", policy=_required_property("resources.kubernetes-fleet.io/free-cpu")))
    assert r.status == 403
    assert r.json()["message"] == (
        CRP_WEBHOOK + "deny create/update v1beta1 CRP has invalid fields the placement policy field is invalid: "
        "invalid property name resources.kubernetes-fleet.io/free-cpu: invalid capacity type in resource property "
        "name resources.kubernetes-fleet.io/free-cpu, supported values are [allocatable available total]"
    )


def test_crp_property_name_with_an_empty_segment_is_denied(kube_emulator: KubeEmulator) -> None:
    r = raw(kube_emulator, "POST", CRPS, crp("p", policy=_required_property("kubernetes.azure.com//count")))
    assert r.status == 403
    assert "property name segment  is not valid: name part must be non-empty" in r.json()["message"]


def test_crp_property_names_upstream_accepts_are_admitted(kube_emulator: KubeEmulator) -> None:
    for i, name in enumerate(
        ["resources.kubernetes-fleet.io/available-cpu", "kubernetes.azure.com/vm-sizes/Standard_NC24ads_A100_v4/count"]
    ):
        assert raw(kube_emulator, "POST", CRPS, crp(f"p{i}", policy=_required_property(name))).status == 201


# ---- KEDA (kedacore/keda v2.20.2 apis/keda/v1alpha1/scaledobject_types.go CheckFallbackValid) ----------

SCALEDOBJECTS = "/apis/keda.sh/v1alpha1/namespaces/default/scaledobjects"
KEDA_WEBHOOK = 'admission webhook "vscaledobject.kb.io" denied the request: '


def scaled_object(*triggers: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "keda.sh/v1alpha1",
        "kind": "ScaledObject",
        "metadata": {"name": "phi-4"},
        "spec": {
            "scaleTargetRef": {"name": "phi-4"},
            "fallback": {"failureThreshold": 3, "replicas": 6},
            "triggers": list(triggers),
        },
    }


CPU = {"type": "cpu", "metricType": "Utilization", "metadata": {"value": "50"}}
QUEUE = {"type": "prometheus", "metadata": {"serverAddress": "http://p:9090", "query": "q", "threshold": "5"}}


def test_a_fallback_over_cpu_triggers_only_is_denied_by_the_keda_webhook(kube_emulator: KubeEmulator) -> None:
    r = raw(kube_emulator, "POST", SCALEDOBJECTS, scaled_object(CPU))
    assert r.status == 403
    assert r.json()["message"] == KEDA_WEBHOOK + (
        "at least one trigger (that is not cpu or memory) has to have the `AverageValue` type for the fallback "
        "to be enabled"
    )


def test_a_fallback_beside_a_trigger_that_is_not_cpu_is_admitted(kube_emulator: KubeEmulator) -> None:
    assert raw(kube_emulator, "POST", SCALEDOBJECTS, scaled_object(CPU, QUEUE)).status == 201


def test_scaling_modifiers_with_only_empty_fields_do_not_admit_a_cpu_only_fallback(kube_emulator: KubeEmulator) -> None:
    # IsUsingModifiers compares with ScalingModifiers{}: an empty formula is not using them.
    obj = scaled_object(CPU)
    obj["spec"]["advanced"] = {"scalingModifiers": {"formula": ""}}
    assert raw(kube_emulator, "POST", SCALEDOBJECTS, obj).status == 403
