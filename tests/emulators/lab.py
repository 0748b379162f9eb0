"""A lab: the Kubernetes API emulator with every operator simulator, and the ARM + Entra emulator,
with the environment that points akscli (and kubectl) at them.

Used by the runbooks (``python -m tests.runbooks``, tests/runbooks) and by the standalone modes
of the emulators (``python -m tests.emulators.kube``, ``python -m tests.emulators.arm``).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.emulators.kube.controllers.base import Controller

# Environment variables of a developer's own Azure sign-in that must not reach the emulators.
AZURE_CLEARED = (
    "AZURE_CLIENT_CERTIFICATE_PATH",
    "AZURE_FEDERATED_TOKEN_FILE",
    "AZURE_USERNAME",
    "AZURE_PASSWORD",
    "IDENTITY_ENDPOINT",
    "IDENTITY_HEADER",
    "MSI_ENDPOINT",
    "MSI_SECRET",
    # azure-identity's pod-identity IMDS endpoint (upstream: Azure/azure-sdk-for-python
    # sdk/identity/azure-identity/azure/identity/_constants.py EnvironmentVariables)
    "AZURE_POD_IDENTITY_AUTHORITY_HOST",
    "KUBERNETES_EXEC_INFO",
)


LAB_RESOURCE_GROUPS = ("rg-ml", "rg-fleet", "rg-edge")
# The lab's provisioned bare-metal machine, the one docs/baremetal.md's examples name: without it
# `baremetal cluster create` could not be tried in the lab (AKS on bare metal needs an existing,
# provisioned Microsoft.AzureStackHCI/edgeMachines resource, the template's edgeMachineResourceId;
# upstream: Azure/aksArc deploymentTemplates/aks-baremetal-arm/aks-baremetal-arm.json and
# Azure/azure-rest-api-specs azurestackhci 2024-11-01-preview examples/EdgeMachines_Get.json, as
# tests/emulators/arm/baremetal.py reads them).
LAB_EDGE_MACHINE = ("rg-edge", "edge-gpu-01")


def seed_subscription(arm: Any) -> None:
    """What the lab subscription holds before anyone runs akscli: its resource groups (`az group
    create` in real life) and an edge machine already provisioned through Azure Arc."""
    from tests.emulators.arm.baremetal import edge_machine

    for group in LAB_RESOURCE_GROUPS:
        arm.add_resource_group(f"/subscriptions/{arm.subscription}/resourceGroups/{group}")
    edge_machine(arm, *LAB_EDGE_MACHINE)


def operator_simulators(delay: float = 0.02, kube: Any = None, agent_period: float | None = None) -> list[Controller]:
    """The operators akscli drives, as the emulator simulates them: KAITO (Workspace and
    InferenceSet), AI Runway (ModelDeployment, its kaito and vllm providers), KEDA, KubeRay, the
    Fleet hub, the NVIDIA GPU Operator's ClusterPolicy, the logs
    of akscli's GPU probe and NCCL test pods, and the status a Gateway API implementation writes
    for the lab's GatewayClass (controllers/gateway.py).
    Given the emulator (``kube``), KEDA reads a prometheus trigger over the cluster's HTTP, from the
    Prometheus that scrapes the model's pods, and keda-kaito-scaler's trigger from what it scrapes
    of the InferenceSet's Services (controllers/keda.py, prometheus_server.py, keda_kaito_scaler.py);
    the HPA KEDA makes scales the target every 15 s (controllers/hpa.py). With ``agent_period``, the
    Fleet members' agents send heartbeats on the wall clock (FleetHubController.attach; upstream:
    kubefleet-dev/kubefleet e160c1cd apis/cluster/v1/membercluster_types.go heartbeatPeriodSeconds)."""
    from tests.emulators.kube.controllers import kaito
    from tests.emulators.kube.controllers.airunway import ModelDeploymentController
    from tests.emulators.kube.controllers.fleet import FleetHubController
    from tests.emulators.kube.controllers.gateway import GatewayController
    from tests.emulators.kube.controllers.gpu_pods import GpuPodController
    from tests.emulators.kube.controllers.hpa import HorizontalPodAutoscalerController
    from tests.emulators.kube.controllers.keda import KedaController
    from tests.emulators.kube.controllers.keda_kaito_scaler import KaitoScalerController, KaitoScalerMetrics
    from tests.emulators.kube.controllers.kuberay import KubeRayController
    from tests.emulators.kube.controllers.mig_manager import PolicyMigManager
    from tests.emulators.kube.controllers.nvidia import ClusterPolicyController
    from tests.emulators.kube.incluster import InClusterHttp

    http = InClusterHttp(kube) if kube is not None else None
    metrics = KaitoScalerMetrics(http) if http is not None else None
    keda = KedaController(delay=delay, http=http, kaito_scaler=metrics)
    return [
        *kaito.controllers(delay=delay),
        ModelDeploymentController(delay=delay),
        keda,
        # kube-controller-manager's HPA, which scales what KEDA's HPAs name, reading KEDA's values
        # from external.metrics.k8s.io (controllers/hpa.py; upstream: kubernetes/kubernetes
        # pkg/controller/podautoscaler/horizontal.go, metrics/client.go).
        HorizontalPodAutoscalerController(delay=delay),
        KaitoScalerController(delay=delay, metrics=metrics),
        KubeRayController(delay=delay),
        FleetHubController(delay=delay, agent_period=agent_period),
        # The chart's NFD with it (nfd.enabled, true by default: nvidia_gfd.py; upstream:
        # NVIDIA/gpu-operator deployments/gpu-operator/values.yaml).
        ClusterPolicyController(delay=delay, nfd=True),
        # What the GPU nodes' pods print, which no controller writes: the probe's report as the
        # `baremetal inventory` pods' log (the recorded H100 machine) and nccl-tests'
        # all_reduce_perf output as the `baremetal test nccl` launcher's log (nvidia.py nccl_log,
        # as nccl-tests 2.x prints it), so both commands run in the lab.
        GpuPodController(delay=delay),
        # The MIG manager, where the ClusterPolicy enables it: a node labelled nvidia.com/mig.config
        # gets that layout (controllers/mig_manager.py).
        PolicyMigManager(delay=delay),
        GatewayController(delay=delay),
    ]


def arm_environment(arm: Any, home: Path) -> dict[str, str]:
    """What points akscli's credential factory and the Azure SDKs at the ARM emulator."""
    from tests.emulators.arm.server import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET

    return {
        "AKSCLI_ARM_ENDPOINT": arm.url,
        "AZURE_AUTHORITY_HOST": arm.url,
        "AZURE_TENANT_ID": arm.tenant,
        "AZURE_CLIENT_ID": DEFAULT_CLIENT_ID,
        "AZURE_CLIENT_SECRET": DEFAULT_CLIENT_SECRET,
        "AZURE_SUBSCRIPTION_ID": arm.subscription,
        "REQUESTS_CA_BUNDLE": arm.ca_file,
        "SSL_CERT_FILE": arm.ca_file,
        "AKSCLI_DISABLE_INSTANCE_DISCOVERY": "1",
        "AKSCLI_LRO_POLL_INTERVAL": "0",
        "AZURE_CONFIG_DIR": str(home / ".azure"),
    }


