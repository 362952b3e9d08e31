"""Issue 2: the walking skeleton answers real AWS clients with verified SigV4."""
import datetime
import re
import socket
import threading
import time
import urllib.request
import xml.etree.ElementTree as ET

import botocore.exceptions
import pytest

from sigv4util import presigned_url, send, send_prepared, signed_request

NS = {"sts": "https://sts.amazonaws.com/doc/2011-06-15/",
      "iam": "https://iam.amazonaws.com/doc/2010-05-08/"}


def error_code(exc):
    return exc.value.response["Error"]["Code"]


def admin(server, service="sts"):
    return server.client(service, server.info["AccessKeyId"], server.info["SecretAccessKey"])


def test_healthz(server):
    with urllib.request.urlopen(server.endpoint + "/healthz") as r:
        assert r.status == 200


def test_cli_get_caller_identity(server):
    code, out, _ = server.aws(server.info["AccessKeyId"], server.info["SecretAccessKey"],
                              "sts", "get-caller-identity")
    assert code == 0
    account = server.info["AccountId"]
    assert out["Account"] == account
    assert out["Arn"] == f"arn:aws:iam::{account}:user/admin"
    assert re.fullmatch(r"AIDA[A-Z2-7]{16}", out["UserId"])


def test_boto3_get_caller_identity_admin(server):
    out = admin(server).get_caller_identity()
    assert out["Account"] == server.info["AccountId"]
    assert out["Arn"].endswith(":user/admin")
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert out["ResponseMetadata"]["RequestId"]


def test_boto3_get_caller_identity_root(server):
    sts = server.client("sts", server.info["RootAccessKeyId"], server.info["RootSecretAccessKey"])
    out = sts.get_caller_identity()
    account = server.info["AccountId"]
    assert out == {**out, "Account": account, "Arn": f"arn:aws:iam::{account}:root",
                   "UserId": account}


def test_wrong_secret_is_signature_does_not_match(server):
    sts = server.client("sts", server.info["AccessKeyId"], "x" * 40)
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        sts.get_caller_identity()
    assert error_code(exc) == "SignatureDoesNotMatch"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert "does not match the signature you provided" in exc.value.response["Error"]["Message"]


