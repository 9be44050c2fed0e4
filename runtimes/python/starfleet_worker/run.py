"""Per-payload mode: ``python3 -m starfleet_worker.run TARGET [ClassName]``.

TARGET is a module name (``main``, ``workers.audit.main``; imported with the current directory and, when set,
``LAMBDA_TASK_ROOT`` on ``sys.path``) or a path to a ``.py`` file (its directory goes on ``sys.path``). The Worker
subclass defined there (or the one named) runs the payload JSON read from stdin; its result JSON is printed on
stdout and the exit status is 0, or the traceback goes to stderr and the exit status is 1. Usage errors exit 2.
"""
from __future__ import annotations

import importlib
import importlib.util
import os
import sys

import starfleet_worker

TYPE_CHECKING = False
if TYPE_CHECKING:  # for type checkers only: a per-payload process need not import typing
    from types import ModuleType
    from typing import List, Optional


def load_target(target: str) -> ModuleType:
    if target.endswith(".py") or os.sep in target:
        path = os.path.abspath(target)
        directory = os.path.dirname(path)
        if directory not in sys.path:
            sys.path.insert(0, directory)
        name = os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None:
            raise ImportError("cannot load %s" % path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        return module
    for directory in (os.environ.get("LAMBDA_TASK_ROOT"), os.getcwd()):
        if directory and directory not in sys.path:
            sys.path.insert(0, directory)
    return importlib.import_module(target)


def main(argv: Optional[List[str]] = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or len(argv) > 2 or argv[0] in ("-h", "--help"):
        sys.stderr.write("usage: python3 -m starfleet_worker.run MODULE|FILE.py [ClassName] < payload.json\n")
        return 2
    try:
        module = load_target(argv[0])
        worker_class = starfleet_worker.find_worker_class(module, argv[1] if len(argv) > 1 else None)
    except LookupError as exc:
        sys.stderr.write("starfleet_worker.run: %s\n" % exc)
        return 2
    except Exception:
        import traceback
        sys.stderr.write(traceback.format_exc())
        return 1
    return starfleet_worker.run_payload(worker_class)


if __name__ == "__main__":
    sys.exit(main())
