"""Case (e) of starfleet_ships_test.py: Starfleet's GitHubSyncWorkerShip, unchanged, under starfleetd.

The worker is named `GitHubSyncWorker`, the key Starfleet's ship reads its secret by: the daemon hands the process
that entry of Starfleet's Secrets Manager secret (`{"<org>": "<the app's private key PEM>"}`), never the whole secret.
The ship signs a JWT with that key, trades it for an installation token at https://api.github.com and downloads the
repository's zipball with the token; api.github.com is lib/github_standin.py (TLS, certificate of the test CA),
reached through the test's CONNECT proxy (HTTPS_PROXY + REQUESTS_CA_BUNDLE in the section's Environment), and it
verifies the JWT's signature with the app's public key and the token on the download (shown first: it refuses a JWT of
another key or app, and a download without a token).

On moto's S3: a first sync uploads every file; commit off changes nothing; a changed file is updated (an unchanged one
is left alone); a removed file stays with DeleteMissingFiles false and goes with true; ExtractZipContents false uploads
the zipball itself (under a KeyPrefix). Starfleet's IMPORTANT alert names what changed. Then a second daemon whose
TemplateBucket is that bucket polls it and fans the template the ship synced out over its index.
"""
import json
import os
import time

GITHUB_HANDLER = "starfleet.worker_ships.plugins.github_sync.ship.lambda_handler"
GITHUB_DONE = "[🏁] Completed syncing GitHub repository to S3."
GITHUB_ORG = "starfleet-org"
GITHUB_APP_ID = "424242"
GITHUB_INSTALLATION = "31337"
REPO = "starfleet-templates"
RECORDER_TEMPLATE = b"TemplateName: FromGitHub\nTemplateDescription: synced by the GitHubSyncWorkerShip\n" \
                    b"IncludeAccounts:\n  AllAccounts: true\nOperateInOrgRoot: true\n"


def github_section(python, aws_env, proxy_env):
    return {
        "Enabled": True,
        "Runtime": "python",
        "Handler": GITHUB_HANDLER,
        "Python": python,
        "TemplatePrefix": "GitHubSync/",
        "InvocationSources": ["S3"],
        "AlertConfiguration": {"ChannelId": "C0GITHUB", "AlertPriority": "IMPORTANT"},
        "Environment": dict(aws_env, **proxy_env),
        "TimeoutSeconds": 120,
        "MaxReceiveCount": 1,
        "Backoff": {"InitialSeconds": 0, "MaxSeconds": 0},
    }


def sync_payload(bucket, region, **extra):
    payload = {"TemplateName": "SyncStarfleetTemplates", "TemplateDescription": "The template repo to the bucket",
               "Organization": GITHUB_ORG, "Repository": REPO, "BranchName": "main", "GitHubAppId": GITHUB_APP_ID,
               "GitHubInstallationId": GITHUB_INSTALLATION, "BucketName": bucket, "BucketRegion": region,
               "ExtractZipContents": True}
    payload.update(extra)
    return payload


def bucket_state(s3, bucket, prefix=""):
    """key -> (body, ETag, LastModified) of every object."""
    out = {}
    for obj in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", []):
        body = s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()
        out[obj["Key"]] = (body, obj["ETag"], obj["LastModified"])
    return out


def bodies(state):
    return {k: v[0] for k, v in state.items()}


def github_alerts(world):
    return [r for r in world.receiver.requests if "GitHub -> S3 Sync Job" in json.dumps(r, ensure_ascii=False)]


def stand_in_refusals(world, gh):
    """Statuses the stand-in gives, through the same proxy and CA as the ship, to: a JWT of another key, a JWT of
    another app id, a zipball request with no token."""
    import time as clock
    import jwt
    import requests
    from cryptography.hazmat.primitives.asymmetric import rsa
    proxy = world.interceptor.env()
    session = requests.Session()
    session.trust_env = False
    session.proxies = {"https": proxy["HTTPS_PROXY"]}
    session.verify = proxy["REQUESTS_CA_BUNDLE"]
    now = int(clock.time())
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    url = "https://api.github.com/app/installations/%s/access_tokens" % GITHUB_INSTALLATION
    statuses = []
    for key, issuer in ((other_key, GITHUB_APP_ID), (gh.private_key_pem, "999")):
        token = jwt.encode({"iat": now - 60, "exp": now + 300, "iss": issuer}, key, algorithm="RS256")
        statuses.append(session.post(url, headers={"Authorization": "Bearer " + token}, timeout=20).status_code)
    gh.set_repo(REPO, "main", {"x": b"x"})
    statuses.append(session.get("https://api.github.com/repos/%s/%s/zipball/main" % (GITHUB_ORG, REPO),
                                timeout=20).status_code)
    gh.log.clear()
    return statuses


