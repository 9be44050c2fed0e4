#!/usr/bin/env python3
"""Anchor benchmark (not a test): Starfleet's own Starbase fan-out, its code, for the same 1,000-account x 17-region
template starfleetd's benchmarks use (17,000 ACCOUNT_REGION payloads).

The code timed is Starfleet 1.0.2's (gemini-oss/starfleet, Apache-2.0), imported unchanged from the virtualenv of
scripts/e2e/lib/starfleet_venv.sh: starfleet.starbase.utils.account_region_fanout, the function the Starbase's
_fan_out_payload_logic calls for an ACCOUNT_REGION worker once it has fetched and validated the template. It
resolves the accounts and regions through Starfleet's resolvers and its StarfleetDefaultAccountIndex, then for
every (account, region) sets StarbaseAssignedAccount/Region on the raw template, json.dumps it and sends batches
of 10 with boto3's SQS send_message_batch to the worker's queue. Around it, also Starfleet's own code, untimed
(a Lambda's start-up and the steps before the fan-out): its configuration loader reads a configuration.yaml
written here (STARFLEET + StarfleetDefaultAccountIndex), the account index plugin loads the index JSON from S3,
fetch_template reads the template from S3, and BaseAccountRegionPayloadTemplate (its marshmallow schema) loads it;
the fetch + schema load is printed on a line of its own.

AWS is moto's mock_aws *in process*: no network, no disk, so this is a lower bound for Starfleet -- in Lambda each
of the 1,700 batch calls is a round trip to SQS. moto (5.x) reads queue.attributes on every send_message (for the
ContentBasedDeduplication flag), and that property recounts every message of the queue three times, which makes
17,000 sends quadratic -- a mock artefact real SQS does not have -- so those counts answer 0 while timing and are
restored before the queue is counted.

Run with any python3: when Starfleet or moto is not importable here, it builds/reuses the venv with the helper,
adds moto to it (constrained to the venv's own pins, as scripts/e2e/starfleet_ships_test.py does) and re-runs
itself with the venv's python. Exit 3: no Starfleet source on this machine (see the helper).
Prints one line per figure; scripts/bench reads them. Usage: python3 scripts/bench_starfleet.py [--rounds N]
"""
import fcntl
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
HELPER = os.path.join(ROOT, "scripts", "e2e", "lib", "starfleet_venv.sh")
REGIONS17 = ["ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1", "ap-southeast-2",
             "ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1",
             "us-east-1", "us-east-2", "us-west-1", "us-west-2"]
ROOT_ID = "100000000000"
BUCKET = "starfleet-templates"
INDEX_KEY = "accountIndex.json"
TEMPLATE_KEY = "NoOp/all.yaml"
TEMPLATE = ("TemplateName: all\nTemplateDescription: every account and region\n"
            "IncludeAccounts: {AllAccounts: true}\nIncludeRegions: [ALL]\nOperateInOrgRoot: true\n")
# Starfleet's configuration as its loader reads it (a configuration_files/*.yaml); LogLevel INFO is the schema's
# default (the sample configuration's DEBUG would print a line per batch).
CONFIGURATION = f"""
STARFLEET:
  DeploymentRegion: us-east-1
  TemplateBucket: {BUCKET}
  FanOutQueueUrl: https://sqs.us-east-1.amazonaws.com/123456789012/starbase-fanout-queue
  AccountIndex: StarfleetDefaultAccountIndex
  LogLevel: INFO
  ThirdPartyLoggerLevels:
    botocore: CRITICAL
    'urllib3.connectionpool': CRITICAL
StarfleetDefaultAccountIndex:
  IndexBucket: {BUCKET}
  BucketRegion: us-east-1
  IndexObjectPath: {INDEX_KEY}
"""


def into_venv():
    """Re-run this script with the Starfleet venv's python (with moto added) unless Starfleet and moto import here."""
    try:
        import moto  # noqa: F401
        import starfleet  # noqa: F401
        return
    except ImportError:
        if os.environ.get("STARFLEETD_BENCH_IN_VENV"):
            raise
    helper = subprocess.run([HELPER], stdout=subprocess.PIPE, text=True)
    if helper.returncode != 0:
        raise SystemExit(helper.returncode)
    python = helper.stdout.strip().splitlines()[-1]
    venv = os.path.dirname(os.path.dirname(python))
    if subprocess.run([python, "-c", "import moto"], capture_output=True).returncode != 0:
        with open(venv + ".lock", "w") as lock:  # the helper's lock: not while another run builds the venv
            fcntl.flock(lock, fcntl.LOCK_EX)
            frozen = subprocess.run([python, "-m", "pip", "freeze"], capture_output=True, text=True, check=True).stdout
            with tempfile.NamedTemporaryFile("w", suffix=".txt") as pins:
                pins.write("\n".join(l for l in frozen.splitlines() if "==" in l and not l.startswith("starfleet")))
                pins.flush()
                print("bench_starfleet: installing moto into the Starfleet venv (its pins kept)", file=sys.stderr, flush=True)
                subprocess.run([python, "-m", "pip", "install", "-q", "moto", "-c", pins.name], check=True)
    os.environ["STARFLEETD_BENCH_IN_VENV"] = "1"
    os.execv(python, [python, os.path.abspath(__file__)] + sys.argv[1:])


