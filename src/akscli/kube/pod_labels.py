"""The labels (and, where it is fixed, the name) a real Pod carries: its template's labels and those
its controllers add on the way from the object akscli sends to the Pod the API server admits. A
policy engine that selects Pods by label (Gatekeeper's labelSelector) sees these, not the template.
Plain logic: no I/O, no kubernetes import.

A value a controller computes that cannot be known before it runs (a template hash, a UID, a
generation) is ``None``: the key is set, its value unknown (``selector_covers`` decides Exists and
DoesNotExist on it, and takes any other requirement on it as met).

upstream (kubernetes/kubernetes, pkg/...):
- Deployment: controller/deployment/sync.go getNewReplicaSet gives the ReplicaSet's template
  ``labelsutil.CloneAndAddLabel(d.Spec.Template.Labels, apps.DefaultDeploymentUniqueLabelKey,
  podTemplateSpecHash)``: ``pod-template-hash``, a hash of the template (controller.ComputeHash).
  The ReplicaSet's pods then take their template's labels (controller/controller_utils.go
  getPodsLabelSet).
- StatefulSet: controller/statefulset/stateful_set_utils.go updateIdentity names the pod
  ``<set>-<ordinal>`` and sets ``statefulset.kubernetes.io/pod-name`` to that name and
  ``apps.kubernetes.io/pod-index`` to the ordinal (PodIndexLabel, GA in 1.32);
  newVersionedStatefulSetPod sets ``controller-revision-hash`` (apps.StatefulSetRevisionLabel) to
  the revision's name. Ordinals run from ``spec.ordinals.start`` (0) for ``spec.replicas`` (1).
- DaemonSet: controller/daemon/util/daemonset_util.go CreatePodTemplate sets
  ``pod-template-generation`` (the template generation) and ``controller-revision-hash``.
- Job: registry/batch/job/strategy.go generateSelector (unless ``spec.manualSelector``) adds
  ``batch.kubernetes.io/controller-uid`` and ``controller-uid`` (the Job's UID) and
  ``batch.kubernetes.io/job-name`` and ``job-name`` (its name) to the template, keeping a value the
  template already has (apis/batch/validation/validation.go validateGeneratedSelector expects
  them); an Indexed Job's pods also get ``batch.kubernetes.io/job-completion-index``
  (controller/job/indexed_job_utils.go addCompletionIndexLabel).
- CronJob: controller/cronjob/utils.go getJobFromTemplate2 names each Job after its schedule
  time, so its pods' job-name is not known; then as a Job.
- A RayJob's submitter (ray-project/kuberay feeaf72f ray-operator/controllers/ray/rayjob_controller.go
  getSubmitterTemplate and createNewK8sJob): the submitterPodTemplate (common/job.go
  GetSubmitterTemplate: KubeRay's default has no labels) plus ``ray.io/originated-from-cr-name``
  (the RayJob's name), ``ray.io/originated-from-crd: RayJob`` and
  ``app.kubernetes.io/created-by: kuberay-operator`` (utils/constant.go), in a Job named after the
  RayJob, with no manualSelector: then as a Job.
- A RayCluster's head and worker pods (kuberay feeaf72f ray-operator/controllers/ray/common/pod.go
  DefaultHeadPodTemplate, DefaultWorkerPodTemplate, mergeLabels, labelPod): the template's labels
  and the group's ``labels`` field merged, over KubeRay's ``ray.io/is-ray-node: yes``,
  ``ray.io/identifier`` (``<cluster>-head`` or ``-worker``, utils/util.go GenerateIdentifier;
  CheckLabel clips one over 63 characters, taken as unknown here), ``app.kubernetes.io/name:
  kuberay`` and ``app.kubernetes.io/created-by: kuberay-operator``; ``ray.io/cluster``,
  ``ray.io/node-type`` (head, worker) and ``ray.io/group`` (``headgroup`` or the group's name) are
  KubeRay's whatever the template says. BuildPod adds ``ray.io/serve`` (``false`` on a
  RayService's head, ``true`` on its workers). The cluster of a RayJob or a RayService is named
  ``<name>-<random>`` (utils/util.go GenerateRayClusterName), so its name is not known. The
  RayMultiHostIndexing feature gate's replica labels are not predicted.

Names (``PodGuess.name``, ``generate_name``; akscli.kube.pod_names matches them): a bare Pod's own, a
StatefulSet pod's ``<set>-<ordinal>``; the others' come from a generateName. controller_utils.go
getPodsPrefix (``<owner>-``) for a ReplicaSet, a ReplicationController, a DaemonSet and a
non-indexed Job; a Deployment's through its ReplicaSet ``<name>-<pod-template-hash>``; an Indexed
Job's ``<name>-<index>-`` (controller/job/indexed_job_utils.go podGenerateNameWithIndex); a CronJob's
through its Job ``<name>-<scheduled minutes>`` (getJobFromTemplate2). KubeRay (utils/util.go PodName,
ENABLE_DETERMINISTIC_HEAD_POD_NAME unset): ``<cluster[:50]>-head-`` and ``<(cluster-group)[:50]>-worker-``,
lowercased.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Enough to name every pod of any set akscli writes; beyond it the name and index are unknown.
MAX_ORDINALS = 1000


@dataclass(frozen=True)
class PodGuess:
    labels: Mapping[str, str | None]  # None: set by a controller, value not known here
    name: str = ""  # "" where the name is generated
    generate_name: str = ""  # the generateName the controller gives (akscli.kube.pod_names), or its known prefix
    generate_exact: bool = True  # False: only this prefix of the generateName is known


def _template_labels(template: Mapping[str, Any] | None) -> dict[str, str | None]:
    meta = (template or {}).get("metadata") or {}
    return {str(k): str(v) for k, v in (meta.get("labels") or {}).items()}


def _job(labels: dict[str, str | None], spec: Mapping[str, Any], name: str | None) -> dict[str, str | None]:
    """strategy.go generateSelector, and the completion index of an Indexed Job."""
    found = dict(labels)
    if not spec.get("manualSelector"):
        for key in ("batch.kubernetes.io/controller-uid", "controller-uid"):
            found.setdefault(key, None)
        for key in ("batch.kubernetes.io/job-name", "job-name"):
            found.setdefault(key, name)
    if spec.get("completionMode") == "Indexed":
        found["batch.kubernetes.io/job-completion-index"] = None
    return found


def _stateful_set(obj: Mapping[str, Any], labels: dict[str, str | None]) -> list[PodGuess]:
    spec = obj.get("spec") or {}
    name = str((obj.get("metadata") or {}).get("name") or "")
    start = int((spec.get("ordinals") or {}).get("start") or 0)
    replicas = spec.get("replicas")
    count = max(1, 1 if replicas is None else int(replicas))
    base = {**labels, "controller-revision-hash": None}
    if count > MAX_ORDINALS:
        return [PodGuess({**base, "statefulset.kubernetes.io/pod-name": None, "apps.kubernetes.io/pod-index": None})]
    pods = []
    for ordinal in range(start, start + count):
        pod = f"{name}-{ordinal}"
        pod_labels = {**base, "statefulset.kubernetes.io/pod-name": pod, "apps.kubernetes.io/pod-index": str(ordinal)}
        pods.append(PodGuess(pod_labels, pod))
    return pods


def ray_cluster_spec(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    """The RayCluster spec KubeRay makes pods from: a RayCluster's, a RayJob's rayClusterSpec, a
    RayService's rayClusterConfig."""
    spec = obj.get("spec") or {}
    kind = str(obj.get("kind"))
    found = {"RayJob": spec.get("rayClusterSpec"), "RayService": spec.get("rayClusterConfig")}.get(kind, spec)
    return found if isinstance(found, Mapping) else {}


