"""Flags of az, kubectl and Ray's job CLI for a choice akscli makes another way: the hint says
what to do instead, not only `run '... --help' for usage` (cli/unknown_flag.py FOREIGN names each
flag's upstream definition). The refusal comes before anything is read or sent (exit 2)."""

from __future__ import annotations

import pytest

from tests.cli import invoke


def _hint(*args: str) -> str:
    result = invoke(*args)
    assert (result.exit_code, result.stdout) == (2, ""), result
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and lines[0].startswith("error: No such option: "), lines
    return lines[1]


@pytest.mark.parametrize("flag", ["--generate-ssh-keys", "--no-ssh-key"])
def test_az_ssh_key_flags_on_cluster_create_say_to_leave_them_out(flag: str) -> None:
    assert _hint("cluster", "create", "ml", "-g", "rg-ml", flag) == (
        "hint: akscli's clusters carry no SSH key (it sends no linuxProfile): leave it out"
    )


def test_az_enable_managed_identity_says_the_cluster_always_has_one() -> None:
    assert _hint("cluster", "create", "ml", "-g", "rg-ml", "--enable-managed-identity") == (
        "hint: akscli's clusters always have a system-assigned managed identity: leave it out"
    )


def test_az_nodepool_name_flag_names_the_positional_name() -> None:
    assert _hint("nodepool", "add", "-c", "ml", "-g", "rg-ml", "--nodepool-name", "gpu") == (
        "hint: --nodepool-name is az's; 'akscli nodepool add' takes the pool's name as its first word: "
        "akscli nodepool add NAME -c CLUSTER"
    )


def test_az_max_pods_is_not_offered_max_gpus() -> None:
    assert _hint("nodepool", "add", "gpu", "-c", "ml", "-g", "rg-ml", "--gpu", "h100", "--max-pods", "30") == (
        "hint: 'akscli nodepool add' sends no maxPods: the pool gets AKS's default for the cluster's network"
    )


def test_az_ids_names_the_name_and_group_on_an_azure_command() -> None:
    assert _hint("cluster", "show", "--ids", "/subscriptions/x") == (
        "hint: --ids is az's; 'akscli cluster show' names the resource by its name and -g GROUP "
        "(with --subscription for another)"
    )


def test_ids_keeps_the_usage_hint_on_a_kubernetes_command() -> None:
    assert _hint("model", "list", "--ids", "x") == "hint: run 'akscli model list --help' for usage"


def test_kubectl_logs_all_containers_on_model_logs_names_the_container_flag() -> None:
    assert _hint("model", "logs", "phi-4", "--all-containers") == (
        "hint: 'akscli model logs' reads one container of each of the model's server pods; name it with "
        "-c/--container NAME"
    )


def test_ray_address_on_ray_job_submit_names_the_cluster_flag() -> None:
    assert _hint("ray", "job", "submit", "--address", "http://127.0.0.1:8265", "--", "python", "x.py") == (
        "hint: --address is Ray's job CLI flag; 'akscli ray job submit' reaches a Ray cluster by its name: "
        "-c/--cluster NAME"
    )


@pytest.mark.parametrize("flag", ["--grace-period=0", "--now", "--force"])
def test_kubectl_delete_grace_flags_on_model_delete_say_the_pods_keep_their_own_grace_period(flag: str) -> None:
    # kubectl delete's flags (kubernetes/kubectl pkg/cmd/delete/delete_flags.go); the API server takes a
    # grace period only for pods (kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/registry/rest/delete.go)
    assert _hint("model", "delete", "phi-4", flag) == (
        "hint: 'akscli model delete' deletes the objects that run the pods, which take no grace period: each pod "
        "stops within its own terminationGracePeriodSeconds; leave it out (--no-wait returns without waiting for them)"
    )


def test_kubectl_delete_cascade_on_model_delete_says_the_pods_always_go_with_their_objects() -> None:
    assert _hint("model", "delete", "phi-4", "--cascade=orphan") == (
        "hint: 'akscli model delete' always deletes the pods with the objects that run them (kubectl's --cascade "
        "background or foreground, never orphan); leave it out (--wait, the default, waits for the objects, "
        "--no-wait returns at once)"
    )


@pytest.mark.parametrize("kind", ["cluster", "job", "service"])
def test_kubectl_delete_grace_period_on_a_ray_delete_gets_the_same_answer(kind: str) -> None:
    assert _hint("ray", kind, "delete", "train", "--grace-period", "0").startswith(
        f"hint: 'akscli ray {kind} delete' deletes the objects that run the pods, which take no grace period"
    )


def test_ray_address_on_ray_job_delete_keeps_its_cluster_flag_answer() -> None:
    assert _hint("ray", "job", "delete", "train", "--address", "http://head:8265").startswith(
        "hint: --address is Ray's job CLI flag"
    )


def test_kubectl_sort_by_on_a_list_is_not_sent_to_fleet_place() -> None:
    # kubectl get --sort-by=JSONPATH (kubernetes/kubectl pkg/cmd/get/get.go); fleet place's --sort-by
    # is a property sorter, which the hint named before.
    assert _hint("model", "list", "--sort-by", ".name") == (
        "hint: --sort-by is kubectl get's; 'akscli model list' prints its rows in its own order: reorder them "
        "with akscli model list -o custom-columns=SPEC --no-headers | sort -k N"
    )
