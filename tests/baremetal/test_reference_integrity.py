"""Every reference of the bare-metal objects resolves: to an object of the same set, or to one an
upstream engine makes, each cited.

- NCCL test: the Job controller gives the Indexed Job's pod for index i the hostname JOB-i
  (kubernetes/kubernetes pkg/controller/job/job_controller.go manageJob, template.Spec.Hostname)
  and env JOB_COMPLETION_INDEX (indexed_job_utils.go), and with spec.subdomain equal to a headless
  Service's name the pod answers at JOB-i.SERVICE. The script reaches the others there on
  sshd's port, and reads the ConfigMap and Secret of the set at their mount paths.
- RDMA shared device plugin: reads /k8s-rdma-shared-dev-plugin/config.json and advertises
  rdma/<resourceName> (Mellanox/k8s-rdma-shared-dev-plugin pkg/resources/resources_manager.go,
  DefaultConfigFilePath and rdmaHcaResourcePrefix "rdma"); the NCCL test asks for that resource.
- Both run at PriorityClass system-node-critical, which the API server makes itself
  (kubernetes/kubernetes pkg/apis/scheduling/types.go SystemNodeCritical)."""

from __future__ import annotations

import json
import re
from typing import Any

from akscli.baremetal import nccl, prepare

RDMA_CONFIG_PATH = "/k8s-rdma-shared-dev-plugin/config.json"


def _nccl_objects() -> dict[str, dict[str, Any]]:
    spec = nccl.NcclSpec(
        name="nccl-ab12",
        namespace="default",
        nodes=2,
        gpus_per_node=8,
        image="example.azurecr.io/nccl:1",
        rdma_resource=nccl.DEFAULT_RDMA_RESOURCE,
        host_network=False,
        node_selector={},
    )
    return {o["kind"]: o for o in nccl.objects(spec, run_id="ab12", keypair=("PRIVATE", "ssh-ed25519 AAAA akscli"))}


def _selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


def test_the_nccl_service_selects_the_job_pods_and_is_their_subdomain() -> None:
    objs = _nccl_objects()
    service, job = objs["Service"], objs["Job"]
    pod = job["spec"]["template"]
    assert service["spec"]["clusterIP"] == "None"
    assert _selects(service["spec"]["selector"], pod["metadata"]["labels"])
    assert pod["spec"]["subdomain"] == service["metadata"]["name"]
    assert job["spec"]["completionMode"] == "Indexed"
    env = {e["name"]: e.get("value") for e in pod["spec"]["containers"][0]["env"]}
    assert env["JOB_NAME"] == job["metadata"]["name"] and env["SERVICE_NAME"] == service["metadata"]["name"]


def test_the_nccl_script_talks_ssh_on_the_services_port() -> None:
    objs = _nccl_objects()
    script = objs["ConfigMap"]["data"]["run.sh"]
    [port] = objs["Service"]["spec"]["ports"]
    assert f"sshd -p {port['port']}" in script
    assert f"Port {port['port']}" in script


def test_the_nccl_pods_mount_the_configmap_and_secret_of_the_set_where_the_script_reads_them() -> None:
    objs = _nccl_objects()
    pod = objs["Job"]["spec"]["template"]["spec"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    mounts = {m["name"]: m["mountPath"] for m in pod["containers"][0]["volumeMounts"]}
    script_dir = mounts["script"]
    assert volumes["script"]["configMap"]["name"] == objs["ConfigMap"]["metadata"]["name"]
    command = pod["containers"][0]["command"]
    assert command[-1].startswith(script_dir + "/")
    assert command[-1].rpartition("/")[2] in objs["ConfigMap"]["data"]
    assert volumes["ssh"]["secret"]["secretName"] == objs["Secret"]["metadata"]["name"]
    read = set(re.findall(re.escape(mounts["ssh"]) + r"/([A-Za-z0-9_]+)", objs["ConfigMap"]["data"]["run.sh"]))
    assert read == {"id_ed25519", "authorized_keys"} <= set(objs["Secret"]["stringData"])


def _rdma_objects(opts: prepare.PrepareOptions) -> dict[str, dict[str, Any]]:
    return {o["kind"]: o for o in prepare.objects(opts)}


RDMA = prepare.PrepareOptions(cluster_policy=False, rdma=True, rdma_image="example.azurecr.io/rdma:1")


def test_the_rdma_plugin_reads_the_configmap_of_the_set_at_its_config_path() -> None:
    objs = _rdma_objects(RDMA)
    daemonset, config_map = objs["DaemonSet"], objs["ConfigMap"]
    template = daemonset["spec"]["template"]
    assert _selects(daemonset["spec"]["selector"]["matchLabels"], template["metadata"]["labels"])
    [volume] = [v for v in template["spec"]["volumes"] if "configMap" in v]
    assert volume["configMap"]["name"] == config_map["metadata"]["name"]
    [item] = volume["configMap"]["items"]
    assert item["key"] in config_map["data"]
    mount = next(m for m in template["spec"]["containers"][0]["volumeMounts"] if m["name"] == volume["name"])
    assert f"{mount['mountPath']}/{item['path']}" == RDMA_CONFIG_PATH


def test_the_nccl_test_asks_for_the_resource_the_rdma_plugin_advertises() -> None:
    config = json.loads(_rdma_objects(RDMA)["ConfigMap"]["data"]["config.json"])
    advertised = {f"rdma/{c['resourceName']}" for c in config["configList"]}
    assert nccl.DEFAULT_RDMA_RESOURCE in advertised
    limits = _nccl_objects()["Job"]["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]
    assert limits[nccl.DEFAULT_RDMA_RESOURCE] == 1


def test_the_rdma_plugin_runs_at_a_priority_class_the_api_server_makes() -> None:
    template = _rdma_objects(RDMA)["DaemonSet"]["spec"]["template"]
    assert template["spec"]["priorityClassName"] in {"system-node-critical", "system-cluster-critical"}
