"""The SDK's logger (awslambdaric's ``lambda_runtime_log_utils``): one journal line per record on stderr.

``"LEVEL message"``, with the newlines of the message and of a traceback written as ``\\n`` so a record stays one
line; the daemon's journal keeps the level of a line starting with ``ERROR``, ``WARNING`` or ``DEBUG``. Level
``STARFLEET_LOG_LEVEL`` (default INFO).
"""
from __future__ import annotations

import logging
import os
import sys
TYPE_CHECKING = False
if TYPE_CHECKING:  # for type checkers only: a per-payload process need not import typing
    from typing import Dict

__all__ = ["get_logger", "one_line"]

_loggers: Dict[str, logging.Logger] = {}


def one_line(text: str) -> str:
    """``text`` as one journal line: carriage returns dropped, newlines written as ``\\n``."""
    return text.replace("\r", "").replace("\n", "\\n")


class OneLineHandler(logging.Handler):
    """Writes ``"LEVEL message"`` (and the traceback or stack, when given) as one line to the current stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = "%s %s" % (record.levelname, record.getMessage())
            if record.exc_info:
                text += "\n" + logging.Formatter().formatException(record.exc_info)
            if record.stack_info:
                text += "\n" + record.stack_info
            stream = sys.stderr
            stream.write(one_line(text) + "\n")
            stream.flush()
        except Exception:
            self.handleError(record)


def get_logger(worker: str) -> logging.Logger:
    """The logger of ``worker`` (``starfleet_worker.<worker>``, not propagated), made once per process."""
    logger = _loggers.get(worker)
    if logger is not None:
        return logger
    logger = logging.getLogger("starfleet_worker." + worker)
    logger.propagate = False
    if not logger.handlers:
        logger.addHandler(OneLineHandler())
    level = os.environ.get("STARFLEET_LOG_LEVEL", "INFO").upper()
    logger.setLevel(getattr(logging, level, logging.INFO) if isinstance(getattr(logging, level, None), int)
                    else logging.INFO)
    _loggers[worker] = logger
    return logger
