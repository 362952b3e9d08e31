"""The audit trail end to end (issue 6): boto3 `cloudtrail.lookup_events` after a scripted
sequence of calls, `rampart audit verify` against a tampered trail, and root-activity alerts
delivered to a loopback webhook receiver across a rampart restart.

Each part runs its own server on a temporary data directory with the settings it needs in
DATA/rampart.toml (short delivery intervals, webhook URL and secret)."""
import gzip
import hashlib
import hmac
import http.server
import json
import pathlib
import shutil
import tempfile
import threading
import time

import pytest
from botocore.exceptions import ClientError

from conftest import Server, dev_init, free_port, run_cli

PASSWORD = "Audit-Passw0rd!never-logged"
WEBHOOK_SECRET = "webhook-hmac-secret-for-tests"


def write_settings(data_dir, **settings):
    lines = []
    for name, value in settings.items():
        lines.append(f"{name} = {json.dumps(value)}")
    (pathlib.Path(data_dir) / "rampart.toml").write_text("\n".join(lines) + "\n")


def error_of(excinfo):
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def wait_for_next_second():
    """Sleeps past the next whole second: boto3 sends StartTime/EndTime as whole epoch seconds."""
    now = time.time()
    time.sleep(int(now) + 1 - now + 0.05)


# ---------------------------------------------------------------------------------------------
# (a) LookupEvents after a scripted sequence


@pytest.fixture(scope="module")
def scripted(rampart_bin):
    data = pathlib.Path(tempfile.mkdtemp(prefix="rampart-audit-"))
    try:
        info = dev_init(data, root_key=True)
        # Log files every second and digests every 2 s, so the trail below spans several files.
        write_settings(data, audit_delivery_interval_s=1, audit_digest_interval_s=2)
        srv = Server(data).start()
        account = info["AccountId"]
        admin_iam = srv.client("iam", info["AccessKeyId"], info["SecretAccessKey"])
        root_iam = srv.client("iam", info["RootAccessKeyId"], info["RootSecretAccessKey"])

        wait_for_next_second()
        start = int(time.time())
        admin_iam.create_user(UserName="bob")
        admin_iam.create_user(UserName="alice", Path="/team/")
        admin_iam.create_login_profile(UserName="alice", Password=PASSWORD)
        key = admin_iam.create_access_key(UserName="alice")["AccessKey"]
        alice_iam = srv.client("iam", key["AccessKeyId"], key["SecretAccessKey"])
        with pytest.raises(ClientError) as denied:
            alice_iam.list_users()
        root_iam.list_users()
        # Event times have whole seconds (as CloudTrail's eventTime): the lookups below, made
        # from the next second on, fall outside [start, end].
        end = int(time.time())
        wait_for_next_second()

        ct = srv.client("cloudtrail", info["AccessKeyId"], info["SecretAccessKey"])
        ct_unvalidated = srv.client("cloudtrail", info["AccessKeyId"], info["SecretAccessKey"],
                                    parameter_validation=False)
        yield {"server": srv, "data": data, "info": info, "account": account, "ct": ct,
               "ct_unvalidated": ct_unvalidated, "start": start, "end": end,
               "alice_key": key["AccessKeyId"], "alice_secret": key["SecretAccessKey"],
               "denied": denied.value.response, "admin_key": info["AccessKeyId"],
               "root_key": info["RootAccessKeyId"]}
        code = srv.stop()
        assert code == 0
    finally:
        shutil.rmtree(data, ignore_errors=True)


def lookup_all(scripted, page_size=50, **kwargs):
    """Every event in the scripted window, following NextToken."""
    ct = scripted["ct"]
    events, token, pages = [], None, 0
    while True:
        args = dict(StartTime=scripted["start"], EndTime=scripted["end"], MaxResults=page_size,
                    **kwargs)
        if token:
            args["NextToken"] = token
        out = ct.lookup_events(**args)
        pages += 1
        events += out["Events"]
        assert len(out["Events"]) <= page_size
        token = out.get("NextToken")
        if not token:
            return events, pages


