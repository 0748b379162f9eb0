"""A dry-run create of an object that exists answers 409 AlreadyExists only after the object
passed the schema and the webhooks, as the API server orders a create (upstream:
kubernetes/apiserver 24a394e5 pkg/registry/generic/registry/store.go Store.create:
rest.BeforeCreate, then createValidation, then e.Storage.Create; pkg/registry/generic/registry/
dryrun.go DryRunnableStorage.Create: an existing key is KeyExists on a dry run too). akscli
relies on this order to ask whether a recreate would be taken before it deletes anything
(src/akscli/kube/create_check.py)."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.kube_emulator.helpers import raw
from tests.kube_emulator.test_admission import WORKSPACES, workspace

DRY_RUN = f"{WORKSPACES}?dryRun=All"


def _existing(emu: KubeEmulator) -> dict[str, Any]:
    r = raw(emu, "POST", WORKSPACES, workspace())
    assert r.status == 201, r.json()
    return dict(r.json())


def test_a_dry_run_create_of_an_existing_object_the_webhook_denies_answers_the_denial(
    kube_emulator: KubeEmulator,
) -> None:
    _existing(kube_emulator)
    r = raw(kube_emulator, "POST", DRY_RUN, workspace(preset="llama3.1-8b-instruct"))
    assert r.status == 400, r.json()
    assert r.json()["message"].startswith('admission webhook "validation.workspace.kaito.sh" denied the request')


def test_a_dry_run_create_of_an_existing_object_the_schema_refuses_answers_invalid(
    kube_emulator: KubeEmulator,
) -> None:
    _existing(kube_emulator)
    body = workspace()
    body["resource"]["count"] = "two"  # the CRD's schema: integer
    r = raw(kube_emulator, "POST", DRY_RUN, body)
    assert r.status == 422, r.json()
    assert r.json()["reason"] == "Invalid"


def test_a_dry_run_create_of_an_existing_valid_object_answers_already_exists(kube_emulator: KubeEmulator) -> None:
    old = _existing(kube_emulator)
    r = raw(kube_emulator, "POST", DRY_RUN, workspace(instance_type="Standard_NC40ads_H100_v5"))
    assert r.status == 409 and r.json()["reason"] == "AlreadyExists", r.json()
    live = raw(kube_emulator, "GET", f"{WORKSPACES}/phi").json()
    assert live["metadata"]["uid"] == old["metadata"]["uid"]
    assert live["resource"]["instanceType"] == "Standard_NC24ads_A100_v4"