def test_e_github_sync_ship_syncs_a_repo_to_s3(world):
    from starfleet_ships_test import REGION, expect, worker_pids, proc_environ
    from daemon_test import Env, recorder, wait_for
    w, s3, gh = world, world.moto.client("s3"), world.github
    bucket = "starfleet-templates-synced"
    s3.create_bucket(Bucket=bucket)

    def invoke(payload, commit=True):
        args = ["invoke", "GitHubSyncWorker", "--payload", w.payload_file(payload)] + (["--commit"] if commit else [])
        r = w.env.ctl(*args, check=False)
        expect(r.returncode == 0, "invoke %s exited %d: %s%s" % (payload.get("TemplateName"), r.returncode,
                                                                 r.stdout, r.stderr), w)

    # The stand-in refuses what GitHub refuses (so the ship's success below means it sent a valid JWT and token):
    # a JWT signed by another key, one naming another app, and a download without the installation token.
    refusals = stand_in_refusals(w, gh)
    expect(refusals == [401, 401, 401], "the stand-in accepted a bad credential: %s" % refusals)

    v1 = {"README.md": b"# Starfleet templates\n", "docs/guide.txt": b"how to add a template\n",
          "data/keep.json": b'{"keep": true}\n', "Recorder/from-github.yaml": RECORDER_TEMPLATE}
    gh.set_repo(REPO, "main", v1)

    # 1. A first sync uploads every file (the zip's top folder stripped: ExtractZipContents true).
    invoke(sync_payload(bucket, REGION))
    first = bucket_state(s3, bucket)
    expect(bodies(first) == v1, "the first sync: %s != %s" % (sorted(first), sorted(v1)), w)
    expect(("POST", "/app/installations/%s/access_tokens" % GITHUB_INSTALLATION, 201) in gh.log
           and any(m == "GET" and s == 200 for m, _, s in gh.log), "GitHub saw: %s" % gh.log, w)
    expect(all(s in (200, 201) for _, _, s in gh.log), "GitHub refused a request: %s" % gh.log, w)
    wait_for(lambda: github_alerts(w), 20, "Starfleet's IMPORTANT alert for the first sync" + w.log_tail())
    alert = json.dumps(github_alerts(w)[0], ensure_ascii=False)
    expect("The following new files were uploaded" in alert and all(k in alert for k in v1), "alert: %s" % alert)

    # 2. The repo changes (one file edited, one removed); commit off changes nothing in the bucket.
    v2 = dict(v1, **{"docs/guide.txt": b"how to add a template, revised\n"})
    del v2["data/keep.json"]
    gh.set_repo(REPO, "main", v2)
    downloads = len(gh.served_zips)
    time.sleep(1.1)  # S3's LastModified has whole seconds: a rewrite of an unchanged file would show
    invoke(sync_payload(bucket, REGION, DeleteMissingFiles=True), commit=False)
    expect(len(gh.served_zips) == downloads + 1, "the dry run did not download the repo", w)
    expect(bucket_state(s3, bucket) == first, "commit off changed the bucket", w)
    expect("Commit is not enabled so not doing anything." in w.log(), "no dry-run line from the ship", w)

    # 3. Commit on, DeleteMissingFiles false: the edit is uploaded, the removed file stays, the rest is untouched.
    alerts = len(github_alerts(w))
    invoke(sync_payload(bucket, REGION))
    third = bucket_state(s3, bucket)
    expect(bodies(third) == dict(v2, **{"data/keep.json": v1["data/keep.json"]}), "after the edit: %s" % bodies(third), w)
    expect(third["README.md"] == first["README.md"], "an unchanged file was rewritten", w)
    wait_for(lambda: len(github_alerts(w)) > alerts, 20, "the alert for the edit" + w.log_tail())
    alert = json.dumps(github_alerts(w)[-1], ensure_ascii=False)
    expect("modified files were uploaded" in alert and "docs/guide.txt" in alert and "deleted" not in alert,
           "alert for the edit: %s" % alert)

    # 4. DeleteMissingFiles true: the removed file goes.
    invoke(sync_payload(bucket, REGION, DeleteMissingFiles=True))
    expect(bodies(bucket_state(s3, bucket)) == v2, "after DeleteMissingFiles: %s" % sorted(bucket_state(s3, bucket)), w)
    wait_for(lambda: "The following files have been deleted" in json.dumps(github_alerts(w)[-1], ensure_ascii=False),
             20, "the alert for the deletion" + w.log_tail())

    # 5. ExtractZipContents false: the zipball itself, as GitHub served it, under the KeyPrefix.
    invoke(sync_payload(bucket, REGION, ExtractZipContents=False, KeyPrefix="archives/"))
    archives = bodies(bucket_state(s3, bucket, "archives/"))
    expect(list(archives) == ["archives/%s.zip" % REPO] and archives["archives/%s.zip" % REPO] == gh.served_zips[-1],
           "the zipball upload: %s" % list(archives), w)
    expect(bodies(bucket_state(s3, bucket, "")) == dict(v2, **archives), "the prefixed sync touched other keys", w)

    # The app's private key reached the process only through its secrets file: not the log, state, argv or env.
    # (This daemon has no RUNTIME_DIRECTORY, so its runtime folder, with the worker's 0600 secrets file, is <state>/run.)
    key_line = gh.private_key_pem.splitlines()[1]
    expect(key_line not in w.log(), "the private key reached the daemon's log")
    holders = []
    for root, _, files in os.walk(w.env.state):
        for name in files:
            path = os.path.join(root, name)
            if os.path.isfile(path):  # not the sockets
                with open(path, "rb") as f:
                    if key_line.encode() in f.read():
                        holders.append(os.path.relpath(path, w.env.state))
    expect(holders == ["run/workers/GitHubSyncWorker/secrets.json"], "the private key is in %s" % holders)
    mode = os.stat(os.path.join(w.env.state, holders[0])).st_mode & 0o777
    expect(mode == 0o600, "the secrets file's mode is %o" % mode)
    for pid in worker_pids(w, "GitHubSyncWorker"):
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            expect(key_line.encode() not in f.read(), "the private key is in a worker's argv")
        expect(not any(key_line in v for v in proc_environ(pid).values()), "the private key is in a worker's env")

    # 6. The daemon's own S3 template poller (another daemon, TemplateBucket = that bucket) finds the template the
    # ship synced (Recorder/from-github.yaml) and fans it out over its index, one payload per account.
    poller = Env({})
    try:
        spec = recorder(poller, "ACCOUNT", "Recorder/")
        poller.write_config({"Recorder": spec}, extra="")
        path = os.path.join(poller.config, "starfleetd.yaml")
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace("STARFLEET:\n", "STARFLEET:\n  DeploymentRegion: %s\n  TemplateBucket: %s\n"
                                 "  S3PollIntervalSeconds: 5\n  LogLevel: DEBUG\n" % (REGION, bucket), 1))
        poller.start(env=w.moto.env())
        with open(os.path.join(poller.config, "index.json")) as f:
            accounts = sorted(json.load(f)["accounts"])
        records = os.path.join(poller.out, "records")

        def fanned():
            try:
                with open(records) as f:
                    return [l.split() for l in f.read().splitlines() if l.strip()]
            except FileNotFoundError:
                return []
        wait_for(lambda: len(fanned()) >= len(accounts), 60, "the poller to fan the synced template out\n"
                 + "\n".join(l[:300] for l in poller.read_log().splitlines()[-30:]))
        time.sleep(1.0)
        expect(sorted(r[1] for r in fanned()) == accounts, "fan-out of the synced template: %s" % fanned())
        expect("template bucket polled" in poller.read_log(), "the poller did not poll the bucket")
    finally:
        poller.stop()
        poller.cleanup()
