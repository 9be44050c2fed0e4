"""``context.invoke``: the Lambda Invoke API (``AWS_ENDPOINT_URL_LAMBDA``, starfleetd's), or boto3 in AWS Lambda.

``invoke(name, payload, require_response, account, region, commit)`` POSTs the payload (a JSON-serialisable
value, or str/bytes already JSON) to ``$AWS_ENDPOINT_URL_LAMBDA/2015-03-31/functions/{name}/invocations``.
``RequestResponse`` returns the parsed result and raises ``InvokeError`` when ``X-Amz-Function-Error`` is set or the
call fails; ``Event`` returns None. ``account``/``region``/``commit`` go in ``X-Amz-Client-Context``.
"""
from __future__ import annotations

import base64
import json
import os
from urllib.parse import quote

from starfleet_worker import client
from starfleet_worker.errors import InvokeError, function_error
from starfleet_worker.marshaller import json_default

TYPE_CHECKING = False
if TYPE_CHECKING:  # for type checkers only: a per-payload process need not import typing
    from typing import Any, Dict, Optional

__all__ = ["invoke", "request_body", "client_context"]


def request_body(payload: Any) -> bytes:
    """The request body: bytes as they are, str encoded, anything else as JSON."""
    if isinstance(payload, bytes):
        return payload
    if isinstance(payload, str):
        return payload.encode()
    return json.dumps(payload, default=json_default).encode()


def client_context(account: Optional[str] = None, region: Optional[str] = None,
                   commit: Optional[bool] = None) -> Optional[str]:
    """``X-Amz-Client-Context``: base64 of ``{"custom": {StarfleetAccount, StarfleetRegion, StarfleetCommit}}``
    with the keys given, or None when none is."""
    custom: Dict[str, str] = {}
    if account is not None:
        custom["StarfleetAccount"] = str(account)
    if region is not None:
        custom["StarfleetRegion"] = str(region)
    if commit is not None:
        custom["StarfleetCommit"] = "true" if commit else "false"
    if not custom:
        return None
    return base64.b64encode(json.dumps({"custom": custom}).encode()).decode()


def invoke(name: str, payload: Any, require_response: bool = False, account: Optional[str] = None,
           region: Optional[str] = None, commit: Optional[bool] = None) -> Any:
    body = request_body(payload)
    invocation_type = "RequestResponse" if require_response else "Event"
    context = client_context(account, region, commit)
    endpoint = os.environ.get("AWS_ENDPOINT_URL_LAMBDA")
    if not endpoint:
        return _invoke_boto3(name, body, invocation_type, context)
    headers = {"Content-Type": "application/json", "X-Amz-Invocation-Type": invocation_type}
    if context:
        headers["X-Amz-Client-Context"] = context
    url = "%s/2015-03-31/functions/%s/invocations" % (endpoint.rstrip("/"), quote(str(name), safe=""))
    try:
        status, resp_headers, data = client.post(url, body, headers)
    except OSError as exc:
        raise InvokeError("invoke %s: %s" % (name, exc), "ConnectionError", function_name=name)
    if status >= 300:
        try:
            doc = json.loads(data)
            message = doc.get("message") or doc.get("Message") or doc.get("errorMessage") or data.decode()
        except Exception:
            message = data.decode("utf-8", "replace")
        raise InvokeError("invoke %s: HTTP %d: %s" % (name, status, message),
                          resp_headers.get("x-amzn-ErrorType"), status=status, function_name=name)
    header = resp_headers.get("X-Amz-Function-Error")
    if header:
        raise function_error(name, data, header, status)
    if not require_response:
        return None
    if not data:
        return None
    try:
        return json.loads(data)
    except ValueError:
        return data.decode("utf-8", "replace")


def _invoke_boto3(name: str, body: bytes, invocation_type: str, context: Optional[str]) -> Any:
    try:
        import boto3
    except ImportError:
        raise InvokeError("context.invoke needs AWS_ENDPOINT_URL_LAMBDA (starfleetd) or boto3 (AWS Lambda)",
                          "ConfigurationError", function_name=name)
    kwargs = {"FunctionName": name, "InvocationType": invocation_type, "Payload": body}
    if context:
        kwargs["ClientContext"] = context
    resp = boto3.client("lambda").invoke(**kwargs)
    data = resp["Payload"].read() if resp.get("Payload") is not None else b""
    if resp.get("FunctionError"):
        raise function_error(name, data, resp["FunctionError"], resp.get("StatusCode"))
    if invocation_type != "RequestResponse" or not data:
        return None
    return json.loads(data)
