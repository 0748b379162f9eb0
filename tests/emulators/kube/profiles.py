"""What real clusters have installed, in the shapes each install method leaves behind.

Use with an emulator started without the default CRD set (``kube_emulator_factory(crd_dirs=[])``)
so that only what a profile installs is served:

- ``kaito_addon``: the AKS AI toolchain operator add-on. It ships KAITO 0.6.0
  (MicrosoftDocs/azure-aks-docs articles/aks/ai-toolchain-operator.md), whose CRD set has
  ``workspaces.kaito.sh`` and no ``inferencesets.kaito.sh`` (served as v1beta1 from KAITO v0.11,
  kaito-project/kaito config/crd/bases). The Workspace CRD is the one in ../shared/crds/kaito.
- ``kuberay_kustomize`` / ``kuberay_helm``: the KubeRay operator as ``kubectl apply -k
  ray-operator/config/default`` (labels from ray-project/kuberay
  ray-operator/config/manager/manager.yaml) and as ``helm install kuberay-operator``
  (helm-chart/kuberay-operator/templates/_helpers.tpl and deployment.yaml), with the ray.io CRDs.
- ``gpu_operator_helm``: the GPU Operator chart's Deployment (controllers/nvidia.py
  operator_objects) and the ClusterPolicy CRD.
- ``ready_pod``: a Running, Ready pod, as the kubelet reports it.
- ``install_airunway_providers`` / ``install_airunway_controller``: what AI Runway's providers
  register and its controller-manager's pod (the lab's and the model tests' AI Runway).
"""

from __future__ import annotations

from typing import Any

# The InferenceProviderConfigs AI Runway's providers register (ai-runway/airunway providers/*/config.go),
# kept importable from here.
from tests.emulators.kube.airunway_configs import AIRUNWAY_PROVIDER_ENGINES as AIRUNWAY_PROVIDER_ENGINES
from tests.emulators.kube.airunway_configs import install_airunway_providers as install_airunway_providers
from tests.emulators.kube.controllers.volume_provisioner import CSIProvisioner
from tests.emulators.kube.crds import default_crd_dir, load_crd_dir


def install_crds(emu: Any, folder: str, *names: str) -> None:
    """The named CRDs from ../shared/crds/<folder> (every CRD there when no name is given)."""
    for crd in load_crd_dir(default_crd_dir() / folder):
        if not names or crd["metadata"]["name"] in names:
            emu.cluster.create(crd)


def namespace(emu: Any, name: str) -> None:
    if emu.cluster.get("v1", "Namespace", None, name) is None:
        emu.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})


def hf_token_secret(emu: Any, name: str = "hf-token", namespace_name: str = "default", key: str = "HF_TOKEN") -> None:
    """The Secret a user makes for --access-secret, as the hint says (akscli.secret_hints: the token
    on kubectl's stdin, --from-file=HF_TOKEN=/dev/stdin, upstream: kubernetes/kubectl
    pkg/cmd/create/create_secret.go; a fake token: nothing reads it)."""
    namespace(emu, namespace_name)
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": name, "namespace": namespace_name},
            "type": "Opaque",
            "data": {key: "aGZfZmFrZQ=="},
        }
    )


