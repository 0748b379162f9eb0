"""An InferencePool API the cluster serves in the inference extension's pre-v1.0 group only:
akscli writes inference.networking.k8s.io/v1 (kubernetes-sigs/gateway-api-inference-extension
v1.6.0 config/crd/bases/inference.networking.k8s.io_inferencepools.yaml); releases up to v0.5.1
install inference.networking.x-k8s.io/v1alpha2 only (v0.5.1 config/crd/bases)."""

from __future__ import annotations

import pytest

from akscli.errors import NotInstalledError
from akscli.model.kinds import POOL_API
from akscli.model.preflight import check_operators

POOL = {"apiVersion": POOL_API, "kind": "InferencePool"}


class _Kube:
    def __init__(self, *served: str) -> None:
        self.served = served

    def has_api(self, api_version: str, kind: str) -> bool:
        return kind == "InferencePool" and api_version in self.served


def test_a_cluster_with_the_pre_v1_pool_only_is_told_to_upgrade_the_crds() -> None:
    with pytest.raises(NotInstalledError) as err:
        check_operators(_Kube("inference.networking.x-k8s.io/v1alpha2"), [POOL])
    assert "serves InferencePool only as inference.networking.x-k8s.io/v1alpha2" in err.value.message
    assert "akscli writes inference.networking.k8s.io/v1 InferencePool" in err.value.message
    assert "upgrade the inference extension's CRDs (kubectl apply -f https://github.com/" in (err.value.hint or "")
    assert err.value.exit_code == 7


def test_a_cluster_without_the_extension_is_told_to_install_it() -> None:
    with pytest.raises(NotInstalledError) as err:
        check_operators(_Kube(), [POOL])
    assert "the Gateway API inference extension is not installed" in err.value.message
