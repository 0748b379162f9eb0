"""`ray cluster|job|service delete` take several names, -l/--selector or --all, with kubectl
delete's rules (upstream: kubernetes/kubectl pkg/cmd/delete/delete.go DeleteOptions.Validate:
"cannot set --all and --selector at the same time"; kubernetes/cli-runtime pkg/resource/builder.go
visitBySelector: "name cannot be provided when a selector is specified"; delete.go DeleteResult:
ContinueOnError, so a missing name does not stop the others, r.IgnoreErrors(errors.IsNotFound) for
--ignore-not-found). Every input is checked before anything is sent; one confirmation lists every
object; one wait covers them all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.ray.conftest import akscli

RAY = "ray.io/v1"


def _cluster(emu: Any, name: str, namespace: str = "default", **labels: str) -> None:
    emu.cluster.create(
        {
            "apiVersion": RAY,
            "kind": "RayCluster",
            "metadata": {"name": name, "namespace": namespace, "labels": labels},
            "spec": {
                "headGroupSpec": {
                    "rayStartParams": {},
                    "template": {"spec": {"containers": [{"name": "ray-head", "image": "rayproject/ray:2.9.0"}]}},
                }
            },
        }
    )


def _left(emu: Any) -> list[str]:
    return sorted(c["metadata"]["name"] for c in emu.cluster.list(RAY, "RayCluster", "default"))


def _three(ray_emulator: Callable[..., Any]) -> Any:
    emu = ray_emulator(operator=False)
    _cluster(emu, "a", team="ml")
    _cluster(emu, "b", team="ml")
    _cluster(emu, "c", team="web")
    return emu


def _deletes(emu: Any) -> list[Any]:
    return list(emu.requests(method="DELETE"))


def test_three_names_are_deleted_after_one_confirmation_that_lists_each(ray_emulator: Callable[..., Any]) -> None:
    emu = _three(ray_emulator)
    result = invoke("ray", "cluster", "delete", "a", "b", "c", input="y\n", tty=True)
    assert result.exit_code == 0, result
    assert "raycluster.ray.io/a, raycluster.ray.io/b, raycluster.ray.io/c in namespace default" in result.stderr
    assert result.stderr.count("? [y/N]") == 1
    assert result.stderr.count("waiting for 3 object(s) to be deleted") == 1  # one wait for all
    assert [line for line in result.stdout.splitlines() if "deleted" in line] == [
        'raycluster.ray.io "a" deleted from default namespace',
        'raycluster.ray.io "b" deleted from default namespace',
        'raycluster.ray.io "c" deleted from default namespace',
    ]
    assert _left(emu) == []


def test_names_with_a_selector_are_refused_before_anything_is_sent(ray_emulator: Callable[..., Any]) -> None:
    emu = _three(ray_emulator)
    result = akscli("ray cluster delete a -l team=ml -y")
    assert result.exit_code == 2, result
    assert "error: name cannot be provided when a selector is specified" in result.stderr
    assert _left(emu) == ["a", "b", "c"]
    assert _deletes(emu) == []


def test_names_with_all_are_refused(ray_emulator: Callable[..., Any]) -> None:
    emu = _three(ray_emulator)
    result = akscli("ray cluster delete a --all -y")
    assert result.exit_code == 2, result
    assert "error: name cannot be provided when a selector is specified" in result.stderr
    assert _left(emu) == ["a", "b", "c"]


def test_all_with_a_selector_is_refused(ray_emulator: Callable[..., Any]) -> None:
    emu = _three(ray_emulator)
    result = akscli("ray cluster delete --all -l team=ml -y")
    assert result.exit_code == 2, result
    assert "error: cannot set --all and --selector at the same time" in result.stderr
    assert _left(emu) == ["a", "b", "c"]


def test_no_name_selector_or_all_is_refused(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator(operator=False)
    result = akscli("ray cluster delete -y")
    assert result.exit_code == 2, result
    assert "error: no Ray cluster name given" in result.stderr
    assert "--all" in result.stderr


def test_one_bad_name_of_three_deletes_nothing(ray_emulator: Callable[..., Any]) -> None:
    emu = _three(ray_emulator)
    result = akscli("ray cluster delete a Bad_Name c -y")
    assert result.exit_code == 2, result
    assert _left(emu) == ["a", "b", "c"]
    assert _deletes(emu) == []


def test_all_deletes_every_cluster_in_the_namespace(ray_emulator: Callable[..., Any]) -> None:
    emu = _three(ray_emulator)
    result = akscli("ray cluster delete --all -y")
    assert result.exit_code == 0, result
    assert _left(emu) == []


def test_a_selector_deletes_only_the_clusters_it_matches(ray_emulator: Callable[..., Any]) -> None:
    emu = _three(ray_emulator)
    result = akscli("ray cluster delete -l team=ml -y -o name")
    assert result.exit_code == 0, result
    assert result.stdout.split() == ["raycluster.ray.io/a", "raycluster.ray.io/b"]
    assert _left(emu) == ["c"]


def test_a_selector_that_matches_nothing_says_so_and_succeeds(ray_emulator: Callable[..., Any]) -> None:
    emu = _three(ray_emulator)
    result = akscli("ray cluster delete -l team=none -y")
    assert result.exit_code == 0, result
    assert "No resources found in default namespace." in result.stderr
    assert _left(emu) == ["a", "b", "c"]


def test_one_missing_name_of_three_is_named_after_the_others_are_deleted(ray_emulator: Callable[..., Any]) -> None:
    emu = _three(ray_emulator)
    result = akscli("ray cluster delete a gone c -y")
    assert result.exit_code == 3, result
    assert "gone" in result.stderr and "not found" in result.stderr
    assert _left(emu) == ["b"]


def test_two_missing_names_are_named_in_one_error(ray_emulator: Callable[..., Any]) -> None:
    emu = _three(ray_emulator)
    result = akscli("ray cluster delete gone a lost -y")
    assert result.exit_code == 3, result
    error = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(error) == 1 and "gone" in error[0] and "lost" in error[0], result.stderr
    assert _left(emu) == ["b", "c"]


def test_ignore_not_found_deletes_the_others_and_succeeds(ray_emulator: Callable[..., Any]) -> None:
    emu = _three(ray_emulator)
    result = akscli("ray cluster delete a gone c -y --ignore-not-found")
    assert result.exit_code == 0, result
    assert "error:" not in result.stderr
    assert _left(emu) == ["b"]


def test_a_client_dry_run_lists_each_object_and_deletes_none(ray_emulator: Callable[..., Any]) -> None:
    emu = _three(ray_emulator)
    result = akscli("ray cluster delete a b --dry-run=client")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines() == [
        'raycluster.ray.io "a" deleted from default namespace (dry run)',
        'raycluster.ray.io "b" deleted from default namespace (dry run)',
    ]
    assert _left(emu) == ["a", "b", "c"]


def test_output_name_prints_one_line_per_object(ray_emulator: Callable[..., Any]) -> None:
    emu = _three(ray_emulator)
    result = akscli("ray cluster delete a raycluster.ray.io/b -y -o name")
    assert result.exit_code == 0, result
    assert result.stdout.split() == ["raycluster.ray.io/a", "raycluster.ray.io/b"]
    assert _left(emu) == ["c"]


def test_a_job_id_on_the_ray_job_api_is_one_at_a_time(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator(operator=False)
    result = akscli("ray job delete one two --cluster rc -y")
    assert result.exit_code == 2, result
    assert "error: --cluster takes one job ID" in result.stderr


def test_service_delete_takes_a_selector(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator(operator=False)
    result = akscli("ray service delete -l app=x -y")
    assert result.exit_code == 0, result
    assert "No resources found" in result.stderr


def _in_two_namespaces(ray_emulator: Callable[..., Any]) -> Any:
    emu = _three(ray_emulator)
    emu.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ml"}})
    _cluster(emu, "d", "ml", team="ml")
    return emu


def test_a_selector_with_all_namespaces_deletes_in_every_namespace_naming_each(
    ray_emulator: Callable[..., Any],
) -> None:
    # kubectl delete -l team=ml -A (kubernetes/kubectl pkg/cmd/delete/delete_flags.go -A; delete.go PrintObj).
    emu = _in_two_namespaces(ray_emulator)
    result = akscli("ray cluster delete -l team=ml -A -y")
    assert result.exit_code == 0, result
    assert [line for line in result.stdout.splitlines() if "deleted" in line] == [
        'raycluster.ray.io "a" deleted from default namespace',
        'raycluster.ray.io "b" deleted from default namespace',
        'raycluster.ray.io "d" deleted from ml namespace',
    ]
    assert _left(emu) == ["c"] and emu.cluster.list(RAY, "RayCluster", "ml") == []


def test_all_without_all_namespaces_keeps_to_the_namespace(ray_emulator: Callable[..., Any]) -> None:
    emu = _in_two_namespaces(ray_emulator)
    result = akscli("ray cluster delete --all -n ml -y")
    assert result.exit_code == 0, result
    assert _left(emu) == ["a", "b", "c"] and emu.cluster.list(RAY, "RayCluster", "ml") == []


def test_a_name_with_all_namespaces_is_refused_before_anything_is_sent(ray_emulator: Callable[..., Any]) -> None:
    emu = _three(ray_emulator)
    result = akscli("ray cluster delete a b -A -y")
    assert result.exit_code == 2, result
    assert "error: a resource cannot be retrieved by name across all namespaces" in result.stderr
    assert "-l SELECTOR -A deletes in every namespace" in result.stderr
    assert _deletes(emu) == []


def test_a_selector_across_namespaces_matching_nothing_says_no_resources_found(
    ray_emulator: Callable[..., Any],
) -> None:
    _three(ray_emulator)
    result = akscli("ray job delete -l team=none -A -y")
    assert result.exit_code == 0, result
    assert result.stderr.strip() == "No resources found"


def test_a_name_given_twice_is_deleted_then_named_not_found(ray_emulator: Callable[..., Any]) -> None:
    # kubectl visits each NAME typed (kubernetes/cli-runtime pkg/resource/builder.go visitByName: one
    # Info per name) and sends a DELETE for each (kubernetes/kubectl pkg/cmd/delete/delete.go
    # DeleteResult): the second finds the RayCluster gone, a NotFound after the first is deleted.
    emu = _three(ray_emulator)
    result = invoke("ray", "cluster", "delete", "a", "a", "-y")
    assert result.exit_code == 3, result
    assert [line for line in result.stdout.splitlines() if "deleted" in line] == [
        'raycluster.ray.io "a" deleted from default namespace'
    ]
    assert "error: Ray cluster a not found" in result.stderr
    assert len(_deletes(emu)) == 2
    assert _left(emu) == ["b", "c"]


def test_a_name_given_twice_with_ignore_not_found_succeeds(ray_emulator: Callable[..., Any]) -> None:
    emu = _three(ray_emulator)
    result = invoke("ray", "cluster", "delete", "a", "a", "-y", "--ignore-not-found")
    assert result.exit_code == 0, result
    assert _left(emu) == ["b", "c"]
