"""The examples every command's --help ends with (one to three each).

``tests/foundation/test_help_examples.py`` parses every line against the command tree, so an
example cannot name a flag the command does not have.
"""

EXAMPLES: dict[str, tuple[str, ...]] = {
    "cluster create": (
        "akscli cluster create ml -g rg-ml --enable-kaito",
        "akscli cluster create ml -g rg-ml --sku base --node-provisioning auto --dry-run -o yaml",
    ),
    "cluster list": ("akscli cluster list -g rg-ml", "akscli cluster list -o name"),
    "cluster show": ("akscli cluster show ml -g rg-ml", "akscli cluster show ml -g rg-ml -o jsonpath={.fqdn}"),
    "cluster upgrade": ("akscli cluster upgrade ml -g rg-ml --list", "akscli cluster upgrade ml -g rg-ml -k 1.34.2 -y"),
    "cluster update": (
        "akscli cluster update ml -g rg-ml --enable-kaito",
        "akscli cluster update ml -g rg-ml --node-provisioning auto --auto-upgrade-channel stable",
    ),
    "cluster start": ("akscli cluster start ml -g rg-ml",),
    "cluster stop": ("akscli cluster stop ml -g rg-ml --no-wait",),
    "cluster abort": ("akscli cluster abort ml -g rg-ml -y", "akscli cluster abort ml -g rg-ml -y --no-wait -o json"),
    "cluster delete": ("akscli cluster delete ml -g rg-ml -y --no-wait",),
    "cluster wait": ("akscli cluster wait ml -g rg-ml", "akscli cluster wait ml -g rg-ml --deleted --timeout 30m"),
    "cluster credentials": (
        "akscli cluster credentials ml -g rg-ml",
        "akscli cluster credentials ml -g rg-ml --kubeconfig ./ml.kubeconfig --login azurecli",
    ),
    "nodepool add": (
        "akscli nodepool add gpu --cluster ml -g rg-ml --gpu h100 --gpus-per-node 8 --min 0 --max 4",
        "akscli nodepool add spot --cluster ml -g rg-ml --vm-size Standard_NC24ads_A100_v4 --spot --dry-run",
        "akscli nodepool add h100 --auto-provision --gpu h100 --max-gpus 16 --context ml",
    ),
    "nodepool list": ("akscli nodepool list --cluster ml -g rg-ml -o wide", "akscli nodepool list --auto-provision"),
    "nodepool show": ("akscli nodepool show gpu --cluster ml -g rg-ml", "akscli nodepool show h100 --auto-provision"),
    "nodepool scale": (
        "akscli nodepool scale gpu --cluster ml -g rg-ml --count 2",
        "akscli nodepool scale gpu --cluster ml -g rg-ml --min 0 --max 8",
    ),
    "nodepool upgrade": (
        "akscli nodepool upgrade gpu --cluster ml -g rg-ml --list",
        "akscli nodepool upgrade gpu --cluster ml -g rg-ml --node-image-only -y",
        "akscli nodepool upgrade gpu --cluster ml -g rg-ml -k 1.34.2 --max-surge 1 -y",
    ),
    "nodepool abort": ("akscli nodepool abort gpu --cluster ml -g rg-ml -y --no-wait",),
    "nodepool update": (
        "akscli nodepool update gpu --cluster ml -g rg-ml --labels team=ml --taint sku=gpu:NoSchedule",
        "akscli nodepool update gpu --cluster ml -g rg-ml --drain-timeout 60 --node-soak-duration 5",
    ),
    "nodepool delete": (
        "akscli nodepool delete gpu --cluster ml -g rg-ml -y",
        "akscli nodepool delete h100 --auto-provision -y",
    ),
    "baremetal probe": (
        "akscli baremetal probe",
        "akscli baremetal probe --record ./recording",
        "akscli baremetal probe --replay ./recording -o json",
    ),
    "baremetal doctor": ("akscli baremetal doctor", "akscli baremetal doctor -l agentpool=gpu --expect-rdma -o wide"),
    "baremetal prepare": (
        "akscli baremetal prepare --dry-run",
        "akscli baremetal prepare --no-driver --rdma --wait",
    ),
    "baremetal inventory": ("akscli baremetal inventory -n gpu-probe --image registry.example.com/akscli-probe:1",),
    "baremetal cluster create": (
        "akscli baremetal cluster create edge1 -g rg-edge --edge-machine host-01 --ssh-key ~/.ssh/id_rsa.pub "
        "--admin-group 00000000-0000-0000-0000-000000000001 --dry-run",
    ),
    "baremetal cluster list": ("akscli baremetal cluster list -g rg-edge",),
    "baremetal cluster show": ("akscli baremetal cluster show edge1 -g rg-edge",),
    "baremetal cluster upgrade": (
        "akscli baremetal cluster upgrade edge1 -g rg-edge --list",
        "akscli baremetal cluster upgrade edge1 -g rg-edge -k 1.34.3 -y",
    ),
    "baremetal cluster credentials": ("akscli baremetal cluster credentials edge1 -g rg-edge",),
    "baremetal cluster delete": ("akscli baremetal cluster delete edge1 -g rg-edge -y",),
    "baremetal test nccl": ("akscli baremetal test nccl --nodes 2", "akscli baremetal test nccl --list-expected"),
    "ray dashboard": ("akscli ray dashboard demo", "akscli ray dashboard demo --port-forward --port 8265"),
    "ray cluster create": (
        "akscli ray cluster create demo --worker-gpu 1 --gpu-pool gpu --wait",
        "akscli ray cluster create demo --dry-run -o yaml",
    ),
    "ray cluster list": ("akscli ray cluster list -A",),
    "ray cluster status": ("akscli ray cluster status demo",),
    "ray cluster scale": ("akscli ray cluster scale demo --group default-group --replicas 3",),
    "ray cluster delete": ("akscli ray cluster delete demo -y",),
    "ray cluster nodes": ("akscli ray cluster nodes demo",),
    "ray cluster logs": ("akscli ray cluster logs demo --node-type all --tail 100",),
    "ray workergroup add": ("akscli ray workergroup add demo big --worker-gpu 2 --gpu-pool gpu --min 0 --max 4",),
    "ray workergroup list": ("akscli ray workergroup list demo",),
    "ray job submit": (
        "akscli ray job submit --name train --worker-gpu 1 --gpu-pool gpu --wait -- python train.py",
        "akscli ray job submit --cluster demo --working-dir . -- python train.py --epochs 3",
    ),
    "ray job list": ("akscli ray job list -o wide", "akscli ray job list --cluster shared"),
    "ray job status": ("akscli ray job status train --wait",),
    "ray job logs": ("akscli ray job logs train -f",),
    "ray job stop": ("akscli ray job stop train -y",),
    "ray job delete": ("akscli ray job delete train -y",),
    "ray service deploy": ("akscli ray service deploy llm -f serve.yaml --wait",),
    "ray service status": ("akscli ray service status llm",),
    "ray service list": ("akscli ray service list -A",),
    "ray service delete": ("akscli ray service delete llm -y",),
    "model catalog": ("akscli model catalog llama", "akscli model catalog --kaito -o name"),
    "model show": ("akscli model show phi-4",),
    "model plan": (
        "akscli model plan phi-4 --max-model-len 8192 --concurrency 8",
        "akscli model plan meta-llama/Llama-3.1-8B-Instruct --budget 3000 -o jsonpath={.recommended}",
    ),
    "model deploy": (
        "akscli model deploy phi-4 --wait",
        "akscli model deploy phi-4 --runtime vllm --autoscale 1:4 --expose --dry-run -o yaml",
    ),
    "model list": ("akscli model list -A", "akscli model list -o custom-columns=NAME:.name,STATE:.state"),
    "model status": ("akscli model status phi-4",),
    "model endpoint": ("akscli model endpoint phi-4",),
    "model top": ("akscli model top -A", "akscli model top phi-4 -w --interval 30s"),
    "model test": ('akscli model test phi-4 --prompt "Say hello"',),
    "model logs": ("akscli model logs phi-4 -f",),
    "model delete": ("akscli model delete phi-4 -y",),
    "model history": ("akscli model history phi-4",),
    "model rollback": ("akscli model rollback phi-4 -y", "akscli model rollback phi-4 --to-revision 1 -y"),
    "fleet create": ("akscli fleet create fl -g rg-fleet",),
    "fleet list": ("akscli fleet list -g rg-fleet",),
    "fleet show": ("akscli fleet show fl -g rg-fleet",),
    "fleet credentials": ("akscli fleet credentials fl -g rg-fleet",),
    "fleet delete": ("akscli fleet delete fl -g rg-fleet -y",),
    "fleet place": (
        "akscli fleet place team-a --select namespace/team-a --pick-n 2 --gpu-size Standard_NC24ads_A100_v4",
    ),
    "fleet approve": ("akscli fleet approve run-1 --wait",),
    "fleet gates": ("akscli fleet gates --fleet fl -g rg-fleet --pending",),
    "fleet member join": ("akscli fleet member join aks-east --fleet fl -g rg-fleet --cluster aks-east",),
    "fleet member update": (
        "akscli fleet member update aks-east --fleet fl -g rg-fleet --update-group canary --labels tier=gpu",
    ),
    "fleet member list": ("akscli fleet member list --fleet fl -g rg-fleet",),
    "fleet member show": ("akscli fleet member show gpu-east --fleet fl -g rg-fleet",),
    "fleet member remove": (
        "akscli fleet member remove aks-east --fleet fl -g rg-fleet -y",
        "akscli fleet member remove edge-1 --context hub -y",
    ),
    "fleet member drain": ("akscli fleet member drain aks-east",),
    "fleet member uncordon": ("akscli fleet member uncordon aks-east",),
    "fleet placement status": ("akscli fleet placement status team-a",),
    "fleet placement list": ("akscli fleet placement list",),
    "fleet placement which": ("akscli fleet placement which namespace/team-a",),
    "fleet placement delete": ("akscli fleet placement delete team-a -y",),
    "fleet rollout create": (
        "akscli fleet rollout create run-1 --placement team-a --strategy canary --start",
        "akscli fleet rollout create up-1 --fleet fl -g rg-fleet -k 1.34.2 --strategy safe",
    ),
    "fleet rollout start": ("akscli fleet rollout start run-1",),
    "fleet rollout stop": ("akscli fleet rollout stop run-1",),
    "fleet rollout skip": ("akscli fleet rollout skip up-1 --fleet fl -g rg-fleet --target Member:aks-east",),
    "fleet rollout status": ("akscli fleet rollout status run-1",),
    "fleet rollout list": ("akscli fleet rollout list",),
    "fleet rollout delete": ("akscli fleet rollout delete run-1 -y",),
    "fleet rollout strategy create": (
        "akscli fleet rollout strategy create canary --stage 'canary;labels=ring=0;after=approval' --stage prod",
    ),
    "fleet rollout strategy list": ("akscli fleet rollout strategy list",),
    "fleet rollout strategy show": (
        "akscli fleet rollout strategy show safe --fleet fl -g rg-fleet",
        "akscli fleet rollout strategy show safe",
    ),
    "fleet rollout strategy delete": ("akscli fleet rollout strategy delete canary -y",),
    "fleet autoupgrade create": ("akscli fleet autoupgrade create stable --fleet fl -g rg-fleet --channel Stable",),
    "fleet autoupgrade list": ("akscli fleet autoupgrade list --fleet fl -g rg-fleet",),
    "fleet autoupgrade show": ("akscli fleet autoupgrade show stable --fleet fl -g rg-fleet",),
    "fleet autoupgrade delete": ("akscli fleet autoupgrade delete stable --fleet fl -g rg-fleet -y",),
    "doctor": ("akscli doctor", "akscli doctor --for model --for ray -o wide"),
    "gpu usage": ("akscli gpu usage", "akscli gpu usage -o csv > gpu-usage.csv"),
    "audit list": ("akscli audit list --since 24h", "akscli audit list --action 'model*' -o wide"),
    "audit show": ("akscli audit show 0193f6a1",),
    "policy check": ("akscli policy check -f manifests/",),
    "policy rules": ("akscli policy rules",),
    "render": (
        "akscli render --list",
        "akscli render model/vllm --help-values",
        "akscli render model/vllm --set name=phi --set namespace=ml --set pod_labels=app=phi"
        " --set node_selector=agentpool=gpu --set 'vllm_args={--model,microsoft/phi-4}'",
    ),
    "apply": ("akscli apply -f manifests/ --stack demo --prune --wait", "akscli apply -f app.yaml --dry-run=server"),
    "diff": (
        "akscli diff -f manifests/ --stack demo --prune",
        "akscli diff -f app.yaml -n ml",
    ),
    "token": ("akscli token --server-id 6dae42f8-4368-4678-94ff-3960e28e3630 --auth azurecli",),
    "completion": (
        "source <(akscli completion bash)",
        "akscli completion fish > ~/.config/fish/completions/akscli.fish",
    ),
    "version": ("akscli version", "akscli --version"),
}