def aks_storage_classes(emu: Any, provisioner: bool = True) -> None:
    """The classes AKS makes with its Azure Disk and Azure Files CSI drivers (on by default), and the
    drivers' external-provisioner that binds their claims (controllers/volume_provisioner.py
    CSIProvisioner). Upstream: MicrosoftDocs/azure-aks-docs fb060abe articles/aks/concepts-storage.md
    "Storage classes" (managed-csi, managed-csi-premium, azurefile-csi, azurefile-csi-premium; "The
    `default` class will be the same as `managed-csi`") and articles/aks/create-volume-azure-disk.md
    (`kubectl get sc` lists `default (default)`, disk.csi.azure.com; "The default storage classes use
    `volumeBindingMode: WaitForFirstConsumer`"); articles/aks/create-volume-azure-files.md (azurefile-csi
    on HDD, azurefile-csi-premium on SSD, both expandable, reclaimPolicy Delete), and
    kubernetes-sigs/azurefile-csi-driver 7a1c5c5e deploy/example/storageclass-azurefile-csi.yaml
    (file.csi.azure.com, volumeBindingMode Immediate). The default-class annotation is
    storageclass.kubernetes.io/is-default-class (kubernetes/kubernetes pkg/volume/util/storageclass.go
    GetDefaultClass)."""
    disks = (("default", "StandardSSD_LRS"), ("managed-csi", "StandardSSD_LRS"), ("managed-csi-premium", "Premium_LRS"))
    files = (("azurefile-csi", "Standard_LRS"), ("azurefile-csi-premium", "Premium_LRS"))
    for driver, mode, classes in (
        ("disk.csi.azure.com", "WaitForFirstConsumer", disks),
        ("file.csi.azure.com", "Immediate", files),
    ):
        for name, sku in classes:
            if emu.cluster.get("storage.k8s.io/v1", "StorageClass", None, name) is not None:
                continue
            annotations = {"storageclass.kubernetes.io/is-default-class": "true"} if name == "default" else {}
            emu.cluster.create(
                {
                    "apiVersion": "storage.k8s.io/v1",
                    "kind": "StorageClass",
                    "metadata": {"name": name, **({"annotations": annotations} if annotations else {})},
                    "provisioner": driver,
                    "parameters": {"skuname": sku},
                    "reclaimPolicy": "Delete",
                    "volumeBindingMode": mode,
                    "allowVolumeExpansion": True,
                }
            )
    controllers = getattr(emu, "controllers", None) if provisioner else None
    if controllers is not None and not any(isinstance(c, CSIProvisioner) for c in controllers.controllers):
        controllers.add(CSIProvisioner())


def _repository(image: str) -> str:
    """The image without its tag, as the kubelet's imageID names it (repository@digest)."""
    head, _, last = image.rpartition("/")
    return f"{head}/{last.split(':')[0]}" if head else last.split(":")[0]


def ready_pod(
    emu: Any,
    ns: str,
    name: str,
    labels: dict[str, str],
    image: str = "op:v1",
    args: list[str] | None = None,
    env: list[dict[str, str]] | None = None,
    service_account: str | None = None,
) -> None:
    namespace(emu, ns)
    container: dict[str, Any] = {"name": "manager", "image": image}
    if args:
        container["args"] = args
    if env:
        container["env"] = env
    spec: dict[str, Any] = {"containers": [container]}
    if service_account:
        spec["serviceAccountName"] = service_account
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "namespace": ns, "labels": labels},
            "spec": spec,
        }
    )
    emu.cluster.patch_status(
        "v1",
        "Pod",
        ns,
        name,
        {
            "phase": "Running",
            "conditions": [{"type": "Ready", "status": "True"}],
            # imageID and restartCount are not omitempty (upstream: kubernetes/kubernetes v1.32.0
            # staging/src/k8s.io/api/core/v1/types.go, ContainerStatus): the kubelet always
            # writes them, and the Python client's models refuse a status without them.
            "containerStatuses": [
                {
                    "name": "manager",
                    "ready": True,
                    "restartCount": 0,
                    "image": image,
                    "imageID": f"{_repository(image)}@sha256:{'0' * 64}",
                    "state": {"running": {}},
                }
            ],
        },
    )


def kaito_addon(emu: Any) -> None:
    install_crds(emu, "kaito", "workspaces.kaito.sh")
    ready_pod(
        emu,
        "kube-system",
        "kaito-workspace-6d8f9c7b5-x2k4p",
        {"app": "ai-toolchain-operator", "app.kubernetes.io/name": "workspace"},
        image="mcr.microsoft.com/aks/kaito/workspace:0.6.0",
    )


def kuberay_kustomize(emu: Any, ns: str = "ray-system") -> None:
    install_crds(emu, "kuberay")
    ready_pod(
        emu,
        ns,
        "kuberay-operator-7c9b6d5f4-abcde",
        {"app.kubernetes.io/name": "kuberay", "app.kubernetes.io/component": "kuberay-operator"},
        image="quay.io/kuberay/operator:v1.4.2",
    )


def kuberay_helm(emu: Any, ns: str = "kuberay-system") -> None:
    install_crds(emu, "kuberay")
    kuberay_operator_pod(emu, ns)


def kuberay_operator_pod(emu: Any, ns: str = "kuberay-system") -> None:
    """The pod `helm install kuberay-operator kuberay/kuberay-operator` runs (its CRDs aside)."""
    ready_pod(
        emu,
        ns,
        "kuberay-operator-5f8d7c6b9-fghij",
        {
            "app.kubernetes.io/name": "kuberay-operator",
            "app.kubernetes.io/component": "kuberay-operator",
            "app.kubernetes.io/instance": "kuberay-operator",
            "app.kubernetes.io/managed-by": "Helm",
        },
        image="quay.io/kuberay/operator:v1.4.2",
    )