def test_lookup_returns_exactly_the_scripted_events_newest_first(scripted):
    events, _ = lookup_all(scripted)
    names = [(e["EventName"], e.get("Username")) for e in events]
    assert names == [
        ("ListUsers", "root"),
        ("ListUsers", "alice"),
        ("CreateAccessKey", "admin"),
        ("CreateLoginProfile", "admin"),
        ("CreateUser", "admin"),
        ("CreateUser", "admin"),
    ]
    times = [e["EventTime"] for e in events]
    assert times == sorted(times, reverse=True)
    for event in events:
        assert event["EventSource"] == "iam.amazonaws.com"
        assert event["EventTime"].tzinfo is not None
        record = json.loads(event["CloudTrailEvent"])
        assert record["eventID"] == event["EventId"]
        assert record["eventName"] == event["EventName"]
        assert record["eventSource"] == "iam.amazonaws.com"
        assert record["awsRegion"] == "us-east-1"
        assert record["eventType"] == "AwsApiCall"
        assert record["eventCategory"] == "Management"
        assert record["managementEvent"] is True
        assert record["recipientAccountId"] == scripted["account"]
        assert record["sourceIPAddress"] == "127.0.0.1"
        assert "Boto3" in record["userAgent"] or "botocore" in record["userAgent"]
        assert record["requestID"]
        assert record["eventVersion"].startswith("1.")
        assert record["readOnly"] == (event["ReadOnly"] == "true")


def test_lookup_event_fields_per_principal_type(scripted):
    events, _ = lookup_all(scripted)
    account = scripted["account"]
    by_name = {}
    for event in events:
        by_name.setdefault((event["EventName"], event.get("Username")), []).append(event)

    root_call = by_name[("ListUsers", "root")][0]
    assert root_call["ReadOnly"] == "true"
    assert root_call["AccessKeyId"] == scripted["root_key"]
    record = json.loads(root_call["CloudTrailEvent"])
    identity = record["userIdentity"]
    assert identity["type"] == "Root"
    assert identity["arn"] == f"arn:aws:iam::{account}:root"
    assert identity["accountId"] == account
    assert identity["accessKeyId"] == scripted["root_key"]
    assert "userName" not in identity  # no account alias
    assert "errorCode" not in record
    assert record["responseElements"] is None  # read-only calls

    denied = by_name[("ListUsers", "alice")][0]
    assert denied["ReadOnly"] == "true"
    assert denied["AccessKeyId"] == scripted["alice_key"]
    record = json.loads(denied["CloudTrailEvent"])
    identity = record["userIdentity"]
    assert identity["type"] == "IAMUser"
    assert identity["userName"] == "alice"
    assert identity["arn"] == f"arn:aws:iam::{account}:user/team/alice"
    assert identity["accountId"] == account
    assert identity["accessKeyId"] == scripted["alice_key"]
    assert identity["principalId"].startswith("AIDA")
    assert record["errorCode"] == "AccessDenied"
    assert record["errorMessage"] == scripted["denied"]["Error"]["Message"]
    assert "iam:ListUsers" in record["errorMessage"]
    assert record["requestID"] == scripted["denied"]["ResponseMetadata"]["RequestId"]

    create_key = by_name[("CreateAccessKey", "admin")][0]
    assert create_key["ReadOnly"] == "false"
    assert create_key["AccessKeyId"] == scripted["admin_key"]
    assert {(r["ResourceType"], r["ResourceName"]) for r in create_key["Resources"]} == {
        ("AWS::IAM::User", "alice"), ("AWS::IAM::AccessKey", scripted["alice_key"])}
    record = json.loads(create_key["CloudTrailEvent"])
    assert record["userIdentity"]["type"] == "IAMUser"
    assert record["userIdentity"]["userName"] == "admin"
    assert record["requestParameters"] == {"userName": "alice"}
    access_key = record["responseElements"]["accessKey"]
    assert access_key["accessKeyId"] == scripted["alice_key"]
    assert access_key["userName"] == "alice"
    assert access_key["status"] == "Active"
    assert "secretAccessKey" not in access_key

    login = by_name[("CreateLoginProfile", "admin")][0]
    record = json.loads(login["CloudTrailEvent"])
    assert record["requestParameters"]["userName"] == "alice"
    assert record["requestParameters"]["password"] == "HIDDEN_DUE_TO_SECURITY_REASONS"
    assert [(r["ResourceType"], r["ResourceName"]) for r in login["Resources"]] == [
        ("AWS::IAM::User", "alice")]

    alice_created, bob_created = by_name[("CreateUser", "admin")]
    record = json.loads(alice_created["CloudTrailEvent"])
    assert record["requestParameters"] == {"userName": "alice", "path": "/team/"}
    user = record["responseElements"]["user"]
    assert user["userName"] == "alice"
    assert user["arn"] == f"arn:aws:iam::{account}:user/team/alice"
    assert [(r["ResourceType"], r["ResourceName"]) for r in bob_created["Resources"]] == [
        ("AWS::IAM::User", "bob")]


