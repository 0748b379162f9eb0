"""RayCluster as ray-project/kuberay v1.7 reconciles it (ray-operator/controllers/ray/raycluster_controller.go).

What a test can rely on, each with the upstream code it follows:

* Invalid names get a Warning event ``InvalidRayClusterMetadata`` and nothing else: no pods, no
  status (``rayClusterReconcile`` returns after ``utils.ValidateRayClusterMetadata``).
* ``desiredWorkerReplicas`` is each group's ``replicas`` clamped to [minReplicas, maxReplicas]
  times numOfHosts (``utils/util.go GetWorkerGroupDesiredReplicas``).
* ``readyWorkerReplicas`` counts Running and Ready workers, ``availableWorkerReplicas`` Running
  ones (``utils/util.go CalculateReadyReplicas``, ``CalculateAvailableReplicas``).
* ``state`` becomes ``ready`` once every pod runs and is ready, and is never set back: only
  ``suspended`` replaces it (``calculateStatus``). ``RayClusterProvisioned`` is not changed after it
  is first True, unless the cluster is suspended (same function).
* ``HeadPodReady`` mirrors the head pod's Ready condition (``utils/util.go FindHeadPodReadyCondition``);
  ``ReplicaFailure`` carries a pod-creation error and is removed when reconciling succeeds.
* With ``enableInTreeAutoscaling`` the head pod gets an ``autoscaler`` container after the Ray
  container (``common/pod.go BuildAutoscalerContainer``), and surplus workers are deleted only
  when named in ``scaleStrategy.workersToDelete``, which is then cleared (``reconcilePods``);
  without autoscaling surplus workers are deleted at random.
* With GCS fault tolerance, the Redis clean-up finalizer: ``gcs_ft`` (upstream: ray-project/kuberay
  v1.7.0 ray-operator/controllers/ray/raycluster_controller.go rayClusterReconcile).
* ``spec.suspend`` deletes every pod; ``RayClusterSuspending`` then ``RayClusterSuspended`` and
  ``state: suspended``.
* More than one pod with the head labels (a terminating one included) stops the reconcile: no pod
  is made or deleted and no status written, and no event is recorded (``reconcilePods``).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from tests.emulators.kube.cluster import omit_empty
from tests.emulators.kube.controllers import volume_prebind
from tests.emulators.kube.controllers.kuberay.common import (
    AUTOSCALER_CONTAINER,
    GPU,
    RAY,
    RAY_AUTOSCALER_MANAGER,
    autoscaling,
    controller_ref,
    desired_quantity,
    desired_replicas,
    find_condition,
    gpus,
    managed_elsewhere,
    metadata_problem,
    now,
    ray_start_command,
    remove_condition,
    running_and_ready,
    set_condition,
    suffix,
    with_ray_start,
)
from tests.emulators.kube.controllers.kuberay.gates import Gates
from tests.emulators.kube.controllers.kuberay.gcs_ft import redis_cleanup
from tests.emulators.kube.controllers.kuberay.probes import with_probes
from tests.emulators.kube.controllers.kuberay.services import head_address, head_labels, head_service, pod_labels
from tests.emulators.kube.controllers.kuberay.validation import cluster_spec_problem, cluster_upgrade_problem
from tests.emulators.kube.controllers.rescheduling import attempt_failed, mark_injected
from tests.emulators.kube.controllers.scheduling import NO_NODES, Placement, Scheduler


def head_pod_ready(head: dict[str, Any]) -> tuple[str, str, str]:
    """(status, reason, message) of HeadPodReady: upstream ray-project/kuberay v1.7.0
    ray-operator/controllers/ray/utils/util.go FindHeadPodReadyCondition and
    firstNotReadyContainerStatus. The head pod's Ready condition gives status and message, its
    reason (HeadPodRunningAndReady when a True one has none, Unknown without one); ContainersNotReady
    gives way to the first waiting or terminated container's reason, its message appended."""
    status = head.get("status") or {}
    ready = next((c for c in status.get("conditions") or [] if c.get("type") == "Ready"), None)
    if ready is None:
        return "False", "Unknown", ""
    reason, message = str(ready.get("reason") or ""), str(ready.get("message") or "")
    if ready.get("status") == "True" and not reason:
        reason = "HeadPodRunningAndReady"
    if reason == "ContainersNotReady":
        for container in status.get("containerStatuses") or []:
            state = container.get("state") or {}
            stuck = state.get("waiting") or state.get("terminated")
            if stuck is not None:
                reason = str(stuck.get("reason") or "")
                message += ("; " if message else "") + f"{container.get('name')}: {stuck.get('message') or ''}"
                break
    return str(ready.get("status")), reason or "Unknown", message