def index_json(accounts=1000):
    """The AccountIndexGeneratorShip's index format, which StarfleetDefaultAccountIndex loads."""
    index = {f"{100000000000 + i}": {"Id": f"{100000000000 + i}", "Name": f"a{i}", "Regions": REGIONS17,
                                     "Arn": f"arn:aws:organizations::{ROOT_ID}:account/o-b/{100000000000 + i}",
                                     "Parents": [{"Id": "r-b", "Name": "ROOT", "Type": "ROOT"}], "Tags": {}}
             for i in range(accounts)}
    return json.dumps({"accounts": index})


class CheapQueueCounts:
    """Within the block, moto's per-send recount of the queue (O(n), see above) answers 0; restored afterwards."""
    NAMES = ("approximate_number_of_messages", "approximate_number_of_messages_not_visible",
             "approximate_number_of_messages_delayed")

    def __init__(self, queue_class):
        self.queue_class = queue_class

    def __enter__(self):
        self.saved = {name: getattr(self.queue_class, name) for name in self.NAMES}
        for name in self.NAMES:
            setattr(self.queue_class, name, property(lambda self: 0))

    def __exit__(self, *exc):
        for name, value in self.saved.items():
            setattr(self.queue_class, name, value)
        return False


def main():
    into_venv()
    import boto3
    from moto import mock_aws
    from moto.sqs import models as moto_sqs
    from starfleet.utils.configuration import STARFLEET_CONFIGURATION, StarfleetConfigurationLoader

    config_dir = tempfile.mkdtemp(prefix="starfleet-config-")
    with open(os.path.join(config_dir, "configuration.yaml"), "w") as f:
        f.write(CONFIGURATION)
    StarfleetConfigurationLoader._configuration_path = config_dir  # the loader's own hook for its tests
    STARFLEET_CONFIGURATION.load_base_configuration()

    from starfleet.account_index.loader import ACCOUNT_INDEX
    from starfleet.starbase.utils import account_region_fanout, fetch_template
    from starfleet.worker_ships.base_payload_schemas import BaseAccountRegionPayloadTemplate

    def one_round():
        with mock_aws():
            s3 = boto3.client("s3", region_name="us-east-1")
            sqs = boto3.client("sqs", region_name="us-east-1")
            s3.create_bucket(Bucket=BUCKET)
            s3.put_object(Bucket=BUCKET, Key=INDEX_KEY, Body=index_json().encode(), ContentType="application/json")
            s3.put_object(Bucket=BUCKET, Key=TEMPLATE_KEY, Body=TEMPLATE.encode(), ContentType="text/yaml")
            queue_url = sqs.create_queue(QueueName="starfleet-noop-worker")["QueueUrl"]
            ACCOUNT_INDEX.reset()
            ACCOUNT_INDEX.index  # Lambda start-up: the index plugin loads the JSON from S3 (not timed)

            started = time.perf_counter()
            template = fetch_template(s3, BUCKET, TEMPLATE_KEY)
            verified = BaseAccountRegionPayloadTemplate().load(template)
            prepared = time.perf_counter() - started

            with CheapQueueCounts(moto_sqs.Queue):
                started = time.perf_counter()
                account_region_fanout(verified, template, BUCKET, TEMPLATE_KEY, queue_url, sqs, "NoOpWorkerShip")
                elapsed = time.perf_counter() - started
            queued = int(sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"])
                         ["Attributes"]["ApproximateNumberOfMessages"])
            sample = json.loads(sqs.receive_message(QueueUrl=queue_url)["Messages"][0]["Body"])
        if queued != 17000:
            raise SystemExit(f"Starfleet's account_region_fanout: moto's queue holds {queued}; expected 17000")
        if sample.get("StarbaseAssignedRegion") not in REGIONS17 or len(sample.get("StarbaseAssignedAccount", "")) != 12:
            raise SystemExit(f"Starfleet's account_region_fanout: unexpected payload {sample}")
        return elapsed, prepared, queued

    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 3
    results = [one_round() for _ in range(rounds)]
    times = [r[0] for r in results]
    median = statistics.median(times)
    import starfleet
    version = getattr(starfleet, "__version__", None) or __import__("importlib.metadata").metadata.version("starfleet")
    label = f"starfleet-python fan-out 1000x17, moto in process, batches of 10, median of {rounds}"
    print(f"{label:<72}  {median * 1000:.0f} ms  ({17000 / median:,.0f} payloads/s; rounds: "
          + ", ".join(f"{t * 1000:.0f}" for t in times) + " ms)", flush=True)
    print(f"{'starfleet-python template fetch + schema load (not in the figure above)':<72}  "
          f"{statistics.median(r[1] for r in results) * 1000:.1f} ms", flush=True)
    print(f"  Starfleet {version}: starfleet.starbase.utils.account_region_fanout; messages moto received: "
          + ", ".join(str(r[2]) for r in results), flush=True)


if __name__ == "__main__":
    main()