@dataclass
class Lab:
    kube: Any
    arm: Any
    home: Path
    env: dict[str, str] = field(default_factory=dict)
    # What the lab's model pods serve (tests.emulators.serving.Serving: figures(ns, pod) is a
    # pod's /metrics, which the lab's Prometheus scrapes and KEDA reads).
    serving: Any = None

    def prometheus(self, namespace: str = "monitoring") -> Any:
        """The Prometheus server behind ``prometheus-operated`` in ``namespace``
        (controllers/prometheus_server.py: ``interval_passes()`` makes it scrape every target now)."""
        return self.kube.prometheus_servers[namespace]

    def environment(self) -> dict[str, str]:
        """os.environ, less a developer's Azure sign-in, plus the lab's variables."""
        base = {k: v for k, v in os.environ.items() if k not in AZURE_CLEARED}
        return base | self.env


def add_gpu_nodes(kube: Any, count: int = 2) -> None:
    """Ready H100 nodes with the labels NFD and the GPU Operator write (tests/baremetal/nodes.py),
    beside the system pool's node every AKS cluster has (it runs what does not tolerate the GPU
    nodes' sku=gpu taint, the GPU Operator's own pod among them: upstream NVIDIA/gpu-operator
    v26.7.0 deployments/gpu-operator/values.yaml operator.tolerations: the control-plane taint only)."""
    from tests.baremetal.nodes import cpu_node, node
    from tests.emulators.kube.controllers.nvidia_gfd import version_labels

    # The driver GFD's simulator writes (the recorded machines' NVML answers), so a node GFD labels
    # again (after a MIG change) keeps the version its pool's other nodes show.
    driver = version_labels()["nvidia.com/cuda.driver-version.full"]
    made = [cpu_node("aks-system-0"), *(node(f"gpu-node-{index}", driver=driver) for index in range(count))]
    for index, obj in enumerate(made):
        # The addresses the kubelet reports (InternalIP, Hostname), first node 10.224.0.4 as AKS
        # nodes show (upstream: MicrosoftDocs/azure-aks-docs fb060abe articles/aks/learn/
        # quick-windows-container-deploy-cli.md `kubectl get nodes -o wide`; upgrade-windows-os.md
        # shows 10.240.0.4). Consecutive hosts are the lab's choice; no page gives the subnet's size.
        name = obj["metadata"]["name"]
        obj["status"]["addresses"] = [
            {"type": "InternalIP", "address": f"10.224.0.{4 + index}"},
            {"type": "Hostname", "address": name},
        ]
        kube.cluster.create(obj)


