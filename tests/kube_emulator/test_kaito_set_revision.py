"""What KAITO's InferenceSet controller writes besides Workspaces: its ControllerRevisions and
revision annotations, the labels it keeps on its Workspaces, and a status whose counts are left out
at 0 (upstream: kaito-project/kaito v0.12.0 pkg/inferenceset/inferenceset_controller.go
syncControllerRevision and addOrUpdateInferenceSet, api/v1beta1/inferenceset_types.go
InferenceSetStatus; the simulator's kaito_set_revision.py names the rest)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.kube_emulator.test_kaito_scheduling import inferenceset, kaito_lab

KAITO = "kaito.sh/v1beta1"


@pytest.fixture
def emu(kube_emulator: KubeEmulator) -> KubeEmulator:
    return kaito_lab(kube_emulator)


def _set(emu: KubeEmulator) -> dict[str, Any]:
    return emu.cluster.get(KAITO, "InferenceSet", "default", "phi") or {}


def _annotation(emu: KubeEmulator, key: str) -> str | None:
    return (_set(emu).get("metadata", {}).get("annotations") or {}).get(key)


def _revisions(emu: KubeEmulator) -> list[dict[str, Any]]:
    found = emu.cluster.list("apps/v1", "ControllerRevision", "default", "inferenceset.kaito.io/name=phi")
    return sorted(found, key=lambda r: int(r["revision"]))


def _scale(emu: KubeEmulator, replicas: int) -> None:
    emu.cluster.patch(KAITO, "InferenceSet", "default", "phi", {"spec": {"replicas": replicas}})


def _children(emu: KubeEmulator) -> list[dict[str, Any]]:
    return emu.cluster.list(KAITO, "Workspace", "default", label_selector="inferenceset.kaito.sh/created-by=phi")


def test_a_set_has_a_controller_revision_of_its_spec_and_names_it_in_its_annotations(emu: KubeEmulator) -> None:
    emu.cluster.create(inferenceset("phi", 1))
    assert wait_until(lambda: _annotation(emu, "inferenceset.kaito.io/revision") == "1")
    iset = _set(emu)
    digest = iset["metadata"]["annotations"]["inferenceset.kaito.io/hash"]
    [revision] = _revisions(emu)
    assert revision["metadata"]["name"] == f"phi-{digest[:5]}"
    assert revision["metadata"]["annotations"] == {"inferenceset.kaito.io/hash": digest}
    owner = revision["metadata"]["ownerReferences"][0]
    assert (owner["kind"], owner["uid"], owner["controller"]) == ("InferenceSet", iset["metadata"]["uid"], True)
    assert revision["data"]["Spec"]["replicas"] == 1


def test_each_scale_of_a_set_is_a_revision_and_a_spec_seen_before_takes_its_number_again(emu: KubeEmulator) -> None:
    # ComputeInferenceSetHash hashes the whole spec, replicas included.
    emu.cluster.create(inferenceset("phi", 1))
    assert wait_until(lambda: _annotation(emu, "inferenceset.kaito.io/revision") == "1")
    first = _annotation(emu, "inferenceset.kaito.io/hash")
    _scale(emu, 2)
    assert wait_until(lambda: _annotation(emu, "inferenceset.kaito.io/revision") == "2")
    assert _annotation(emu, "inferenceset.kaito.io/hash") != first
    _scale(emu, 1)
    assert wait_until(lambda: _annotation(emu, "inferenceset.kaito.io/hash") == first)
    assert _annotation(emu, "inferenceset.kaito.io/revision") == "1"
    assert [int(r["revision"]) for r in _revisions(emu)] == [1, 2]


def test_a_set_keeps_its_template_labels_and_inference_role_on_the_workspaces_it_made(emu: KubeEmulator) -> None:
    body = inferenceset("phi", 1)
    body["metadata"]["labels"] = {"kaito.sh/inference-role": "decode", "team": "ml"}
    body["spec"]["template"]["metadata"] = {"labels": {"tier": "gold"}}
    emu.cluster.create(body)
    assert wait_until(lambda: len(_children(emu)) == 1)
    [child] = _children(emu)
    labels = child["metadata"]["labels"]
    assert labels["tier"] == "gold" and labels["kaito.sh/inference-role"] == "decode"
    assert "team" not in labels  # only the role is taken from the set's own labels
    # GenerateStatefulSetManifest selects the role too (pkg/workspace/manifests/manifests.go).
    name = child["metadata"]["name"]
    assert wait_until(lambda: emu.cluster.get("apps/v1", "StatefulSet", "default", name) is not None)
    sts = emu.cluster.get("apps/v1", "StatefulSet", "default", name) or {}
    assert sts["spec"]["selector"]["matchLabels"] == {
        "kaito.sh/workspace": name,
        "inferenceset.kaito.sh/created-by": "phi",
        "kaito.sh/inference-role": "decode",
    }
    # A label added to the template later reaches the Workspace made before it; none is removed.
    template = {"metadata": {"labels": {"tier": "silver", "zone": "a"}}}
    emu.cluster.patch(KAITO, "InferenceSet", "default", "phi", {"spec": {"template": template}})

    def relabelled() -> bool:
        found = emu.cluster.get(KAITO, "Workspace", "default", name) or {}
        got = found.get("metadata", {}).get("labels") or {}
        return got.get("tier") == "silver" and got.get("zone") == "a"

    assert wait_until(relabelled)


def test_a_set_scaled_to_zero_leaves_its_counts_out_of_its_status_and_is_ready(emu: KubeEmulator) -> None:
    emu.cluster.create(inferenceset("phi", 1))
    assert wait_until(lambda: (_set(emu).get("status") or {}).get("replicas") == 1)
    _scale(emu, 0)

    def empty() -> bool:
        status = _set(emu).get("status") or {}
        ready = [c for c in status.get("conditions") or [] if c["type"] == "InferenceSetReady"]
        return not _children(emu) and bool(ready) and ready[0]["status"] == "True"

    assert wait_until(empty, timeout=10)
    status = _set(emu)["status"]
    assert "replicas" not in status and "readyReplicas" not in status
    assert status["selector"] == "inferenceset.kaito.sh/created-by=phi"
