"""Runs Starfleet's own worker ships unchanged under starfleetd's warm Python runtime (standard library only).

``starfleet_worker.runtime`` calls ``install()`` before it imports a handler in a ``starfleet.*`` module (e.g.
``starfleet.worker_ships.plugins.aws_config.ship.lambda_handler``), and ``before_invocation(custom)`` with the
Lambda client context's ``custom`` keys before each call of it. Starfleet itself (1.0.x, Apache-2.0) is imported
lazily from the worker's virtualenv; nothing here is Starfleet's code. What Starfleet reads, and where it comes from
under starfleetd (the files and variables of runtime-contract.md):

- configuration (``STARFLEET_CONFIGURATION``): one YAML file in a private directory that Starfleet's own loader
  reads, validates and applies (log levels): ``STARFLEET`` mapped from the daemon's section, and the worker's section
  as written, with the keys Starfleet's schemas require but the daemon gives its own meaning filled harmlessly;
- account index (``ACCOUNT_INDEX``): Starfleet's ``StarfleetDefaultAccountIndex`` code over the daemon's local copy
  (``AccountIndexFile``) instead of S3, reloaded when the file changes;
- secrets (``SECRETS_MANAGER``): the worker's entry of the secret (``STARFLEET_SECRETS_FILE``), keyed by the names
  Starfleet looks it up by; the process never reads the whole secret;
- alerts (``SLACK_CLIENT``): ``send_alert``'s Slack posts go to the daemon's ``/2018-06-01/starfleet/alert``, which
  applies the daemon's alert settings (webhook, Slack, or off);
- commit (``STARFLEET_COMMIT``): Starfleet's ``worker_lambda`` reads the variable at each call, so it is set from
  the invocation's ``StarfleetCommit`` before each one.
"""
import json
import os
import shutil
import sys
import tempfile

__all__ = ["install", "before_invocation"]

# Starfleet's own value sets (config_schema.py, ship_schematics.py); the daemon accepts more (rate()/cron()).
_INVOCATION_SOURCES = ("S3", "SQS", "EVENTBRIDGE_TIMED_EVENT")
_FREQUENCIES = ("FIVE_MIN", "FIFTEEN_MIN", "THIRTY_MIN", "HOURLY", "SIX_HOURLY", "TWELVE_HOURLY", "DAILY")
_LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG", "NOTSET")
# A URL that passes marshmallow's https Url check and can reach nothing (RFC 2606's .invalid): for keys Starfleet's
# schemas require but that only its Starbase, which starfleetd replaces, ever uses.
_NOWHERE = "https://starfleetd.invalid/"
# The header prefixes of Starfleet's SlackClient.post_problem/post_important/post_success/post_info.
_SLACK_PREFIXES = (("\U0001f6a8", "PROBLEM"), ("\U0001f4e3", "IMPORTANT"), ("\u2705", "SUCCESS"),
                   ("\u2139\ufe0f", "INFORMATIONAL"), ("\u2139", "INFORMATIONAL"))

_state = {"installed": False}


def _json_file(variable):
    path = os.environ.get(variable)
    if not path:
        return {}
    with open(path, "rb") as f:
        value = json.loads(f.read() or b"{}")
    return value if isinstance(value, dict) else {}


def _is_https_url(value):
    return isinstance(value, str) and value.startswith("https://") and len(value) > len("https://")


