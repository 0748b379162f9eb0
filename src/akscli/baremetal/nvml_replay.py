"""A recorded NVML: ``RecordedNvml`` answers pynvml calls from an ``nvml.json`` recording, so
``akscli baremetal probe --replay`` and the tests run the probe's production code path without a GPU.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from akscli.errors import UsageError

# NVML constants the probe uses; RecordedNvml and pynvml both define them with these values.
NVML_MEMORY_ERROR_TYPE_UNCORRECTED = 1
NVML_VOLATILE_ECC = 0
NVML_AGGREGATE_ECC = 1
NVML_TEMPERATURE_GPU = 0
NVML_NVLINK_MAX_LINKS = 36


class _RecordedError(Exception):
    """NVMLError stand-in when nvidia-ml-py is absent (the replay must still work)."""


def _error_class(name: str) -> type[Exception]:
    try:
        import pynvml

        found = getattr(pynvml, name, None)
        if isinstance(found, type) and issubclass(found, Exception):
            return found
        return type(name, (pynvml.NVMLError,), {})
    except ImportError:
        return type(name, (_RecordedError,), {"__str__": lambda self: name})


class RecordedNvml:
    """Answers pynvml calls from a recording in the format of ../shared/data/gpu-probe/*/nvml.json.

    A recorded ``{"error": "NVMLError_NotSupported"}`` is raised as that NVML exception, and a query
    the recording does not hold raises NVMLError_NotSupported, as an older driver would.
    """

    NVML_MEMORY_ERROR_TYPE_UNCORRECTED = NVML_MEMORY_ERROR_TYPE_UNCORRECTED
    NVML_VOLATILE_ECC = NVML_VOLATILE_ECC
    NVML_AGGREGATE_ECC = NVML_AGGREGATE_ECC
    NVML_TEMPERATURE_GPU = NVML_TEMPERATURE_GPU

    def __init__(self, record: Mapping[str, Any]) -> None:
        self.record = record
        try:
            import pynvml

            self.NVMLError: type[Exception] = pynvml.NVMLError
        except ImportError:
            self.NVMLError = _RecordedError
        devices = record.get("devices", [])
        self.NVML_NVLINK_MAX_LINKS = max((len(d.get("nvlink", [])) for d in devices), default=0)

    @classmethod
    def from_file(cls, path: str | Path) -> RecordedNvml:
        try:
            return cls(json.loads(Path(path).read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            raise UsageError(
                f"cannot read the NVML recording {path}: {exc}", hint="give the path of an nvml.json recording"
            ) from exc

    def _answer(self, value: Any) -> Any:
        if isinstance(value, Mapping) and "error" in value:
            raise _error_class(str(value["error"]))()
        return value

    def _get(self, source: Mapping[str, Any], key: str) -> Any:
        if key not in source:
            raise _error_class("NVMLError_NotSupported")()
        return self._answer(source[key])

    def nvmlInit(self) -> None:
        if "init_error" in self.record:
            raise _error_class(str(self.record["init_error"]))()

    def nvmlShutdown(self) -> None:
        return None

    def nvmlSystemGetDriverVersion(self) -> str:
        return str(self._get(self.record, "driver_version"))

    def nvmlSystemGetNVMLVersion(self) -> str:
        return str(self._get(self.record, "nvml_version"))

    def nvmlSystemGetCudaDriverVersion(self) -> int:
        return int(self._get(self.record, "cuda_driver_version"))

    def nvmlDeviceGetCount(self) -> int:
        return int(self._get(self.record, "device_count"))

    def nvmlDeviceGetHandleByIndex(self, index: int) -> Mapping[str, Any]:
        devices = self.record.get("devices", [])
        if index >= len(devices):
            raise _error_class("NVMLError_InvalidArgument")()
        return self._answer(devices[index])  # type: ignore[no-any-return]

    def nvmlDeviceGetName(self, h: Mapping[str, Any]) -> str:
        return str(self._get(h, "name"))

    def nvmlDeviceGetUUID(self, h: Mapping[str, Any]) -> str:
        return str(self._get(h, "uuid"))

    def nvmlDeviceGetPciInfo(self, h: Mapping[str, Any]) -> Any:
        return SimpleNamespace(busId=self._get(h, "pci_bus_id"))

    def nvmlDeviceGetMemoryInfo(self, h: Mapping[str, Any]) -> Any:
        return SimpleNamespace(**self._get(h, "memory"))

    def nvmlDeviceGetCudaComputeCapability(self, h: Mapping[str, Any]) -> tuple[int, int]:
        major, minor = self._get(h, "cuda_compute_capability")
        return int(major), int(minor)

    def nvmlDeviceGetCurrPcieLinkGeneration(self, h: Mapping[str, Any]) -> int:
        return int(self._get(h, "pcie_link_gen_current"))

    def nvmlDeviceGetMaxPcieLinkGeneration(self, h: Mapping[str, Any]) -> int:
        return int(self._get(h, "pcie_link_gen_max"))

    def nvmlDeviceGetCurrPcieLinkWidth(self, h: Mapping[str, Any]) -> int:
        return int(self._get(h, "pcie_link_width_current"))

    def nvmlDeviceGetMaxPcieLinkWidth(self, h: Mapping[str, Any]) -> int:
        return int(self._get(h, "pcie_link_width_max"))

    def nvmlDeviceGetEccMode(self, h: Mapping[str, Any]) -> tuple[int, int]:
        current, pending = self._get(h, "ecc_mode")
        return int(current), int(pending)

    def nvmlDeviceGetTotalEccErrors(self, h: Mapping[str, Any], error_type: int, counter: int) -> int:
        if error_type != NVML_MEMORY_ERROR_TYPE_UNCORRECTED:
            raise _error_class("NVMLError_NotSupported")()
        key = "ecc_volatile_uncorrected" if counter == NVML_VOLATILE_ECC else "ecc_aggregate_uncorrected"
        return int(self._get(h, key))

    def nvmlDeviceGetRetiredPagesPendingStatus(self, h: Mapping[str, Any]) -> int:
        return int(self._get(h, "retired_pages_pending"))

    def nvmlDeviceGetRemappedRows(self, h: Mapping[str, Any]) -> tuple[int, int, int, int]:
        corr, unc, pending, failure = self._get(h, "remapped_rows")
        return int(corr), int(unc), int(pending), int(failure)

    def nvmlDeviceGetMigMode(self, h: Mapping[str, Any]) -> tuple[int, int]:
        current, pending = self._get(h, "mig_mode")
        return int(current), int(pending)

    def nvmlDeviceGetPowerManagementLimit(self, h: Mapping[str, Any]) -> int:
        return int(self._get(h, "power_limit_mw"))

    def nvmlDeviceGetEnforcedPowerLimit(self, h: Mapping[str, Any]) -> int:
        return int(self._get(h, "enforced_power_limit_mw"))

    def nvmlDeviceGetTemperature(self, h: Mapping[str, Any], sensor: int) -> int:
        return int(self._get(h, "temperature_c"))

    def nvmlDeviceGetPersistenceMode(self, h: Mapping[str, Any]) -> int:
        return int(self._get(h, "persistence_mode"))

    def _link(self, h: Mapping[str, Any], link: int) -> Mapping[str, Any]:
        links = h.get("nvlink", [])
        if link >= len(links):
            raise _error_class("NVMLError_InvalidArgument")()
        return links[link]  # type: ignore[no-any-return]

    def nvmlDeviceGetNvLinkState(self, h: Mapping[str, Any], link: int) -> int:
        return int(self._get(self._link(h, link), "state"))

    def nvmlDeviceGetNvLinkVersion(self, h: Mapping[str, Any], link: int) -> int:
        return int(self._get(self._link(h, link), "version"))

    def nvmlDeviceGetNvLinkRemotePciInfo(self, h: Mapping[str, Any], link: int) -> Any:
        return SimpleNamespace(busId=self._get(self._link(h, link), "remote_pci_bus_id"))