HEAD_NOT_FOUND = "HeadPodNotFound"  # ray-project/kuberay v1.7.0 ray-operator/apis/ray/v1/raycluster_types.go


def skips_head_restart(rc: Mapping[str, Any], conditions: list[dict[str, Any]], at: tuple[int, int]) -> bool:
    """Whether reconcilePods, finding no head pod, leaves it gone instead of making a new one: the
    cluster is RayClusterProvisioned and, from v1.6, annotated ray.io/disable-provisioned-head-restart
    "true" (rayjob_controller.go constructRayClusterForRayJob puts it on a SidecarMode job's cluster:
    a new head would not rerun the job); in v1.5, any cluster a RayJob made (label
    ray.io/originated-from-crd); before v1.5 never (upstream: ray-project/kuberay
    ray-operator/controllers/ray/raycluster_controller.go reconcilePods, shouldSkipHeadPodRestart at
    v1.6.0 and v1.7.0; the originated-from check at v1.5.0, v1.5.1; none at v1.4.2; kuberay PR 4234)."""
    provisioned = find_condition(conditions, "RayClusterProvisioned")
    if provisioned is None or provisioned.get("status") != "True":
        return False
    meta = rc.get("metadata") or {}
    if at >= (1, 6):
        return bool((meta.get("annotations") or {}).get("ray.io/disable-provisioned-head-restart") == "true")
    return at == (1, 5) and (meta.get("labels") or {}).get("ray.io/originated-from-crd") == "RayJob"


