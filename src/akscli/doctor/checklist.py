"""The components ``akscli doctor`` checks: for each, the command groups that use it, whether a gap
blocks them, and what finds it (CRDs, operator pod labels, webhooks, node labels, aggregated APIs),
each selector cited where it is listed. The checks themselves live in ``akscli.doctor.checks``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Component:
    id: str
    title: str
    groups: tuple[str, ...]  # the command groups that use it
    required: bool  # a gap blocks those groups (else: a warning, a feature is unavailable)
    crds: tuple[tuple[str, str], ...] = ()  # (CRD name, version that must be served)
    pods: tuple[str, ...] = ()  # label selectors of the operator's pods; any one may match
    webhooks: tuple[str, ...] = ()  # substrings of its webhook configurations' names
    node_labels: tuple[str, ...] = ()  # it may run on the node, not in a pod: a node label says so
    apiservices: tuple[str, ...] = ()  # aggregated APIs that must be Available
    gpu_nodes: bool = False  # at least one node advertises GPUs
    gpu_stack: bool = False  # the GPU driver stack rules (akscli.gpu.stack)
    nap: bool = False  # node auto-provisioning's NodePools (akscli.nap.health)
    keda_workspace: bool = False  # KEDA's identity and queries on an Azure Monitor workspace (akscli.doctor.keda)
    gatekeeper: bool = (
        False  # Gatekeeper's deny constraints with violations where akscli deploys (akscli.doctor.gatekeeper)
    )
    fix: str = ""
    note: str = ""  # what is lost without it, for optional components
    # Components that do the same job: where one is installed and passes every check, this one's
    # absence is no gap (the PodMonitor groups, either of which model deploy uses: akscli.model.kinds).
    alternatives: tuple[str, ...] = ()


# The servers behind the aggregated APIs doctor checks, and where to look when one is not Available.
# metrics.k8s.io is metrics-server's, which AKS installs in kube-system on every cluster (upstream:
# kubernetes-sigs/metrics-server manifests/base/apiservice.yaml; MicrosoftDocs/azure-aks-docs
# fb060abe6 articles/aks/aks-desktop-install-cluster-setup.md "metrics-server (Included by default)",
# articles/aks/horizontal-pod-autoscaler.md). external.metrics.k8s.io is KEDA's metrics apiserver
# (kedacore/charts 1444d00d keda/templates/metrics-server/apiservice.yaml: service
# keda-operator-metrics-apiserver in KEDA's namespace).
APISERVICE_FIXES = {  # name: (fix when it is not Available, fix when it is not registered; "": the component's)
    "v1beta1.metrics.k8s.io": (
        "kubectl describe apiservice v1beta1.metrics.k8s.io names the failing check; metrics-server serves it "
        "(AKS runs it in kube-system: kubectl -n kube-system get deployment metrics-server)",
        "metrics-server registers it, and AKS installs it in kube-system: "
        "kubectl -n kube-system get deployment metrics-server",
    ),
    "v1beta1.external.metrics.k8s.io": (
        "kubectl describe apiservice v1beta1.external.metrics.k8s.io names the failing check; "
        "KEDA's metrics apiserver serves it (service keda-operator-metrics-apiserver)",
        "",
    ),
}


def _operator_fix(group: str, default: str) -> str:
    from akscli.kube.operators import OPERATORS

    operator = OPERATORS.get(group)
    return operator.install if operator else default


def components() -> list[Component]:
    return [
        Component(
            "kaito",
            "KAITO",
            ("model",),
            True,
            crds=(("workspaces.kaito.sh", "v1beta1"),),
            # Helm chart (kaito-project/kaito charts/kaito/workspace/templates/_helpers.tpl selectorLabels:
            # app.kubernetes.io/name=workspace; webhooks validation.*.kaito.sh in templates/webhooks.yaml);
            # the AKS add-on's controller, app=ai-toolchain-operator in kube-system: no Microsoft page
            # shows the label, public tooling that reads live add-on clusters selects it.
            pods=("app.kubernetes.io/name=workspace", "app=ai-toolchain-operator"),
            webhooks=("kaito",),
            fix=_operator_fix("kaito.sh", "az aks update --enable-ai-toolchain-operator"),
        ),
        Component(
            "kaito-inferenceset",
            "KAITO InferenceSet",
            ("model",),
            False,
            # Served as v1beta1 from KAITO v0.11 (kaito-project/kaito config/crd/bases); the AKS
            # add-on ships an older KAITO (azure-aks-docs articles/aks/ai-toolchain-operator.md:
            # "currently supports KAITO version 0.6.0"), which has no InferenceSet.
            crds=(("inferencesets.kaito.sh", "v1beta1"),),
            fix="install KAITO v0.11 or later with Helm (kaito-project/kaito charts/kaito/workspace) in place of "
            "the add-on",
            note="model deploy --replicas/--autoscale is unavailable; single-replica deploys still work",
        ),
        Component(
            "kuberay",
            "KubeRay",
            ("ray",),
            True,
            crds=(
                ("rayclusters.ray.io", "v1"),
                ("rayjobs.ray.io", "v1"),
                ("rayservices.ray.io", "v1"),
            ),
            # Both install methods label the operator's pod app.kubernetes.io/component=kuberay-operator:
            # kustomize (ray-project/kuberay ray-operator/config/manager/manager.yaml, with
            # app.kubernetes.io/name=kuberay) and Helm (helm-chart/kuberay-operator/templates/_helpers.tpl:
            # component defaults to the chart name, as does app.kubernetes.io/name=kuberay-operator).
            pods=("app.kubernetes.io/component=kuberay-operator", "app.kubernetes.io/name=kuberay-operator"),
            webhooks=("kuberay", "ray.io"),
            fix=_operator_fix("ray.io", "helm install kuberay-operator kuberay/kuberay-operator"),
        ),
        Component(
            "gpu-driver",
            "GPU driver and device plugin",
            ("baremetal",),
            True,
            gpu_stack=True,
            fix=_operator_fix("nvidia.com", "helm install gpu-operator nvidia/gpu-operator"),
        ),
        Component(
            "gpu-nodes",
            "GPU nodes",
            ("gpu", "model", "ray"),
            False,
            gpu_nodes=True,
            fix="add a GPU node pool: akscli nodepool add gpu --cluster CLUSTER -g GROUP --gpu a100",
            note="nothing can be scheduled on GPUs",
        ),
        Component(
            "nap",
            "Node auto-provisioning (Karpenter NodePools)",
            ("gpu", "model", "ray"),
            False,
            nap=True,
            fix="kubectl describe nodepool NAME shows the failing condition",
            note="GPU pods on NodePools wait for nodes NAP cannot make",
        ),
        Component(
            "keda",
            "KEDA",
            ("model",),
            False,
            crds=(("scaledobjects.keda.sh", "v1alpha1"),),
            # The chart labels the operator's pod with both (kedacore/charts keda/templates/manager/deployment.yaml,
            # operator.name keda-operator); the AKS add-on's docs select app=keda-operator in kube-system
            # (MicrosoftDocs/azure-aks-docs articles/aks/keda-workload-identity.md). Its webhook
            # configuration is keda-admission (keda/templates/webhooks/validatingconfiguration.yaml).
            pods=("app=keda-operator", "app.kubernetes.io/name=keda-operator"),
            webhooks=("keda",),
            apiservices=("v1beta1.external.metrics.k8s.io",),
            keda_workspace=True,
            fix=_operator_fix("keda.sh", "az aks update --enable-keda"),
            note="model autoscaling is unavailable",
        ),
        Component(
            "gateway-api",
            "Gateway API",
            ("model",),
            False,
            crds=(
                ("gateways.gateway.networking.k8s.io", "v1"),
                ("httproutes.gateway.networking.k8s.io", "v1"),
                ("gatewayclasses.gateway.networking.k8s.io", "v1"),
            ),
            fix=_operator_fix("gateway.networking.k8s.io", "install the Gateway API CRDs"),
            note="models cannot be exposed through a Gateway",
        ),
        Component(
            "inference-extension",
            "Gateway API inference extension",
            ("model",),
            False,
            crds=(("inferencepools.inference.networking.k8s.io", "v1"),),
            fix=_operator_fix("inference.networking.k8s.io", "install its CRDs"),
            note="no model-aware routing (InferencePool)",
        ),
        Component(
            "azure-managed-prometheus",
            "Azure Monitor managed Prometheus (PodMonitor azmonitoring.coreos.com/v1)",
            ("model",),
            False,
            crds=(("podmonitors.azmonitoring.coreos.com", "v1"),),
            fix="az aks update --enable-azure-monitor-metrics",
            note="no PodMonitor in this group: model deploy uses monitoring.coreos.com/v1 if served",
            alternatives=("prometheus-operator",),
        ),
        Component(
            "prometheus-operator",
            "Prometheus Operator (PodMonitor monitoring.coreos.com/v1)",
            ("model",),
            False,
            crds=(("podmonitors.monitoring.coreos.com", "v1"),),
            fix=_operator_fix("monitoring.coreos.com", "install the Prometheus Operator"),
            note="no PodMonitor in this group: without either group, vllm --autoscale is refused",
            alternatives=("azure-managed-prometheus",),
        ),
        Component(
            "fleet-member",
            "Fleet member agent",
            ("fleet",),
            True,
            crds=(("appliedworks.placement.kubernetes-fleet.io", "v1beta1"),),
            # The member agent's chart (kubefleet-dev/kubefleet and Azure/fleet
            # charts/member-agent/templates/_helpers.tpl selectorLabels: the chart name). No published
            # manifest labels it app=member-agent, so that is not looked for.
            pods=("app.kubernetes.io/name=member-agent",),
            fix="join the cluster to a fleet: az fleet member create -g GROUP --fleet-name FLEET "
            "-n NAME --member-cluster-id CLUSTER_RESOURCE_ID",
        ),
        Component(
            "metrics",
            "metrics source",
            ("gpu", "model"),
            False,
            # The managed Prometheus add-on's replica pods in kube-system (Azure/prometheus-collector 036620f5
            # otelcollector/deploy/addon-chart/azure-monitor-metrics-addon/templates/ama-metrics-deployment.yaml).
            pods=("rsName=ama-metrics",),
            apiservices=("v1beta1.metrics.k8s.io",),
            fix="enable Azure Managed Prometheus: az aks update --enable-azure-monitor-metrics",
            note="no metrics for autoscaling or right-sizing",
        ),
        Component(
            "gpu-metrics",
            "GPU metrics (DCGM exporter)",
            ("gpu", "model"),
            False,
            # The GPU Operator's exporter (NVIDIA/gpu-operator assets/state-dcgm-exporter/0800_daemonset.yaml:
            # app=nvidia-dcgm-exporter), the standalone chart (NVIDIA/dcgm-exporter
            # deployment/templates/_helpers.tpl selectorLabels: app.kubernetes.io/name=dcgm-exporter).
            # AKS-managed GPU pools run it as a service on the node, with no pod, and label the node
            # kubernetes.azure.com/dcgm-exporter=enabled (MicrosoftDocs/azure-aks-docs
            # articles/aks/aks-managed-gpu-nodes.md).
            pods=("app=nvidia-dcgm-exporter", "app.kubernetes.io/name=dcgm-exporter"),
            node_labels=("kubernetes.azure.com/dcgm-exporter=enabled",),
            fix="enable the GPU Operator's DCGM exporter (ClusterPolicy spec.dcgmExporter.enabled), or use "
            "AKS-managed GPU node pools, which run it",
            note="no GPU utilisation metrics: a Prometheus scrape alone has no GPU series",
        ),
        Component(
            "gatekeeper",
            "Gatekeeper constraints (Azure Policy)",
            ("model", "ray"),
            False,
            gatekeeper=True,
            fix="akscli policy check -f FILE --context CONTEXT lists the constraints a manifest meets",
        ),
    ]
