"""The defaults kube-apiserver gives a v1 Pod when it decodes one, so a Pod reads back as a real
server stores it.

upstream: kubernetes/kubernetes 023f88a3 pkg/apis/core/v1/defaults.go:
- SetDefaults_Pod: a container's (and an init container's) missing request is its limit, only
  on a Pod, not on a PodTemplate; enableServiceLinks true; with hostNetwork, a port's hostPort is
  its containerPort. (The pod-level resources defaults need the PodLevelResources gate, off in
  v1.32, the version the emulator reports.)
- SetDefaults_PodSpec: dnsPolicy ClusterFirst, restartPolicy Always, securityContext {},
  terminationGracePeriodSeconds 30, schedulerName default-scheduler.
- SetDefaults_Container: imagePullPolicy Always for the tag "latest" (no tag and no digest is
  "latest": pkg/util/parsers/parsers.go ParseImageName), else IfNotPresent;
  terminationMessagePath /dev/termination-log, terminationMessagePolicy File.
- SetDefaults_Probe (timeoutSeconds 1, periodSeconds 10, successThreshold 1, failureThreshold 3),
  SetDefaults_HTTPGetAction (path "/", scheme HTTP), SetDefaults_ObjectFieldSelector (apiVersion
  v1), SetDefaults_Volume (no source is an emptyDir), the volume sources' defaultMode 420
  (0644), a projected service account token's expirationSeconds 3600, SetDefaults_HostPathVolumeSource
  (type "").
A container's resources read back as {} when none are given: Go encodes the struct field
whatever it holds. Container ports' protocol TCP (a declarative default) is in the emulator's
kind defaults. A
ResourceList's quantities are rounded up to milli and printed canonically when the object is
decoded (builtin_schema, quantities.py).

A workload's template (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob,
ReplicationController, PodTemplate) gets the pod spec's defaults but not SetDefaults_Pod's.
The admission plugins' additions to a Pod are in admission_pods.py.
"""

from __future__ import annotations

from typing import Any

_PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
_PROBE_DEFAULTS = (("timeoutSeconds", 1), ("periodSeconds", 10), ("successThreshold", 1), ("failureThreshold", 3))
# the volume sources of a v1.VolumeSource (AllPtrFieldsNil is true when none is set)
_VOLUME_SOURCES = (
    "hostPath",
    "emptyDir",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "persistentVolumeClaim",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "downwardAPI",
    "fc",
    "azureFile",
    "configMap",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "projected",
    "portworxVolume",
    "scaleIO",
    "storageos",
    "csi",
    "ephemeral",
    "image",
)
_DEFAULT_MODE = 420  # 0644: v1.SecretVolumeSourceDefaultMode and its siblings


def image_tag(image: str) -> str:
    """The tag ParseImageName gives: the reference's tag, "latest" where it has neither tag nor
    digest, "" where it has only a digest (upstream: kubernetes/kubernetes pkg/util/parsers/
    parsers.go ParseImageName). A reference that does not parse has no tag there; here only an
    empty one is taken as not parsing."""
    if not image.strip():
        return ""
    name, _, digest = image.partition("@")
    last = name.rsplit("/", 1)[-1]
    tag = last.rpartition(":")[2] if ":" in last else ""
    if not tag and not digest:
        return "latest"
    return tag


def _container(c: dict[str, Any]) -> None:
    if not c.get("imagePullPolicy"):
        c["imagePullPolicy"] = "Always" if image_tag(str(c.get("image") or "")) == "latest" else "IfNotPresent"
    c.setdefault("terminationMessagePath", "/dev/termination-log")
    c.setdefault("terminationMessagePolicy", "File")
    c.setdefault("resources", {})
    for key in _PROBES:
        probe = c.get(key)
        if isinstance(probe, dict):
            for field, value in _PROBE_DEFAULTS:
                if not probe.get(field):
                    probe[field] = value
            get = probe.get("httpGet")
            if isinstance(get, dict):
                get.setdefault("path", "/")
                get.setdefault("scheme", "HTTP")
    for env in c.get("env") or []:
        ref = ((env.get("valueFrom") or {}) if isinstance(env, dict) else {}).get("fieldRef")
        if isinstance(ref, dict) and not ref.get("apiVersion"):
            ref["apiVersion"] = "v1"
    for port in c.get("ports") or []:
        if isinstance(port, dict):
            port.setdefault("protocol", "TCP")


