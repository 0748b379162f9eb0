"""Optimistic concurrency on the cluster and nodepool commands: a read-modify-write PUT carries the
eTag it read as If-Match, a create carries If-None-Match: *, --if-match/--if-none-match as az takes
them (akscli.azure.etags; upstream: MicrosoftDocs/azure-aks-docs fb060abe articles/aks/use-etags.md)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from akscli.azure import clusters, nodepools
from tests.azure.helpers import RG, cluster_id, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator, etags

POOL = f"{cluster_id('aks1')}/agentPools/system"
SCALE = ("nodepool", "scale", "system", "--cluster", "aks1", "-g", RG, "--count", "5")


def _pool_etag(emu: ArmEmulator) -> str:
    return str((emu.get_resource(POOL) or {})["properties"]["eTag"])


def _puts(emu: ArmEmulator, path_end: str) -> list[Any]:
    return emu.requests_to(path_end + "$", "PUT")


def _header(entry: Any, name: str) -> str | None:
    return next((v for k, v in entry.headers.items() if k.lower() == name.lower()), None)


def _someone_else_scales_after_the_read(emu: ArmEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another client's change lands between akscli's GET of the pool and its PUT."""
    real = nodepools.get_pool

    def racing(*args: Any, **kw: Any) -> dict[str, Any]:
        pool = real(*args, **kw)

        def change(o: dict[str, Any]) -> None:
            o["properties"]["count"] = 7
            etags.stamp(etags.AP, o)

        emu.update_resource(POOL, change)
        return pool

    monkeypatch.setattr(nodepools, "get_pool", racing)


