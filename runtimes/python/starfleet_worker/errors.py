"""Errors and the Lambda error document (awslambdaric's ``lambda_runtime_exception`` and error shapes).

- ``InvokeError``: a failed ``context.invoke`` (the SDK);
- ``BatchFailure``: some records of a multi-record SQS event failed (the SDK's ``Worker.handler()``);
- ``InitError``: a handler that cannot be loaded (``Runtime.ImportModuleError``, ``Runtime.HandlerNotFound``,
  ``Runtime.MalformedHandlerName``, ``Runtime.UserCodeSyntaxError``), posted to ``/runtime/init/error``;
- ``MarshalError``: a handler result that ``json.dumps`` refuses (``Runtime.MarshalError``);
- ``error_document``: ``{"errorMessage", "errorType", "requestId", "stackTrace": [str, ...]}``, what the runtime posts
  to ``…/error`` and what the daemon keeps as a failed attempt's error and stack trace.
"""
from __future__ import annotations

import json
TYPE_CHECKING = False
if TYPE_CHECKING:  # for type checkers only: a per-payload process need not import typing
    from typing import Any, Dict, List, Optional, Sequence, Tuple

__all__ = ["InvokeError", "BatchFailure", "InitError", "MarshalError", "error_document", "init_error_document",
           "function_error"]


class InvokeError(Exception):
    """A failed ``context.invoke``: the invoked worker failed (``X-Amz-Function-Error``) or the call did."""

    def __init__(self, error_message: str, error_type: Optional[str] = None,
                 stack_trace: Optional[List[str]] = None, status: Optional[int] = None,
                 function_name: Optional[str] = None) -> None:
        Exception.__init__(self, error_message)
        self.error_message = error_message
        self.error_type = error_type
        self.stack_trace = stack_trace or []
        self.status = status
        self.function_name = function_name


class BatchFailure(Exception):
    """Some records of a multi-record SQS event failed; ``failures`` is a list of ``(messageId, exception)``."""

    def __init__(self, failures: Sequence[Tuple[Optional[str], BaseException]], total: int) -> None:
        self.failures = failures
        Exception.__init__(self, "%d of %d records failed: %s" % (len(failures), total, "; ".join(
            "%s: %s: %s" % (mid, type(exc).__name__, exc) for mid, exc in failures)))


class InitError(Exception):
    """The handler could not be loaded: ``error_type`` is the ``Runtime.*`` type, ``cause`` the exception behind it."""

    def __init__(self, error_type: str, message: str, cause: Optional[BaseException] = None) -> None:
        Exception.__init__(self, message)
        self.error_type = error_type
        self.cause = cause


class MarshalError(Exception):
    """The handler's result is not JSON-serialisable."""


def error_document(exc: BaseException, request_id: Optional[str] = None,
                   error_type: Optional[str] = None) -> Dict[str, Any]:
    """The Lambda error document of ``exc``: its message, its type (or ``error_type``), its traceback's lines."""
    import traceback

    tb = exc.__traceback__
    stack = traceback.format_list(traceback.extract_tb(tb)) if tb is not None else []
    doc = {"errorMessage": str(exc), "errorType": error_type or type(exc).__name__, "stackTrace": stack}
    if request_id is not None:
        doc["requestId"] = request_id
    return doc


def init_error_document(exc: BaseException) -> Dict[str, Any]:
    """What ``/runtime/init/error`` gets: an ``InitError``'s type and its cause's stack, else ``Runtime.Unknown``."""
    if isinstance(exc, InitError):
        return {"errorMessage": str(exc), "errorType": exc.error_type,
                "stackTrace": error_document(exc.cause)["stackTrace"] if exc.cause is not None else []}
    return error_document(exc, error_type="Runtime.Unknown")


def function_error(name: str, data: bytes, header: str, status: Optional[int]) -> InvokeError:
    """The ``InvokeError`` of an invoked worker's failure: its error document when the body is one, else the body."""
    try:
        doc = json.loads(data)
    except ValueError:
        doc = None
    if isinstance(doc, dict):
        return InvokeError(str(doc.get("errorMessage", data.decode("utf-8", "replace"))),
                           doc.get("errorType") or header, doc.get("stackTrace"), status, name)
    return InvokeError(data.decode("utf-8", "replace") or "%s failed" % name, header, None, status, name)
