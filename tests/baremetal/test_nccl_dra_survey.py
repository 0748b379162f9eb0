"""baremetal test nccl finds the nodes whose GPUs the NVIDIA DRA driver publishes by their
ResourceSlices, not by GPU labels: a bare-metal node may carry none (no GPU feature discovery, no
AKS accelerator label, no Azure VM size), and GPU feature discovery may still label a DRA node
``nvidia.com/mig.strategy=mixed`` from when its device plugin ran it. Its GPUs per node are the
devices its slices publish of the class ``nvidia.com/gpu`` maps to (akscli.gpu.held)."""

from __future__ import annotations

from typing import Any

from akscli import yamlio
from tests.baremetal import nodes as fx
from tests.baremetal.test_nccl_free_gpus import node_names
from tests.cli import invoke
from tests.model.test_deploy_cluster_dra import gpu_class
from tests.ops.test_gpu_usage_dra import gpu_device, mig_device, resource_slice

SIZE_LABEL = "node.kubernetes.io/instance-type"


def bare_dra_node(emu: Any, name: str, gpus: int, labels: dict[str, str] | None = None) -> None:
    """A bare-metal node the DRA driver runs: no GPU label, no VM size, no nvidia.com/gpu; its
    slice publishes ``gpus`` whole GPUs."""
    node = fx.node(name, gpus=None, gpu_labels=False)
    del node["metadata"]["labels"][SIZE_LABEL]
    node["metadata"]["labels"].update(labels or {})
    emu.cluster.create(node)
    emu.cluster.create(resource_slice(name, [gpu_device(g, name) for g in range(gpus)]))


def nccl(*args: str) -> Any:
    return invoke("baremetal", "test", "nccl", "--nodes", "1", "--dry-run=server", *args)


def pod_gpus(stdout: str) -> str:
    (job,) = [d for d in yamlio.load_all(stdout) if d["kind"] == "Job"]
    (container,) = job["spec"]["template"]["spec"]["containers"]
    return str(container["resources"]["limits"]["nvidia.com/gpu"])


def test_a_dra_node_without_gpu_labels_is_a_candidate_with_its_slices_gpus(kube_emulator: Any, kubeconfig: Any) -> None:
    # Before: not a GPU node (no label, no size): "no GPU node", and no count per node.
    kube_emulator.cluster.create(gpu_class())
    bare_dra_node(kube_emulator, "metal-0", 4)
    result = nccl()
    assert result.exit_code == 0, result.stderr
    assert node_names(result.stdout) == ["metal-0"]
    assert pod_gpus(result.stdout) == "4"


def test_a_dra_node_gfd_labels_mig_mixed_is_read_by_its_slices(kube_emulator: Any, kubeconfig: Any) -> None:
    # Before: "MIG mode: 0 MIG device(s), no whole GPU" from the label, and refused (exit 7).
    kube_emulator.cluster.create(gpu_class())
    bare_dra_node(kube_emulator, "metal-0", 8, {"nvidia.com/mig.strategy": "mixed", "nvidia.com/gpu.present": "true"})
    result = nccl()
    assert result.exit_code == 0, result.stderr
    assert node_names(result.stdout) == ["metal-0"]
    assert pod_gpus(result.stdout) == "8"


def test_a_dynamic_mig_layout_counts_one_gpu_per_physical_gpu(kube_emulator: Any, kubeconfig: Any) -> None:
    # The driver's DynamicMIG slice: each GPU and its possible MIG placements (NVIDIA/k8s-dra-driver-gpu
    # driver.go generateCombinedResourceSlices); the class gpu.nvidia.com selects the 2 GPUs.
    kube_emulator.cluster.create(gpu_class())
    node = fx.node("metal-0", gpus=None, gpu_labels=False)
    del node["metadata"]["labels"][SIZE_LABEL]
    kube_emulator.cluster.create(node)
    devices = [
        d for g in range(2) for d in (gpu_device(g, "metal-0"), *(mig_device(g, "metal-0", p) for p in range(7)))
    ]
    for d in devices:
        gpu = d["name"].split("-mig-")[0]
        d["consumesCounters"] = [{"counterSet": f"{gpu}-counter-set", "counters": {"memory-slice-0": {"value": "1"}}}]
    kube_emulator.cluster.create(resource_slice("metal-0", devices))
    result = nccl()
    assert result.exit_code == 0, result.stderr
    assert pod_gpus(result.stdout) == "2"