def ray_group(obj: Mapping[str, Any], where: str) -> Mapping[str, Any]:
    """The headGroupSpec (``where`` "head group") or the workerGroupSpecs entry ("worker group <name>")."""
    cluster_spec = ray_cluster_spec(obj)
    found = [cluster_spec.get("headGroupSpec")] if where == "head group" else cluster_spec.get("workerGroupSpecs")
    groups = [g for g in found or [] if isinstance(g, Mapping)]
    if where != "head group":
        groups = [g for g in groups if f"worker group {g.get('groupName')}" == where]
    return groups[0] if groups else {}


def _ray_node(obj: Mapping[str, Any], where: str, labels: dict[str, str | None]) -> PodGuess:
    kind = obj.get("kind")
    head = where == "head group"
    group_name = where.removeprefix("worker group ")
    group = ray_group(obj, where)
    merged = {**labels, **{str(k): str(v) for k, v in (group.get("labels") or {}).items()}}
    cluster = str((obj.get("metadata") or {}).get("name") or "") if kind == "RayCluster" else None
    node_type = "head" if head else "worker"
    identifier = f"{cluster}-{node_type}" if cluster is not None else None
    found: dict[str, str | None] = {
        "ray.io/is-ray-node": "yes",
        "ray.io/identifier": identifier if identifier is None or len(identifier) <= 63 else None,
        "app.kubernetes.io/name": "kuberay",
        "app.kubernetes.io/created-by": "kuberay-operator",
    }
    found.update(merged)
    found.update(
        {"ray.io/cluster": cluster, "ray.io/node-type": node_type, "ray.io/group": "headgroup" if head else group_name}
    )
    if kind == "RayService":
        found["ray.io/serve"] = "false" if head else "true"
    name = str((obj.get("metadata") or {}).get("name") or "")
    if cluster is None:  # GenerateRayClusterName: <name>-<5 random>, then as below
        return PodGuess(found, generate_name=f"{name}-"[:50].lower(), generate_exact=False)
    base = cluster if head else f"{cluster}-{group_name}"
    return PodGuess(found, generate_name=f"{base[:50]}-{node_type}-".lower())


