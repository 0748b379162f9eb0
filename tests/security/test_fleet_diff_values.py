"""`fleet placement status` (and a `fleet place --wait` that ends on a member's diff) prints each
diff a member reported (kubefleet-dev/kubefleet apis/placement/v1beta1 PatchDetail: path,
valueInHub, valueInMember). A member's work applier redacts only a v1 Secret's data
(pkg/controllers/workapplier/drift_detection_takeover.go obscureSensitiveFieldsInPatchDetails): a
ConfigMap's token or a container's env value comes as it is. akscli masks them by the rule of its
own output (audit32-sec32.md, akscli.printable.masked_values): the field's name or the value's shape.
An envelope (audit 33) can carry any of them to a member under --when-to-take-over IfNoDiff."""

from __future__ import annotations

from typing import Any

from akscli.fleet.placement_status import cluster_statuses

TOKEN = "sk-proj-" + "A1b2C3d4" * 4


def _diffed(item: dict[str, Any], path: str, hub: str, member: str) -> list[str]:
    detail = {"path": path, "valueInHub": hub, "valueInMember": member}
    entry = {"clusterName": "m1", "diffedPlacements": [{**item, "observedDiffs": [detail]}]}
    placement = {"kind": "ClusterResourcePlacement", "status": {"placementStatuses": [entry]}}
    [row] = cluster_statuses(placement)
    return row.diffed


CONFIG_MAP = {"group": "", "version": "v1", "kind": "ConfigMap", "namespace": "team-a", "name": "settings"}
DEPLOYMENT = {"group": "apps", "version": "v1", "kind": "Deployment", "namespace": "team-a", "name": "llm"}
SECRET = {"group": "", "version": "v1", "kind": "Secret", "namespace": "team-a", "name": "creds"}


def test_a_config_map_value_named_like_a_secret_is_masked() -> None:
    diffed = _diffed(CONFIG_MAP, "/data/OPENAI_API_KEY", "new-value", "old-value")
    assert diffed == ["ConfigMap/team-a/settings: /data/OPENAI_API_KEY (hub ***, member ***)"]


def test_an_env_value_shaped_like_a_token_is_masked() -> None:
    diffed = _diffed(DEPLOYMENT, "/spec/template/spec/containers/0/env/0/value", TOKEN, "")
    assert diffed == [
        "Deployment.apps/team-a/llm: /spec/template/spec/containers/0/env/0/value (hub ***, member unset)"
    ]
    assert TOKEN not in " ".join(diffed)


def test_a_secret_data_value_is_masked_even_where_the_member_did_not_redact_it() -> None:
    diffed = _diffed(SECRET, "/data/password", "aHVudGVyMg==", "c2VjcmV0")
    assert diffed == ["Secret/team-a/creds: /data/password (hub ***, member ***)"]


def test_a_plain_value_is_shown() -> None:
    diffed = _diffed(CONFIG_MAP, "/data/MODE", "fast", "slow")
    assert diffed == ["ConfigMap/team-a/settings: /data/MODE (hub fast, member slow)"]
