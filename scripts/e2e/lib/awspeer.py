"""AWS peers for the end-to-end tests: moto_server (functional S3/SQS/STS/Organizations/EC2, accepts any signature)
and ministack with AUTH=true (checks SigV4 like AWS for keys made through its IAM API), each on a free 127.0.0.1
port, started and stopped by the test.

    with MotoServer() as moto:
        s3 = moto.client("s3"); ...; env = moto.env()      # AWS_* variables for starfleetd/starfleetctl
    with Ministack() as ms:
        key = ms.create_verified_key()                      # (access key id, secret) checked like AWS
"""
import os
import shutil
import socket
import subprocess
import tempfile
import time

REGION = "us-east-1"
MINISTACK = os.environ.get("STARFLEET_MINISTACK", os.path.expanduser("~/.cache/starfleetd-ministack/bin/ministack"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_listening(port, process, log_path, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the AWS peer exited with {process.returncode}: {open(log_path).read()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"the AWS peer did not listen on 127.0.0.1:{port} within {timeout}s")


class _Peer:
    access_key = "testing"
    secret_key = "testing"

    def __init__(self):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.dir = tempfile.mkdtemp(prefix="awspeer-")
        self.process = None

    def _start(self, argv, env):
        log_path = os.path.join(self.dir, "peer.log")
        log = open(log_path, "w")
        self.process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        _wait_listening(self.port, self.process, log_path)

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.dir, ignore_errors=True)
        return False

    def client(self, service, access_key=None, secret_key=None):
        import boto3  # comes with moto[server]
        return boto3.client(service, region_name=REGION, endpoint_url=self.endpoint,
                            aws_access_key_id=access_key or self.access_key,
                            aws_secret_access_key=secret_key or self.secret_key)

    def env(self, access_key=None, secret_key=None):
        """The environment a starfleetd or starfleetctl child needs to talk to this peer (and only to it)."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": access_key or self.access_key,
            "AWS_SECRET_ACCESS_KEY": secret_key or self.secret_key,
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        }


class MotoServer(_Peer):
    def __enter__(self):
        moto = shutil.which("moto_server")
        if not moto:
            raise RuntimeError("moto_server is not on PATH (scripts/install-deps installs moto[server])")
        self._start([moto, "-H", "127.0.0.1", "-p", str(self.port)], dict(os.environ))
        return self


class Ministack(_Peer):
    """ministack with AUTH=true: its root key skips signature checks, keys from create_verified_key() do not."""
    access_key = "test"
    secret_key = "testsecret"

    def __enter__(self):
        if not os.access(MINISTACK, os.X_OK):
            raise RuntimeError(f"ministack is not installed at {MINISTACK} (scripts/install-deps makes that venv)")
        env = dict(os.environ, AUTH="true", GATEWAY_PORT=str(self.port), BIND_HOST="127.0.0.1",
                   AWS_ACCESS_KEY_ID=self.access_key, AWS_SECRET_ACCESS_KEY=self.secret_key)
        self._start([MINISTACK], env)
        return self

    def create_verified_key(self, user="starfleet-test"):
        iam = self.client("iam")
        iam.create_user(UserName=user)
        iam.put_user_policy(UserName=user, PolicyName="all", PolicyDocument=(
            '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'))
        key = iam.create_access_key(UserName=user)["AccessKey"]
        return key["AccessKeyId"], key["SecretAccessKey"]
