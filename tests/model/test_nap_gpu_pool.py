"""The NAP GPU journey: `akscli nodepool add --auto-provision --gpu h100` on a node auto-provisioning
cluster, then `akscli model deploy --runtime vllm --wait` pinned to an H100 size: the NAP simulator
(tests/emulators/kube/controllers/karpenter.py) makes the node and the model becomes ready."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.baremetal.nodes import small_cpu_node
from tests.cli import invoke
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers.karpenter_install import install_nap
from tests.model.conftest import SERVING_CRDS

Start = Callable[..., Any]
H100 = "Standard_NC40ads_H100_v5"
NC80 = "Standard_NC80adis_H100_v5"
NODE_CLASS_REF = {"group": "karpenter.azure.com", "kind": "AKSNodeClass", "name": "default"}


def nap_lab(model_emulator: Start) -> Any:
    emu = model_emulator(crds=(*SERVING_CRDS, "karpenter"))
    emu.cluster.create(small_cpu_node(labels={"kubernetes.azure.com/mode": "system"}))
    emu.nap = install_nap(emu)
    return emu


def text(result: Any) -> str:
    return f"{result.stdout}\n{result.stderr}"


def test_a_model_pinned_to_h100_runs_on_the_node_nap_makes_for_the_gpu_pool(model_emulator: Start) -> None:
    emu = nap_lab(model_emulator)
    added = invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", "--max-gpus", "8", "-y")
    assert added.exit_code == 0, text(added)
    assert "nodepool.karpenter.sh/gpu" in added.stdout and "AKSNodeClass" not in added.stderr
    result = invoke(
        "model", "deploy", "phi-4", "--runtime", "vllm", "--vm-size", H100, "--wait", "--timeout", "20s", "-y"
    )
    assert result.exit_code == 0, text(result)
    # The fit check counts the NodePool as capacity on demand: no "stay Pending" warning.
    assert "stay Pending" not in text(result)
    [(pool, _, size)] = emu.nap.provisioned
    assert (pool, size) == ("gpu", H100)
    listed = json.loads(invoke("nodepool", "list", "--auto-provision", "-o", "json").stdout)["items"]
    gpu = next(p for p in listed if p["metadata"]["name"] == "gpu")
    assert gpu["status"]["resources"]["nvidia.com/gpu"] == "1"


def test_a_pinned_deploy_without_a_pool_for_the_size_still_warns(model_emulator: Start) -> None:
    nap_lab(model_emulator)
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--vm-size", H100, "-y")
    assert result.exit_code == 0, text(result)
    assert "stay Pending" in text(result)


def test_a_pool_at_its_gpu_limit_is_not_capacity_on_demand(model_emulator: Start) -> None:
    nap_lab(model_emulator)
    assert invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", "--max-gpus", "0", "-y").exit_code == 0
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--vm-size", H100, "-y")
    assert "stay Pending" in text(result)


def test_add_on_a_cluster_without_nap_is_one_line(model_emulator: Start) -> None:
    model_emulator()  # no karpenter.sh CRDs: NAP is not enabled
    result = invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", "-y")
    assert result.exit_code == 7
    assert "node auto-provisioning is not enabled on this cluster" in result.stderr
    assert "--node-provisioning-mode Auto" in result.stderr
    assert "Traceback" not in result.stderr


def test_show_and_delete_of_a_nap_pool(model_emulator: Start) -> None:
    nap_lab(model_emulator)
    added = invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "a100", "--gpus-per-node", "1", "-y")
    assert added.exit_code == 0
    shown = invoke("nodepool", "show", "gpu", "--auto-provision")
    assert shown.exit_code == 0 and "Standard_NC24ads_A100_v4" in shown.stdout
    assert shown.stdout.endswith("\nNodeClaims:  <none>\n"), shown.stdout  # in the report, as kubectl describe
    deleted = invoke("nodepool", "delete", "gpu", "--auto-provision", "-y")
    assert deleted.exit_code == 0, text(deleted)
    assert "nodepool.karpenter.sh" in deleted.stdout and "deleted" in deleted.stdout
    assert invoke("nodepool", "show", "gpu", "--auto-provision").exit_code == 3
    assert invoke("nodepool", "delete", "gpu", "--auto-provision", "-y", "--ignore-not-found").exit_code == 0


def test_add_warns_where_the_default_aksnodeclass_is_missing(model_emulator: Start) -> None:
    model_emulator(crds=(*SERVING_CRDS, "karpenter"))  # the CRDs, no AKSNodeClass
    result = invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", "-y")
    assert result.exit_code == 0, text(result)
    assert "AKSNodeClass default is not on the cluster" in result.stderr


def test_a_wait_whose_nodeclaim_was_deleted_after_a_quota_failure_says_it_is_gone_not_coming(
    model_emulator: Start,
) -> None:
    # A pod pinned to a size out of quota: the claim fails, the size is marked unavailable, and the
    # retried launch finds no size: Karpenter deletes the claim (launch.go, InsufficientCapacityError).
    emu = nap_lab(model_emulator)
    emu.nap.quota_reached.add(H100)
    assert invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", "--max-gpus", "8", "-y").exit_code == 0
    result = invoke(
        "model", "deploy", "phi-4", "--runtime", "vllm", "--vm-size", H100, "--wait", "--timeout", "3s", "-y"
    )
    assert result.exit_code != 0
    out = text(result)
    assert "made for it, is gone: InsufficientCapacityError: NodeClaim gpu-" in out
    assert "all requested instance types were unavailable during launch" in out
    assert "pin the pods to another size the NodePool allows" in out
    assert "a node is being made" not in out and "Traceback" not in out


def test_model_status_keeps_the_deleted_claims_reason_after_karpenter_says_it_failed_to_schedule_the_pod(
    model_emulator: Start,
) -> None:
    # After the claim is deleted, Karpenter posts its own FailedScheduling on the pod (scheduler.go,
    # events.go PodFailedToScheduleEvent); the claim's InsufficientCapacityError is still quoted.
    # The pool's other sizes are not offered in the region, so no pool has an available size left.
    emu = nap_lab(model_emulator)
    emu.nap.quota_reached.add(H100)
    emu.nap.not_offered.update({NC80, "Standard_ND96isr_H100_v5"})
    assert invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", "--max-gpus", "8", "-y").exit_code == 0
    assert invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--vm-size", H100, "-y").exit_code == 0
    assert wait_until(
        lambda: any(
            e["reason"] == "FailedScheduling" and e["source"]["component"] == "karpenter"
            for e in emu.cluster.list("v1", "Event")
        ),
        timeout=10,
    )
    out = text(invoke("model", "status", "phi-4"))
    assert "made for it, is gone: InsufficientCapacityError" in out
    assert "pin the pods to another size the NodePool allows" in out


def test_show_lists_the_pools_nodeclaims_with_size_capacity_node_and_state(model_emulator: Start) -> None:
    emu = nap_lab(model_emulator)
    assert invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", "--max-gpus", "8", "-y").exit_code == 0
    assert invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--vm-size", H100, "--wait", "--timeout", "20s",
                  "-y").exit_code == 0  # fmt: skip
    [(_, claim, _)] = emu.nap.provisioned
    shown = invoke("nodepool", "show", "gpu", "--auto-provision")
    assert shown.exit_code == 0, text(shown)
    row = next(line.split() for line in shown.stdout.splitlines() if line.startswith(claim))
    assert row == [claim, H100, "on-demand", f"aks-{claim}", "True", "Ready"]


def test_show_gives_a_nodeclaims_launch_failure_as_its_state(model_emulator: Start) -> None:
    # A claim between a failed launch and its retry (the simulator retries at once, so it is written
    # here as Karpenter leaves it: launch.go Launched Unknown with the CreateError's reason).
    emu = nap_lab(model_emulator)
    assert invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", "--max-gpus", "8", "-y").exit_code == 0
    message = f"subscription level on-demand vCPU quota for {H100} has been reached"
    sizes = {"key": "node.kubernetes.io/instance-type", "operator": "In", "values": [H100, NC80]}
    claim = {
        "apiVersion": "karpenter.sh/v1",
        "kind": "NodeClaim",
        "metadata": {"name": "gpu-abcde", "labels": {"karpenter.sh/nodepool": "gpu"}},
        "spec": {"nodeClassRef": NODE_CLASS_REF, "requirements": [sizes]},
    }
    emu.cluster.create(claim)
    launched = {"type": "Launched", "status": "Unknown", "reason": "SubscriptionQuotaReached", "message": message,
                "lastTransitionTime": "2026-12-05T10:00:00Z"}  # fmt: skip
    emu.cluster.patch_status("karpenter.sh/v1", "NodeClaim", None, "gpu-abcde", {"conditions": [launched]})
    shown = invoke("nodepool", "show", "gpu", "--auto-provision")
    row = next(line for line in shown.stdout.splitlines() if line.startswith("gpu-abcde"))
    assert f"{H100},{NC80}" in row
    assert "not launched: SubscriptionQuotaReached: subscription level on-demand vCPU quota" in row


def test_show_gives_the_nodepools_conditions_as_karpenter_names_them(model_emulator: Start) -> None:
    emu = nap_lab(model_emulator)
    assert invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", "-y").exit_code == 0
    assert wait_until(
        lambda: (emu.cluster.get("karpenter.sh/v1", "NodePool", None, "gpu").get("status") or {}).get("conditions")
    )
    shown = invoke("nodepool", "show", "gpu", "--auto-provision")
    types = [line.split()[0] for line in shown.stdout.split("Conditions:")[1].split("NodeClaims:")[0].splitlines()[2:]
             if line.strip()]  # fmt: skip
    assert sorted(types) == ["NodeClassReady", "Ready", "ValidationSucceeded"]


def test_show_gives_resources_in_use_against_the_limits(model_emulator: Start) -> None:
    nap_lab(model_emulator)
    assert invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", "--max-gpus", "8", "-y").exit_code == 0
    assert invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--vm-size", H100, "--wait", "--timeout", "20s",
                  "-y").exit_code == 0  # fmt: skip
    shown = invoke("nodepool", "show", "gpu", "--auto-provision")
    assert "resources: " in shown.stdout and "nvidia.com/gpu 1 of 8" in shown.stdout


def test_deploy_says_in_one_line_that_nap_makes_the_node_it_relies_on(model_emulator: Start) -> None:
    nap_lab(model_emulator)
    assert invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", "--max-gpus", "8", "-y").exit_code == 0
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--vm-size", H100, "-y")
    assert result.exit_code == 0, text(result)
    lines = [line for line in result.stderr.splitlines() if "node auto-provisioning makes" in line]
    assert lines == [
        f"no node can take the pods now: node auto-provisioning makes a {H100} node for them (NodePool gpu); "
        "a new node takes minutes to join"
    ]


def test_show_and_list_write_none_for_what_the_nodepool_leaves_unset(model_emulator: Start) -> None:
    # kubectl's tables write <none> for an empty cell; akscli's output._text does for None.
    nap_lab(model_emulator)
    assert invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", "-y").exit_code == 0
    shown = invoke("nodepool", "show", "gpu", "--auto-provision").stdout
    assert "\nweight:       <none>\n" in shown and "\nmaxGpus:      <none>\n" in shown
    # An unset terminationGracePeriod (no limit on a drain) is left out, not written <none>.
    assert "\nexpireAfter:  Never\n" in shown and "terminationGracePeriod" not in shown
    listed = invoke("nodepool", "list", "--auto-provision").stdout.splitlines()
    default = next(line for line in listed if line.startswith("default "))
    assert default.split()[-2:] == ["<none>", "True"]


def test_show_and_list_wide_give_the_pools_termination_grace_period_and_expire_after(model_emulator: Start) -> None:
    # upstream: kubernetes-sigs/karpenter v1.14.0 pkg/apis/v1/nodepool.go NodeClaimTemplateSpec
    # TerminationGracePeriod and ExpireAfter, the template's copies of the NodeClaim's.
    nap_lab(model_emulator)
    flags = ("--gpu", "h100", "--termination-grace-period", "2h", "--expire-after", "720h", "-y")
    added = invoke("nodepool", "add", "gpu", "--auto-provision", *flags)
    assert added.exit_code == 0, text(added)
    shown = invoke("nodepool", "show", "gpu", "--auto-provision").stdout
    assert "\nexpireAfter:            720h\n" in shown and "\nterminationGracePeriod: 2h\n" in shown
    [header, *rows] = invoke("nodepool", "list", "--auto-provision", "-o", "wide").stdout.splitlines()
    assert header.split()[-5:] == ["EXPIRE", "AFTER", "TERMINATION", "GRACE", "PERIOD"]
    assert next(r for r in rows if r.startswith("gpu ")).split()[-2:] == ["720h", "2h"]


def test_a_pinned_deploy_no_nodepool_admits_names_a_nap_pool_as_the_fix_not_the_cluster_autoscaler(
    model_emulator: Start,
) -> None:
    # AKS takes no autoscaled ARM pool on a NAP cluster (upstream: Azure/azure-rest-api-specs
    # aks/stable/2026-08-01 NodeProvisioningMode "Auto"; akscli.azure.nodepools.refuse_autoscaler_on_nap).
    nap_lab(model_emulator)
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--vm-size", H100, "-y")
    assert result.exit_code == 0, text(result)
    assert f"no NodePool admits it: akscli nodepool add NAME --auto-provision --vm-size {H100}" in result.stderr
    assert "cluster autoscaler" not in result.stderr


def region_lab(model_emulator: Start) -> Any:
    emu = model_emulator(crds=(*SERVING_CRDS, "karpenter"))
    labels = {"kubernetes.azure.com/mode": "system", "topology.kubernetes.io/region": "eastus"}
    emu.cluster.create(small_cpu_node(labels=labels))
    emu.nap = install_nap(emu)
    return emu


def test_a_zone_of_another_region_is_one_line_exit_2_and_nothing_is_applied(model_emulator: Start) -> None:
    # NAP offers a size only in the zones of the cluster's region (karpenter-provider-azure
    # instancetypes.go createOfferings): a NodePool pinned to westus2-1 would never make a node.
    emu = region_lab(model_emulator)
    emu.record_requests = True
    result = invoke(
        "nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", "--zones", "eastus-1,westus2-1", "-y"
    )
    assert result.exit_code == 2, text(result)
    # the error alone: the --gpu size line comes once every value is checked (audit 18 validfirst)
    expected = "error: --zones westus2-1 is not in the cluster's region eastus (node aks-system-0's"
    assert result.stderr.startswith(expected)
    assert "--zones eastus-1,eastus-2" in result.stderr and result.stdout == ""
    assert emu.cluster.get("karpenter.sh/v1", "NodePool", None, "gpu") is None
    [nodes] = emu.requests("GET", "/api/v1/nodes")
    assert nodes.query["limit"] == ["1"]


def test_zones_of_the_clusters_region_are_applied(model_emulator: Start) -> None:
    emu = region_lab(model_emulator)
    result = invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", "--zones", "eastus-2", "-y")
    assert result.exit_code == 0, text(result)
    pool = emu.cluster.get("karpenter.sh/v1", "NodePool", None, "gpu")
    zones = [r for r in pool["spec"]["template"]["spec"]["requirements"] if r["key"] == "topology.kubernetes.io/zone"]
    assert zones == [{"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["eastus-2"]}]


def test_bare_zone_numbers_become_zones_of_the_clusters_region_with_one_read_of_a_node(
    model_emulator: Start,
) -> None:
    # az takes ARM zone numbers; NAP's label is "<region>-<n>" (karpenter-provider-azure zones.go
    # MakeAKSLabelZoneFromARMZone)
    emu = region_lab(model_emulator)
    emu.record_requests = True
    result = invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", "--zones", "1,2", "-y")
    assert result.exit_code == 0, text(result)
    pool = emu.cluster.get("karpenter.sh/v1", "NodePool", None, "gpu")
    zones = [r for r in pool["spec"]["template"]["spec"]["requirements"] if r["key"] == "topology.kubernetes.io/zone"]
    assert zones == [{"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["eastus-1", "eastus-2"]}]
    [nodes] = emu.requests("GET", "/api/v1/nodes")
    assert nodes.query["limit"] == ["1"]


def test_a_bare_zone_number_where_no_node_names_the_region_is_refused_and_nothing_is_applied(
    model_emulator: Start,
) -> None:
    emu = nap_lab(model_emulator)  # its node has no topology.kubernetes.io/region label
    result = invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", "--zones", "2", "-y")
    assert result.exit_code == 2, text(result)
    assert "--zones 2 needs the cluster's region, and no node's topology.kubernetes.io/region could be read" in (
        result.stderr
    )
    assert emu.cluster.get("karpenter.sh/v1", "NodePool", None, "gpu") is None


def test_a_nap_pool_with_disruption_flags_is_accepted_by_the_nodepool_crd(model_emulator: Start) -> None:
    # the emulator validates against the shared karpenter.sh_nodepools.yaml schema (budgets' pattern)
    emu = nap_lab(model_emulator)
    result = invoke(
        "nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", "--disruption-budget", "1",
        "--consolidate-after", "Never", "-y",
    )  # fmt: skip
    assert result.exit_code == 0, text(result)
    pool = emu.cluster.get("karpenter.sh/v1", "NodePool", None, "gpu")
    assert pool["spec"]["disruption"]["budgets"] == [{"nodes": "1"}]


def test_os_disk_size_makes_the_pools_aksnodeclass_and_delete_takes_it_with_the_pool(model_emulator: Start) -> None:
    emu = nap_lab(model_emulator)
    added = invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", "--os-disk-size", "512", "-y")
    assert added.exit_code == 0, text(added)
    assert emu.cluster.get("karpenter.azure.com/v1beta1", "AKSNodeClass", None, "gpu")["spec"]["osDiskSizeGB"] == 512
    deleted = invoke("nodepool", "delete", "gpu", "--auto-provision", "-y")
    assert deleted.exit_code == 0, text(deleted)
    assert emu.cluster.get("karpenter.sh/v1", "NodePool", None, "gpu") is None
    assert emu.cluster.get("karpenter.azure.com/v1beta1", "AKSNodeClass", None, "gpu") is None
    assert emu.cluster.get("karpenter.azure.com/v1beta1", "AKSNodeClass", None, "default") is not None


def test_add_again_without_os_disk_size_prunes_the_pools_own_aksnodeclass(model_emulator: Start) -> None:
    # One mechanism: apply's stack prune (kube/apply.py _prune_candidates) over the stack's labels.
    emu = nap_lab(model_emulator)
    added = invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", "--os-disk-size", "512", "-y")
    assert added.exit_code == 0, text(added)
    again = invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", "-y")
    assert again.exit_code == 0, text(again)
    assert "aksnodeclass.karpenter.azure.com/gpu pruned" in text(again)
    assert emu.cluster.get("karpenter.azure.com/v1beta1", "AKSNodeClass", None, "gpu") is None
    pool = emu.cluster.get("karpenter.sh/v1", "NodePool", None, "gpu")
    assert pool["spec"]["template"]["spec"]["nodeClassRef"]["name"] == "default"


def test_add_again_leaves_a_node_class_the_pool_only_referred_to(model_emulator: Start) -> None:
    emu = nap_lab(model_emulator)
    emu.cluster.create({"apiVersion": "karpenter.azure.com/v1beta1", "kind": "AKSNodeClass",
                        "metadata": {"name": "shared"}, "spec": {}})  # fmt: skip
    assert (
        invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", "--node-class", "shared", "-y").exit_code
        == 0
    )
    assert invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", "-y").exit_code == 0
    assert emu.cluster.get("karpenter.azure.com/v1beta1", "AKSNodeClass", None, "shared") is not None


def test_delete_leaves_a_node_class_the_pool_only_refers_to(model_emulator: Start) -> None:
    emu = nap_lab(model_emulator)
    emu.cluster.create({"apiVersion": "karpenter.azure.com/v1beta1", "kind": "AKSNodeClass",
                        "metadata": {"name": "shared"}, "spec": {}})  # fmt: skip
    added = invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", "--node-class", "shared", "-y")
    assert added.exit_code == 0 and "AKSNodeClass" not in added.stderr, text(added)
    assert invoke("nodepool", "delete", "gpu", "--auto-provision", "-y").exit_code == 0
    assert emu.cluster.get("karpenter.azure.com/v1beta1", "AKSNodeClass", None, "shared") is not None


def test_a_node_class_not_on_the_cluster_is_a_warning_naming_it(model_emulator: Start) -> None:
    nap_lab(model_emulator)
    added = invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", "--node-class", "gpu-class", "-y")
    assert added.exit_code == 0 and "AKSNodeClass gpu-class is not on the cluster" in added.stderr


def test_add_again_lists_for_its_prune_only_the_kinds_its_stack_recorded(model_emulator: Start) -> None:
    # akscli.kube.stack_kinds: the pool's stack records NodePool and AKSNodeClass, so the re-run's
    # prune does not list Deployments, Workspaces, RayClusters... (19 labelled lists on main, 3 here).
    emu = nap_lab(model_emulator)
    added = invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", "--os-disk-size", "512", "-y")
    assert added.exit_code == 0, text(added)
    emu.record_requests = True
    emu.request_log.clear()
    again = invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", "-y")
    assert again.exit_code == 0 and "aksnodeclass.karpenter.azure.com/gpu pruned" in text(again), text(again)
    listed = {e.path for e in emu.request_log if e.method == "GET" and e.query.get("labelSelector")}
    # the plan's drift note (akscli.nap.drift) asks which of the pool's NodeClaims the changed
    # template (another nodeClassRef) drifts: a read of its own, not the prune's
    listed.discard("/apis/karpenter.sh/v1/nodeclaims")
    assert listed == {"/apis/karpenter.sh/v1/nodepools", "/apis/karpenter.azure.com/v1beta1/aksnodeclasses"}


def test_show_holds_a_row_per_nodeclaim_not_the_claims(model_emulator: Start, monkeypatch: Any) -> None:
    """A pool has a NodeClaim per node: each becomes its row as its page arrives
    (tests/listpages.py held_objects: one claim a page, each counted while it lives)."""
    from tests.listpages import held_objects

    emu = nap_lab(model_emulator)
    assert invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", "-y").exit_code == 0
    sizes = {"key": "node.kubernetes.io/instance-type", "operator": "In", "values": [H100]}
    for n in range(12):
        emu.cluster.create({
            "apiVersion": "karpenter.sh/v1",
            "kind": "NodeClaim",
            "metadata": {"name": f"gpu-{n:05d}", "labels": {"karpenter.sh/nodepool": "gpu"}},
            "spec": {"nodeClassRef": NODE_CLASS_REF, "requirements": [sizes]},
        })  # fmt: skip
    held = held_objects(monkeypatch, "NodeClaim")
    shown = invoke("nodepool", "show", "gpu", "--auto-provision")
    assert shown.exit_code == 0, text(shown)
    assert sum(line.startswith("gpu-0") for line in shown.stdout.splitlines()) == 12
    assert held.listed == 12 and held.most <= 2  # the page read, and the one before it