def starfleet_section(daemon, region):
    """Starfleet's ``STARFLEET`` section (``StarfleetSchema``, which refuses unknown keys) from the daemon's."""
    region = daemon.get("DeploymentRegion") or region or "us-east-1"
    out = {
        "DeploymentRegion": region,
        # Local mode has a template directory, no bucket; only the Starbase (the daemon's) uses the bucket.
        "TemplateBucket": daemon.get("TemplateBucket") or "starfleetd-local-templates",
        "FanOutQueueUrl": daemon.get("FanOutQueueUrl") if _is_https_url(daemon.get("FanOutQueueUrl"))
        else _NOWHERE + "starbase-fanout",
        # The index below is StarfleetDefaultAccountIndex's code, whatever the daemon's source (LocalAccountIndex or
        # StarfleetDefaultAccountIndex): the daemon hands its index over as a file in that plugin's format.
        "AccountIndex": "StarfleetDefaultAccountIndex",
        # Starfleet's effective default is DEBUG (it never applies its schema's INFO); the daemon's is INFO.
        "LogLevel": daemon.get("LogLevel") if daemon.get("LogLevel") in _LOG_LEVELS else "INFO",
    }
    if isinstance(daemon.get("ScopeToRegions"), list):
        out["ScopeToRegions"] = daemon["ScopeToRegions"]
    sm = daemon.get("SecretsManager")
    if isinstance(sm, dict) and sm.get("SecretId") and sm.get("SecretRegion"):
        out["SecretsManager"] = {"SecretId": sm["SecretId"], "SecretRegion": sm["SecretRegion"]}
        # Only meaningful with SecretsManager (Starfleet's rule, which the daemon enforces too). Alerts do not
        # depend on it here: the daemon decides where they go (see _DaemonAlertClient).
        if isinstance(daemon.get("SlackEnabled"), bool):
            out["SlackEnabled"] = daemon["SlackEnabled"]
    if isinstance(daemon.get("ThirdPartyLoggerLevels"), dict):
        out["ThirdPartyLoggerLevels"] = daemon["ThirdPartyLoggerLevels"]
    return out


def worker_section(section, worker):
    """The worker's section for Starfleet's ``WorkerShipBaseConfigurationTemplate`` (unknown keys are kept: the
    ship's own, and the daemon's Runtime/Handler/Python..., pass its INCLUDE)."""
    out = dict(section)
    if not isinstance(out.get("Enabled"), bool):
        out["Enabled"] = True       # the daemon runs only enabled workers
    if not isinstance(out.get("TemplatePrefix"), str) or not out.get("TemplatePrefix"):
        out["TemplatePrefix"] = "%s/" % worker
    # Optional for the daemon (its queues are its own); required (https) by Starfleet, read only by its Starbase.
    if not _is_https_url(out.get("InvocationQueueUrl")):
        out["InvocationQueueUrl"] = _NOWHERE + "queues/" + worker
    sources = [s for s in out.get("InvocationSources") or [] if s in _INVOCATION_SOURCES]
    frequency = out.get("EventBridgeTimedFrequency")
    if frequency is not None and frequency not in _FREQUENCIES:
        # A rate()/cron() schedule is the daemon's extension; Starfleet's enum knows only its seven names.
        out.pop("EventBridgeTimedFrequency")
        sources = [s for s in sources if s != "EVENTBRIDGE_TIMED_EVENT"]
    out["InvocationSources"] = sources or ["S3"]
    return out


