"""Integration harness: the real `rampart` binary on a free loopback port, driven by real
AWS clients (boto3 and the `aws` CLI from Debian's packages).

The binary comes from $RAMPART_BIN (the sanitized tree under `make test`), else build/rampart.
Every server a test starts listens on 127.0.0.1 only and is stopped by the fixture that
started it.
"""
import json
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

import boto3
import botocore.config
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("RAMPART_BIN", str(ROOT / "build" / "rampart"))
AWS_CLI = shutil.which("aws", path="/usr/bin") or "aws"
REGION = "us-east-1"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_cli(*args, check=True, env=None):
    """Runs `rampart ARGS...` and returns the CompletedProcess."""
    proc = subprocess.run([BIN, *args], capture_output=True, text=True, timeout=120, env=env)
    if check and proc.returncode != 0:
        raise AssertionError(f"rampart {' '.join(args)} failed ({proc.returncode}):\n"
                             f"{proc.stdout}\n{proc.stderr}")
    return proc


def dev_init(data_dir, account_id=None, root_key=False):
    args = ["dev-init", "--data", str(data_dir), "--json"]
    if account_id:
        args += ["--account-id", account_id]
    if root_key:
        args.append("--root-access-key")
    return json.loads(run_cli(*args).stdout)


class Server:
    """One `rampart serve` process on a temporary data directory."""

    def __init__(self, data_dir, extra_args=(), env=None):
        self.data_dir = pathlib.Path(data_dir)
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log_path = self.data_dir / "server.log"
        self.extra_args = list(extra_args)
        self.env = env
        self.proc = None

    def start(self, timeout=30.0):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [BIN, "serve", "--data", str(self.data_dir), "--listen", f"127.0.0.1:{self.port}",
             *self.extra_args],
            stdout=self.log, stderr=subprocess.STDOUT, env=self.env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited early ({self.proc.returncode}):\n"
                                     + self.log_path.read_text(errors="replace"))
            try:
                with urllib.request.urlopen(self.endpoint + "/healthz", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.05)
        raise AssertionError("server did not become healthy:\n"
                             + self.log_path.read_text(errors="replace"))

    def stop(self, timeout=60.0):
        """SIGTERM, wait for the drain; returns the exit status."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("server did not stop within the drain timeout")
        finally:
            self.log.close()
        return code

    def client(self, service, key, secret, token=None, **config):
        return boto3.client(
            service, endpoint_url=self.endpoint, region_name=REGION,
            aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token,
            config=botocore.config.Config(retries={"max_attempts": 0}, **config))

    def aws(self, key, secret, *args, token=None, check=True):
        """Runs the AWS CLI against this server; returns (exit code, parsed JSON or text)."""
        env = {"PATH": "/usr/bin:/bin", "HOME": str(self.data_dir),
               "AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret,
               "AWS_DEFAULT_REGION": REGION, "AWS_PAGER": "", "AWS_MAX_ATTEMPTS": "1"}
        if token:
            env["AWS_SESSION_TOKEN"] = token
        proc = subprocess.run([AWS_CLI, "--endpoint-url", self.endpoint, "--output", "json", *args],
                              capture_output=True, text=True, env=env, timeout=120)
        if check and proc.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)} failed: {proc.stderr}")
        out = proc.stdout
        try:
            out = json.loads(out) if out.strip() else {}
        except json.JSONDecodeError:
            pass
        return proc.returncode, out, proc.stderr


@pytest.fixture(scope="session")
def rampart_bin():
    assert os.path.exists(BIN), f"rampart binary not found at {BIN}"
    return BIN


@pytest.fixture(scope="module")
def server(rampart_bin):
    """A running server with one account from dev-init (admin key and a root key)."""
    data = tempfile.mkdtemp(prefix="rampart-it-")
    try:
        info = dev_init(data, root_key=True)
        srv = Server(data).start()
        srv.info = info
        yield srv
        code = srv.stop()
        assert code == 0, "server did not exit 0 on SIGTERM"
    finally:
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture
def fresh_data_dir():
    data = tempfile.mkdtemp(prefix="rampart-it-")
    yield pathlib.Path(data)
    shutil.rmtree(data, ignore_errors=True)