# What the workload identity webhook adds to each container of a pod whose service account is
# federated (upstream: Azure/azure-workload-identity pkg/webhook/webhook.go addEnvironmentVariables;
# the token's path: pkg/webhook/consts.go TokenFileMountPath, TokenFilePathName).
WORKLOAD_IDENTITY_ENV = [
    {"name": "AZURE_CLIENT_ID", "value": "00000000-0000-0000-0000-00000000c11e"},
    {"name": "AZURE_TENANT_ID", "value": "00000000-0000-0000-0000-0000000000aa"},
    {"name": "AZURE_FEDERATED_TOKEN_FILE", "value": "/var/run/secrets/azure/tokens/azure-identity-token"},
    {"name": "AZURE_AUTHORITY_HOST", "value": "https://login.microsoftonline.com/"},
]


def keda_operator_pod(
    emu: Any, ns: str = "keda", workload_identity: bool = False, client_id: str | None = None
) -> None:
    """The operator pod `helm install keda kedacore/keda -n keda` runs, labelled as the chart labels
    it (upstream: kedacore/charts 1444d00d keda/templates/manager/deployment.yaml, the pod template's
    labels from operator.name keda-operator, and keda.labels' app.kubernetes.io/instance), as
    service account keda-operator (``serviceAccountName: .Values.serviceAccount.name``;
    keda/templates/manager/serviceaccount.yaml). With ``workload_identity`` its service account is
    federated, so the webhook injected its variables (the chart's podIdentity.azureWorkload.enabled
    is false by default: none); the account carries ``client_id`` (default the injected one) as its
    ``azure.workload.identity/client-id``, and with ``client_id=""`` none, so the webhook adds no
    AZURE_CLIENT_ID (Azure/azure-workload-identity pkg/webhook/webhook.go addEnvironmentVariables:
    only a non-empty value)."""
    _keda_operator(emu, ns, workload_identity, client_id, "keda-operator-6b8c5d4f7-klmno")
    # The chart's metrics apiserver: its Deployment's pod, Service and the APIService that
    # registers external.metrics.k8s.io (upstream: kedacore/charts 1444d00d
    # keda/templates/metrics-server/deployment.yaml, service.yaml, apiservice.yaml; values.yaml
    # service.portHttps 443, portHttpsTarget 6443).
    apiserver = "keda-operator-metrics-apiserver"
    labels = {"app": apiserver, "app.kubernetes.io/name": apiserver, "app.kubernetes.io/instance": "keda"}
    ready_pod(emu, ns, f"{apiserver}-7c9b8f6d5-pqrst", labels, image="ghcr.io/kedacore/keda-metrics-apiserver:2.20.2")
    aggregated_api(emu, ns, apiserver, {"app": apiserver}, "external.metrics.k8s.io", target=6443)


def restart_keda_operator(emu: Any, ns: str = "keda", workload_identity: bool = True) -> None:
    """`helm upgrade keda kedacore/keda --set podIdentity.azureWorkload.enabled=...`: the operator's
    service account is rendered again and its Deployment rolls out a new pod (the pod template's
    ``azure.workload.identity/use`` label changed: kedacore/charts keda/templates/manager/deployment.yaml),
    which reads its environment when it starts. The metrics apiserver is left as it is."""
    for pod in emu.cluster.list("v1", "Pod", ns, "app.kubernetes.io/name=keda-operator"):
        emu.cluster.delete("v1", "Pod", ns, pod["metadata"]["name"])
    emu.cluster.delete("v1", "ServiceAccount", ns, "keda-operator")
    _keda_operator(emu, ns, workload_identity, None, "keda-operator-6b8c5d4f7-rstuv")