def test_secrets_never_appear_in_events(scripted):
    ct = scripted["ct"]
    everything, token = [], None
    while True:  # every event of the account, the lookups included
        out = ct.lookup_events(**({"NextToken": token} if token else {}))
        everything += out["Events"]
        token = out.get("NextToken")
        if not token:
            break
    text = json.dumps(everything, default=str)
    assert scripted["alice_secret"] not in text
    assert scripted["info"]["SecretAccessKey"] not in text
    assert scripted["info"]["RootSecretAccessKey"] not in text
    assert PASSWORD not in text


def test_lookup_pages_with_max_results_and_next_token(scripted):
    all_events, _ = lookup_all(scripted)
    for size in (1, 2, 4, 5):
        paged, pages = lookup_all(scripted, page_size=size)
        assert [e["EventId"] for e in paged] == [e["EventId"] for e in all_events]
        assert pages == -(-len(all_events) // size)


@pytest.mark.parametrize("key,value,expected", [
    ("EventName", "CreateUser", [("CreateUser", "admin"), ("CreateUser", "admin")]),
    ("Username", "alice", [("ListUsers", "alice")]),
    ("Username", "root", [("ListUsers", "root")]),
    ("ReadOnly", "true", [("ListUsers", "root"), ("ListUsers", "alice")]),
    ("ReadOnly", "false", [("CreateAccessKey", "admin"), ("CreateLoginProfile", "admin"),
                           ("CreateUser", "admin"), ("CreateUser", "admin")]),
    ("ResourceType", "AWS::IAM::AccessKey", [("CreateAccessKey", "admin")]),
    ("ResourceType", "AWS::IAM::User", [("CreateAccessKey", "admin"),
                                        ("CreateLoginProfile", "admin"),
                                        ("CreateUser", "admin"), ("CreateUser", "admin")]),
    ("ResourceName", "alice", [("CreateAccessKey", "admin"), ("CreateLoginProfile", "admin"),
                               ("CreateUser", "admin")]),
    ("ResourceName", "bob", [("CreateUser", "admin")]),
    ("EventSource", "iam.amazonaws.com", None),  # all six
    ("EventSource", "sts.amazonaws.com", []),
    ("EventName", "DeleteUser", []),
])
def test_lookup_attribute_filters(scripted, key, value, expected):
    all_events, _ = lookup_all(scripted)
    events, _ = lookup_all(scripted, page_size=2,
                           LookupAttributes=[{"AttributeKey": key, "AttributeValue": value}])
    got = [(e["EventName"], e.get("Username")) for e in events]
    if expected is None:
        expected = [(e["EventName"], e.get("Username")) for e in all_events]
    assert got == expected


def test_lookup_by_access_key_and_event_id(scripted):
    all_events, _ = lookup_all(scripted)
    events, _ = lookup_all(scripted, LookupAttributes=[
        {"AttributeKey": "AccessKeyId", "AttributeValue": scripted["alice_key"]}])
    assert [(e["EventName"], e["Username"]) for e in events] == [("ListUsers", "alice")]
    events, _ = lookup_all(scripted, LookupAttributes=[
        {"AttributeKey": "AccessKeyId", "AttributeValue": scripted["admin_key"]}])
    assert len(events) == 4
    target = all_events[3]
    events, _ = lookup_all(scripted, LookupAttributes=[
        {"AttributeKey": "EventId", "AttributeValue": target["EventId"]}])
    assert events == [target]


def test_lookup_time_range_narrows(scripted):
    ct = scripted["ct"]
    # A window entirely before the sequence holds nothing.
    out = ct.lookup_events(StartTime=scripted["start"] - 100, EndTime=scripted["start"] - 50)
    assert out["Events"] == []


def test_lookup_only_the_callers_account(scripted):
    other = dev_init(scripted["data"], account_id="210987654321")
    srv = scripted["server"]
    ct = srv.client("cloudtrail", other["AccessKeyId"], other["SecretAccessKey"])
    out = ct.lookup_events(StartTime=scripted["start"], EndTime=scripted["end"])
    assert out["Events"] == []


def test_lookup_requires_cloudtrail_permission(scripted):
    srv = scripted["server"]
    ct = srv.client("cloudtrail", scripted["alice_key"], scripted["alice_secret"])
    with pytest.raises(ClientError) as excinfo:
        ct.lookup_events()
    code, status = error_of(excinfo)
    assert "AccessDenied" in code
    assert status in (400, 403)


@pytest.mark.parametrize("args,code", [
    ({"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "CreateUser"},
                           {"AttributeKey": "Username", "AttributeValue": "alice"}]},
     "InvalidLookupAttributesException"),
    ({"LookupAttributes": [{"AttributeKey": "Colour", "AttributeValue": "blue"}]},
     "InvalidLookupAttributesException"),
    ({"LookupAttributes": [{"AttributeKey": "ReadOnly", "AttributeValue": "maybe"}]},
     "InvalidLookupAttributesException"),
    ({"StartTime": 2000000000, "EndTime": 1900000000}, "InvalidTimeRangeException"),
    ({"MaxResults": 0}, "InvalidMaxResultsException"),
    ({"MaxResults": 51}, "InvalidMaxResultsException"),
    ({"EventCategory": "management"}, "InvalidEventCategoryException"),
    ({"NextToken": "not-a-token"}, "InvalidNextTokenException"),
])
def test_lookup_exceptions(scripted, args, code):
    with pytest.raises(ClientError) as excinfo:
        scripted["ct_unvalidated"].lookup_events(**args)
    assert error_of(excinfo) == (code, 400)