class ClusterReconciler:
    """The RayCluster half of the simulator; mixed into ``KubeRayController``."""

    failure: str | None
    _warned: set[str]
    _operator_pods: dict[str, bool]

    def _conditions_on(self, cluster: Any) -> bool:
        """The RayClusterStatusConditions gate of the operator found (gates.py); with no operator pod
        seen, the simulated release's default (on: ray-project/kuberay v1.7.0
        ray-operator/pkg/features/features.go), so ordinary reconciles list nothing."""
        return not self._operator_pods or Gates(cluster).on("RayClusterStatusConditions")

    def _provision(self, cluster: Any, ns: str, name: str) -> dict[str, Any]:
        rc = cluster.get(RAY, "RayCluster", ns, name)
        if rc is None or managed_elsewhere(rc):  # rayClusterReconcile skips it first (common.py)
            return dict(rc or {})
        # upstream: ray-project/kuberay v1.7.0 raycluster_controller.go validates the metadata first.
        problem = metadata_problem(rc)
        if problem:
            self._warn_once(
                cluster,
                rc,
                "InvalidRayClusterMetadata",
                f"The RayCluster metadata is invalid {ns}/{name}: {problem}",
            )
            return dict(rc)
        spec = rc.get("spec") or {}
        # upstream: ray-project/kuberay v1.7.0 raycluster_controller.go rayClusterReconcile: then
        # ValidateRayClusterSpec and ValidateRayClusterUpgradeOptions; a Warning event and no status.
        # The running operator's gates (ray-project/kuberay ray-operator/pkg/features/features.go at its tag: gates.py)
        problem = cluster_spec_problem(spec, rc["metadata"].get("annotations") or {}, Gates(cluster))
        if problem:
            self._warn_once(
                cluster, rc, "InvalidRayClusterSpec", f"The RayCluster spec is invalid {ns}/{name}: {problem}"
            )
            return dict(rc)
        problem = cluster_upgrade_problem(rc)
        if problem:
            self._warn_once(
                cluster,
                rc,
                "InvalidRayClusterSpec",
                f"The RayCluster UpgradeStrategy is invalid {ns}/{name}: {problem}",
            )
            return dict(rc)
        if redis_cleanup(self, cluster, rc):  # GCS fault tolerance's finalizer; a deleted cluster stops here
            return dict(cluster.get(RAY, "RayCluster", ns, name) or rc)
        status = copy.deepcopy(rc.get("status") or {})
        conditions: list[dict[str, Any]] = list(status.get("conditions") or [])
        pods = cluster.list("v1", "Pod", ns, label_selector=f"ray.io/cluster={name}")
        if spec.get("suspend"):
            return self._suspend_cluster(cluster, rc, pods, status, conditions)
        owner = controller_ref("RayCluster", rc)
        svc_name = self._head_service(cluster, ns, name, spec, owner)
        head_template = (spec.get("headGroupSpec") or {}).get("template") or {}
        heads = [p for p in pods if p["metadata"]["labels"].get("ray.io/node-type") == "head"]
        if len(heads) > 1:
            # upstream: ray-project/kuberay v1.7.0 raycluster_controller.go reconcilePods: more than one
            # pod with the head labels (terminating ones too) is an error ("Please delete extra head
            # pods") before any worker group; calculateStatus fails on it too (common/association.go
            # GetRayClusterHeadPod), so nothing is created or deleted and no status is written.
            return dict(rc)
        head: dict[str, Any] | None = heads[0] if heads else None
        error = None
        if head is None and skips_head_restart(rc, conditions, Gates(cluster).release()):
            pass  # reconcilePods returns before the workers: nothing made or deleted
        else:
            head = head or self._head_pod(cluster, ns, name, spec, head_template, owner, rc)
            error = self._reconcile_workers(cluster, rc, pods, owner)
        pods = cluster.list("v1", "Pod", ns, label_selector=f"ray.io/cluster={name}")
        head = next((p for p in pods if head is not None and p["metadata"]["name"] == head["metadata"]["name"]), head)
        workers = [p for p in pods if p["metadata"]["labels"].get("ray.io/node-type") == "worker"]
        groups = spec.get("workerGroupSpecs") or []
        desired = sum(desired_replicas(g) for g in groups)
        all_running = bool(pods) and all(running_and_ready(p) for p in pods)
        if error is None and len(pods) == desired + 1 and all_running:
            status["state"] = "ready"
            status["reason"] = None
        if error is None:
            remove_condition(conditions, "ReplicaFailure")
        else:
            set_condition(conditions, "ReplicaFailure", True, error[0], error[1])
        # calculateStatus: no head pod is HeadPodReady False, HeadPodNotFound (upstream:
        # ray-project/kuberay v1.7.0 ray-operator/controllers/ray/raycluster_controller.go).
        ready = head_pod_ready(head) if head else ("False", HEAD_NOT_FOUND, "Head Pod not found")
        set_condition(conditions, "HeadPodReady", *ready)
        provisioned = find_condition(conditions, "RayClusterProvisioned")
        if provisioned is None or provisioned.get("status") != "True":
            if all_running:
                set_condition(
                    conditions,
                    "RayClusterProvisioned",
                    True,
                    "AllPodRunningAndReadyFirstTime",
                    "All Ray Pods are ready for the first time",
                )
            else:
                set_condition(
                    conditions,
                    "RayClusterProvisioned",
                    False,
                    "RayClusterPodsProvisioning",
                    "RayCluster Pods are being provisioned for first time",
                )
        set_condition(conditions, "RayClusterSuspended", False, "RayClusterSuspended")
        set_condition(conditions, "RayClusterSuspending", False, "RayClusterSuspending")
        if status.get("state") == "suspended":
            status["state"] = None
        svc = cluster.get("v1", "Service", ns, svc_name) or {"spec": {"ports": []}}
        head_ip = ((head or {}).get("status") or {}).get("podIP", "")
        gpu = gpus(head_template)
        sized: list[tuple[Mapping[str, Any], int]] = [(head_template, 1)]
        for group in groups:
            if group.get("suspend"):
                continue
            # utils/util.go CalculateDesiredResources multiplies by the group's own replicas.
            count = int(group.get("replicas") or 0) * int(group.get("numOfHosts") or 1)
            template = group.get("template") or {}
            sized.append((template, count))
            gpu += count * gpus(template)
        status.update(
            {
                "desiredWorkerReplicas": desired,
                "readyWorkerReplicas": sum(1 for p in workers if running_and_ready(p)),
                "availableWorkerReplicas": sum(1 for p in workers if (p.get("status") or {}).get("phase") == "Running"),
                # utils/util.go CalculateMinReplicas, CalculateMaxReplicas: suspended groups left
                # out; the maximum held to an int32 (SafeInt64ToInt32).
                "minWorkerReplicas": sum(
                    int(g.get("minReplicas") or 0) * int(g.get("numOfHosts") or 1)
                    for g in groups
                    if not g.get("suspend")
                ),
                "maxWorkerReplicas": min(
                    sum(
                        int(g.get("maxReplicas") if g.get("maxReplicas") is not None else 2**31 - 1)
                        * int(g.get("numOfHosts") or 1)
                        for g in groups
                        if not g.get("suspend")
                    ),
                    2**31 - 1,
                ),
                "desiredCPU": desired_quantity(sized, "cpu"),
                "desiredMemory": desired_quantity(sized, "memory"),
                "desiredGPU": str(gpu),
                "desiredTPU": "0",
                "head": {
                    # updateHeadInfo: no head pod empties both (omitempty: the keys go).
                    "podName": head["metadata"]["name"] if head else None,
                    "podIP": head_ip if head else None,
                    "serviceName": svc_name,
                    # getHeadServiceIPAndName: a headless head Service reports the head pod's IP.
                    "serviceIP": head_ip if svc["spec"].get("clusterIP") == "None" else svc["spec"].get("clusterIP"),
                },
                # updateEndpoints: the head Service's named ports (targetPort defaults to port).
                "endpoints": {str(p["name"]): str(p.get("targetPort") or p["port"]) for p in svc["spec"]["ports"]},
                "conditions": conditions,
                "observedGeneration": rc["metadata"].get("generation", 1),
                "lastUpdateTime": now(),
            }
        )
        return _update_status(cluster, rc, status, self._conditions_on(cluster))

    def _warn_once(self, cluster: Any, obj: dict[str, Any], reason: str, message: str) -> None:
        # Once per message: KubeRay records one on every reconcile and the event recorder folds
        # repeats into a count; a new problem is a new event.
        key = f"{obj.get('kind')}/{obj['metadata'].get('namespace')}/{obj['metadata']['name']}/{reason}/{message}"
        if key not in self._warned:
            self._warned.add(key)
            cluster.add_event(obj, reason, message, type="Warning")

    def _suspend_cluster(
        self,
        cluster: Any,
        rc: dict[str, Any],
        pods: list[dict[str, Any]],
        status: dict[str, Any],
        conditions: list[dict[str, Any]],
    ) -> dict[str, Any]:
        # raycluster_controller.go: suspend deletes all pods, then calculateStatus moves
        # RayClusterSuspending -> RayClusterSuspended and sets state "suspended".
        ns = rc["metadata"]["namespace"]
        set_condition(conditions, "RayClusterSuspending", True, "RayClusterSuspending")
        for pod in pods:
            cluster.delete("v1", "Pod", ns, pod["metadata"]["name"])
        set_condition(
            conditions, "RayClusterProvisioned", False, "RayClusterPodsProvisioning", "RayCluster has been suspended"
        )
        set_condition(conditions, "RayClusterSuspending", False, "RayClusterSuspending")
        set_condition(conditions, "RayClusterSuspended", True, "RayClusterSuspended")
        status.update(
            state="suspended",
            conditions=conditions,
            readyWorkerReplicas=0,
            availableWorkerReplicas=0,
            observedGeneration=rc["metadata"].get("generation", 1),
            lastUpdateTime=now(),
        )
        return _update_status(cluster, rc, status, self._conditions_on(cluster))

    def _head_service(self, cluster: Any, ns: str, name: str, spec: dict[str, Any], owner: dict[str, Any]) -> str:
        # upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/utils/util.go
        # GenerateHeadServiceName (RayClusterCRD: headGroupSpec.headService.name wins) and
        # common/service.go BuildServiceForHeadPod (see services.py).
        custom = ((spec.get("headGroupSpec") or {}).get("headService") or {}).get("metadata") or {}
        svc_name = str(custom.get("name") or f"{name}-head-svc")
        if cluster.get("v1", "Service", ns, svc_name) is None:
            cluster.create(head_service(svc_name, ns, name, spec, head_labels(name), owner))
        return svc_name

    def _head_pod(
        self,
        cluster: Any,
        ns: str,
        name: str,
        spec: dict[str, Any],
        template: dict[str, Any],
        owner: dict[str, Any],
        rc: Mapping[str, Any],
    ) -> dict[str, Any]:
        template = copy.deepcopy(template)
        containers = (template.setdefault("spec", {})).setdefault("containers", [])
        if autoscaling(spec) and containers:
            # common/pod.go BuildAutoscalerContainer: appended to the head pod, on the head's
            # image unless autoscalerOptions.image says otherwise, 500m CPU and 512Mi.
            image = (spec.get("autoscalerOptions") or {}).get("image") or containers[0].get("image")
            containers.append(
                {
                    "name": AUTOSCALER_CONTAINER,
                    "image": image,
                    "args": [
                        "ray kuberay-autoscaler --cluster-name $(RAY_CLUSTER_NAME) "
                        "--cluster-namespace $(RAY_CLUSTER_NAMESPACE)"
                    ],
                    "resources": {
                        "limits": {"cpu": "500m", "memory": "512Mi"},
                        "requests": {"cpu": "500m", "memory": "512Mi"},
                    },
                }
            )
        pod_name = f"{name}-head-{suffix(ns, name)}"
        params = (spec.get("headGroupSpec") or {}).get("rayStartParams") or {}
        return self._pod(cluster, ns, pod_name, name, "head", "headgroup", template, owner, params, made_by=rc)

    def _reconcile_workers(
        self, cluster: Any, rc: dict[str, Any], pods: list[dict[str, Any]], owner: dict[str, Any]
    ) -> tuple[str, str] | None:
        """Create and delete worker pods as ``reconcilePods`` does; a (reason, message) on failure."""
        ns, name = rc["metadata"]["namespace"], rc["metadata"]["name"]
        spec = rc.get("spec") or {}
        groups = spec.get("workerGroupSpecs") or []
        wanted = {str(g.get("groupName")) for g in groups}
        for pod in pods:
            labels = pod["metadata"]["labels"]
            if labels.get("ray.io/node-type") == "worker" and labels.get("ray.io/group") not in wanted:
                cluster.delete("v1", "Pod", ns, pod["metadata"]["name"])
        cleared: list[int] = []
        for index_of_group, group in enumerate(groups):
            gname = str(group.get("groupName"))
            mine = sorted(
                (
                    p
                    for p in pods
                    if p["metadata"]["labels"].get("ray.io/group") == gname
                    and p["metadata"]["labels"].get("ray.io/node-type") == "worker"
                ),
                key=lambda p: p["metadata"]["name"],
            )
            # "Always remove the specified WorkersToDelete - regardless of the value of Replicas."
            to_delete = set((group.get("scaleStrategy") or {}).get("workersToDelete") or [])
            if to_delete:
                for pod in mine:
                    if pod["metadata"]["name"] in to_delete:
                        cluster.delete("v1", "Pod", ns, pod["metadata"]["name"])
                mine = [p for p in mine if p["metadata"]["name"] not in to_delete]
                group["scaleStrategy"] = {"workersToDelete": []}
                cleared.append(index_of_group)
            want = desired_replicas(group)
            if len(mine) > want and not autoscaling(spec):
                for extra in mine[want:]:
                    cluster.delete("v1", "Pod", ns, extra["metadata"]["name"])
            index = 0
            names = {p["metadata"]["name"] for p in mine}
            count = len(mine)
            while count < want:
                pod_name = f"{name}-{gname}-worker-{suffix(ns, name, gname, str(index))}"
                index += 1
                if pod_name in names:
                    continue
                template = group.get("template") or {}
                if self.failure == "quota" and gpus(template):
                    # What the API server answers a pod over a ResourceQuota; KubeRay records it as
                    # ReplicaFailure (utils/constant.go ErrFailedCreateWorkerPod).
                    message = (
                        f'pods "{pod_name}" is forbidden: exceeded quota: gpu-quota, requested: '
                        f"requests.{GPU}=1, used: requests.{GPU}=0, limited: requests.{GPU}=0"
                    )
                    self._warn_once(cluster, rc, "FailedToCreateWorkerPod", f"Failed to create worker Pod: {message}")
                    return "FailedCreateWorkerPod", message
                params = group.get("rayStartParams") or {}
                self._pod(
                    cluster, ns, pod_name, name, "worker", gname, template, owner, params, head_address(rc), made_by=rc
                )
                count += 1
        if cleared:
            current = cluster.get(RAY, "RayCluster", ns, name)
            if current is not None:
                read_at = current["metadata"].get("resourceVersion")
                # emulator-only timing: ray-project/kuberay feeaf72f ray-operator/controllers/ray/
                # raycluster_controller.go reconcilePods clears WorkersToDelete on its loop's copy of the
                # group and writes no spec; the Ray autoscaler clears it once those pods are gone
                # (ray-project/ray python/ray/autoscaler/_private/kuberay/node_provider.py safe_to_scale,
                # worker_delete_patch), a JSON patch as python-requests. The emulator sends that patch here.
                ops = [
                    {
                        "op": "replace",
                        "path": f"/spec/workerGroupSpecs/{i}/scaleStrategy",
                        "value": {"workersToDelete": []},
                    }
                    for i in cleared
                ]
                updated = cluster.json_patch(RAY, "RayCluster", ns, name, ops, manager=RAY_AUTOSCALER_MANAGER)
                if read_at == rc["metadata"].get("resourceVersion"):
                    # the status update after it carries the new resourceVersion, so it does not
                    # conflict with this write
                    rc["metadata"]["resourceVersion"] = updated["metadata"]["resourceVersion"]
        return None

    def _pod(
        self,
        cluster: Any,
        ns: str,
        pod_name: str,
        rc: str,
        node_type: str,
        group: str,
        template: dict[str, Any],
        owner: dict[str, Any],
        params: Mapping[str, Any],
        address: str = "",
        made_by: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        spec = copy.deepcopy(template.get("spec") or {})
        # common/pod.go BuildPod: the Ray container's `ray start` line (common.ray_start_command).
        resources = ((spec.get("containers") or [{}])[0]).get("resources") or {}
        annotations = (template.get("metadata") or {}).get("annotations") or {}
        with_ray_start(spec, annotations, ray_start_command(node_type, params, resources, address))
        # ray-project/kuberay ray-operator/controllers/ray/common/pod.go BuildPod: the Ray container's probes
        # (probes.py), as the RayCluster's version and creator say
        rc_obj = made_by or {}
        creator = ((rc_obj.get("metadata") or {}).get("labels") or {}).get("ray.io/originated-from-crd")
        version = str((rc_obj.get("spec") or {}).get("rayVersion") or "")
        with_probes(spec, node_type, params, version, creator == "RayService")
        # common/pod.go labelPod: the template's labels override KubeRay's, except these three.
        labels = pod_labels(rc, node_type, group)
        for key, value in ((template.get("metadata") or {}).get("labels") or {}).items():
            if key not in ("ray.io/node-type", "ray.io/group", "ray.io/cluster"):
                labels[key] = value
        # KubeRay creates the pod (ray-project/kuberay v1.7.0 ray-operator/controllers/ray/raycluster_controller.go),
        # placed as kube-scheduler would (scheduling.py); an injected unschedulable-gpu stays Pending for good.
        injected = self.failure == "unschedulable-gpu" and gpus({"spec": spec}) > 0
        placement = (
            None
            if injected
            else Scheduler(cluster).place(spec, str(owner.get("uid", "")), {"namespace": ns, "labels": labels})
        )
        if placement is not None and placement.node is None and not placement.message:
            # No Node at all: Pending, never Ready, until one comes (the Rescheduler binds it then), the StatefulSet
            # controller's rule (builtin.py; upstream: kubernetes/kubernetes pkg/scheduler/schedule_one.go
            # schedulePod, ErrNoNodesAvailable; scheduling.NO_NODES).
            placement = Placement(None, NO_NODES)
        # VolumeBinding's PreBind (kubernetes/kubernetes pkg/scheduler/framework/plugins/volumebinding/binder.go
        # BindPodVolumes; volume_prebind.py), as pods.py _make_pod: a pod placed with claims to bind first, or
        # with generic ephemeral volumes whose claims are not made yet, is created unbound, reported once bound.
        waits = (
            placement is not None
            and bool(placement.node)
            and bool(placement.claims or any(v.get("ephemeral") for v in spec.get("volumes") or []))
        )
        if placement is not None and placement.node and not waits:
            spec["nodeName"] = placement.node
        created = cluster.create(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": pod_name, "namespace": ns, "labels": labels, "ownerReferences": [owner]},
                "spec": spec,
            }
        )
        pod = {"metadata": {"name": pod_name, "namespace": ns, "labels": labels}, "spec": spec}
        containers = [c.get("name", "ray") for c in spec.get("containers") or []]
        image = next((c.get("image") for c in spec.get("containers") or []), "")
        pull_failed = ""  # the kubelet's Failed event, once it tries to pull (image-pull)
        if injected or (placement is not None and placement.node is None and placement.message):
            message = (
                f"0/3 nodes are available: 3 Insufficient {GPU}. preemption: 0/3 nodes are "
                "available: 3 No preemption victims found for incoming pod."
            )
            if injected:
                mark_injected(cluster, created)
            else:
                assert placement is not None
                message = placement.message
            status = {
                "phase": "Pending",
                "conditions": [
                    {"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": message}
                ],
            }
            cluster.add_event(pod | {"apiVersion": "v1", "kind": "Pod"}, "FailedScheduling", message, type="Warning")
        elif self.failure == "image-pull":
            message = f'Back-off pulling image "{image}"'
            # The kubelet's Ready condition (upstream: kubernetes/kubernetes pkg/kubelet/status/generate.go
            # GeneratePodReadyCondition): ContainersNotReady, naming the unready containers.
            unready = {
                "type": "Ready",
                "status": "False",
                "reason": "ContainersNotReady",
                "message": f"containers with unready status: [{' '.join(containers)}]",
            }
            status = {
                "phase": "Pending",
                "conditions": [{"type": "PodScheduled", "status": "True"}, unready],
                "containerStatuses": [
                    {
                        "name": c,
                        "ready": False,
                        "image": image,
                        "restartCount": 0,
                        "state": {"waiting": {"reason": "ImagePullBackOff", "message": message}},
                    }
                    for c in containers
                ],
            }
            pull_failed = f'Failed to pull image "{image}": rpc error: code = NotFound desc = {image}: not found'
        else:
            digest = int(suffix(ns, pod_name).encode().hex(), 16)
            ip = f"10.244.{digest % 250}.{digest % 200 + 2}"
            status = {
                "phase": "Running",
                "podIP": ip,
                "podIPs": [{"ip": ip}],  # kubernetes/kubernetes pkg/apis/core/types.go: PodIP = PodIPs[0]
                "conditions": [{"type": "PodScheduled", "status": "True"}, {"type": "Ready", "status": "True"}],
                "containerStatuses": [
                    {
                        "name": c,
                        "ready": True,
                        "image": image,
                        "restartCount": 0,
                        "state": {"running": {"startedAt": now()}},
                    }
                    for c in containers
                ],
            }

        def report(cluster: Any, bound: dict[str, Any]) -> dict[str, Any]:
            """The kubelet of the node the pod is bound to: its events and logs, then its status
            sync, a patch from the pod as read (kubernetes/kubernetes pkg/kubelet/status/
            status_manager.go syncPod, pkg/util/pod/pod.go PatchPodStatus)."""
            if pull_failed:
                cluster.add_event(pod | {"apiVersion": "v1", "kind": "Pod"}, "Failed", pull_failed, type="Warning")
            for container in containers if status["phase"] == "Running" else []:
                text = (
                    f"autoscaler of {rc} started\n"
                    if container == AUTOSCALER_CONTAINER
                    else f"ray {node_type} {pod_name} started\n"
                )
                cluster.write_pod_log(bound, text, container=container)  # none for a pod deleted since its read
            reported = dict(cluster.patch_pod_status(bound, status))
            if placement is not None and placement.node is None:  # tried again after an event in flight
                attempt_failed(cluster, reported, placement.cycle)  # (rescheduling.py: kube-scheduler's queue)
            return reported

        if waits:
            assert placement is not None and placement.node is not None
            if volume_prebind.hold(cluster, created, placement.node, placement.claims, new=True, start=report):
                return dict(created)
            created = cluster.bind(ns, pod_name, placement.node)  # a stored pod's node: pod_update_validation.py
        return report(cluster, created)


def _update_status(cluster: Any, rc: dict[str, Any], status: dict[str, Any], conditions_on: bool) -> dict[str, Any]:
    """updateRayClusterStatus: Status().Update of the RayCluster as the reconcile read it, so a 409
    Conflict (another writer since) ends the reconcile and requeues it (upstream: ray-project/kuberay
    ray-operator/controllers/ray/raycluster_controller.go updateRayClusterStatus, rayClusterReconcile
    returns updateErr). None stands for a field Go's omitempty leaves out. With the
    RayClusterStatusConditions gate off calculateStatus touches no condition (upstream: ray-project/kuberay
    v1.7.0 raycluster_controller.go calculateStatus, statusConditionGateEnabled): those read are kept."""
    if not conditions_on:
        status = {**status, "conditions": (rc.get("status") or {}).get("conditions")}
    return dict(cluster.update_status({**rc, "status": omit_empty(status)}))
