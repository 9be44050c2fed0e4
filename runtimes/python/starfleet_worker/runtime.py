"""AWS Lambda Runtime API client for starfleetd's warm Python workers (``Runtime: python``).

Run as ``python3 -m starfleet_worker.runtime`` (Python >= 3.8, standard library only). It reads:

- ``AWS_LAMBDA_RUNTIME_API``: ``host:port``, optionally with a path prefix (``127.0.0.1:9001/abc``);
- ``_HANDLER``: ``module.function``; the module may be dotted (``pkg.mod.function``) or a path
  (``dir/mod.function``); it is imported with ``LAMBDA_TASK_ROOT`` first on ``sys.path``;
- ``AWS_LAMBDA_FUNCTION_NAME``, ``AWS_LAMBDA_FUNCTION_VERSION``, ``AWS_LAMBDA_FUNCTION_MEMORY_SIZE``,
  ``AWS_LAMBDA_LOG_GROUP_NAME``, ``AWS_LAMBDA_LOG_STREAM_NAME`` for the context object.

Then it loops forever: ``GET /2018-06-01/runtime/invocation/next``, calls ``handler(event, context)`` with a
Lambda-like context (``aws_request_id``, ``function_name``, ``function_version``, ``memory_limit_in_mb``,
``invoked_function_arn``, ``log_group_name``, ``log_stream_name``, ``identity``, ``client_context`` with
``.client``/``.custom``/``.env`` as awslambdaric builds it, ``get_remaining_time_in_millis()``), and posts either
the JSON of the return value (``None`` -> ``null``) to ``…/response`` or an error document
``{"errorMessage", "errorType", "requestId", "stackTrace": [str, ...]}`` to ``…/error`` with the header
``Lambda-Runtime-Function-Error-Type: <errorType>``. A handler that cannot be imported or found is reported to
``/runtime/init/error`` (``Runtime.ImportModuleError``, ``Runtime.HandlerNotFound``,
``Runtime.MalformedHandlerName``, ``Runtime.UserCodeSyntaxError``) and the process exits 1.

One keep-alive TCP connection is used for the process lifetime (the daemon identifies the process by it); it is
reopened if the peer drops it. The SDK (``starfleet_worker``) borrows the same connection for ``context.alert``
and ``context.invoke`` while the handler runs, so a worker normally holds exactly one connection.

Handlers in modules named ``starfleet.*`` (Starfleet's own ships) get ``starfleet_worker.starfleet_glue.install()``
called before their import.

The parts: ``starfleet_worker.client`` (the Runtime API connection), ``starfleet_worker.context`` (the context
object), ``starfleet_worker.errors`` (the error documents); this module loads the handler and runs the loop.
"""
from __future__ import annotations

import json
import os
import sys
TYPE_CHECKING = False
if TYPE_CHECKING:  # for type checkers only: a per-payload process need not import typing
    from typing import Any, Callable, Optional

from starfleet_worker import client
from starfleet_worker.client import RuntimeClient, RuntimeConnection  # noqa: F401 (RuntimeConnection: older name)
from starfleet_worker.context import (  # noqa: F401 (the names this module had)
    Client, ClientContext, CognitoIdentity, LambdaContext, from_headers)
from starfleet_worker.errors import InitError, MarshalError, error_document, init_error_document
from starfleet_worker.marshaller import json_default

__all__ = ["main", "load_handler", "report_init_error"]

# The names this module had.
_InitError = InitError
_MarshalError = MarshalError
_error_document = error_document
_json_default = json_default
_PREFIX = client.RUNTIME_PATH