def test_without_a_class_mapping_nvidia_gpu_unlabelled_nodes_are_not_gpu_nodes(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    # Guard: the slices alone do not make a node a candidate; the pods' nvidia.com/gpu needs the class.
    kube_emulator.cluster.create(gpu_class(extended=False))
    bare_dra_node(kube_emulator, "metal-0", 4)
    result = nccl("--gpus-per-node", "4")
    assert node_names(result.stdout) != ["metal-0"]


def slice_lists(emu: Any) -> list[list[str]]:
    """The field selectors of the survey's ResourceSlice lists (one entry per page; not the
    reads of one chosen node's slices, by spec.nodeName)."""
    lists = [r.query.get("fieldSelector", []) for r in emu.requests(method="GET", path="/resourceslices", verb="list")]
    return [s for s in lists if not any(term.startswith("spec.nodeName=") for term in s)]


def test_the_survey_asks_for_the_drivers_slices_only(kube_emulator: Any, kubeconfig: Any) -> None:
    # The class pins device.driver == 'gpu.nvidia.com': another driver's slices (a network
    # driver's on every node) are not read. Before: one list of every slice, no selector.
    kube_emulator.cluster.create(gpu_class())
    bare_dra_node(kube_emulator, "metal-0", 4)
    net = resource_slice("metal-0", [{"name": "eth1"}], index=1)
    net["spec"].update(driver="dra.net", pool={"name": "metal-0-net", "generation": 1, "resourceSliceCount": 1})
    kube_emulator.cluster.create(net)
    kube_emulator.request_log.clear()
    result = nccl()
    assert result.exit_code == 0, result.stderr
    assert slice_lists(kube_emulator) == [["spec.driver=gpu.nvidia.com"]]
    assert pod_gpus(result.stdout) == "4"


def test_a_class_that_pins_no_driver_reads_every_slice(kube_emulator: Any, kubeconfig: Any) -> None:
    # Guard: without device.driver in a conjunct, any driver's device may be selected.
    any_driver = gpu_class()
    any_driver["spec"]["selectors"] = [{"cel": {"expression": "device.attributes['gpu.nvidia.com'].type == 'gpu'"}}]
    kube_emulator.cluster.create(any_driver)
    bare_dra_node(kube_emulator, "metal-0", 4)
    kube_emulator.request_log.clear()
    result = nccl()
    assert result.exit_code == 0, result.stderr
    assert slice_lists(kube_emulator) == [[]]


def test_past_the_claim_read_limit_the_run_says_a_claim_no_pod_names_was_not_counted(
    kube_emulator: Any, kubeconfig: Any, monkeypatch: Any
) -> None:
    # No selectable field names a claim's node (kubernetes/kubernetes pkg/registry/resource/
    # resourceclaim/strategy.go toSelectableFields: metadata only): past the limit, none is listed.
    from akscli.gpu import held as gpu_held
    from tests.model.test_deploy_cluster_dra_claims import allocated

    monkeypatch.setattr(gpu_held, "CLAIMS_READ_MAX", 1)
    monkeypatch.setattr(gpu_held, "_CLAIM_PAGE", 1)
    kube_emulator.cluster.create(gpu_class())
    bare_dra_node(kube_emulator, "a100-0", 4)
    kube_emulator.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}})
    allocated(kube_emulator, "by-hand", ["gpu-0"])
    allocated(kube_emulator, "other", ["gpu-1"])
    result = nccl()
    assert result.exit_code == 0, result.stderr
    assert (
        "the cluster has more than 1 ResourceClaims, so GPUs in use on DRA nodes were counted through the claims "
        "their pods name: a claim no pod names may still hold GPUs"
    ) in " ".join(result.stderr.split())