# The lab's fleet hub and its members (a real hub learns them from `fleet member join`):
# a staging canary and two production GPU clusters, with the properties Fleet reports.
FLEET_MEMBERS = {
    "canary": ({"env": "staging", "order": "1"}, "1"),
    "gpu-east": ({"env": "prod", "order": "2"}, "2"),
    "gpu-west": ({"env": "prod", "order": "3"}, "2"),
}


def add_fleet_members(kube: Any, vm_size: str = "Standard_NC24ads_A100_v4") -> None:
    """MemberClusters on the hub, as the hub agent writes them (KubeFleet's cluster/v1 API)."""
    api = "cluster.kubernetes-fleet.io/v1"
    for name, (labels, gpu_nodes) in FLEET_MEMBERS.items():
        kube.cluster.create(
            {
                "apiVersion": api,
                "kind": "MemberCluster",
                "metadata": {"name": name, "labels": labels},
                "spec": {"identity": {"kind": "ServiceAccount", "name": "fleet-member", "namespace": "fleet-system"}},
            }
        )
        count = {"value": gpu_nodes, "observationTime": "2026-11-26T00:00:00Z"}
        properties = {f"kubernetes.azure.com/vm-sizes/{vm_size}/count": count}
        kube.cluster.patch_status(api, "MemberCluster", None, name, {"properties": properties})


def install_gpu_operator_chart(kube: Any, *, wait_ready: bool = False, steady: bool = False) -> None:
    """What `helm install gpu-operator nvidia/gpu-operator -n gpu-operator --create-namespace
    --set clusterPolicy.deployCR=false` leaves: the namespace and the operator's Deployment
    (its objects as tests/emulators/kube/controllers/nvidia.py renders them from the chart). With
    ``steady`` (the scale generator's clusters, python -m tests.emulators.kube --nodes N) the NFD
    worker DaemonSet comes with a pod on every node it runs on, as the DaemonSet controller left
    them long ago (tests/emulators/kube/generate_daemons.py, upstream kubernetes/kubernetes
    pkg/controller/daemon/daemon_controller.go syncNodes), instead of the simulator making them
    250 a sync while the commands under test run."""
    from tests.emulators.kube.controllers.nvidia import NAMESPACE, operator_objects
    from tests.emulators.kube.generate_daemons import create_at_steady_state

    kube.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}})
    # nfd.enabled, the chart's default (upstream: NVIDIA/gpu-operator deployments/gpu-operator/values.yaml)
    for obj in operator_objects(nfd=True):
        if steady and obj.get("kind") == "DaemonSet":
            create_at_steady_state(kube, obj)
        else:
            kube.cluster.create(obj)
    # With wait_ready (the lab, whose controllers run), it starts where the helm install left a running
    # operator (as `helm install --wait` does: helm/helm pkg/kube/ready.go waits for a Deployment's pods to
    # be ready); without it a runbook's first `baremetal prepare` on a loaded machine can run before the
    # Deployment controller's pod. The standalone emulator may run no controllers (--no-controllers).
    from tests.emulators.kube.apiserver_common import wait_until

    def operator_ready() -> bool:
        pods = kube.cluster.list("v1", "Pod", namespace=NAMESPACE, label_selector="app=gpu-operator")
        return any(
            any(
                c.get("type") == "Ready" and c.get("status") == "True"
                for c in (p.get("status") or {}).get("conditions") or []
            )
            for p in pods
        )

    if wait_ready and not wait_until(operator_ready, timeout=60.0, interval=0.05):
        raise RuntimeError("the lab's GPU Operator pod did not become ready in 60 s")


# The size whose vCPU quota the lab's subscription has used up, so that a runbook can show a
# NodeClaim that fails to launch (upstream: Azure/karpenter-provider-azure 352646f
# pkg/providers/instance/offerings/commonerrorhandlers.go, SubscriptionQuotaReached).
NAP_QUOTA_REACHED = "Standard_NC80adis_H100_v5"