def load_handler(spec: str, task_root: Optional[str]) -> Callable[..., Any]:
    """Imports ``module.function`` (``pkg.mod.fn`` or ``dir/mod.fn``) and returns the function; raises ``InitError``
    with the ``Runtime.*`` type AWS's runtime gives the same failure."""
    import importlib

    if task_root and task_root not in sys.path:
        sys.path.insert(0, task_root)
    try:
        module_name, function_name = spec.strip().rsplit(".", 1)
    except ValueError:
        raise InitError("Runtime.MalformedHandlerName", "Bad handler '%s': not enough values to unpack" % spec)
    module_name = module_name.replace("/", ".").strip(".")
    if not module_name or not function_name:
        raise InitError("Runtime.MalformedHandlerName", "Bad handler '%s'" % spec)
    if module_name == "starfleet" or module_name.startswith("starfleet."):
        try:
            from starfleet_worker import starfleet_glue
            starfleet_glue.install()
        except Exception as exc:
            raise InitError("Runtime.ImportModuleError",
                            "Unable to install the Starfleet glue for '%s': %s" % (module_name, exc), exc)
    try:
        module = importlib.import_module(module_name)
    except SyntaxError as exc:
        raise InitError("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (module_name, exc), exc)
    except ImportError as exc:
        raise InitError("Runtime.ImportModuleError",
                        "Unable to import module '%s': %s" % (module_name, exc), exc)
    except Exception as exc:
        raise InitError("Runtime.ImportModuleError",
                        "Unable to import module '%s': %s: %s" % (module_name, type(exc).__name__, exc), exc)
    handler = getattr(module, function_name, None)
    if handler is None:
        raise InitError("Runtime.HandlerNotFound",
                        "Handler '%s' missing on module '%s'" % (function_name, module_name))
    if not callable(handler):
        raise InitError("Runtime.HandlerNotFound",
                        "Handler '%s' on module '%s' is not callable" % (function_name, module_name))
    return handler


def report_init_error(rc: RuntimeClient, exc: BaseException) -> None:
    """Writes the init error to stderr and posts it to ``/runtime/init/error``."""
    doc = init_error_document(exc)
    sys.stderr.write("[ERROR] %s: %s\n" % (doc["errorType"], doc["errorMessage"].replace("\n", "\\n")))
    if doc["stackTrace"]:
        sys.stderr.write("".join(doc["stackTrace"]))
    sys.stderr.flush()
    try:
        rc.post_init_error(doc)
    except Exception as post_exc:
        sys.stderr.write("LAMBDA_RUNTIME Failed to post the init error: %s\n" % post_exc)
        sys.stderr.flush()


_report_init_error = report_init_error


def main() -> int:
    api = os.environ.get("AWS_LAMBDA_RUNTIME_API")
    if not api:
        sys.stderr.write("starfleet_worker.runtime: AWS_LAMBDA_RUNTIME_API is not set\n")
        return 2
    rc = RuntimeClient(api)
    # Let the SDK borrow this connection for alerts and invokes (AWS_ENDPOINT_URL_LAMBDA has the same host:port).
    client.register(rc)

    try:
        handler = load_handler(os.environ.get("_HANDLER", ""), os.environ.get("LAMBDA_TASK_ROOT"))
    except Exception as exc:
        report_init_error(rc, exc)
        return 1

    # Starfleet's ships read STARFLEET_COMMIT (and the glue reloads the account index) before each invocation.
    glue = sys.modules.get("starfleet_worker.starfleet_glue")
    before_invocation = getattr(glue, "before_invocation", None)
    stdout, stderr = sys.stdout, sys.stderr
    dumps = json.dumps
    invocation_path = rc.invocation_path
    # The hot path sends pre-built request heads on the lean client (RawConnection.send).
    next_request = rc.next_request()
    post_start, post_end = rc.response_head_parts()
    lock, send = rc.lock, rc.send
    environ = os.environ
    while True:
        try:
            with lock:
                status, headers, body = send(next_request)
        except Exception as exc:
            stderr.write("LAMBDA_RUNTIME Failed to get next invocation. No Response from endpoint: %s\n" % exc)
            stderr.flush()
            return 1
        if status != 200:
            stderr.write("LAMBDA_RUNTIME Failed to get next invocation: HTTP %d %s\n"
                         % (status, body[:200].decode("utf-8", "replace")))
            stderr.flush()
            return 1
        request_id = dict.get(headers, "lambda-runtime-aws-request-id")  # headers are keyed by lower-cased name
        trace = dict.get(headers, "lambda-runtime-trace-id")
        if trace:
            environ["_X_AMZN_TRACE_ID"] = trace
        elif "_X_AMZN_TRACE_ID" in environ:
            del environ["_X_AMZN_TRACE_ID"]

        try:
            context = from_headers(headers)
            event = json.loads(body) if body else None
            if before_invocation is not None:
                cc = context.client_context
                before_invocation(cc.custom if cc and cc.custom else {})
            result = handler(event, context)
            try:
                payload = dumps(result, default=json_default).encode()
            except (TypeError, ValueError, OverflowError) as exc:
                raise MarshalError("Unable to marshal response: %s" % exc).with_traceback(None)
            data = b"".join((post_start, request_id.encode("latin-1"), b"/response", post_end,
                             b"%d\r\n\r\n" % len(payload), payload))
            path = None
        except Exception as exc:
            doc = error_document(exc, request_id, "Runtime.MarshalError" if isinstance(exc, MarshalError) else None)
            try:
                stderr.write("[ERROR] %s: %s\n" % (doc["errorType"], doc["errorMessage"].replace("\n", "\\n")))
                stderr.write("".join(doc["stackTrace"]))
            except Exception:
                pass
            try:
                payload = json.dumps(doc, default=str).encode()
            except Exception:
                payload = json.dumps({"errorMessage": repr(doc["errorMessage"]), "errorType": doc["errorType"],
                                      "stackTrace": []}).encode()
            path = rc.error_path(request_id)
            data = rc.error_request(request_id, doc["errorType"], payload)
        try:
            stdout.flush()
            stderr.flush()
        except Exception:
            pass
        try:
            with lock:
                status, _, reply = send(data)
        except Exception as exc:
            stderr.write("LAMBDA_RUNTIME Failed to post the result of %s: %s\n" % (request_id, exc))
            stderr.flush()
            return 1
        if status >= 300:
            # 413 (payload too large) or a gone request id: the daemon already knows; keep serving.
            stderr.write("LAMBDA_RUNTIME The runtime API answered HTTP %d to %s: %s\n"
                         % (status, path or invocation_path + str(request_id) + "/response",
                            reply[:200].decode("utf-8", "replace")))
            stderr.flush()


if __name__ == "__main__":
    sys.exit(main())