def _host_network_ports(c: dict[str, Any]) -> None:
    """defaultHostNetworkPorts: a port's missing hostPort is its containerPort."""
    for port in c.get("ports") or []:
        if isinstance(port, dict) and not port.get("hostPort"):
            port["hostPort"] = port.get("containerPort")


def _requests_from_limits(c: dict[str, Any]) -> None:
    res = c.get("resources")
    if not isinstance(res, dict) or res.get("limits") is None:
        return
    requests = res.get("requests")
    if not isinstance(requests, dict):
        requests = res["requests"] = {}
    for name, value in (res.get("limits") or {}).items():
        requests.setdefault(name, value)


def _volume(v: dict[str, Any]) -> None:
    if not any(v.get(k) is not None for k in _VOLUME_SOURCES):
        v["emptyDir"] = {}
    for key in ("secret", "configMap", "downwardAPI", "projected"):
        src = v.get(key)
        if isinstance(src, dict) and src.get("defaultMode") is None:
            src["defaultMode"] = _DEFAULT_MODE
    projected = v.get("projected")
    for source in (projected.get("sources") or []) if isinstance(projected, dict) else []:
        token = source.get("serviceAccountToken") if isinstance(source, dict) else None
        if isinstance(token, dict) and token.get("expirationSeconds") is None:
            token["expirationSeconds"] = 3600
    host_path = v.get("hostPath")
    if isinstance(host_path, dict) and host_path.get("type") is None:
        host_path["type"] = ""


def set_defaults_pod_spec(spec: dict[str, Any]) -> None:
    """What the generated defaulters apply to every v1.PodSpec, a Pod's and a template's alike:
    SetDefaults_PodSpec, SetDefaults_Container and the defaults of the volumes, probes and field
    references it holds; container ports' protocol TCP (a declarative default), in place."""
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for c in spec.get(key) or []:
            if isinstance(c, dict):
                _container(c)
    for v in spec.get("volumes") or []:
        if isinstance(v, dict):
            _volume(v)
    if not spec.get("dnsPolicy"):
        spec["dnsPolicy"] = "ClusterFirst"
    if not spec.get("restartPolicy"):
        spec["restartPolicy"] = "Always"
    if spec.get("securityContext") is None:
        spec["securityContext"] = {}
    if spec.get("terminationGracePeriodSeconds") is None:
        spec["terminationGracePeriodSeconds"] = 30
    if not spec.get("schedulerName"):
        spec["schedulerName"] = "default-scheduler"


def set_defaults_pod(pod: dict[str, Any]) -> None:
    """SetDefaults_Pod (a Pod's only), then the pod spec's defaults, in place."""
    spec = pod.get("spec")
    if not isinstance(spec, dict):
        return
    for key in ("initContainers", "containers"):
        for c in spec.get(key) or []:
            if isinstance(c, dict):
                _requests_from_limits(c)
                if spec.get("hostNetwork"):
                    _host_network_ports(c)
    if spec.get("enableServiceLinks") is None:
        spec["enableServiceLinks"] = True
    set_defaults_pod_spec(spec)


# where each built-in workload kind holds its PodTemplateSpec (the generated defaulters of apps/v1,
# batch/v1 and core/v1 call the pod spec's defaults there: kubernetes/kubernetes
# pkg/apis/apps/v1/zz_generated.defaults.go, pkg/apis/batch/v1/zz_generated.defaults.go,
# pkg/apis/core/v1/zz_generated.defaults.go)
TEMPLATE_PATHS: dict[tuple[str, str], tuple[str, ...]] = {
    ("apps", "Deployment"): ("spec", "template"),
    ("apps", "ReplicaSet"): ("spec", "template"),
    ("apps", "StatefulSet"): ("spec", "template"),
    ("apps", "DaemonSet"): ("spec", "template"),
    ("batch", "Job"): ("spec", "template"),
    ("batch", "CronJob"): ("spec", "jobTemplate", "spec", "template"),
    ("", "ReplicationController"): ("spec", "template"),
    ("", "PodTemplate"): ("template",),
}


def set_defaults_template(group: str, kind: str, obj: dict[str, Any]) -> None:
    """The pod spec defaults of a built-in workload's template, in place (not SetDefaults_Pod's:
    no requests from limits, no enableServiceLinks, no host ports). A custom resource's embedded
    templates are not defaulted: its schema is all the API server knows of them."""
    path = TEMPLATE_PATHS.get((group, kind))
    node: Any = obj
    for key in path or ():
        node = node.get(key) if isinstance(node, dict) else None
    spec = node.get("spec") if isinstance(node, dict) else None
    if path and isinstance(spec, dict):
        set_defaults_pod_spec(spec)
