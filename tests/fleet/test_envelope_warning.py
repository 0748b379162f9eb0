"""The pre-send warning reads what the envelopes a placement selects carry, as the hub places them
(kubefleet-dev/kubefleet e160c1cd pkg/controllers/workgenerator/controller.go processOneSelectedResource,
envelope.go extractManifestsFromEnvelopeCR; akscli.fleet.envelopes)."""

from __future__ import annotations

from typing import Any

from akscli.errors import NotInstalledError
from akscli.fleet import envelopes
from tests.cli import invoke
from tests.fleet.conftest import Hub
from tests.fleet.test_report_diff import canary_without_apps_and_a_deployment

E1 = "placement.kubernetes-fleet.io/v1beta1"


def _deployment(namespace: str) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "vllm", "namespace": namespace}}


def _envelope(name: str, namespace: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": E1,
        "kind": "ResourceEnvelope",
        "metadata": {"name": name, "namespace": namespace},
        "data": data,
    }


def _canary_failed_a_deployment(hub: Hub) -> None:
    """canary serves no apps/ API, and placement llm's Deployment failed there (DecodingErred)."""
    canary_without_apps_and_a_deployment(hub)
    assert invoke("fleet", "place", "llm", "--select", "namespace/llm", "--pick-fixed", "canary", "-y").exit_code == 0
    hub.settle()
    hub.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})


def test_a_kind_wrapped_in_a_selected_envelope_that_a_member_does_not_serve_is_warned_about(hub: Hub) -> None:
    _canary_failed_a_deployment(hub)
    hub.cluster.create(_envelope("bundle", "team", {"deploy.yaml": _deployment("team")}))
    result = invoke("fleet", "place", "team", "--select", "namespace/team", "--pick-fixed", "canary", "-y")
    assert result.exit_code == 0, result
    assert (
        "warning: placement team: member canary does not serve Deployment (apps/v1), wrapped in ResourceEnvelope "
        "team/bundle (placement llm failed to apply one there" in " ".join(result.stderr.split())
    )


def test_an_envelope_the_hub_refuses_whole_is_warned_about_before_sending(hub: Hub) -> None:
    hub.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    stray = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "other"}}
    hub.cluster.create(_envelope("bad", "team", {"cm.yaml": stray}))
    result = invoke("fleet", "place", "team", "--select", "namespace/team", "-y")
    assert result.exit_code == 0, result
    assert (
        "warning: placement team: ResourceEnvelope team/bad will not be placed: it wraps an object of namespace "
        "other (cm.yaml); it takes objects of team" in " ".join(result.stderr.split())
    )


def test_a_cluster_envelope_that_wraps_a_namespaced_object_is_refused() -> None:
    envelope = {"kind": "ClusterResourceEnvelope", "metadata": {"name": "crds"}, "data": {"d.yaml": _deployment("x")}}
    assert (
        envelopes.refusal(envelope)
        == "it wraps a namespaced object (d.yaml, namespace x); it takes cluster-scoped ones"
    )


class _Hub:
    def __init__(self, by_kind: dict[str, list[dict[str, Any]] | Exception]) -> None:
        self.by_kind = by_kind
        self.asked: list[tuple[str, str | None]] = []

    def list(self, api_version: str, kind: str, *, namespace: str | None = None, **_: Any) -> list[dict[str, Any]]:
        self.asked.append((kind, namespace))
        found = self.by_kind.get(kind, [])
        if isinstance(found, Exception):
            raise found
        return [e for e in found if (e["metadata"].get("namespace") or None) == namespace]


def _rp(*selectors: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "ResourcePlacement", "metadata": {"name": "rp", "namespace": "team"},
            "spec": {"resourceSelectors": list(selectors)}}  # fmt: skip