def _keda_operator(emu: Any, ns: str, workload_identity: bool, client_id: str | None, pod: str) -> None:
    """The operator's service account and pod (keda_operator_pod)."""
    env = None
    annotations: dict[str, str] = {}
    if workload_identity:
        client = WORKLOAD_IDENTITY_ENV[0]["value"] if client_id is None else client_id
        env = [e for e in WORKLOAD_IDENTITY_ENV if e["name"] != "AZURE_CLIENT_ID" or client]
        env = [{**e, "value": client} if e["name"] == "AZURE_CLIENT_ID" else e for e in env]
        annotations = {"azure.workload.identity/client-id": client} if client else {}
    namespace(emu, ns)
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {
                "name": "keda-operator",
                "namespace": ns,
                "labels": {"app.kubernetes.io/name": "keda-operator"},
                "annotations": annotations,
            },
        }
    )
    ready_pod(
        emu,
        ns,
        pod,
        {
            "app": "keda-operator",
            "name": "keda-operator",
            "app.kubernetes.io/name": "keda-operator",
            "app.kubernetes.io/instance": "keda",
        },
        image="ghcr.io/kedacore/keda:2.20.2",
        env=env,
        service_account="keda-operator",
    )


def aggregated_api(
    emu: Any,
    ns: str,
    service: str,
    selector: dict[str, str],
    group: str,
    target: int | str = "https",
    insecure: bool = False,
) -> None:
    """An extension API server's Service (port https 443) and the APIService v1beta1.GROUP that
    points at it, with groupPriorityMinimum and versionPriority 100, as both KEDA's chart and
    metrics-server's manifests register theirs (metrics-server's with insecureSkipTLSVerify, KEDA's
    with a CA its certificates inject); the aggregator's controller then sets Available
    (controllers/aggregator.py)."""
    if emu.cluster.get("v1", "Service", ns, service) is None:
        emu.cluster.create(
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": service, "namespace": ns, "labels": dict(selector)},
                "spec": {
                    "selector": dict(selector),
                    "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": target}],
                },
            }
        )
    name = f"v1beta1.{group}"
    if emu.cluster.get("apiregistration.k8s.io/v1", "APIService", None, name) is None:
        emu.cluster.create(
            {
                "apiVersion": "apiregistration.k8s.io/v1",
                "kind": "APIService",
                "metadata": {"name": name},
                "spec": {
                    "service": {"name": service, "namespace": ns, "port": 443},
                    "group": group,
                    "version": "v1beta1",
                    **({"insecureSkipTLSVerify": True} if insecure else {}),
                    "groupPriorityMinimum": 100,
                    "versionPriority": 100,
                },
            }
        )


def metrics_server(emu: Any) -> None:
    """metrics-server in kube-system, which AKS installs on every cluster (upstream:
    MicrosoftDocs/azure-aks-docs fb060abe6 articles/aks/aks-desktop-install-cluster-setup.md
    "metrics-server (Included by default)", articles/aks/horizontal-pod-autoscaler.md
    `kubectl logs -n kube-system deploy/metrics-server`): its pod labelled k8s-app=metrics-server,
    its Service and the APIService v1beta1.metrics.k8s.io (kubernetes-sigs/metrics-server
    009ffa21 manifests/base/deployment.yaml, 0c84f02d manifests/base/service.yaml and
    apiservice.yaml; image v0.8.1 from 1cdb9fa2 manifests/components/release/kustomization.yaml)."""
    labels = {"k8s-app": "metrics-server"}
    image = "registry.k8s.io/metrics-server/metrics-server:v0.8.1"
    ready_pod(emu, "kube-system", "metrics-server-5d6c7b8f9-abcde", labels, image=image)
    aggregated_api(emu, "kube-system", "metrics-server", labels, "metrics.k8s.io", insecure=True)


def gpu_operator_helm(emu: Any) -> None:
    from tests.emulators.kube.controllers.nvidia import NAMESPACE, operator_objects

    install_crds(emu, "nvidia", "clusterpolicies.nvidia.com")
    namespace(emu, NAMESPACE)
    for obj in operator_objects():
        emu.cluster.create(obj)


# The feature gates KAITO's Helm chart passes its controller: values.yaml featureGates, joined by
# utils.joinKeyValuePairs in key order (Helm ranges over a map sorted)
# (upstream: kaito-project/kaito v0.12.0 charts/kaito/workspace/values.yaml, templates/deployment.yaml
# "--feature-gates={{ include "utils.joinKeyValuePairs" .Values.featureGates }}", templates/_helpers.tpl).
KAITO_CHART_FEATURE_GATES = {
    "vLLM": True,
    "disableNodeAutoProvisioning": False,
    "gatewayAPIInferenceExtension": False,
    "enableInferenceSetController": True,
    "enableMIG": False,
    "enableAccelerator": False,
    "enableMultiRoleInferenceController": False,
    "ModelMirror": False,
    "ModelStreaming": False,
    "enableBaseImageAutoUpgrade": False,
}