def test_next_token_is_bound_to_its_parameters(scripted):
    ct = scripted["ct"]
    first = ct.lookup_events(StartTime=scripted["start"], EndTime=scripted["end"], MaxResults=2)
    token = first["NextToken"]
    # Same parameters: accepted.
    ct.lookup_events(StartTime=scripted["start"], EndTime=scripted["end"], MaxResults=2,
                     NextToken=token)
    for changed in ({"StartTime": scripted["start"] - 1, "EndTime": scripted["end"],
                     "MaxResults": 2},
                    {"StartTime": scripted["start"], "EndTime": scripted["end"],
                     "MaxResults": 3},
                    {"StartTime": scripted["start"], "EndTime": scripted["end"], "MaxResults": 2,
                     "LookupAttributes": [{"AttributeKey": "ReadOnly",
                                           "AttributeValue": "false"}]}):
        with pytest.raises(ClientError) as excinfo:
            ct.lookup_events(NextToken=token, **changed)
        assert error_of(excinfo) == ("InvalidNextTokenException", 400)
    # Another account cannot replay it.
    other = dev_init(scripted["data"], account_id="310987654321")
    other_ct = scripted["server"].client("cloudtrail", other["AccessKeyId"],
                                         other["SecretAccessKey"])
    with pytest.raises(ClientError) as excinfo:
        other_ct.lookup_events(StartTime=scripted["start"], EndTime=scripted["end"],
                               MaxResults=2, NextToken=token)
    assert error_of(excinfo) == ("InvalidNextTokenException", 400)


# ---------------------------------------------------------------------------------------------
# (b) Tampering with the delivered trail


@pytest.fixture(scope="module")
def stopped_trail(scripted):
    """The scripted server stopped gracefully: every event delivered and a final digest. Before
    the stop, calls spread over a few seconds give the account's chain several digests."""
    data, account = scripted["data"], scripted["account"]
    deadline = time.monotonic() + 30
    while len(audit_files(data, "digest", account)) < 3:
        assert time.monotonic() < deadline, "the trail wrote no digests"
        scripted["ct"].lookup_events(MaxResults=1)
        time.sleep(0.5)
    assert scripted["server"].stop() == 0
    return scripted["data"]


def copy_trail(data, tmp_path):
    target = tmp_path / "data"
    target.mkdir()
    shutil.copy2(data / "master.key", target / "master.key")
    shutil.copytree(data / "audit", target / "audit")
    return target


def verify(data):
    proc = run_cli("audit", "verify", "--data", str(data), "--json", check=False)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def audit_files(data, kind, account="*"):
    folder = "CloudTrail" if kind == "log" else "CloudTrail-Digest"
    return sorted(p for p in (data / "audit" / "AWSLogs").glob(f"{account}/{folder}/**/*.json.gz"))


def findings(report):
    return [(f["kind"], f["state"], f["path"]) for f in report["files"] if f["state"] != "valid"]