def pods(obj: Mapping[str, Any], where: str, template: Mapping[str, Any] | None) -> list[PodGuess]:
    """The Pods ``obj`` makes (``where``: podsecurity.pod_specs's label for a RayJob's submitter),
    each with the labels it will carry; ``template``: the pod template akscli wrote (None for
    KubeRay's default submitter)."""
    kind = obj.get("kind")
    spec = obj.get("spec") or {}
    name = str((obj.get("metadata") or {}).get("name") or "")
    labels = _template_labels(template)
    if where == "submitter":
        labels.update(
            {
                "ray.io/originated-from-cr-name": name,
                "ray.io/originated-from-crd": "RayJob",
                "app.kubernetes.io/created-by": "kuberay-operator",
            }
        )
        return [PodGuess(_job(labels, {}, name), generate_name=f"{name}-")]
    if where == "head group" or where.startswith("worker group "):
        return [_ray_node(obj, where, labels)]
    generate = f"{name}-"
    if kind == "Pod":
        meta = obj.get("metadata") or {}
        return [PodGuess(labels, name, "" if name else str(meta.get("generateName") or ""))]
    if kind == "Deployment":  # the ReplicaSet <name>-<pod-template-hash> makes them
        return [PodGuess({**labels, "pod-template-hash": None}, generate_name=generate, generate_exact=False)]
    if kind in ("ReplicaSet", "ReplicationController"):
        return [PodGuess(labels, generate_name=generate)]
    if kind == "StatefulSet":
        return _stateful_set(obj, labels)
    if kind == "DaemonSet":
        daemon = {**labels, "pod-template-generation": None, "controller-revision-hash": None}
        return [PodGuess(daemon, generate_name=generate)]
    if kind == "Job":
        if spec.get("completionMode") == "Indexed":
            # podGenerateNameWithIndex: <name>-<index>-, the name cut so that it fits 58 with the index;
            # what all indexes (0 to completions-1) share is known
            last = len(f"-{max(0, int(spec.get('completions') or 2**31 - 1) - 1)}-")
            known = generate if len(name) + last <= 58 else name[: 58 - last]
            return [PodGuess(_job(labels, spec, name), generate_name=known, generate_exact=False)]
        return [PodGuess(_job(labels, spec, name), generate_name=generate)]
    if kind == "CronJob":  # getJobFromTemplate2: the Job is <name>-<scheduled minutes>
        job_spec = (spec.get("jobTemplate") or {}).get("spec") or {}
        return [PodGuess(_job(labels, job_spec, None), generate_name=generate, generate_exact=False)]
    return [PodGuess(labels)]  # PodTemplate, others: the template's labels; the name not known
