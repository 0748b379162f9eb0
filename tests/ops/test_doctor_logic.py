"""Doctor checks that the Kubernetes emulator cannot serve (webhooks, APIServices), scoping with
--for, and which gaps block. The emulator tests in test_ops_emulator.py cover CRDs, pods and nodes."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.doctor import checks as doctor
from akscli.errors import CheckFailedError, UsageError
from tests.ops.fakes import FakeReader


def crd(name: str, *versions: str) -> dict[str, Any]:
    return {
        "kind": "CustomResourceDefinition",
        "metadata": {"name": name},
        "spec": {"versions": [{"name": v, "served": True} for v in versions]},
        "status": {"conditions": [{"type": "Established", "status": "True"}]},
    }


def pod(name: str, namespace: str, labels: dict[str, str], ready: bool = True) -> dict[str, Any]:
    return {
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "status": {
            "phase": "Running",
            "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
        },
    }


def service(name: str, namespace: str, selector: dict[str, str]) -> dict[str, Any]:
    return {
        "kind": "Service",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"selector": selector},
    }


def webhook(name: str, svc: str, namespace: str, failure_policy: str = "Fail") -> dict[str, Any]:
    return {
        "kind": "ValidatingWebhookConfiguration",
        "metadata": {"name": name},
        "webhooks": [
            {
                "name": "validate.kaito.sh",
                "failurePolicy": failure_policy,
                "clientConfig": {"service": {"name": svc, "namespace": namespace}},
            }
        ],
    }


def apiservice(name: str, available: bool) -> dict[str, Any]:
    return {
        "kind": "APIService",
        "metadata": {"name": name},
        "status": {"conditions": [{"type": "Available", "status": "True" if available else "False"}]},
    }


KAITO = (
    crd("workspaces.kaito.sh", "v1alpha1", "v1beta1"),
    crd("inferencesets.kaito.sh", "v1alpha1", "v1beta1"),
    pod("kaito-0", "kube-system", {"app.kubernetes.io/name": "workspace"}),
)


def results_for(reader: FakeReader, component: str, groups: tuple[str, ...] = ()) -> dict[str, str]:
    return {r.check: r.status for r in doctor.run(reader, groups) if r.component == component}


def test_a_healthy_kaito_install_passes_every_check() -> None:
    reader = FakeReader(
        *KAITO,
        webhook("validation-webhook.kaito.sh", "kaito-webhook", "kube-system"),
        service("kaito-webhook", "kube-system", {"app.kubernetes.io/name": "workspace"}),
    )
    statuses = results_for(reader, "kaito")
    assert set(statuses.values()) == {"ok"}
    assert "webhook validation-webhook.kaito.sh/validate.kaito.sh" in statuses


def test_webhook_without_a_ready_backend_is_not_ready() -> None:
    reader = FakeReader(
        *KAITO,
        webhook("validation-webhook.kaito.sh", "kaito-webhook", "kube-system"),
        service("kaito-webhook", "kube-system", {"app": "kaito-webhook"}),
        pod("wh-0", "kube-system", {"app": "kaito-webhook"}, ready=False),
    )
    results = [r for r in doctor.run(reader) if r.check.startswith("webhook")]
    assert [r.status for r in results] == ["not-ready"]
    assert "every request it checks fails" in results[0].detail


def test_webhook_whose_service_is_gone_is_missing() -> None:
    reader = FakeReader(*KAITO, webhook("validation-webhook.kaito.sh", "gone", "kube-system"))
    statuses = results_for(reader, "kaito")
    assert statuses["webhook validation-webhook.kaito.sh/validate.kaito.sh"] == "missing"


def test_ignore_failure_policy_is_mentioned_in_the_detail() -> None:
    reader = FakeReader(*KAITO, webhook("kaito-hook", "gone", "kube-system", failure_policy="Ignore"))
    (result,) = [r for r in doctor.run(reader, ("model",)) if r.check.startswith("webhook")]
    assert "failurePolicy Ignore" in result.detail


def test_a_server_without_webhook_apis_skips_webhook_checks() -> None:
    reader = FakeReader(*KAITO, unserved=("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"))
    assert not any(c.startswith("webhook") for c in results_for(reader, "kaito"))


def test_unavailable_metrics_apiservice_is_not_ready() -> None:
    reader = FakeReader(apiservice("v1beta1.metrics.k8s.io", available=False))
    assert results_for(reader, "metrics")["apiservice v1beta1.metrics.k8s.io"] == "not-ready"


def test_available_metrics_apiservice_is_ok() -> None:
    reader = FakeReader(apiservice("v1beta1.metrics.k8s.io", available=True))
    assert results_for(reader, "metrics")["apiservice v1beta1.metrics.k8s.io"] == "ok"


def test_unserved_apiservice_kind_is_unknown_not_missing() -> None:
    reader = FakeReader(unserved=("APIService",))
    assert results_for(reader, "metrics")["apiservice v1beta1.metrics.k8s.io"] == "unknown"


def test_crd_without_the_needed_version_asks_for_an_upgrade() -> None:
    reader = FakeReader(crd("workspaces.kaito.sh", "v1alpha1"))
    (result,) = [r for r in doctor.run(reader) if r.check == "crd workspaces.kaito.sh"]
    assert result.status == "not-ready"
    assert "needs v1beta1" in result.detail


def test_for_scopes_the_checks_to_the_named_groups() -> None:
    components = {r.component for r in doctor.run(FakeReader(), ("ray",))}
    assert components == {"kuberay", "gpu-nodes", "nap"}


def test_parse_groups_accepts_commas_and_repeats() -> None:
    assert doctor.parse_groups(["model,ray", "ray", " fleet "]) == ("model", "ray", "fleet")


def test_parse_groups_rejects_an_unknown_group() -> None:
    with pytest.raises(UsageError, match="unknown command group 'modle'"):
        doctor.parse_groups(["modle"])


def test_parse_groups_names_the_group_that_checks_a_component_given_for_a_group() -> None:
    # `doctor --for kaito`: before, the hint listed the groups without saying which one holds KAITO.
    with pytest.raises(UsageError) as info:
        doctor.parse_groups(["kaito"])
    assert (
        info.value.hint == "kaito is a component that --for model checks; use any of: model, ray, fleet, baremetal, gpu"
    )


def test_a_required_gap_blocks_with_the_fix_as_hint() -> None:
    results = doctor.run(FakeReader(), ("ray",))
    with pytest.raises(CheckFailedError) as caught:
        doctor.raise_if_blocked(results)
    assert "for ray" in caught.value.message
    assert "kuberay" in (caught.value.hint or "")


def test_optional_gaps_do_not_block() -> None:
    results = [r for r in doctor.run(FakeReader(), ("model",)) if r.component != "kaito"]
    assert any(not r.ok for r in results)
    doctor.raise_if_blocked(results)


def test_every_gap_carries_a_fix_and_every_pass_carries_none() -> None:
    for result in doctor.run(FakeReader(*KAITO)):
        assert bool(result.to_dict()["fix"]) == (not result.ok), result


def test_gpu_nodes_that_advertise_gpus_count_as_found() -> None:
    # doctor's summary said "not installed: gpu-nodes" beside its own "ok" row for them.
    from tests.baremetal.nodes import node

    found, absent = doctor.found_and_absent(doctor.run(FakeReader(node("gpu-0")), ("gpu",)))
    assert "gpu-nodes" in found and "gpu-nodes" not in absent


def test_a_cluster_without_gpu_nodes_has_gpu_nodes_absent() -> None:
    found, absent = doctor.found_and_absent(doctor.run(FakeReader(), ("gpu",)))
    assert "gpu-nodes" in absent and "gpu-nodes" not in found


def test_a_podmonitor_group_not_installed_is_no_gap_where_the_other_one_works() -> None:
    # Either PodMonitor group serves model deploy (akscli.model.kinds.PODMONITOR_APIS): the lab's
    # Prometheus Operator makes Azure Monitor's CRD needless, so no fix asks to enable it.
    reader = FakeReader(crd("podmonitors.monitoring.coreos.com", "v1"))
    results = [r for r in doctor.run(reader, ("model",)) if r.component == "azure-managed-prometheus"]
    assert [(r.status, r.fix) for r in results] == [("ok", "")]
    assert "not needed while Prometheus Operator" in results[0].detail
    assert doctor.found_and_absent(results)[1] == ["azure-managed-prometheus"]
    # Without either, both are gaps.
    assert set(results_for(FakeReader(), "azure-managed-prometheus").values()) == {"missing"}


def test_a_component_another_one_covers_is_summed_up_as_not_needed_not_as_not_installed() -> None:
    # doctor's summary said "not installed: azure-managed-prometheus" beside its own "ok" row.
    results = doctor.run(FakeReader(crd("podmonitors.monitoring.coreos.com", "v1")), ("model",))
    missed, covered = doctor.missing_and_covered(doctor.found_and_absent(results)[1], results)
    assert "azure-managed-prometheus" in covered and "azure-managed-prometheus" not in missed
    assert "kaito" in missed


def test_every_component_the_doctor_checks_has_a_row_in_the_operations_docs() -> None:
    from pathlib import Path

    from akscli.doctor.checklist import components

    text = (Path(__file__).resolve().parents[2] / "docs" / "operations.md").read_text()
    rows = {line.split("|")[1].strip() for line in text.splitlines() if line.startswith("| ")}
    assert [c.id for c in components() if c.id not in rows] == []