def test_a_resource_placement_selects_its_envelopes_by_name_or_labels() -> None:
    named = _envelope("bundle", "team", {"d.yaml": _deployment("team")})
    labelled = {**_envelope("other", "team", {"d.yaml": _deployment("team")})}
    labelled["metadata"] = {**labelled["metadata"], "labels": {"tier": "gpu"}}
    hub = _Hub({"ResourceEnvelope": [named, labelled]})
    by_name = {
        "group": "placement.kubernetes-fleet.io",
        "version": "v1beta1",
        "kind": "ResourceEnvelope",
        "name": "bundle",
    }
    by_label = {**by_name, "name": "", "labelSelector": {"matchLabels": {"tier": "gpu"}}}
    assert [e["metadata"]["name"] for e in envelopes.selected(hub, _rp(by_name))] == ["bundle"]  # type: ignore[arg-type]
    assert [e["metadata"]["name"] for e in envelopes.selected(hub, _rp(by_label))] == ["other"]  # type: ignore[arg-type]


def test_a_hub_without_the_envelope_crds_has_no_envelopes() -> None:
    hub = _Hub({"ResourceEnvelope": NotInstalledError("no ResourceEnvelope")})
    team = {"group": "", "version": "v1", "kind": "Namespace", "name": "team"}
    crp = {"kind": "ClusterResourcePlacement", "metadata": {"name": "p"}, "spec": {"resourceSelectors": [team]}}
    assert envelopes.selected(hub, crp) == []  # type: ignore[arg-type]
    assert hub.asked == [("ResourceEnvelope", "team")]


def test_a_namespace_placed_without_its_contents_carries_no_envelope() -> None:
    hub = _Hub({"ResourceEnvelope": [_envelope("bundle", "team", {"d.yaml": _deployment("team")})]})
    only = {"group": "", "version": "v1", "kind": "Namespace", "name": "team", "selectionScope": "NamespaceOnly"}
    crp = {"kind": "ClusterResourcePlacement", "metadata": {"name": "p"}, "spec": {"resourceSelectors": [only]}}
    assert envelopes.selected(hub, crp) == []  # type: ignore[arg-type]
    assert hub.asked == []


def _namespace(name: str, labels: dict[str, str]) -> dict[str, Any]:
    return {"kind": "Namespace", "metadata": {"name": name, "labels": labels}}


def test_namespaces_selected_by_labels_carry_their_envelopes() -> None:
    # fetchNamespaceResources: every namespace whose labels match, less the ones never propagated.
    hub = _Hub({
        "Namespace": [_namespace("team", {"tier": "gpu"}), _namespace("web", {"tier": "cpu"}),
                      _namespace("kube-system", {"tier": "gpu"})],
        "ResourceEnvelope": [_envelope("bundle", "team", {"d.yaml": _deployment("team")}),
                             _envelope("site", "web", {"d.yaml": _deployment("web")}),
                             _envelope("sys", "kube-system", {"d.yaml": _deployment("kube-system")})],
    })  # fmt: skip
    gpu = {"group": "", "version": "v1", "kind": "Namespace", "labelSelector": {"matchLabels": {"tier": "gpu"}}}
    crp = {"kind": "ClusterResourcePlacement", "metadata": {"name": "p"}, "spec": {"resourceSelectors": [gpu]}}
    assert [e["metadata"]["name"] for e in envelopes.selected(hub, crp)] == ["bundle"]  # type: ignore[arg-type]


def test_a_namespace_with_resource_selectors_carries_only_the_envelopes_selected_in_it() -> None:
    hub = _Hub({"ResourceEnvelope": [_envelope("bundle", "team", {"d.yaml": _deployment("team")}),
                                     _envelope("spare", "team", {"d.yaml": _deployment("team")})]})  # fmt: skip
    scoped = {"group": "", "version": "v1", "kind": "Namespace", "name": "team",
              "selectionScope": "NamespaceWithResourceSelectors"}  # fmt: skip
    bundle = {"group": "placement.kubernetes-fleet.io", "version": "v1beta1", "kind": "ResourceEnvelope",
              "name": "bundle"}  # fmt: skip
    crp = {
        "kind": "ClusterResourcePlacement",
        "metadata": {"name": "p"},
        "spec": {"resourceSelectors": [scoped, bundle]},
    }
    assert [e["metadata"]["name"] for e in envelopes.selected(hub, crp)] == ["bundle"]  # type: ignore[arg-type]
