"""TagAuditor: an example warm Python worker (Runtime: python, Bedrock's layout workers/tag_auditor/main.py).

It runs in long-lived processes on the Lambda Runtime API the daemon serves: one payload at a time, no interpreter
start per payload. Its log lines go to the daemon's log with the worker's fields; it changes nothing (Commit: false).
"""
from starfleet_worker import Worker


class TagAuditor(Worker):
    def execute(self, event, context):
        required = context.config.get("RequiredTags", [])
        context.logger.info("auditing tags %s in account %s (commit=%s)", required, context.account_id, context.commit)
        return {"account": context.account_id, "required": required, "missing": []}


handler = TagAuditor.handler()

if __name__ == "__main__":
    TagAuditor.main()