def test_unknown_key_is_invalid_client_token_id(server):
    sts = server.client("sts", "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        sts.get_caller_identity()
    assert error_code(exc) == "InvalidClientTokenId"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert exc.value.response["Error"]["Message"] == \
        "The security token included in the request is invalid."


def test_unsigned_request_is_missing_authentication_token(server):
    status, headers, body = send(
        server.endpoint, "POST", "/",
        {"Content-Type": "application/x-www-form-urlencoded"},
        "Action=GetCallerIdentity&Version=2011-06-15")
    assert status == 403
    root = ET.fromstring(body)
    assert root.tag.endswith("ErrorResponse")
    assert root.find(".//{*}Code").text == "MissingAuthenticationToken"
    assert headers.get("x-amzn-requestid")


def test_request_dated_twenty_minutes_ago_is_rejected(server):
    at = datetime.datetime.utcnow() - datetime.timedelta(minutes=20)
    method, url, headers, body = signed_request(
        server.endpoint, server.info["AccessKeyId"], server.info["SecretAccessKey"],
        "Action=GetCallerIdentity&Version=2011-06-15", at=at)
    status, _, raw = send_prepared(method, url, headers, body)
    # As STS answers a header-signed request outside the 15-minute window.
    assert status == 403
    root = ET.fromstring(raw)
    code = root.find(".//{*}Code").text
    message = root.find(".//{*}Message").text
    assert code == "SignatureDoesNotMatch"
    assert re.fullmatch(r"Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z "
                        r"\(\d{8}T\d{6}Z - 15 min\.\)", message), message


def test_presigned_get_caller_identity(server):
    url = presigned_url(server.endpoint, server.info["AccessKeyId"],
                        server.info["SecretAccessKey"],
                        {"Action": "GetCallerIdentity", "Version": "2011-06-15"})
    with urllib.request.urlopen(url) as r:
        assert r.status == 200
        root = ET.fromstring(r.read())
    arn = root.find(".//sts:GetCallerIdentityResult/sts:Arn", NS).text
    assert arn.endswith(":user/admin")
    # Tampering with a signed query parameter breaks the signature.
    tampered = url.replace("Action=GetCallerIdentity", "Action=GetSessionToken")
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(tampered)
    assert exc.value.code == 403


def test_unimplemented_iam_operation_is_clean_501(server):
    method, url, headers, body = signed_request(
        server.endpoint, server.info["AccessKeyId"], server.info["SecretAccessKey"],
        "Action=ListSAMLProviders&Version=2010-05-08", service="iam")
    status, resp_headers, raw = send_prepared(method, url, headers, body)
    assert status == 501
    assert resp_headers["content-type"].startswith("text/xml")
    root = ET.fromstring(raw)
    assert root.tag == "{%s}ErrorResponse" % NS["iam"]
    assert root.find(".//{*}Code").text == "NotImplemented"
    assert "ListSAMLProviders" in root.find(".//{*}Message").text
    assert root.find("{*}RequestId").text == resp_headers["x-amzn-requestid"]


def test_model_validation_failure(server):
    sts = admin(server)
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        sts.get_session_token(DurationSeconds=200000)
    assert error_code(exc) == "ValidationError"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert exc.value.response["Error"]["Message"] == (
        "1 validation error detected: Value '200000' at 'durationSeconds' failed to satisfy "
        "constraint: Member must have value less than or equal to 129600")


def test_validation_only_after_authentication(server):
    sts = server.client("sts", "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        sts.get_session_token(DurationSeconds=200000)
    assert error_code(exc) == "InvalidClientTokenId"


def test_unknown_action(server):
    method, url, headers, body = signed_request(
        server.endpoint, server.info["AccessKeyId"], server.info["SecretAccessKey"],
        "Action=NoSuchThing&Version=2011-06-15")
    status, _, raw = send_prepared(method, url, headers, body)
    assert status == 400
    assert ET.fromstring(raw).find(".//{*}Code").text == "InvalidAction"


@pytest.mark.parametrize("body", [
    "Action=GetCallerIdentity&Version=2011-06-15&%zz=1",
    "Action=GetCallerIdentity%&Version=2011-06-15",
    "Action=Get%C0CallerIdentity&Version=2011-06-15",
    "&&&===&&",
    "\x00\x01\x02binary",
])
def test_malformed_form_bodies_get_clear_errors(server, body):
    method, url, headers, signed_body = signed_request(
        server.endpoint, server.info["AccessKeyId"], server.info["SecretAccessKey"], body)
    status, _, raw = send_prepared(method, url, headers, signed_body)
    assert 400 <= status < 500
    root = ET.fromstring(raw)
    assert root.find(".//{*}Code").text
    # The server keeps serving.
    assert admin(server).get_caller_identity()["Account"] == server.info["AccountId"]


def test_ten_mebibyte_body_is_refused(server):
    big = b"Action=GetCallerIdentity&Version=2011-06-15&Pad=" + b"a" * (10 * 1024 * 1024)
    host, port = "127.0.0.1", server.port
    with socket.create_connection((host, port), timeout=30) as s:
        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                  b"Content-Length: %d\r\n\r\n" % len(big))
        try:
            s.sendall(big[:65536])
        except OSError:
            pass
        data = s.recv(4096)
    assert data.startswith(b"HTTP/1.1 413")
    assert admin(server).get_caller_identity()["Account"] == server.info["AccountId"]


def test_slow_loris_does_not_block_others(server):
    stop = threading.Event()

    def loris():
        try:
            with socket.create_connection(("127.0.0.1", server.port), timeout=60) as s:
                s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")
                while not stop.is_set():
                    s.sendall(b"X-Slow: 1\r\n")
                    time.sleep(1)
        except OSError:
            pass

    threads = [threading.Thread(target=loris, daemon=True) for _ in range(8)]
    for t in threads:
        t.start()
    try:
        sts = admin(server)
        for _ in range(20):
            assert sts.get_caller_identity()["Account"] == server.info["AccountId"]
    finally:
        stop.set()
    for t in threads:
        t.join(timeout=30)


def test_sigterm_during_load_completes_in_flight(rampart_bin, fresh_data_dir):
    from conftest import Server, dev_init
    info = dev_init(fresh_data_dir)
    srv = Server(fresh_data_dir).start()
    sts = srv.client("sts", info["AccessKeyId"], info["SecretAccessKey"])
    results = {"ok": 0, "refused": 0, "broken": 0}
    lock = threading.Lock()
    stop = threading.Event()

    def worker():
        while not stop.is_set():
            try:
                out = sts.get_caller_identity()
                kind = "ok" if out["Account"] == info["AccountId"] else "broken"
            except botocore.exceptions.EndpointConnectionError:
                kind = "refused"
            except (botocore.exceptions.ConnectionClosedError, ConnectionResetError):
                kind = "refused"
            except Exception:  # a truncated or wrong answer is a failure
                kind = "broken"
            with lock:
                results[kind] += 1
            if kind == "refused":
                return

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    code = srv.stop()
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert code == 0
    assert results["ok"] > 0
    assert results["broken"] == 0, results
    # A restarted server rebinds the same port at once.
    srv2 = type(srv)(fresh_data_dir)
    srv2.port = srv.port
    srv2.endpoint = srv.endpoint
    srv2.start()
    assert srv2.client("sts", info["AccessKeyId"], info["SecretAccessKey"]) \
        .get_caller_identity()["Account"] == info["AccountId"]
    assert srv2.stop() == 0


def test_dev_init_second_account_while_running(server):
    from conftest import dev_init
    other = dev_init(server.data_dir, account_id="444455556666")
    assert other["AccountId"] == "444455556666"
    sts = server.client("sts", other["AccessKeyId"], other["SecretAccessKey"])
    out = sts.get_caller_identity()
    assert out["Arn"] == "arn:aws:iam::444455556666:user/admin"
    # The first account is untouched.
    assert admin(server).get_caller_identity()["Account"] == server.info["AccountId"]


def test_database_reveals_no_secret(server):
    raw = (server.data_dir / "rampart.db").read_bytes()
    for f in ("rampart.db-wal",):
        p = server.data_dir / f
        if p.exists():
            raw += p.read_bytes()
    assert server.info["SecretAccessKey"].encode() not in raw
    assert server.info["RootPassword"].encode() not in raw
