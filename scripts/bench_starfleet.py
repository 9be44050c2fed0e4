#!/usr/bin/env python3
"""Anchor benchmark (not a test): Starfleet's own Starbase fan-out, re-created faithfully in Python, for the same
1,000-account x 17-region template starfleetd's benchmarks use.

Starfleet is not published as a package, so this follows its code as ../shared/reference/starfleet.md §1.4, §4.5,
§5 and §6.2 describe it: the index is the StarfleetDefaultAccountIndex's maps built from the JSON in S3; the fan-out
fetches the template from S3 (get_object + yaml.safe_load), resolves accounts and regions with set operations, then
for every (account, region) mutates the raw template in place, json.dumps it, and sends batches of 10 with
boto3 SQS send_message_batch (entry id f"{account}{region}"). AWS is moto *in process* (mock_aws): no network, no
disk, so this is a lower bound for Starfleet — in Lambda each of the 1,700 batch calls is a round trip to SQS.
Marshmallow's schema load is left out (Starfleet's schema classes are not published), again in Starfleet's favour.
moto recounts every message of the queue on each send (its send_message reads queue.attributes for one flag), which
makes 17,000 sends quadratic — a mock artefact real SQS does not have — so the counts are made O(1) while timing.

Prints one line per figure; scripts/bench reads them. Usage: python3 scripts/bench_starfleet.py [--rounds N]
"""
import json
import statistics
import sys
import time

import boto3
import yaml
from moto import mock_aws
from moto.sqs import models as moto_sqs

REGIONS17 = ["ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1", "ap-southeast-2",
             "ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1",
             "us-east-1", "us-east-2", "us-west-1", "us-west-2"]
ROOT_ID = "100000000000"
TEMPLATE = ("TemplateName: all\nTemplateDescription: every account and region\n"
            "IncludeAccounts: {AllAccounts: true}\nIncludeRegions: [ALL]\nOperateInOrgRoot: true\n")


def index_json(accounts=1000):
    index = {f"{100000000000 + i}": {"Id": f"{100000000000 + i}", "Name": f"a{i}", "Regions": REGIONS17,
                                     "Arn": f"arn:aws:organizations::{ROOT_ID}:account/o-b/{100000000000 + i}",
                                     "Parents": [{"Id": "r-b", "Name": "ROOT", "Type": "ROOT"}], "Tags": {}}
             for i in range(accounts)}
    return json.dumps({"accounts": index})


class DefaultAccountIndex:
    """StarfleetDefaultAccountIndex._load_inventory's maps (§6.2)."""

    def __init__(self, s3, bucket, key):
        accounts = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())["accounts"]
        self.account_ids = set()
        self.regions_map = {}
        for account_id, account in accounts.items():
            self.account_ids.add(account_id)
            for region in account["Regions"]:
                self.regions_map.setdefault(region, set()).add(account_id)
        first = next(iter(accounts.values()))
        self.org_root = first["Arn"].split("arn:aws:organizations::")[1].split(":")[0]

    def get_accounts_by_regions(self, regions):
        return {region: self.regions_map.get(region, set()) for region in regions}


def resolve_account_regions(index, template):
    """resolve_worker_template_account_regions (§4.5) for AllAccounts + IncludeRegions ALL."""
    accounts = set(index.account_ids)
    if not template.get("OperateInOrgRoot"):
        accounts -= {index.org_root}
    regions = set(REGIONS17) if "ALL" in template["IncludeRegions"] else set(template["IncludeRegions"])
    region_map = index.get_accounts_by_regions(regions)
    return {account: {r for r, members in region_map.items() if account in members} for account in accounts}


def account_region_fanout(sqs, queue_url, original_template, account_regions):
    """Starfleet's account_region_fanout (§5): mutate the raw template, dumps, batches of 10 plus stragglers."""
    batch = []
    sent = 0
    for account, regions in account_regions.items():
        for region in regions:
            original_template["StarbaseAssignedAccount"] = account
            original_template["StarbaseAssignedRegion"] = region
            batch.append({"Id": f"{account}{region}", "MessageBody": json.dumps(original_template)})
            if len(batch) == 10:
                sqs.send_message_batch(QueueUrl=queue_url, Entries=batch)
                sent += len(batch)
                batch = []
    if batch:
        sqs.send_message_batch(QueueUrl=queue_url, Entries=batch)
        sent += len(batch)
    return sent


class CheapQueueCounts:
    """Within the block, moto's per-send recount of the queue (O(n), see above) answers 0; restored afterwards."""
    NAMES = ("approximate_number_of_messages", "approximate_number_of_messages_not_visible",
             "approximate_number_of_messages_delayed")

    def __enter__(self):
        self.saved = {name: getattr(moto_sqs.Queue, name) for name in self.NAMES}
        for name in self.NAMES:
            setattr(moto_sqs.Queue, name, property(lambda self: 0))

    def __exit__(self, *exc):
        for name, value in self.saved.items():
            setattr(moto_sqs.Queue, name, value)
        return False


def one_round(round_number):
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        sqs = boto3.client("sqs", region_name="us-east-1")
        s3.create_bucket(Bucket="starfleet-templates")
        s3.put_object(Bucket="starfleet-templates", Key="index.json", Body=index_json().encode(),
                      ContentType="application/json")
        s3.put_object(Bucket="starfleet-templates", Key="NoOp/all.yaml", Body=TEMPLATE.encode(), ContentType="text/yaml")
        queue_url = sqs.create_queue(QueueName=f"NoOp-{round_number}")["QueueUrl"]
        index = DefaultAccountIndex(s3, "starfleet-templates", "index.json")  # Lambda start-up, not timed

        with CheapQueueCounts():
            started = time.perf_counter()
            template = yaml.safe_load(s3.get_object(Bucket="starfleet-templates", Key="NoOp/all.yaml")["Body"].read())
            account_regions = resolve_account_regions(index, template)
            sent = account_region_fanout(sqs, queue_url, template, account_regions)
            elapsed = time.perf_counter() - started
        queued = int(sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"])
                     ["Attributes"]["ApproximateNumberOfMessages"])
    if sent != 17000 or queued != 17000:
        raise SystemExit(f"Starfleet fan-out sent {sent}, queue holds {queued}; expected 17000")
    return elapsed


def main():
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 3
    times = [one_round(n) for n in range(rounds)]
    median = statistics.median(times)
    label = f"starfleet-python fan-out 1000x17, moto in process, batches of 10, median of {rounds}"
    print(f"{label:<72}  {median * 1000:.0f} ms  ({17000 / median:,.0f} payloads/s; rounds: "
          + ", ".join(f"{t * 1000:.0f}" for t in times) + " ms)", flush=True)


if __name__ == "__main__":
    main()