def install():
    """Points Starfleet's singletons at the daemon's files; call before importing a ``starfleet.*`` handler."""
    if _state["installed"]:
        return
    settings = _json_file("STARFLEET_SETTINGS_FILE")
    section = _json_file("STARFLEET_WORKER_CONFIG_FILE")
    secrets_doc = _json_file("STARFLEET_SECRETS_FILE")
    worker = os.environ.get("STARFLEET_WORKER") or os.environ.get("AWS_LAMBDA_FUNCTION_NAME") or "StarfleetWorker"
    region = os.environ.get("AWS_REGION") or settings.get("DeploymentRegion")
    daemon = settings.get("STARFLEET") if isinstance(settings.get("STARFLEET"), dict) else {}
    sf = starfleet_section(daemon, region)
    ws = worker_section(section, worker)
    _state.update(worker=worker, section=ws, default_commit=os.environ.get("STARFLEET_COMMIT", "false"),
                  index_file=settings.get("AccountIndexFile"), index_stamp=None)

    # Starfleet reads PRE_LOGGER_LEVEL once, at import, for the lines it logs while loading the configuration.
    os.environ.setdefault("PRE_LOGGER_LEVEL", sf["LogLevel"])

    # Configuration. StarfleetConfigurationLoader reads every *.yaml in its `_configuration_path` ("defined here for
    # testability"): pointing the singleton at a directory of our own keeps Starfleet's loader, its schema
    # validation and its logger set-up, with no file of the installed package touched. JSON is YAML. Starfleet
    # reads it once per process, so the directory goes as soon as it is loaded (a SIGTERM'd process leaves nothing).
    directory = tempfile.mkdtemp(prefix="starfleetd-glue-")
    try:
        with open(os.path.join(directory, "starfleetd.yaml"), "w", encoding="utf-8") as f:
            json.dump({"STARFLEET": sf, worker: ws}, f, indent=1)
        from starfleet.utils.configuration import STARFLEET_CONFIGURATION
        STARFLEET_CONFIGURATION._configuration_path = directory
        STARFLEET_CONFIGURATION._app_config = None

        # Starfleet looks a ship's section (and its secret) up by the ship's name; a daemon worker may be named
        # otherwise (e.g. `GitHubSyncWorker`, the secret key that ship reads, for GitHubSyncWorkerShip). The
        # handler's plugin package lists its ships (WORKER_SHIP_PLUGINS, what Starfleet's own loader reads): their
        # names get the section too. Importing it loads the configuration (worker_lambda's module does, on import).
        names = [worker] + [n for n in _ship_names() if n != worker]
        config = STARFLEET_CONFIGURATION.config      # loads and validates now: a bad section fails the init
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    for name in names[1:]:
        config.setdefault(name, ws)

    # Secrets. SecretsManager.secrets fetches the whole secret only while `_secrets` is empty; filled with the
    # worker's entry (and a STARFLEET key, so it is never empty) the process never needs the secret's permission.
    entry = secrets_doc.get("Secrets")
    secrets = {"STARFLEET": {}}
    if entry is not None:
        for name in names + [n[:-len("Ship")] for n in names if n.endswith("Ship") and len(n) > 4]:
            secrets.setdefault(name, entry)
    from starfleet.utils.secrets import SECRETS_MANAGER
    SECRETS_MANAGER._secrets = secrets

    # Alerts. SlackClient keeps a WebClient in `_web_client` (its constructor takes one's token, for tests) and the
    # SlackEnabled flag in `_enabled`: a stand-in client that posts to the daemon replaces Slack wholesale; the
    # daemon's alert settings then decide (webhook, Slack, or off), and send_alert's AlertConfiguration filter stays.
    from starfleet.utils.slack import SLACK_CLIENT
    SLACK_CLIENT._web_client = _DaemonAlertClient()
    SLACK_CLIENT._enabled = True

    # Account index.
    _refresh_index()
    _state["installed"] = True


def before_invocation(client_context_custom):
    """Per invocation: the commit flag (Starfleet's worker_lambda reads STARFLEET_COMMIT at each call) and a
    changed account index file."""
    custom = client_context_custom if isinstance(client_context_custom, dict) else {}
    commit = custom.get("StarfleetCommit")
    if isinstance(commit, bool):
        commit = "true" if commit else "false"
    os.environ["STARFLEET_COMMIT"] = commit if isinstance(commit, str) and commit else _state.get("default_commit",
                                                                                                     "false")
    if _state["installed"]:
        _refresh_index()


def _ship_names():
    handler = os.environ.get("_HANDLER", "")
    module = handler.rsplit(".", 1)[0].replace("/", ".").strip(".")
    names = []
    candidates = [module.rsplit(".", 1)[0], module] if "." in module else [module]
    for package in candidates:
        try:
            import importlib
            plugins = getattr(importlib.import_module(package), "WORKER_SHIP_PLUGINS", None)
        except Exception:
            # The handler's own import reports it properly (Runtime.ImportModuleError) right after install().
            plugins = None
        for ship in plugins or []:
            name = ship.__dict__.get("worker_ship_name")
            names.append(name if isinstance(name, str) else ship.get_worker_ship_name())
        if names:
            break
    return names


def _refresh_index():
    """Installs, or re-installs after the daemon rewrote it, the account index file as Starfleet's index."""
    path = _state.get("index_file")
    try:
        st = os.stat(path) if path else None
        stamp = (st.st_ino, st.st_size, st.st_mtime_ns) if st else None
    except OSError:
        stamp = None
    if stamp is not None and stamp == _state.get("index_stamp"):
        return
    # StarfleetAccountIndexLoader.index instantiates the configured plugin only while `_index` is empty; a filled
    # `_index` is its cache, which is where the daemon's index goes (no S3, no plugin-registry change).
    from starfleet.account_index.loader import ACCOUNT_INDEX
    ACCOUNT_INDEX._index = _local_index_class()(path)
    _state["index_stamp"] = stamp