def rel(data, path):
    return str(path.relative_to(data / "audit"))


def test_verify_untouched_trail_is_valid(stopped_trail, tmp_path):
    data = copy_trail(stopped_trail, tmp_path)
    code, report = verify(data)
    assert code == 0
    assert report["findings"] == 0
    assert findings(report) == []
    logs, digests = audit_files(data, "log"), audit_files(data, "digest")
    assert len(logs) >= 2 and len(digests) >= 2
    assert {f["path"] for f in report["files"] if f["kind"] == "log"} == {
        rel(data, p) for p in logs}
    assert {f["path"] for f in report["files"] if f["kind"] == "digest"} == {
        rel(data, p) for p in digests}
    # The text form says the same and exits 0.
    proc = run_cli("audit", "verify", "--data", str(data))
    assert " 0 findings" in proc.stdout
    # The trail carries every scripted event and no secret.
    text = "".join(gzip.decompress(p.read_bytes()).decode() for p in logs)
    assert PASSWORD not in text
    assert "CreateLoginProfile" in text and "HIDDEN_DUE_TO_SECURITY_REASONS" in text


def test_verify_detects_one_changed_byte_in_a_log_file(scripted, stopped_trail, tmp_path):
    data = copy_trail(stopped_trail, tmp_path)
    victim = audit_files(data, "log", scripted["account"])[0]
    content = bytearray(gzip.decompress(victim.read_bytes()))
    position = content.index(b"eventName") + len("eventName") + 4
    content[position] ^= 0x01
    victim.write_bytes(gzip.compress(bytes(content)))
    code, report = verify(data)
    assert code == 1
    assert findings(report) == [("log", "modified", rel(data, victim))]


