"""JSON for results and payloads (awslambdaric's ``lambda_runtime_marshaller``): ``Decimal`` is written as a number."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # for type checkers only: a per-payload process need not import typing
    from typing import Any

__all__ = ["json_default"]


def json_default(o: Any) -> Any:
    """``json.dumps``'s ``default``: a ``Decimal`` (DynamoDB's numbers) becomes an int or a float, as awslambdaric."""
    if type(o).__name__ == "Decimal":
        return int(o) if o == o.to_integral_value() else float(o)
    raise TypeError("Object of type %s is not JSON serializable" % type(o).__name__)