def install_lab_nap(kube: Any) -> None:
    """Node auto-provisioning on the lab's cluster: the AKSNodeClass and NodePool ``default`` NAP
    creates and the Karpenter simulator (tests/emulators/kube/controllers/karpenter.py, whose
    behaviours cite upstream), with NAP_QUOTA_REACHED out of quota. Opt-in (a runbook's
    ``<!-- lab: node-auto-provisioning -->``): NAP's ``default`` NodePool would make nodes for the
    pending pods of the other runbooks, which the cluster autoscaler serves."""
    from tests.emulators.kube.controllers.karpenter_install import install_nap

    install_nap(kube).quota_reached.add(NAP_QUOTA_REACHED)


@contextmanager
def running(workdir: Path | None = None, *, tls: bool = False, nap: bool = False) -> Iterator[Lab]:
    """Both emulators, started, with every CRD of ../shared/crds and every operator simulator;
    with ``nap``, the cluster is a node auto-provisioning one (see install_lab_nap)."""
    from tests.emulators.arm.server import ArmEmulator
    from tests.emulators.autoscaler import ClusterAutoscaler
    from tests.emulators.kube.controllers.builtin import builtin_controllers
    from tests.emulators.kube.crds import default_crd_dir
    from tests.emulators.kube.emulator import KubeEmulator
    from tests.emulators.kube.profiles import (
        aks_storage_classes,
        install_airunway_controller,
        install_airunway_providers,
        install_gateway,
        install_kaito_controller,
        install_keda_kaito_scaler,
        install_podmonitor_api,
        keda_operator_pod,
        kuberay_operator_pod,
        metrics_server,
    )
    from tests.emulators.serving import serve_models

    with tempfile.TemporaryDirectory(prefix="akscli-lab-") as scratch:
        root = Path(workdir or scratch)
        home = root / "home"
        home.mkdir(parents=True, exist_ok=True)
        kube = KubeEmulator(crd_dirs=[default_crd_dir()], tls=tls).start()
        arm = ArmEmulator().start()
        try:
            seed_subscription(arm)
            for controller in [*builtin_controllers(0.02, None), *operator_simulators(kube=kube)]:
                kube.controllers.add(controller)
            # AKS's cluster autoscaler: grows the ARM cluster's autoscaling pools with Kubernetes
            # nodes when a pod waits (every ARM cluster of the lab is the one kube emulator;
            # upstream: kubernetes/autoscaler cluster-autoscaler/core/static_autoscaler.go, cited
            # in detail in tests/emulators/autoscaler.py).
            kube.controllers.add(ClusterAutoscaler(arm, delay=0.02))
            install_kaito_controller(kube)  # the KAITO add-on's controller pod, as on AKS
            # AI Runway's controller pod and its providers' InferenceProviderConfigs (`model deploy
            # --runtime airunway` exits 7 without one for its provider).
            install_airunway_controller(kube)
            install_airunway_providers(kube)
            serving = serve_models(kube)  # KAITO's and akscli's vLLM pods answer once ready
            install_keda_kaito_scaler(kube)  # the autoscaler KAITO's InferenceSets scale through
            # The KEDA and KubeRay operators' pods, which the simulators stand for: `doctor --for
            # model,ray` looks for them (as it does for KAITO's) and reports them missing without.
            keda_operator_pod(kube)
            kuberay_operator_pod(kube)
            # What `--runtime vllm --autoscale` and `--expose` need, as on an AKS cluster with the
            # Prometheus Operator (kube-prometheus-stack) and a Gateway (the app routing add-on's
            # Istio GatewayClass): the README tour's most complete line runs in the lab.
            install_podmonitor_api(kube)
            install_gateway(kube)
            # the Azure Disk and Files CSI classes and provisioner, as on AKS (MicrosoftDocs/azure-aks-docs
            # articles/aks/concepts-storage.md, articles/aks/create-volume-azure-disk.md;
            # kubernetes-sigs/azurefile-csi-driver deploy/example/storageclass-azurefile-csi.yaml)
            aks_storage_classes(kube)
            metrics_server(kube)  # metrics.k8s.io, on by default on AKS
            add_fleet_members(kube)
            add_gpu_nodes(kube)
            install_gpu_operator_chart(kube, wait_ready=True)
            if nap:
                install_lab_nap(kube)
            kubeconfig = kube.write_kubeconfig(home / ".kube" / "config")
            env = arm_environment(arm, home) | {
                "KUBECONFIG": str(kubeconfig),
                "HOME": str(home),
                "AKSCLI_CACHE_DIR": str(root / "cache"),
                "AKSCLI_AUDIT_LOG": str(root / "audit.jsonl"),
                "NO_COLOR": "1",
            }
            yield Lab(kube, arm, home, env, serving)
        finally:
            arm.stop()
            kube.stop()