def test_scale_sends_the_etag_it_read_as_if_match(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    read = _pool_etag(azure_env)
    result = invoke(*SCALE)
    assert result.exit_code == 0, result
    assert _header(_puts(azure_env, "/agentPools/system")[-1], "If-Match") == read


def test_a_change_between_the_read_and_the_put_is_refused_in_one_line_not_overwritten(
    azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_cluster(azure_env)
    _someone_else_scales_after_the_read(azure_env, monkeypatch)
    result = invoke(*SCALE)
    assert result.exit_code == 4, result
    assert result.stderr.count("error:") == 1 and "Traceback" not in result.stderr
    assert "changed in Azure after akscli read it" in result.stderr
    assert "run the command again" in result.stderr
    assert (azure_env.get_resource(POOL) or {})["properties"]["count"] == 7  # theirs stays


def test_cluster_upgrade_sends_the_cluster_etag_it_read_as_if_match(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    read = (azure_env.get_resource(cluster_id("aks1")) or {})["eTag"]
    result = invoke("cluster", "upgrade", "aks1", "-g", RG, "-k", "1.34.2", "-y")
    assert result.exit_code == 0, result
    assert _header(_puts(azure_env, "/managedClusters/aks1")[-1], "If-Match") == read


def test_a_stale_if_match_is_refused_by_azure_and_nothing_changes(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    result = invoke(*SCALE, "--if-match", "0f0e0d0c-stale")
    assert result.exit_code == 4, result
    assert "--if-match is not its current eTag" in result.stderr and result.stderr.count("error:") == 1
    assert "jsonpath={.properties.eTag}" in result.stderr  # where to read the current one
    assert (azure_env.get_resource(POOL) or {})["properties"]["count"] == 3


def test_if_match_with_the_current_etag_from_show_goes_through(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    # The command the refusal's hint names.
    shown = invoke("nodepool", "show", "system", "--cluster", "aks1", "-g", RG, "-o", "jsonpath={.properties.eTag}")
    assert shown.stdout.strip() == _pool_etag(azure_env)
    result = invoke(*SCALE, "--if-match", shown.stdout.strip())
    assert result.exit_code == 0, result
    assert (azure_env.get_resource(POOL) or {})["properties"]["count"] == 5


def test_cluster_delete_with_a_stale_if_match_keeps_the_cluster(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    result = invoke("cluster", "delete", "aks1", "-g", RG, "-y", "--if-match", "not-the-etag")
    assert result.exit_code == 4, result
    assert azure_env.get_resource(cluster_id("aks1")) is not None


def test_if_none_match_star_on_a_cluster_that_exists_by_the_time_of_the_put_is_refused(
    azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The create's own check read no cluster; one of the same name was created before its PUT.
    seed_cluster(azure_env)
    monkeypatch.setattr(clusters, "get_or_none", lambda *a, **kw: None)
    before = (azure_env.get_resource(cluster_id("aks1")) or {})["eTag"]
    result = invoke("cluster", "create", "aks1", "-g", RG, "--if-none-match", "*", "-y")
    assert result.exit_code == 4, result
    assert "already exists (If-None-Match: *)" in result.stderr and result.stderr.count("error:") == 1
    assert _header(_puts(azure_env, "/managedClusters/aks1")[-1], "If-None-Match") == "*"
    assert (azure_env.get_resource(cluster_id("aks1")) or {})["eTag"] == before  # not overwritten


def test_nodepool_add_sends_if_none_match_star_without_the_flag(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    result = invoke("nodepool", "add", "work", "--cluster", "aks1", "-g", RG, "--vm-size", "Standard_D8ds_v5")
    assert result.exit_code == 0, result
    assert _header(_puts(azure_env, "/agentPools/work")[-1], "If-None-Match") == "*"


def test_the_dry_run_of_a_scale_shows_the_if_match_it_would_send(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    result = invoke(*SCALE, "--dry-run", "-o", "json")
    assert result.exit_code == 0, result
    request = json.loads(result.stdout)
    assert request["headers"] == {"If-Match": _pool_etag(azure_env)}
    assert list(request) == ["method", "url", "headers", "body"]


def test_the_dry_run_of_a_create_shows_if_none_match(azure_env: ArmEmulator) -> None:
    result = invoke("cluster", "create", "aks2", "-g", RG, "--dry-run", "-o", "yaml")
    assert result.exit_code == 0, result
    assert "headers:\n  If-None-Match: '*'\n" in result.stdout


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("cluster", "create", "aks2", "-g", RG, "--if-none-match", "abc"), "AKS takes only '*'"),
        (("nodepool", "add", "p2", "--cluster", "aks1", "-g", RG, "--gpu", "t4", "--if-none-match", ""), "is empty"),
        ((*SCALE, "--if-match", "two words"), "visible ASCII"),
        ((*SCALE, "--if-match", ""), "is empty"),
        (("cluster", "delete", "aks1", "-g", RG, "-y", "--if-match", "x" * 300), "1 to 256"),
        (
            ("nodepool", "upgrade", "system", "--cluster", "aks1", "-g", RG, "--node-image-only", "--if-match", "e"),
            "does not go with --node-image-only",
        ),
        (("cluster", "upgrade", "aks1", "-g", RG, "--if-match", "e"), "does not go with a listing"),
    ],
    ids=["none-match not *", "none-match empty", "space", "empty", "too long", "node image", "listing"],
)
def test_a_bad_if_match_or_if_none_match_is_one_usage_line_before_any_request(
    azure_env: ArmEmulator, args: tuple[str, ...], words: str
) -> None:
    result = invoke(*args)
    assert result.exit_code == 2, result
    assert words in result.stderr and result.stderr.count("error:") == 1
    assert [e for e in azure_env.request_log if "/subscriptions/" in e.path] == []


@pytest.mark.parametrize("group", ["cluster", "nodepool"])
def test_the_delete_if_match_help_says_a_plain_delete_is_unconditional(group: str) -> None:
    # A delete sends If-Match only when given (clusters.begin_delete, nodepools.begin_delete): its
    # help must say so, not promise the eTag read before the change, as a read-modify-write's does.
    result = invoke(group, "delete", "--help")
    assert result.exit_code == 0, result
    help_text = " ".join(result.stdout.split())
    assert "a delete sends none" in help_text


def test_a_plain_cluster_delete_sends_no_if_match(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    result = invoke("cluster", "delete", "aks1", "-g", RG, "-y")
    assert result.exit_code == 0, result
    assert [_header(e, "If-Match") for e in azure_env.requests_to("/managedClusters/aks1$", "DELETE")] == [None]


@pytest.mark.parametrize("group", ["cluster", "nodepool"])
def test_if_match_on_an_upgrade_listing_hints_to_give_a_version(group: str) -> None:
    where = ("system", "--cluster", "aks1") if group == "nodepool" else ("aks1",)
    result = invoke(group, "upgrade", *where, "-g", RG, "--if-match", "e")
    assert result.exit_code == 2, result
    assert "hint: drop --if-match, or give -k VERSION to upgrade" in result.stderr


def test_a_412_on_a_retry_after_a_500_does_not_say_nothing_was_changed(
    azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # azure-core retries a PUT after a 500 with the same If-Match; the first attempt had landed
    # (its eTag moved), so the retry is 412: the change may be akscli's own (upstream: RFC 9110
    # 13.1.1, a 412 where "the change requested by the user agent has already succeeded, but the
    # user agent might not be aware of it, perhaps because the prior response was lost").
    seed_cluster(azure_env)
    real = azure_env.faults.take

    def landed_then_500(method: str, path: str) -> Any:
        fault = real(method, path)
        if fault is not None:

            def land(o: dict[str, Any]) -> None:
                o["properties"]["count"] = 5
                etags.stamp(etags.AP, o)

            azure_env.update_resource(POOL, land)
        return fault

    monkeypatch.setattr(azure_env.faults, "take", landed_then_500)
    azure_env.faults.add("PUT", r"/agentPools/system$", 500)
    result = invoke(*SCALE)
    assert result.exit_code == 4, result
    assert "nothing was changed" not in result.stderr and "may have made the change" in result.stderr


def _someone_else_scales_a_pool_after_the_upgrade_read(emu: ArmEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another client scales a pool between `cluster upgrade`'s GET of the cluster and its PUT
    (the user at the confirmation, say): an agent pool operation, which changes only the pool's
    eTag, not the cluster's (upstream: MicrosoftDocs/azure-aks-docs fb060abe
    articles/aks/use-etags.md, "When you perform an agent pool operation, only the agent pool eTag is
    updated"); the cluster's agentPoolProfiles show the pool as it now is."""
    from akscli.azure import upgrades

    real = upgrades.get
    raced: list[bool] = []

    def racing(*args: Any, **kw: Any) -> dict[str, Any]:
        cluster = real(*args, **kw)
        if not raced:
            raced.append(True)

            def change(o: dict[str, Any]) -> None:
                o["properties"]["count"] = 7
                etags.stamp(etags.AP, o)

            emu.update_resource(POOL, change)
            pool = dict((emu.get_resource(POOL) or {})["properties"])

            def mirror(c: dict[str, Any]) -> None:
                profile = c["properties"]["agentPoolProfiles"][0]
                profile.update(count=pool["count"], eTag=pool["eTag"])

            emu.update_resource(cluster_id("aks1"), mirror)
        return cluster

    monkeypatch.setattr(upgrades, "get", racing)


def test_an_upgrade_is_refused_when_a_pool_changed_after_the_read(
    azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cluster's If-Match does not catch a pool's own change (its eTag stays), and the PUT
    carries every pool's profile as read: sent, it would scale the pool back. akscli compares the
    pools' eTags again before the PUT."""
    seed_cluster(azure_env)
    cluster_etag = str((azure_env.get_resource(cluster_id("aks1")) or {})["eTag"])
    _someone_else_scales_a_pool_after_the_upgrade_read(azure_env, monkeypatch)
    result = invoke("cluster", "upgrade", "aks1", "-g", RG, "-k", "1.34.2", "-y")
    assert str((azure_env.get_resource(cluster_id("aks1")) or {})["eTag"]) == cluster_etag  # a pool op keeps it
    assert result.exit_code == 4, result
    assert result.stderr.count("error:") == 1 and "Traceback" not in result.stderr
    assert "node pool system changed in Azure after akscli read it" in result.stderr
    assert not _puts(azure_env, "/managedClusters/aks1")
    assert (azure_env.get_resource(POOL) or {})["properties"]["count"] == 7  # theirs stays