def _local_index_class():
    cls = _state.get("index_class")
    if cls is not None:
        return cls
    from starfleet.account_index.plugins.starfleet_default_index.ship import StarfleetDefaultAccountIndex

    class StarfleetdAccountIndex(StarfleetDefaultAccountIndex):
        """StarfleetDefaultAccountIndex's maps and lookups, over the daemon's local copy instead of S3; read at first
        use (a ship that never resolves accounts never needs one to exist)."""

        def __init__(self, path):  # pylint: disable=super-init-not-called  (its __init__ is the S3 fetch)
            self.__dict__["_starfleetd_path"] = path

        def __getattr__(self, name):
            # Only for attributes not set yet: the index's maps, before the first lookup.
            if name.startswith("__") or "_starfleetd_loaded" in self.__dict__:
                raise AttributeError(name)
            self.__dict__["_starfleetd_loaded"] = True
            try:
                self._starfleetd_load()
            except BaseException:
                del self.__dict__["_starfleetd_loaded"]     # the same clear error at every use, not AttributeError
                raise
            return getattr(self, name)

        def _starfleetd_load(self):
            path = self.__dict__["_starfleetd_path"]
            self.org_root = ""
            self.account_ids = set()
            self.alias_map, self.account_name_map, self.ou_map = {}, {}, {}
            self.regions_map, self.tag_map, self.account_tag_map = {}, {}, {}
            if not path:
                raise RuntimeError("starfleetd gave this worker no account index (AccountIndexFile is null): run the "
                                   "account index generator, or configure LocalAccountIndex")
            try:
                with open(path, "rb") as f:
                    document = json.loads(f.read())
            except OSError as exc:
                raise RuntimeError("cannot read starfleetd's account index %s: %s" % (path, exc))
            accounts = document.get("accounts", document) if isinstance(document, dict) else None
            if not isinstance(accounts, dict) or not accounts:
                raise RuntimeError("starfleetd's account index %s has no accounts" % path)
            self._load_inventory(accounts)

    _state["index_class"] = StarfleetdAccountIndex
    return StarfleetdAccountIndex


class _SlackResponse:
    def __init__(self, ok):
        self.data = {"ok": ok}

    def __repr__(self):
        return "starfleetd alert response ok=%s" % self.data["ok"]


class _DaemonAlertClient:
    """What SlackClient._post_message calls on its WebClient: ``chat_postMessage(channel=, blocks=, text=)``, here a
    POST of ``{"priority", "text"}`` to the daemon's alert extension (priority from the post_* header's prefix)."""

    def chat_postMessage(self, channel=None, blocks=None, text=None, **kwargs):  # noqa: N802 (Slack's name)
        blocks = blocks or []
        header = ""
        if blocks and isinstance(blocks[0], dict):
            header = ((blocks[0].get("text") or {}).get("text")) or ""
        header = header or text or ""
        priority = "INFORMATIONAL"
        for prefix, name in _SLACK_PREFIXES:
            if header.startswith(prefix):
                priority, header = name, header[len(prefix):].lstrip()
                break
        bodies = [((b.get("text") or {}).get("text")) or "" for b in blocks[1:] if isinstance(b, dict)]
        message = "\n".join([header] + [b for b in bodies if b])
        api = os.environ.get("AWS_LAMBDA_RUNTIME_API")
        if not api:
            sys.stderr.write("ALERT %s %s\n" % (priority, message.replace("\n", "\\n")))
            return _SlackResponse(True)
        from starfleet_worker import client  # borrows the runtime's connection: the daemon knows the process by it
        body = json.dumps({"priority": priority, "text": message}).encode()
        try:
            status, _, data = client.post(client.alert_url(api), body, {"Content-Type": "application/json"})
        except Exception as exc:
            sys.stderr.write("starfleetd alert not delivered (%s): %s\n" % (exc, priority))
            return _SlackResponse(False)
        if status >= 300:
            sys.stderr.write("starfleetd alert not delivered (HTTP %d %s): %s\n"
                             % (status, data[:200].decode("utf-8", "replace"), priority))
        return _SlackResponse(status < 300)