# Where a newcomer starts: the examples each group's --help ends with, the group's first steps in
# the order a user takes them (`akscli --help` has its own, akscli.cli.main.START_HERE, so that the
# root help imports nothing more).
GROUP_EXAMPLES: dict[str, tuple[str, ...]] = {
    "model": (
        "akscli model catalog llama",
        "akscli model plan phi-4 --max-model-len 8192 --concurrency 8",
        "akscli model deploy phi-4 --wait",
    ),
    "cluster": ("akscli cluster create ml -g rg-ml --enable-kaito", "akscli cluster credentials ml -g rg-ml"),
    "nodepool": (
        "akscli nodepool add gpu --cluster ml -g rg-ml --gpu h100 --gpus-per-node 8 --min 0 --max 4",
        "akscli nodepool list --cluster ml -g rg-ml",
    ),
    "ray": (
        "akscli ray cluster create rc --gpu-pool gpu --worker-gpu 1 --worker-replicas 2 --wait",
        "akscli ray job submit --cluster rc --wait -- python train.py",
    ),
    "fleet": (
        "akscli fleet member list --fleet fl -g rg-fleet",
        "akscli fleet place team-a --select namespace/team-a --pick-n 2 --gpu-size Standard_NC24ads_A100_v4",
    ),
    "baremetal": ("akscli baremetal doctor", "akscli baremetal prepare --dry-run"),
    "gpu": ("akscli gpu usage", "akscli gpu usage -o csv"),
    "audit": ("akscli audit list --since 2h", "akscli audit show 0193f6a1"),
    "policy": ("akscli policy check -f manifests/ -o sarif", "akscli policy rules"),
    # Sub-groups: their first steps too (a user who types `akscli ray job --help` wants a line to run).
    "baremetal cluster": (
        "akscli baremetal cluster list -g rg-edge",
        "akscli baremetal cluster credentials edge1 -g rg-edge",
    ),
    "baremetal test": ("akscli baremetal test nccl --list-expected", "akscli baremetal test nccl --nodes 2"),
    "ray cluster": (
        "akscli ray cluster create demo --worker-gpu 1 --gpu-pool gpu --wait",
        "akscli ray cluster status demo",
    ),
    "ray workergroup": (
        "akscli ray workergroup add demo big --worker-gpu 2 --gpu-pool gpu --min 0 --max 4",
        "akscli ray workergroup list demo",
    ),
    "ray job": (
        "akscli ray job submit --cluster demo --wait -- python train.py",
        "akscli ray job logs train -f",
    ),
    "ray service": ("akscli ray service deploy llm -f serve.yaml --wait", "akscli ray service status llm"),
    "fleet member": (
        "akscli fleet member join aks-east --fleet fl -g rg-fleet --cluster aks-east",
        "akscli fleet member list --fleet fl -g rg-fleet",
    ),
    "fleet placement": ("akscli fleet placement list", "akscli fleet placement status team-a"),
    "fleet rollout": (
        "akscli fleet rollout create run-1 --placement team-a --strategy canary --start",
        "akscli fleet rollout status run-1",
    ),
    "fleet rollout strategy": (
        "akscli fleet rollout strategy create canary --stage 'canary;labels=ring=0;after=approval' --stage prod",
        "akscli fleet rollout strategy list",
    ),
    "fleet autoupgrade": (
        "akscli fleet autoupgrade create stable --fleet fl -g rg-fleet --channel Stable",
        "akscli fleet autoupgrade list --fleet fl -g rg-fleet",
    ),
}


def epilog(path: str) -> str | None:
    """The examples section of a command's or a group's --help (click keeps a ``\\b`` paragraph
    unwrapped)."""
    examples = EXAMPLES.get(path) or GROUP_EXAMPLES.get(path)
    if not examples:
        return None
    return "Examples:\n\n\b\n" + "\n".join(f"  {line}" for line in examples)
