"""``WorkerContext``, the second argument of ``Worker.execute``, and where each of its values comes from.

See the package's docstring (``starfleet_worker``) for the contract; ``make_context`` builds one per payload.
"""
from __future__ import annotations

import json
import os
TYPE_CHECKING = False
if TYPE_CHECKING:  # for type checkers only: a per-payload process need not import typing
    import logging
    from typing import Any, Dict, List, Optional, Tuple



__all__ = ["WorkerContext", "make_context", "ALERT_PRIORITIES", "json_file"]

ALERT_PRIORITIES = ("PROBLEM", "IMPORTANT", "SUCCESS", "INFORMATIONAL")
_TRUE = ("true", "1", "yes", "on")
_files: Dict[str, Any] = {}


def json_file(variable: str) -> Any:
    """The JSON file named by the environment variable ``variable``, read once per process; ``{}`` when the variable
    is unset, the file is missing or holds null. Invalid JSON raises ValueError."""
    if variable in _files:
        return _files[variable]
    path = os.environ.get(variable)
    value = {}
    if path:
        try:
            with open(path, "rb") as f:
                value = json.loads(f.read() or b"{}")
        except FileNotFoundError:
            value = {}
        except ValueError as exc:
            raise ValueError("%s (%s) is not valid JSON: %s" % (variable, path, exc))
        if value is None:
            value = {}
    _files[variable] = value
    return value


class WorkerContext:
    """What ``Worker.execute`` gets besides the payload (see the package's docstring)."""

    def __init__(self, worker: str, account_id: Optional[str] = None, region: Optional[str] = None,
                 commit: bool = False, message_id: Optional[str] = None, receive_count: int = 1,
                 lambda_context: Any = None, per_payload: bool = False) -> None:
        self.worker = worker
        self.account_id = account_id
        self.region = region
        self.commit = commit
        self.message_id = message_id
        self.receive_count = receive_count
        self.lambda_context = lambda_context
        self.alerts: List[Tuple[str, str]] = []   # alerts raised during this payload: (priority, text)
        self._per_payload = per_payload

    def __repr__(self) -> str:
        return ("WorkerContext(worker=%r, account_id=%r, region=%r, commit=%r, message_id=%r, receive_count=%r)"
                % (self.worker, self.account_id, self.region, self.commit, self.message_id, self.receive_count))

    @property
    def config(self) -> Dict[str, Any]:
        return json_file("STARFLEET_WORKER_CONFIG_FILE")

    @property
    def settings(self) -> Dict[str, Any]:
        return json_file("STARFLEET_SETTINGS_FILE")

    @property
    def secrets(self) -> Any:
        return json_file("STARFLEET_SECRETS_FILE").get("Secrets") or {}

    @property
    def credentials(self) -> Dict[str, str]:
        return json_file("STARFLEET_SECRETS_FILE").get("Credentials") or {}

    @property
    def logger(self) -> logging.Logger:
        from starfleet_worker.log import get_logger   # logging is imported when a worker first logs
        return get_logger(self.worker)

    def get_remaining_time_in_millis(self) -> Optional[int]:
        lc = self.lambda_context
        return lc.get_remaining_time_in_millis() if lc is not None else None

    def alert(self, priority: Any, text: Any) -> bool:
        """Raises an alert (a priority name, or an enum member with that ``.name``); True when the daemon took it."""
        name = getattr(priority, "name", priority)
        name = str(name).upper()
        if name not in ALERT_PRIORITIES:
            raise ValueError("alert priority must be one of %s, not %r" % (", ".join(ALERT_PRIORITIES), priority))
        text = str(text)
        self.alerts.append((name, text))
        api = os.environ.get("AWS_LAMBDA_RUNTIME_API")
        if api and os.environ.get("STARFLEET_WORKER") and not self._per_payload:
            from starfleet_worker import client   # http.client is imported when first needed
            body = json.dumps({"priority": name, "text": text}).encode()
            try:
                status, _, data = client.post(client.alert_url(api), body, {"Content-Type": "application/json"})
                if status < 300:
                    return True
                self.logger.warning("alert not delivered (HTTP %d %s): %s %s", status,
                                    data[:200].decode("utf-8", "replace"), name, text)
            except Exception as exc:
                self.logger.warning("alert not delivered (%s): %s %s", exc, name, text)
            return False
        self.logger.info("ALERT %s %s", name, text)
        return False

    def invoke(self, name: str, payload: Any, require_response: bool = False, account: Optional[str] = None,
               region: Optional[str] = None, commit: Optional[bool] = None) -> Any:
        """Invokes the worker ``name`` (see ``starfleet_worker.invoke``): its result when ``require_response``."""
        from starfleet_worker.invoke import invoke   # http.client is imported when first needed
        return invoke(name, payload, require_response, account, region, commit)


def _string(value: Any) -> Optional[str]:
    if value is None:
        return None
    value = str(value)
    return value if value != "" else None


def _attribute(record: Optional[Dict[str, Any]], key: str) -> Optional[str]:
    attrs = record.get("messageAttributes") if record else None
    if isinstance(attrs, dict):
        entry = attrs.get(key)
        if isinstance(entry, dict):
            return entry.get("stringValue") or entry.get("StringValue")
    return None


def _first(*values: Any) -> Any:
    for v in values:
        if v is not None and v != "":
            return v
    return None


def make_context(worker_class: type, payload: Any, lambda_context: Any = None,
                 record: Optional[Dict[str, Any]] = None, per_payload: bool = False) -> WorkerContext:
    """Builds the WorkerContext of one payload: each value from the Lambda client context's ``custom`` keys, the SQS
    record, the payload, then the environment (see the package's docstring)."""
    custom = None
    cc = getattr(lambda_context, "client_context", None) if lambda_context is not None else None
    if cc is not None:
        custom = getattr(cc, "custom", None)
    if not isinstance(custom, dict):
        custom = {}
    body = payload if isinstance(payload, dict) else {}
    env = os.environ
    rec_attrs = record.get("attributes") if isinstance(record, dict) else None
    rec_attrs = rec_attrs if isinstance(rec_attrs, dict) else {}

    worker = _first(_string(custom.get("StarfleetWorker")), env.get("STARFLEET_WORKER"),
                    getattr(worker_class, "name", None),
                    getattr(lambda_context, "function_name", None) if lambda_context is not None else None,
                    worker_class.__name__)
    account = _first(_string(custom.get("StarfleetAccount")), _attribute(record, "StarfleetAccount"),
                     _string(body.get("StarbaseAssignedAccount")), env.get("STARFLEET_ACCOUNT_ID"))
    region = _first(_string(custom.get("StarfleetRegion")), _attribute(record, "StarfleetRegion"),
                    _string(body.get("StarbaseAssignedRegion")), env.get("STARFLEET_REGION"))
    commit = _first(_string(custom.get("StarfleetCommit")), _attribute(record, "StarfleetCommit"),
                    env.get("STARFLEET_COMMIT"))
    message_id = _first(_string(custom.get("StarfleetMessageId")),
                        record.get("messageId") if isinstance(record, dict) else None,
                        env.get("STARFLEET_MESSAGE_ID"))
    count = _first(_string(custom.get("StarfleetReceiveCount")), rec_attrs.get("ApproximateReceiveCount"),
                   env.get("STARFLEET_RECEIVE_COUNT"))
    try:
        receive_count = int(count) if count is not None else 1
    except ValueError:
        receive_count = 1
    return WorkerContext(worker, account, region, str(commit).strip().lower() in _TRUE if commit else False,
                         message_id, receive_count, lambda_context, per_payload)