def install_kaito_controller(emu: Any, inference_extension: bool = False) -> None:
    """The pod the KAITO simulator stands for, labelled as the Helm chart's is (what doctor and
    deploy --wait look for), with the chart's --feature-gates argument; inference_extension is the
    chart's featureGates.gatewayAPIInferenceExtension (the simulator's InferenceSet controller
    must be started with the same value)."""
    gates = {**KAITO_CHART_FEATURE_GATES, "gatewayAPIInferenceExtension": inference_extension}
    joined = ",".join(f"{key}={str(value).lower()}" for key, value in sorted(gates.items()))
    ready_pod(
        emu,
        "kube-system",
        "kaito-workspace-0",
        {"app.kubernetes.io/name": "workspace"},
        image="controller",
        args=[f"--feature-gates={joined}"],
    )


def install_keda_kaito_scaler(emu: Any) -> None:
    """keda-kaito-scaler's ClusterTriggerAuthentication, which its chart installs
    (kaito-project/keda-kaito-scaler pkg/constants/constants.go, ClusterTriggerAuthName)."""
    emu.cluster.create(
        {
            "apiVersion": "keda.sh/v1alpha1",
            "kind": "ClusterTriggerAuthentication",
            "metadata": {"name": "keda-kaito-scaler-creds"},
            "spec": {"secretTargetRef": []},
        }
    )


def install_gateway(emu: Any, name: str = "inference-gateway", namespace: str = "default") -> None:
    """A GatewayClass and the Gateway --expose attaches to by default: the class AKS's application
    routing add-on with Gateway API makes (approuting-istio: MicrosoftDocs/azure-aks-docs fb060abe
    articles/aks/app-routing-gateway-api.md). Its controllerName is istiod's default,
    istio.io/gateway-controller (istio/istio 1.29.6 pilot/pkg/features/pilot.go
    ManagedGatewayController); no published source says whether AKS keeps that default, and akscli
    knows the class by its name too (akscli.model.kinds.is_istio_class)."""
    emu.cluster.create(
        {
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "GatewayClass",
            "metadata": {"name": "approuting-istio"},
            "spec": {"controllerName": "istio.io/gateway-controller"},
        }
    )
    emu.cluster.create(
        {
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "Gateway",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {
                "gatewayClassName": "approuting-istio",
                "listeners": [{"name": "http", "port": 80, "protocol": "HTTP"}],
            },
        }
    )


def install_podmonitor_api(emu: Any, group: str = "monitoring.coreos.com", scrape_loop: bool = True) -> None:
    """A cluster that serves PodMonitor; with the Prometheus Operator's group, also a Prometheus as
    kube-prometheus-stack installs it. ../shared/crds has no Prometheus Operator CRD, so these only
    make the APIs exist (any spec is kept); which PodMonitors a Prometheus scrapes is simulated by
    tests/emulators/kube/controllers/prometheus.py."""
    install_crd(emu, group, "PodMonitor")
    if group == "monitoring.coreos.com":
        install_prometheus(emu, scrape_loop=scrape_loop)


# The kube-prometheus-stack chart the lab's Prometheus is rendered from (upstream:
# prometheus-community/helm-charts cf408a290aec489277a94450bb3511432477a53a, chart version 88.5.3).
KUBE_PROMETHEUS_STACK_VERSION = "88.5.3"


