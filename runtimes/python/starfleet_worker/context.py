"""The Lambda context object the warm runtime hands a handler (awslambdaric's ``LambdaContext``).

``aws_request_id``, ``function_name``, ``function_version``, ``memory_limit_in_mb``, ``invoked_function_arn``,
``log_group_name``, ``log_stream_name``, ``identity`` (``CognitoIdentity`` or None), ``client_context``
(``ClientContext`` with ``.client``/``.custom``/``.env``, or None) and ``get_remaining_time_in_millis()``, counted
from the ``Lambda-Runtime-Deadline-Ms`` header. The function's name, version, memory size and log names come from
the ``AWS_LAMBDA_*`` variables, read when this module is imported.
"""
from __future__ import annotations

import json
import os
import time
TYPE_CHECKING = False
if TYPE_CHECKING:  # for type checkers only: a per-payload process need not import typing
    from typing import Any, Dict, Mapping, Optional

__all__ = ["LambdaContext", "ClientContext", "Client", "CognitoIdentity", "from_headers", "parse_client_context",
           "parse_identity", "deadline_ms"]

_FUNCTION_NAME = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
_FUNCTION_VERSION = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
_MEMORY = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
_LOG_GROUP = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
_LOG_STREAM = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")


class CognitoIdentity:
    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")

    def __init__(self, d: Mapping[str, Any]) -> None:
        self.cognito_identity_id = d.get("cognitoIdentityId")
        self.cognito_identity_pool_id = d.get("cognitoIdentityPoolId")


class Client:
    __slots__ = ("installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name")

    def __init__(self, d: Mapping[str, Any]) -> None:
        for name in self.__slots__:
            setattr(self, name, d.get(name))


class ClientContext:
    """The ``Lambda-Runtime-Client-Context`` header: under starfleetd, ``custom`` holds the payload's Starfleet keys."""

    __slots__ = ("client", "custom", "env")

    def __init__(self, d: Mapping[str, Any]) -> None:
        client = d.get("client")
        self.client = Client(client) if isinstance(client, dict) else None
        self.custom: Optional[Dict[str, Any]] = d.get("custom")
        self.env: Optional[Dict[str, Any]] = d.get("env")


class LambdaContext:
    """The context object of AWS's Python runtime (awslambdaric's ``LambdaContext``)."""

    __slots__ = ("aws_request_id", "function_name", "function_version", "memory_limit_in_mb",
                 "invoked_function_arn", "log_group_name", "log_stream_name", "identity", "client_context",
                 "_deadline_ms")

    def __init__(self, request_id: Optional[str], deadline_ms: int, arn: Optional[str],
                 client_context: Optional[ClientContext], identity: Optional[CognitoIdentity]) -> None:
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

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds until the invocation's deadline, never below 0."""
        return max(0, int(self._deadline_ms - time.time() * 1000))

    def __repr__(self) -> str:
        return "LambdaContext(aws_request_id=%r, function_name=%r, invoked_function_arn=%r)" % (
            self.aws_request_id, self.function_name, self.invoked_function_arn)


def parse_client_context(raw: Optional[str]) -> Optional[ClientContext]:
    """The ``Lambda-Runtime-Client-Context`` header's JSON, or None when absent (invalid JSON raises ValueError)."""
    return ClientContext(json.loads(raw)) if raw else None


def parse_identity(raw: Optional[str]) -> Optional[CognitoIdentity]:
    """The ``Lambda-Runtime-Cognito-Identity`` header's JSON, or None when absent."""
    return CognitoIdentity(json.loads(raw)) if raw else None


def deadline_ms(headers: Mapping[str, str]) -> int:
    """``Lambda-Runtime-Deadline-Ms`` (epoch milliseconds); 0 when absent or not a number."""
    try:
        return int(dict.get(headers, "lambda-runtime-deadline-ms") or 0)
    except ValueError:
        return 0


def from_headers(headers: Mapping[str, str]) -> LambdaContext:
    """The context of one invocation from the ``next`` response's headers (keyed by lower-cased name)."""
    hget = dict.get
    return LambdaContext(hget(headers, "lambda-runtime-aws-request-id"), deadline_ms(headers),
                         hget(headers, "lambda-runtime-invoked-function-arn"),
                         parse_client_context(hget(headers, "lambda-runtime-client-context")),
                         parse_identity(hget(headers, "lambda-runtime-cognito-identity")))