def test_verify_detects_one_changed_byte_of_the_compressed_file(scripted, stopped_trail,
                                                                tmp_path):
    data = copy_trail(stopped_trail, tmp_path)
    victim = audit_files(data, "log", scripted["account"])[-1]
    raw = bytearray(victim.read_bytes())
    raw[len(raw) // 2] ^= 0x40
    victim.write_bytes(bytes(raw))
    code, report = verify(data)
    assert code == 1
    assert findings(report) == [("log", "modified", rel(data, victim))]


def test_verify_detects_a_deleted_log_file(scripted, stopped_trail, tmp_path):
    data = copy_trail(stopped_trail, tmp_path)
    victim = audit_files(data, "log", scripted["account"])[1]
    victim.unlink()
    code, report = verify(data)
    assert code == 1
    assert findings(report) == [("log", "deleted", rel(data, victim))]


def test_verify_detects_a_forged_log_file(scripted, stopped_trail, tmp_path):
    data = copy_trail(stopped_trail, tmp_path)
    model = audit_files(data, "log", scripted["account"])[0]
    forged = model.with_name(model.name.replace(".json.gz", "").rsplit("_", 1)[0]
                             + "_ForgedFile0000.json.gz")
    records = json.loads(gzip.decompress(model.read_bytes()))
    records["Records"] = records["Records"][:1]
    forged.write_bytes(gzip.compress(json.dumps(records).encode()))
    code, report = verify(data)
    assert code == 1
    assert findings(report) == [("log", "inserted", rel(data, forged))]


def test_verify_detects_an_edited_digest(scripted, stopped_trail, tmp_path):
    data = copy_trail(stopped_trail, tmp_path)
    victim = audit_files(data, "digest", scripted["account"])[0]
    digest = json.loads(gzip.decompress(victim.read_bytes()))
    assert digest["logFiles"], "the oldest digest covers log files"
    digest["logFiles"][0]["hashValue"] = "0" * 64
    victim.write_bytes(gzip.compress(json.dumps(digest).encode()))
    code, report = verify(data)
    assert code == 1
    states = findings(report)
    assert ("digest", "modified", rel(data, victim)) in states
    # The log files it lists are intact but vouched for by no valid digest any more: they are
    # reported as such (naming the digest), and nothing else is.
    claimed = {("log", "inserted", entry["s3Object"]) for entry in digest["logFiles"]}
    assert set(states) - {("digest", "modified", rel(data, victim))} <= claimed, states
    for entry in report["files"]:
        if entry["kind"] == "log" and entry["state"] == "inserted":
            assert rel(data, victim) in entry["detail"]


def test_verify_detects_a_deleted_digest(scripted, stopped_trail, tmp_path):
    data = copy_trail(stopped_trail, tmp_path)
    digests = audit_files(data, "digest", scripted["account"])
    assert len(digests) >= 3
    victim = digests[len(digests) // 2]  # neither the first nor the newest of the chain
    victim.unlink()
    code, report = verify(data)
    assert code == 1
    assert ("digest", "deleted", rel(data, victim)) in findings(report)


# ---------------------------------------------------------------------------------------------
# (c) Root-activity alerts to a webhook


class Receiver:
    """A loopback HTTP server that records every POST (headers and body)."""

    def __init__(self, port=0, status=200):
        self.received = []
        self.status = status
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                receiver.received.append((dict(self.headers), body, self.path))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def alerts(self, rule="root-activity"):
        out = []
        for headers, body, _ in self.received:
            alert = json.loads(body)
            if alert.get("rule") == rule:
                out.append((headers, body, alert))
        return out

    def wait(self, predicate, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.05)
        return False

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def check_signature(headers, body):
    expected = "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
    lowered = {k.lower(): v for k, v in headers.items()}
    assert hmac.compare_digest(lowered["x-rampart-signature"], expected)
    assert lowered["content-type"] == "application/json"
    assert lowered["x-rampart-alert-id"] == json.loads(body)["alertId"]


def alerts_state(data):
    proc = run_cli("audit", "alerts", "--data", str(data), "--json")
    return json.loads(proc.stdout)


def webhook_settings(data, port, **extra):
    settings = dict(audit_webhook_urls=f"http://127.0.0.1:{port}/hook",
                    audit_webhook_secret=WEBHOOK_SECRET, audit_webhook_interval_ms=100,
                    audit_webhook_retry_base_ms=100, audit_webhook_retry_max_ms=400)
    settings.update(extra)
    write_settings(data, **settings)


def test_root_activity_alert_reaches_the_webhook_signed(fresh_data_dir):
    receiver = Receiver()
    try:
        info = dev_init(fresh_data_dir, root_key=True)
        webhook_settings(fresh_data_dir, receiver.port)
        srv = Server(fresh_data_dir).start()
        try:
            # An IAM user's call raises no root alert.
            srv.client("iam", info["AccessKeyId"], info["SecretAccessKey"]).list_users()
            root = srv.client("iam", info["RootAccessKeyId"], info["RootSecretAccessKey"])
            root.get_account_summary()
            assert receiver.wait(lambda: receiver.alerts()), "no root-activity alert arrived"
            time.sleep(0.5)  # nothing more should come for that one event
        finally:
            assert srv.stop() == 0
        alerts = receiver.alerts()
        assert len(alerts) == 1
        headers, body, alert = alerts[0]
        check_signature(headers, body)
        assert alert["accountId"] == info["AccountId"]
        assert alert["eventName"] == "GetAccountSummary"
        record = alert.get("event") or alert.get("record")
        if record is not None:
            assert record["userIdentity"]["type"] == "Root"
        assert receiver.received[0][2] == "/hook"
        state = [a for a in alerts_state(fresh_data_dir) if a["rule"] == "root-activity"]
        assert len(state) == 1
        assert state[0]["delivered"] is True
        assert state[0]["eventID"] == alert["eventID"]
        assert state[0]["state"].startswith("delivered")
    finally:
        receiver.close()


def test_alert_sent_at_shutdown(fresh_data_dir):
    """A graceful stop makes a last delivery attempt for alerts raised just before it."""
    receiver = Receiver()
    try:
        info = dev_init(fresh_data_dir, root_key=True)
        # The periodic sender would not run again before the stop.
        webhook_settings(fresh_data_dir, receiver.port, audit_webhook_interval_ms=600000)
        srv = Server(fresh_data_dir).start()
        srv.client("iam", info["RootAccessKeyId"], info["RootSecretAccessKey"]).list_users()
        assert srv.stop() == 0
        alerts = receiver.alerts()
        assert len(alerts) == 1
        check_signature(alerts[0][0], alerts[0][1])
        assert [a["delivered"] for a in alerts_state(fresh_data_dir)
                if a["rule"] == "root-activity"] == [True]
    finally:
        receiver.close()


def test_alert_survives_restart_while_receiver_is_down(fresh_data_dir):
    port = free_port()  # nothing listens there yet
    info = dev_init(fresh_data_dir, root_key=True)
    webhook_settings(fresh_data_dir, port)
    srv = Server(fresh_data_dir).start()
    stopped = False
    try:
        srv.client("iam", info["RootAccessKeyId"], info["RootSecretAccessKey"]).list_users()
        deadline = time.monotonic() + 30
        while True:  # the sender has tried and failed at least twice (backoff in between)
            state = [a for a in alerts_state(fresh_data_dir) if a["rule"] == "root-activity"]
            if state and state[0]["attempts"] >= 2:
                break
            assert time.monotonic() < deadline, f"no failed attempts recorded: {state}"
            time.sleep(0.1)
        assert len(state) == 1
        assert state[0]["delivered"] is False
        assert state[0]["lastError"]
        assert state[0]["state"].startswith("retrying")
        assert srv.stop() == 0
        stopped = True
    finally:
        if not stopped:
            srv.stop()
    # Still pending after the stop (the last attempt at shutdown failed too).
    state = [a for a in alerts_state(fresh_data_dir) if a["rule"] == "root-activity"]
    assert [a["delivered"] for a in state] == [False]
    event_id = state[0]["eventID"]

    receiver = Receiver(port=port)
    try:
        srv = Server(fresh_data_dir).start()
        try:
            assert receiver.wait(lambda: receiver.alerts()), "alert not redelivered after restart"
            time.sleep(0.5)
        finally:
            assert srv.stop() == 0
        alerts = receiver.alerts()
        assert len(alerts) >= 1  # at least once
        for headers, body, alert in alerts:
            check_signature(headers, body)
            assert alert["eventID"] == event_id
        state = [a for a in alerts_state(fresh_data_dir) if a["rule"] == "root-activity"]
        assert len(state) == 1
        assert state[0]["delivered"] is True
        assert state[0]["attempts"] >= 2  # the failed ones (a success is not counted)
    finally:
        receiver.close()


def test_failing_receiver_is_retried_until_it_accepts(fresh_data_dir):
    receiver = Receiver(status=503)
    try:
        info = dev_init(fresh_data_dir, root_key=True)
        webhook_settings(fresh_data_dir, receiver.port)
        srv = Server(fresh_data_dir).start()
        try:
            srv.client("iam", info["RootAccessKeyId"], info["RootSecretAccessKey"]).list_users()
            assert receiver.wait(lambda: len(receiver.alerts()) >= 2)
            state = [a for a in alerts_state(fresh_data_dir) if a["rule"] == "root-activity"]
            assert state[0]["delivered"] is False
            assert "503" in state[0]["lastError"]
            receiver.status = 200
            assert receiver.wait(lambda: [a for a in alerts_state(fresh_data_dir)
                                          if a["rule"] == "root-activity"][0]["delivered"])
        finally:
            assert srv.stop() == 0
        # Every attempt carried the same alert and a valid signature.
        ids = {alert["alertId"] for _, _, alert in receiver.alerts()}
        assert len(ids) == 1
        for headers, body, _ in receiver.alerts():
            check_signature(headers, body)
    finally:
        receiver.close()


def test_root_events_name_the_account_alias_once_it_exists(rampart_bin):
    data = pathlib.Path(tempfile.mkdtemp(prefix="rampart-audit-alias-"))
    try:
        info = dev_init(data, root_key=True)
        srv = Server(data).start()
        try:
            admin_iam = srv.client("iam", info["AccessKeyId"], info["SecretAccessKey"])
            root_iam = srv.client("iam", info["RootAccessKeyId"], info["RootSecretAccessKey"])
            root_iam.list_users()
            admin_iam.create_account_alias(AccountAlias="example-corp")
            root_iam.list_users()
            admin_iam.delete_account_alias(AccountAlias="example-corp")
            root_iam.list_users()
            ct = srv.client("cloudtrail", info["AccessKeyId"], info["SecretAccessKey"])
            events = ct.lookup_events(LookupAttributes=[
                {"AttributeKey": "EventName", "AttributeValue": "ListUsers"}])["Events"]
            identities = [json.loads(e["CloudTrailEvent"])["userIdentity"] for e in events]
            assert [i["type"] for i in identities] == ["Root", "Root", "Root"]
            # Newest first: after the delete, with the alias, before it existed.
            assert [i.get("userName") for i in identities] == [None, "example-corp", None]
        finally:
            assert srv.stop() == 0
    finally:
        shutil.rmtree(data, ignore_errors=True)
