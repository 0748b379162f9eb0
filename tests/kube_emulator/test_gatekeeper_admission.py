"""The emulator's Gatekeeper webhook judges a Pod against AKS Deployment Safeguards' probes
constraint as Gatekeeper does (tests/emulators/kube/admission_gatekeeper.py names the upstream
files): a deny constraint answers 403 with ``admission webhook "validation.gatekeeper.sh" denied the
request: [<constraint>] <msg>``, a warn constraint a Warning header, a dryrun one nothing."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.gatekeeper import (
    NO_PRIVILEGE_NAME,
    PROBES_NAME,
    install_config,
    install_no_privilege_safeguard,
    install_probes_safeguard,
)
from tests.kube_emulator.helpers import raw

PODS = "/api/v1/namespaces/default/pods"
MSG = 'Container <c> in your Pod <p> has no <{}>. Required probes: ["readinessProbe", "livenessProbe"]'
PROBE = {"tcpSocket": {"port": 80}}


def pod(**container: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "default", "labels": {"app": "web"}},
        "spec": {"containers": [{"name": "c", "image": "nginx:1.27", **container}]},
    }


def test_a_pod_without_probes_is_denied_with_gatekeepers_message(kube_emulator: KubeEmulator) -> None:
    install_probes_safeguard(kube_emulator)
    r = raw(kube_emulator, "POST", PODS, pod())
    assert r.status == 403
    body = r.json()
    assert body["reason"] == "Forbidden"
    assert body["message"] == (
        'admission webhook "validation.gatekeeper.sh" denied the request: '
        f"[{PROBES_NAME}] {MSG.format('livenessProbe')}\n[{PROBES_NAME}] {MSG.format('readinessProbe')}"
    )
    assert raw(kube_emulator, "GET", f"{PODS}/p").status == 404


def test_a_pod_with_both_probes_is_admitted(kube_emulator: KubeEmulator) -> None:
    install_probes_safeguard(kube_emulator)
    assert raw(kube_emulator, "POST", PODS, pod(readinessProbe=PROBE, livenessProbe=PROBE)).status == 201


def test_a_warn_constraint_admits_the_pod_with_a_warning_header(kube_emulator: KubeEmulator) -> None:
    install_probes_safeguard(kube_emulator, action="warn")
    r = raw(kube_emulator, "POST", PODS, pod(readinessProbe=PROBE))
    assert r.status == 201
    warning = f"[{PROBES_NAME}] {MSG.format('livenessProbe')}"
    assert r.headers.get_all("Warning") == ['299 - "' + warning.replace('"', '\\"') + '"']


def test_a_dryrun_constraint_says_nothing(kube_emulator: KubeEmulator) -> None:
    install_probes_safeguard(kube_emulator, action="dryrun")
    r = raw(kube_emulator, "POST", PODS, pod())
    assert r.status == 201 and r.headers.get_all("Warning") is None


def test_an_excluded_namespace_glob_admits_the_pod(kube_emulator: KubeEmulator) -> None:
    install_probes_safeguard(kube_emulator, excluded=["def*"])
    assert raw(kube_emulator, "POST", PODS, pod()).status == 201


def test_a_label_selector_the_pod_does_not_meet_admits_it(kube_emulator: KubeEmulator) -> None:
    constraint = install_probes_safeguard(kube_emulator)
    constraint["spec"]["match"]["labelSelector"] = {"matchLabels": {"app": "db"}}
    kube_emulator.cluster.update(constraint)
    assert raw(kube_emulator, "POST", PODS, pod()).status == 201


def test_a_namespace_selector_is_matched_against_the_namespaces_labels(kube_emulator: KubeEmulator) -> None:
    constraint = install_probes_safeguard(kube_emulator)
    constraint["spec"]["match"]["namespaceSelector"] = {
        "matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "In", "values": ["default"]}]
    }
    kube_emulator.cluster.update(constraint)
    assert raw(kube_emulator, "POST", PODS, pod()).status == 403


def test_an_excluded_image_prefix_admits_the_pod(kube_emulator: KubeEmulator) -> None:
    install_probes_safeguard(kube_emulator, excluded_images=["nginx:*"])
    assert raw(kube_emulator, "POST", PODS, pod()).status == 201


def test_a_server_dry_run_of_the_pod_is_denied_too(kube_emulator: KubeEmulator) -> None:
    # Gatekeeper's webhook is sideEffects None, so the API server calls it on a dry run
    install_probes_safeguard(kube_emulator)
    assert raw(kube_emulator, "POST", PODS + "?dryRun=All", pod()).status == 403


def test_a_namespace_labelled_to_be_ignored_is_not_judged(kube_emulator: KubeEmulator) -> None:
    install_probes_safeguard(kube_emulator)
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "tools"}}
    ns["metadata"]["labels"] = {"admission.gatekeeper.sh/ignore": "yes"}
    assert raw(kube_emulator, "POST", "/api/v1/namespaces", ns).status == 201
    body = pod()
    body["metadata"]["namespace"] = "tools"
    assert raw(kube_emulator, "POST", "/api/v1/namespaces/tools/pods", body).status == 201


def test_a_namespace_gatekeepers_config_excludes_from_the_webhook_admits_the_pod(kube_emulator: KubeEmulator) -> None:
    # gatekeeper pkg/webhook/policy.go Handle: skipExcludedNamespace for the webhook process
    install_probes_safeguard(kube_emulator)
    install_config(kube_emulator, ["def*"], ["webhook"])
    assert raw(kube_emulator, "POST", PODS, pod()).status == 201


def test_a_config_exclusion_for_audit_only_still_denies_the_pod(kube_emulator: KubeEmulator) -> None:
    install_probes_safeguard(kube_emulator)
    install_config(kube_emulator, ["default"], ["audit"])
    assert raw(kube_emulator, "POST", PODS, pod()).status == 403


def test_a_config_exclusion_for_every_process_admits_the_pod(kube_emulator: KubeEmulator) -> None:
    # excluder.go Excluder.Add: "*" adds the namespace under every process
    install_probes_safeguard(kube_emulator)
    install_config(kube_emulator, ["default"], ["*"])
    assert raw(kube_emulator, "POST", PODS, pod()).status == 201


def test_a_name_glob_matches_the_generate_name_of_a_pod_whose_name_is_cut(kube_emulator: KubeEmulator) -> None:
    # gatekeeper pkg/mutation/match/match.go namesMatch: Matches(name) || MatchesGenerateName(generateName);
    # the generated name keeps only 58 characters of a longer generateName (storage/names/generate.go)
    base = "w" * 60 + "-"
    constraint = install_probes_safeguard(kube_emulator)
    constraint["spec"]["match"]["name"] = base + "*"
    kube_emulator.cluster.update(constraint)
    body = pod()
    del body["metadata"]["name"]
    body["metadata"]["generateName"] = base
    assert raw(kube_emulator, "POST", PODS, body).status == 403


def test_a_suffix_name_glob_is_not_matched_against_the_generate_name(kube_emulator: KubeEmulator) -> None:
    # wildcard.go MatchesGenerateName: only "*x*" and "x*" globs match a generateName
    constraint = install_probes_safeguard(kube_emulator)
    constraint["spec"]["match"]["name"] = "*web-"
    kube_emulator.cluster.update(constraint)
    body = pod()
    del body["metadata"]["name"]
    body["metadata"]["generateName"] = "web-"
    assert raw(kube_emulator, "POST", PODS, body).status == 201


def test_a_privileged_container_is_denied_by_the_no_privilege_constraint(kube_emulator: KubeEmulator) -> None:
    # Azure/azure-policy samples/KubernetesService/container-no-privilege/template.yaml
    install_no_privilege_safeguard(kube_emulator)
    r = raw(kube_emulator, "POST", PODS, pod(securityContext={"privileged": True}))
    assert r.status == 403
    assert r.json()["message"] == (
        'admission webhook "validation.gatekeeper.sh" denied the request: '
        f'[{NO_PRIVILEGE_NAME}] Privileged container is not allowed: c, securityContext: {{"privileged": true}}'
    )


def test_an_unprivileged_pod_is_admitted_by_the_no_privilege_constraint(kube_emulator: KubeEmulator) -> None:
    install_no_privilege_safeguard(kube_emulator)
    assert raw(kube_emulator, "POST", PODS, pod(securityContext={"privileged": False})).status == 201
