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
"""
import json
import os
import sys
import time
import traceback

from starfleet_worker._http import RawConnection

_PREFIX = "/2018-06-01/runtime"


class RuntimeConnection(RawConnection):
    """The runtime API connection: ``AWS_LAMBDA_RUNTIME_API`` is ``host:port`` with an optional path prefix."""

    def __init__(self, api):
        host, _, prefix = api.strip().partition("/")
        RawConnection.__init__(self, host)
        self.host = host
        self.prefix = ("/" + prefix.strip("/")) if prefix.strip("/") else ""


class CognitoIdentity:
    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")

    def __init__(self, d):
        self.cognito_identity_id = d.get("cognitoIdentityId")
        self.cognito_identity_pool_id = d.get("cognitoIdentityPoolId")


class Client:
    __slots__ = ("installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name")

    def __init__(self, d):
        for name in self.__slots__:
            setattr(self, name, d.get(name))


class ClientContext:
    __slots__ = ("client", "custom", "env")

    def __init__(self, d):
        client = d.get("client")
        self.client = Client(client) if isinstance(client, dict) else None
        self.custom = d.get("custom")
        self.env = d.get("env")


class LambdaContext:
    """The context object of AWS's Python runtime (awslambdaric's ``LambdaContext``)."""

    __slots__ = ("aws_request_id", "function_name", "function_version", "memory_limit_in_mb",
                 "invoked_function_arn", "log_group_name", "log_stream_name", "identity", "client_context",
                 "_deadline_ms")

    def __init__(self, request_id, deadline_ms, arn, client_context, identity):
        self.aws_request_id = request_id
        self.function_name = _FUNCTION_NAME
        self.function_version = _FUNCTION_VERSION
        self.memory_limit_in_mb = _MEMORY
        self.log_group_name = _LOG_GROUP
        self.log_stream_name = _LOG_STREAM
        self.invoked_function_arn = arn
        self.client_context = client_context
        self.identity = identity
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline_ms - time.time() * 1000))

    def __repr__(self):
        return "LambdaContext(aws_request_id=%r, function_name=%r, invoked_function_arn=%r)" % (
            self.aws_request_id, self.function_name, self.invoked_function_arn)


_FUNCTION_NAME = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
_FUNCTION_VERSION = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
_MEMORY = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
_LOG_GROUP = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
_LOG_STREAM = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")


def _json_default(o):
    # As awslambdaric: Decimal (DynamoDB numbers) is written as a number.
    if type(o).__name__ == "Decimal":
        return int(o) if o == o.to_integral_value() else float(o)
    raise TypeError("Object of type %s is not JSON serializable" % type(o).__name__)


def _error_document(exc, request_id=None, error_type=None):
    tb = exc.__traceback__
    stack = traceback.format_list(traceback.extract_tb(tb)) if tb is not None else []
    doc = {"errorMessage": str(exc), "errorType": error_type or type(exc).__name__, "stackTrace": stack}
    if request_id is not None:
        doc["requestId"] = request_id
    return doc


class _InitError(Exception):
    def __init__(self, error_type, message, cause=None):
        Exception.__init__(self, message)
        self.error_type = error_type
        self.cause = cause


def load_handler(spec, task_root):
    """Imports ``module.function`` (``pkg.mod.fn`` or ``dir/mod.fn``) and returns the function."""
    import importlib

    if task_root and task_root not in sys.path:
        sys.path.insert(0, task_root)
    try:
        module_name, function_name = spec.strip().rsplit(".", 1)
    except ValueError:
        raise _InitError("Runtime.MalformedHandlerName", "Bad handler '%s': not enough values to unpack" % spec)
    module_name = module_name.replace("/", ".").strip(".")
    if not module_name or not function_name:
        raise _InitError("Runtime.MalformedHandlerName", "Bad handler '%s'" % spec)
    if module_name == "starfleet" or module_name.startswith("starfleet."):
        try:
            from starfleet_worker import starfleet_glue
            starfleet_glue.install()
        except Exception as exc:
            raise _InitError("Runtime.ImportModuleError",
                             "Unable to install the Starfleet glue for '%s': %s" % (module_name, exc), exc)
    try:
        module = importlib.import_module(module_name)
    except SyntaxError as exc:
        raise _InitError("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (module_name, exc), exc)
    except ImportError as exc:
        raise _InitError("Runtime.ImportModuleError",
                         "Unable to import module '%s': %s" % (module_name, exc), exc)
    except Exception as exc:
        raise _InitError("Runtime.ImportModuleError",
                         "Unable to import module '%s': %s: %s" % (module_name, type(exc).__name__, exc), exc)
    handler = getattr(module, function_name, None)
    if handler is None:
        raise _InitError("Runtime.HandlerNotFound",
                         "Handler '%s' missing on module '%s'" % (function_name, module_name))
    if not callable(handler):
        raise _InitError("Runtime.HandlerNotFound",
                         "Handler '%s' on module '%s' is not callable" % (function_name, module_name))
    return handler


def _report_init_error(rc, exc):
    if isinstance(exc, _InitError):
        doc = {"errorMessage": str(exc), "errorType": exc.error_type,
               "stackTrace": _error_document(exc.cause)["stackTrace"] if exc.cause is not None else []}
    else:
        doc = _error_document(exc, error_type="Runtime.Unknown")
    sys.stderr.write("[ERROR] %s: %s\n" % (doc["errorType"], doc["errorMessage"].replace("\n", "\\n")))
    if doc["stackTrace"]:
        sys.stderr.write("".join(doc["stackTrace"]))
    sys.stderr.flush()
    body = json.dumps(doc).encode()
    try:
        with rc.lock:
            rc.request("POST", rc.prefix + _PREFIX + "/init/error", body,
                       {"Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": doc["errorType"]})
    except Exception as post_exc:
        sys.stderr.write("LAMBDA_RUNTIME Failed to post the init error: %s\n" % post_exc)
        sys.stderr.flush()


def main():
    api = os.environ.get("AWS_LAMBDA_RUNTIME_API")
    if not api:
        sys.stderr.write("starfleet_worker.runtime: AWS_LAMBDA_RUNTIME_API is not set\n")
        return 2
    rc = RuntimeConnection(api)
    # Let the SDK borrow this connection for alerts and invokes (AWS_ENDPOINT_URL_LAMBDA has the same host:port).
    import starfleet_worker
    starfleet_worker._connections[("http", rc.host)] = rc

    try:
        handler = load_handler(os.environ.get("_HANDLER", ""), os.environ.get("LAMBDA_TASK_ROOT"))
    except Exception as exc:
        _report_init_error(rc, exc)
        return 1

    # Starfleet's ships read STARFLEET_COMMIT (and the glue reloads the account index) before each invocation.
    glue = sys.modules.get("starfleet_worker.starfleet_glue")
    before_invocation = getattr(glue, "before_invocation", None)
    stdout, stderr = sys.stdout, sys.stderr
    dumps = json.dumps
    invocation_path = rc.prefix + _PREFIX + "/invocation/"
    # The hot path sends pre-built request heads on the lean client (RawConnection.send).
    next_request = rc.build("GET", invocation_path + "next")
    post_start = ("POST " + invocation_path).encode("latin-1")
    post_end = (" HTTP/1.1\r\n" + rc._host_header.decode("latin-1")
                + "Content-Type: application/json\r\nContent-Length: ").encode("latin-1")
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
        hget = dict.get  # headers are keyed by lower-cased name
        request_id = hget(headers, "lambda-runtime-aws-request-id")
        try:
            deadline = int(hget(headers, "lambda-runtime-deadline-ms") or 0)
        except ValueError:
            deadline = 0
        trace = hget(headers, "lambda-runtime-trace-id")
        if trace:
            environ["_X_AMZN_TRACE_ID"] = trace
        elif "_X_AMZN_TRACE_ID" in environ:
            del environ["_X_AMZN_TRACE_ID"]

        try:
            raw = hget(headers, "lambda-runtime-client-context")
            client_context = ClientContext(json.loads(raw)) if raw else None
            raw = hget(headers, "lambda-runtime-cognito-identity")
            identity = CognitoIdentity(json.loads(raw)) if raw else None
            context = LambdaContext(request_id, deadline, hget(headers, "lambda-runtime-invoked-function-arn"),
                                    client_context, identity)
            event = json.loads(body) if body else None
            if before_invocation is not None:
                before_invocation(client_context.custom if client_context and client_context.custom else {})
            result = handler(event, context)
            try:
                payload = dumps(result, default=_json_default).encode()
            except (TypeError, ValueError, OverflowError) as exc:
                raise _MarshalError("Unable to marshal response: %s" % exc).with_traceback(None)
            data = b"".join((post_start, request_id.encode("latin-1"), b"/response", post_end,
                             b"%d\r\n\r\n" % len(payload), payload))
            path = None
        except Exception as exc:
            doc = _error_document(exc, request_id,
                                  "Runtime.MarshalError" if isinstance(exc, _MarshalError) else None)
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
            path = invocation_path + str(request_id) + "/error"
            data = rc.build("POST", path, {"Content-Type": "application/json",
                                           "Lambda-Runtime-Function-Error-Type": doc["errorType"]},
                            len(payload)) + payload
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
                         % (status, path or invocation_path + request_id + "/response", reply[:200].decode("utf-8", "replace")))
            stderr.flush()


class _MarshalError(Exception):
    pass


if __name__ == "__main__":
    sys.exit(main())
