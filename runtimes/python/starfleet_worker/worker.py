"""``Worker``: the base class of a worker, its Lambda handler, and per-payload mode (stdin -> stdout).

See the package's docstring (``starfleet_worker``) for the contract.
"""
from __future__ import annotations

import json
import sys

from starfleet_worker.errors import BatchFailure
from starfleet_worker.marshaller import json_default
from starfleet_worker.worker_context import WorkerContext, make_context

TYPE_CHECKING = False
if TYPE_CHECKING:  # for type checkers only: a per-payload process need not import typing
    from types import ModuleType
    from typing import Any, Callable, Dict, List, Optional, TextIO, Tuple, Type

__all__ = ["Worker", "run_payload", "find_worker_class", "main", "is_sqs_event"]


class Worker:
    """Base class of a worker: override ``execute(self, event, context)``.

    ``name`` (optional class attribute): the worker's name when neither starfleetd nor Lambda gives one."""

    name: Optional[str] = None

    def execute(self, event: Any, context: WorkerContext) -> Any:
        raise NotImplementedError("%s must define execute(self, event, context)" % type(self).__name__)

    @classmethod
    def handler(cls) -> Callable[..., Any]:
        """Returns ``handler(event, lambda_context)`` for Lambda-style runtimes: ``handler = MyWorker.handler()``."""
        instances: List[Worker] = []

        def handler(event: Any, lambda_context: Any = None) -> Any:
            if not instances:
                instances.append(cls())
            return _run_event(instances[0], event, lambda_context)

        handler.worker_class = cls  # type: ignore[attr-defined]
        handler.__name__ = handler.__qualname__ = "%s.handler" % cls.__name__
        return handler

    @classmethod
    def main(cls) -> None:
        """Per-payload mode: runs one payload from stdin, prints the result JSON, exits 0 (1 on failure)."""
        sys.exit(run_payload(cls))


def is_sqs_event(event: Any) -> bool:
    """``{"Records": [...]}`` with every record's ``eventSource`` ``aws:sqs``."""
    if not isinstance(event, dict):
        return False
    records = event.get("Records")
    if not isinstance(records, list) or not records:
        return False
    return all(isinstance(r, dict) and r.get("eventSource") == "aws:sqs" for r in records)


def _record_payload(record: Dict[str, Any]) -> Any:
    body = record.get("body")
    if body is None:
        return None
    try:
        return json.loads(body)
    except ValueError as exc:
        raise ValueError("SQS record %s: the body is not JSON: %s" % (record.get("messageId"), exc))


def _run_event(worker: Worker, event: Any, lambda_context: Any) -> Any:
    cls = type(worker)
    if not is_sqs_event(event):
        return worker.execute(event, make_context(cls, event, lambda_context))
    records = event["Records"]
    if len(records) == 1:
        payload = _record_payload(records[0])
        return worker.execute(payload, make_context(cls, payload, lambda_context, records[0]))
    results: List[Any] = []
    failures: List[Tuple[Optional[str], BaseException]] = []
    for record in records:
        context = None
        try:
            payload = _record_payload(record)
            context = make_context(cls, payload, lambda_context, record)
            results.append(worker.execute(payload, context))
        except Exception as exc:
            results.append(None)
            failures.append((record.get("messageId"), exc))
            if context is not None:
                logger = context.logger
            else:
                from starfleet_worker.log import get_logger
                logger = get_logger(cls.__name__)
            logger.error("record %s failed", record.get("messageId"), exc_info=True)
    if failures:
        raise BatchFailure(failures, len(records))
    return results


def run_payload(worker_class: Type[Worker], stdin: Optional[TextIO] = None, stdout: Optional[TextIO] = None) -> int:
    """Per-payload mode: payload JSON from stdin (empty -> {}), result JSON on stdout; returns the exit status.

    While ``execute`` runs, ``sys.stdout`` is redirected to stderr so stray prints cannot corrupt the result."""
    import traceback

    stdin = stdin if stdin is not None else sys.stdin
    real_stdout = stdout if stdout is not None else sys.stdout
    saved = sys.stdout
    sys.stdout = sys.stderr
    try:
        raw = stdin.buffer.read() if hasattr(stdin, "buffer") else stdin.read()
        event = json.loads(raw) if raw and raw.strip() else {}
        context = make_context(worker_class, event, None, None, per_payload=True)
        result = worker_class().execute(event, context)
        if context.alerts and isinstance(result, dict):
            result = dict(result)
            alerts = list(result.get("starfleet_alerts") or [])
            for priority, text in context.alerts:
                alerts.append({"priority": priority, "title": text.split("\n", 1)[0][:150], "body": text})
            result["starfleet_alerts"] = alerts
        out = json.dumps(result, default=json_default)
    except Exception:
        sys.stderr.write(traceback.format_exc())
        sys.stderr.flush()
        return 1
    finally:
        sys.stdout = saved
    real_stdout.write(out + "\n")
    real_stdout.flush()
    return 0


def find_worker_class(module: ModuleType, class_name: Optional[str] = None) -> Type[Worker]:
    """The Worker subclass defined in ``module`` (by name, or the only one / the only leaf one)."""
    if class_name:
        cls = getattr(module, class_name, None)
        if not (isinstance(cls, type) and issubclass(cls, Worker)):
            raise LookupError("%s has no Worker subclass named %s" % (module.__name__, class_name))
        return cls
    found = [v for v in vars(module).values()
             if isinstance(v, type) and issubclass(v, Worker) and v is not Worker and v.__module__ == module.__name__]
    if not found:
        h = getattr(module, "handler", None)
        if getattr(h, "worker_class", None) is not None:
            return h.worker_class
        raise LookupError("%s defines no Worker subclass" % module.__name__)
    leaves = [c for c in found if not any(o is not c and issubclass(o, c) for o in found)]
    if len(leaves) != 1:
        raise LookupError("%s defines several Worker subclasses (%s): name one"
                          % (module.__name__, ", ".join(sorted(c.__name__ for c in leaves))))
    return leaves[0]


def main(worker_class: Optional[Type[Worker]] = None) -> None:
    """Per-payload entry point: ``if __name__ == "__main__": starfleet_worker.main()`` (finds the class in
    ``__main__`` when not given). Exits the process."""
    if worker_class is None:
        try:
            worker_class = find_worker_class(sys.modules["__main__"])
        except LookupError as exc:
            sys.stderr.write("starfleet_worker: %s\n" % exc)
            sys.exit(2)
    sys.exit(run_payload(worker_class))