def kube_prometheus_stack_prometheus(
    release: str = "kube-prometheus-stack", namespace: str = "monitoring"
) -> dict[str, Any]:
    """The Prometheus ``helm install RELEASE prometheus-community/kube-prometheus-stack -n NAMESPACE``
    makes with the chart's default values (charts/kube-prometheus-stack): named
    ``<fullname>-prometheus`` (templates/_helpers.tpl kube-prometheus-stack.prometheus.crname;
    fullname is the release name when it contains the chart's name, else RELEASE-kube-prometheus-stack,
    cut to 26 characters), labelled as kube-prometheus-stack.labels labels it, and, with
    values.yaml's ``*SelectorNilUsesHelmValues: true``, selecting ServiceMonitors, PodMonitors and
    Probes labelled ``release: RELEASE`` in every namespace (templates/prometheus/prometheus.yaml:
    an empty namespace selector is written as ``{}``, which selects every namespace)."""
    chart = "kube-prometheus-stack"
    fullname = (release if chart in release else f"{release}-{chart}")[:26].rstrip("-")
    by_release = {"matchLabels": {"release": release}}
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "Prometheus",
        "metadata": {
            "name": f"{fullname}-prometheus",
            "namespace": namespace,
            "labels": {
                "app": f"{chart}-prometheus",
                "app.kubernetes.io/managed-by": "Helm",
                "app.kubernetes.io/instance": release,
                "app.kubernetes.io/version": KUBE_PROMETHEUS_STACK_VERSION,
                "app.kubernetes.io/part-of": chart,
                "chart": f"{chart}-{KUBE_PROMETHEUS_STACK_VERSION}",
                "release": release,
                "heritage": "Helm",
            },
        },
        "spec": {
            "serviceMonitorSelector": by_release,
            "serviceMonitorNamespaceSelector": {},
            "podMonitorSelector": by_release,
            "podMonitorNamespaceSelector": {},
            "probeSelector": by_release,
            "probeNamespaceSelector": {},
        },
    }


def install_prometheus(
    emu: Any,
    name: str = "kube-prometheus-stack-prometheus",
    namespace: str = "monitoring",
    selector: dict[str, Any] | None = None,
    namespace_selector: dict[str, Any] | None = None,
    default_selector: bool = True,
    scrape_loop: bool = True,
) -> Any:
    """A Prometheus (monitoring.coreos.com/v1). By default kube-prometheus-stack's
    (kube_prometheus_stack_prometheus). Without ``default_selector`` its spec has no selector
    (null: selects no PodMonitor, and a null namespace selector reads its own namespace only);
    ``selector`` and ``namespace_selector`` set podMonitorSelector and podMonitorNamespaceSelector;
    without ``scrape_loop`` it scrapes only when a test says so (prometheus_server.serve_prometheus).
    The operator's governing Service ``prometheus-operated`` (upstream: prometheus-operator/
    prometheus-operator pkg/prometheus/server/statefulset.go governingServiceName) answers the Prometheus HTTP API from
    the pods its PodMonitors select (controllers/prometheus_server.py); that server is returned."""
    from tests.emulators.kube.controllers.prometheus_server import serve_prometheus

    install_crd(emu, "monitoring.coreos.com", "Prometheus", plural="prometheuses")
    if emu.cluster.get("v1", "Namespace", None, namespace) is None:
        emu.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
    prom = kube_prometheus_stack_prometheus(namespace=namespace)
    prom["metadata"]["name"] = name
    if not default_selector:
        prom["spec"] = {}
    if selector is not None:
        prom["spec"]["podMonitorSelector"] = selector
    if namespace_selector is not None:
        prom["spec"]["podMonitorNamespaceSelector"] = namespace_selector
    emu.cluster.create(prom)
    return serve_prometheus(emu, namespace, scrape_loop=scrape_loop)


def install_crd(emu: Any, group: str, kind: str, plural: str | None = None, version: str = "v1") -> None:
    # version: the CRD's one served version, e.g. v1alpha3 for Istio's EnvoyFilter (upstream: istio/istio
    # manifests/charts/base/files/crd-all.gen.yaml, networking.istio.io EnvoyFilter).
    plural = plural or f"{kind.lower()}s"
    if emu.cluster.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", None, f"{plural}.{group}") is not None:
        return
    emu.cluster.create(
        {
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": f"{plural}.{group}"},
            "spec": {
                "group": group,
                "scope": "Namespaced",
                "names": {"plural": plural, "singular": kind.lower(), "kind": kind, "listKind": f"{kind}List"},
                "versions": [
                    {
                        "name": version,
                        "served": True,
                        "storage": True,
                        "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}},
                    }
                ],
            },
        }
    )


def install_airunway_controller(emu: Any, *args: str) -> None:
    """The AI Runway controller-manager's pod, ready, run with ``args`` (the flags akscli reads
    from it, e.g. ``--gateway-name``, ``--patch-gateway-allowed-routes``); it replaces the one installed
    before (the pod the AI Runway simulator stands for)."""
    emu.cluster.delete("v1", "Pod", "default", "airunway-controller-manager-0")
    labels = {"app.kubernetes.io/name": "airunway", "control-plane": "controller-manager"}
    ready_pod(emu, "default", "airunway-controller-manager-0", labels, image="airunway", args=list(args))
