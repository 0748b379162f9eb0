"""What a RayJob's submitter prints, in the KubeRay simulator: Ray's job CLI in a pod.

KubeRay v1.7 (ray-project/kuberay 59d663ae ray-operator/controllers/ray/common/job.go
BuildJobSubmitCommand) runs, in K8sJobMode, ``ray job status ID >/dev/null 2>&1`` (silent), then
``ray job submit --address URL --no-wait --submission-id ID -- ENTRYPOINT`` and ``ray job logs
--address URL --follow ID``; in SidecarMode (the SidecarSubmitterRestart gate is off by default,
pkg/features/features.go) ``ray job submit`` alone, without ``--no-wait``.

Ray's job CLI (ray-project/ray 0718d5b0 python/ray/dashboard/modules/job/cli.py):
``_get_sdk_client`` labels the server address; ``submit`` prints the big success block and the next
steps, then, without ``--no-wait``, "Tailing logs until the job exits", the logs and the status;
``logs --follow`` prints the logs, then the status (``_tail_logs``, ``_log_job_status``): for a
FAILED job the big error block ``Job 'ID' failed`` and ``Status message: <JobInfo message>`` (the
exit code and the log tail, job_supervisor.py), for SUCCEEDED the success block ``Job 'ID'
succeeded``. ``submit`` exits 1 on a FAILED job; ``logs`` ends 0 whatever the job's status, so a
K8sJobMode submitter pod ends Succeeded for a failed Ray job.

Its cli_logger (python/ray/autoscaler/_private/cli_logger.py) writes records when stdin is not a
terminal, as in a pod (``--log-style auto``: ``pretty = _isatty()``): blank lines are dropped, there
is no indentation nor colour, and each line is ``LOGGER_FORMAT`` (ray/_private/ray_constants.py:
``%(asctime)s\\t%(levelname)s %(filename)s:%(lineno)s -- %(message)s``) with the level names
cli_logger gives (INFO, SUCC, ERR) and the line of cli.py that called it (counted in 0718d5b0: the
lines of Ray 2.52.0, DEFAULT_RAY_VERSION, may differ by a few). The job's own output goes through
plain ``print``.
"""

from __future__ import annotations

from datetime import UTC, datetime

# cli.py (0718d5b0) lines that print: _get_sdk_client's labeled_value; _log_big_success_msg's and
# _log_big_error_msg's three lines; _log_job_status's "Status message"; submit's next steps and tail.
_ADDRESS = 42
_SUCCESS = (66, 67, 68)
_ERROR = (74, 75, 76)
_STATUS_MESSAGE = 89
# ray-project/ray python/ray/dashboard/modules/job/cli.py _log_job_status: cli_logger.warning(f"Job '{job_id}' was
# stopped"), level WARN.
_STOPPED = 85
_NEXT_STEPS = ((330, "Next steps"), (331, "Query the logs of the job:"), (333, "ray job logs {id}"))
_NEXT_STEPS += ((335, "Query the status of the job:"), (337, "ray job status {id}"))
_NEXT_STEPS += ((339, "Request the job to be stopped:"), (341, "ray job stop {id}"))
_TAILING = 351


def record(level: str, line: int, message: str) -> str:
    """One cli_logger record, as Python's logging.Formatter writes LOGGER_FORMAT (asctime with
    milliseconds after a comma)."""
    at = datetime.now(UTC)
    return f"{at:%Y-%m-%d %H:%M:%S},{at.microsecond // 1000:03d}\t{level} cli.py:{line} -- {message}\n"


def _block(level: str, lines: tuple[int, int, int], message: str) -> str:
    rule = "-" * len(message)
    return record(level, lines[0], rule) + record(level, lines[1], message) + record(level, lines[2], rule)


def submitted(address: str, job_id: str) -> str:
    """``ray job submit`` up to the job's submission: the address, the success block, the next steps."""
    text = record("INFO", _ADDRESS, f"Job submission server address: {address}")
    text += _block("SUCC", _SUCCESS, f"Job '{job_id}' submitted successfully")
    return text + "".join(record("INFO", line, said.format(id=job_id)) for line, said in _NEXT_STEPS)


def job_status(job_id: str, failed: bool, message: str) -> str:
    """``_log_job_status`` for a SUCCEEDED or FAILED job (its JobInfo message only when FAILED)."""
    if not failed:
        return _block("SUCC", _SUCCESS, f"Job '{job_id}' succeeded")
    status = record("INFO", _STATUS_MESSAGE, f"Status message: {message}")
    return _block("ERR", _ERROR, f"Job '{job_id}' failed") + status


def stopped(job_id: str) -> str:
    """``_log_job_status`` for a STOPPED job: one warning (ray-project/ray
    python/ray/autoscaler/_private/cli_logger.py warning: level WARN)."""
    return record("WARN", _STOPPED, f"Job '{job_id}' was stopped")


def k8s_job_started(address: str, job_id: str) -> str:
    """The submitter pod's log once it has submitted and follows (``ray job logs --follow`` labels
    the address again)."""
    return submitted(address, job_id) + record("INFO", _ADDRESS, f"Job submission server address: {address}")


def k8s_job_log(address: str, job_id: str, output: str, failed: bool, message: str) -> str:
    """The whole K8sJobMode submitter log of an ended job."""
    return k8s_job_started(address, job_id) + output + job_status(job_id, failed, message)


def sidecar_started(address: str, job_id: str) -> str:
    """The SidecarMode submitter container's log while the job runs: ``ray job submit`` tails the
    logs itself."""
    tail = record("INFO", _TAILING, "Tailing logs until the job exits (disable with --no-wait):")
    return submitted(address, job_id) + tail


def sidecar_log(address: str, job_id: str, output: str, failed: bool, message: str) -> str:
    """The SidecarMode submitter container's log of an ended job."""
    return sidecar_started(address, job_id) + output + job_status(job_id, failed, message)
