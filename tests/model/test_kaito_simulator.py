"""The KAITO simulator behaves as KAITO's controllers do when an object goes away under them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulators.kube.controllers.kaito import InferenceSetController, WorkspaceController
from tests.emulators.kube.status import ApiError


class _ClusterWhereEverythingIsGone:
    """Reads find nothing and every write answers 404, as after a delete."""

    def get(self, *args: Any) -> None:
        return None

    def list(self, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        return []

    def __getattr__(self, name: str) -> Any:
        def gone(*args: Any, **kwargs: Any) -> None:
            raise ApiError(404, "not found")

        return gone


def _object(kind: str) -> dict[str, Any]:
    return {
        "apiVersion": "kaito.sh/v1beta1",
        "kind": kind,
        "metadata": {"name": "phi-4", "namespace": "ml"},
        "resource": {"instanceType": "Standard_NC24ads_A100_v4"},
    }


@pytest.mark.parametrize(
    ("controller", "kind"), [(WorkspaceController(), "Workspace"), (InferenceSetController(), "InferenceSet")]
)
def test_an_object_deleted_while_it_is_reconciled_is_dropped_without_error(controller: Any, kind: str) -> None:
    controller.reconcile(_ClusterWhereEverythingIsGone(), _object(kind))


def test_other_api_errors_still_fail_the_reconcile() -> None:
    class Refusing(_ClusterWhereEverythingIsGone):
        def __getattr__(self, name: str) -> Any:
            def refuse(*args: Any, **kwargs: Any) -> None:
                raise ApiError(500, "etcdserver: request timed out")

            return refuse

    with pytest.raises(ApiError):
        WorkspaceController().reconcile(Refusing(), _object("Workspace"))
