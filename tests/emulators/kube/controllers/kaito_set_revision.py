"""What KAITO's InferenceSet controller writes besides its Workspaces and status, each behaviour
read in kaito-project/kaito v0.12.0 (8b050c7b, unchanged at 056b8280):

* The revision (pkg/inferenceset/inferenceset_controller.go syncControllerRevision, run on every
  live reconcile before addOrUpdateInferenceSet; pkg/utils/inferenceset/inferenceset.go
  ComputeInferenceSetHash, MarshalInferenceSetFields): a sha256 over the set's whole ``spec``,
  ``replicas`` included (so each scale of the set is a revision), kept in its annotation
  ``inferenceset.kaito.io/hash``. Each hash has an apps/v1 ControllerRevision
  ``NAME-<first 5 of the hash>``, annotated with the hash, labelled
  ``inferenceset.kaito.io/name: NAME``, owned by the set (controller reference), its ``data``
  ``{"Spec": spec}``: a new hash makes one numbered the latest + 1 (the oldest goes once more than
  10 were there, pkg/utils/consts/consts.go MaxRevisionHistoryLimit), a hash seen before takes that
  revision's number again; the number is the set's annotation ``inferenceset.kaito.io/revision``
  (api/v1beta1/labels.go InferenceSetRevisionAnnotation). The hash is Python's JSON, not Go's, so it
  is not KAITO's value: it changes on the same edits.
* The labels of its Workspaces (addOrUpdateInferenceSet, "Reconcile labels on existing
  workspaces"; NewWorkspaceForInferenceSet for a new one): the template's ``metadata.labels``, and
  from the set's own labels ``kaito.sh/inference-role`` (api/v1beta1/labels.go LabelInferenceRole)
  and ``multiroleinference.kaito.sh/created-by`` (api/v1alpha1/labels.go
  LabelMultiRoleInferenceParent), added or updated on every Workspace, never removed.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from tests.emulators.kube.controllers.kaito_workload import sync_controller_revision

HASH = "inferenceset.kaito.io/hash"  # inferenceset_controller.go InferenceSetHashAnnotation
REVISION = "inferenceset.kaito.io/revision"  # api/v1beta1/labels.go InferenceSetRevisionAnnotation
NAME_LABEL = "inferenceset.kaito.io/name"  # inferenceset_controller.go InferenceSetNameLabel
REVISION_HASH_SUFFIX = 5  # inferenceset_controller.go revisionHashSuffix
INFERENCE_ROLE = "kaito.sh/inference-role"  # api/v1beta1/labels.go LabelInferenceRole
MRI_PARENT = "multiroleinference.kaito.sh/created-by"  # api/v1alpha1/labels.go LabelMultiRoleInferenceParent


def compute_hash(iset: dict[str, Any]) -> str:
    """ComputeInferenceSetHash: one JSON document of the spec."""
    spec = json.dumps(iset.get("spec") or {}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(spec.encode() + b"\n").hexdigest()


def sync_revision(cluster: Any, iset: dict[str, Any]) -> str:
    """syncControllerRevision: the set's revision, that of the ControllerRevision of its hash, made
    (numbered the latest + 1) when the hash is new; both annotations written on the set (the same
    step as the Workspace's: kaito_workload.sync_controller_revision, with the set's keys; upstream:
    kaito-project/kaito v0.12.0 pkg/inferenceset/inferenceset_controller.go syncControllerRevision)."""
    keys = (HASH, REVISION, NAME_LABEL)
    return sync_controller_revision(cluster, iset, "InferenceSet", compute_hash(iset), keys, _controller_revision)


def _controller_revision(iset: dict[str, Any], current: str, number: int) -> dict[str, Any]:
    md = iset["metadata"]
    return {
        "apiVersion": "apps/v1",
        "kind": "ControllerRevision",
        "metadata": {
            "name": f"{md['name']}-{current[:REVISION_HASH_SUFFIX]}",
            "namespace": md["namespace"],
            "annotations": {HASH: current},
            "labels": {NAME_LABEL: str(md["name"])},
            "ownerReferences": [
                {
                    "apiVersion": iset["apiVersion"],
                    "kind": "InferenceSet",
                    "name": md["name"],
                    "uid": md.get("uid", ""),
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        },
        "revision": number,
        "data": {"Spec": iset.get("spec") or {}},  # MarshalInferenceSetFields
    }


def desired_labels(iset: dict[str, Any]) -> dict[str, str]:
    """The labels the set keeps on each of its Workspaces (beyond its created-by label)."""
    template_meta = ((iset.get("spec") or {}).get("template") or {}).get("metadata") or {}
    out = {str(k): str(v) for k, v in (template_meta.get("labels") or {}).items()}
    own = iset["metadata"].get("labels") or {}
    for key in (INFERENCE_ROLE, MRI_PARENT):
        if key in own:
            out[key] = str(own[key])
    return out


def sync_labels(cluster: Any, iset: dict[str, Any], children: list[dict[str, Any]]) -> None:
    """Add or update ``desired_labels`` on each Workspace that lacks one (a Client.Update of the
    Workspace read; here a merge patch of the labels that differ)."""
    wanted = desired_labels(iset)
    if not wanted:
        return
    for ws in children:
        have = ws["metadata"].get("labels") or {}
        missing = {k: v for k, v in wanted.items() if have.get(k) != v}
        if missing:
            md = ws["metadata"]
            cluster.patch(ws["apiVersion"], "Workspace", md["namespace"], md["name"], {"metadata": {"labels": missing}})
