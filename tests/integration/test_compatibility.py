"""docs/compatibility.md is generated from the code and true of the running server.

1. Regenerating the table gives the committed file byte for byte.
2. Against a running server, every IAM and STS operation (query protocol) listed as
   `not implemented (501)` answers HTTP 501 NotImplemented, and every one listed as
   `implemented` answers something else. Each probe is signed by the admin user and carries
   made-up values for the operation's required members (so that model validation passes and
   the dispatcher reaches the handler lookup).
"""
import json
import pathlib
import re
import subprocess
import sys
import urllib.parse
import xml.etree.ElementTree as ET

import pytest

from sigv4util import send_prepared, signed_request

ROOT = pathlib.Path(__file__).resolve().parents[2]
TABLE = ROOT / "docs" / "compatibility.md"
MODELS = ROOT / "data" / "aws" / "models"
QUERY_SERVICES = ("iam", "sts")


def test_table_is_up_to_date(tmp_path):
    out = tmp_path / "compatibility.md"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_compatibility.py"),
                    "--output", str(out)], check=True)
    assert out.read_text(encoding="utf-8") == TABLE.read_text(encoding="utf-8"), \
        "docs/compatibility.md is stale: run scripts/gen_compatibility.py"


def listed_statuses():
    """{service: {operation: implemented?}} from the committed table."""
    table, service = {}, None
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^## (\S+)$", line)
        if heading:
            service = heading.group(1)
            table[service] = {}
            continue
        row = re.match(r"^\| (\w+) \| (implemented|not implemented \(501\)) \|$", line)
        if row and service:
            table[service][row.group(1)] = row.group(2) == "implemented"
    return table


def test_table_covers_every_model_operation():
    table = listed_statuses()
    for path in MODELS.glob("*/service-2.json"):
        model = json.loads(path.read_text(encoding="utf-8"))
        name = model["metadata"].get("signingName") or path.parent.name
        assert set(table[name]) == set(model["operations"]), name


# ---------------------------------------------------------------------------------------
# Probe inputs from the model

def _java_to_python(pattern):
    # Model patterns are Java regexes; the ones used here differ from Python's only in
    # \u escapes, which Python's re understands too.
    return pattern


def string_value(shape, member):
    low, high = shape.get("min", 1), shape.get("max", 4096)
    if "enum" in shape:
        return shape["enum"][0]
    candidates = [
        "probe",
        "arn:aws:iam::123456789012:user/probe",
        "/",
        "123456",
        "probe@example.com",
        "a" * 40,
        "o-abcdefghij",
        "o-abcdefghij/r-abcd",
        "AKIAPROBEPROBEPROBE1",
    ]
    if "path" in member.lower():
        candidates.insert(0, "/")
    if member.lower().endswith("arn") or "arn" in member.lower():
        candidates.insert(0, "arn:aws:iam::123456789012:policy/probe")
    pattern = shape.get("pattern")
    for candidate in candidates:
        value = candidate
        if len(value) < low:
            value = value + "x" * (low - len(value)) if not value.isdigit() else "1" * low
        if len(value) > high:
            continue
        if pattern is not None:
            try:
                if not re.fullmatch(_java_to_python(pattern), value):
                    continue
            except re.error:
                pass
        return value
    return "x" * max(low, 1)


def flatten(model, shape_name, prefix, member, params, depth=0):
    shape = model["shapes"][shape_name]
    kind = shape["type"]
    if kind == "structure":
        # A required structure without required members still has to be present.
        names = shape.get("required") or list(shape["members"])[:1]
        for name in names:
            ref = shape["members"][name]
            flatten(model, ref["shape"], f"{prefix}.{name}" if prefix else name, name, params,
                    depth + 1)
    elif kind == "list":
        flatten(model, shape["member"]["shape"], f"{prefix}.member.1", member, params, depth + 1)
    elif kind == "map":
        flatten(model, shape["key"]["shape"], f"{prefix}.entry.1.key", member, params, depth + 1)
        flatten(model, shape["value"]["shape"], f"{prefix}.entry.1.value", member, params,
                depth + 1)
    elif kind == "string":
        params[prefix] = string_value(shape, member)
    elif kind in ("integer", "long"):
        params[prefix] = str(max(shape.get("min", 1), 1) if shape.get("max", 10**9) >= 1
                             else shape.get("min", 0))
    elif kind == "boolean":
        params[prefix] = "false"
    elif kind == "timestamp":
        params[prefix] = "2026-01-01T00:00:00Z"
    elif kind == "blob":
        params[prefix] = "cHJvYmU="
    else:
        params[prefix] = "1"


def probe_body(model, operation):
    op = model["operations"][operation]
    params = {"Action": operation, "Version": model["metadata"]["apiVersion"]}
    if "input" in op:
        flatten(model, op["input"]["shape"], "", "", params)
    return urllib.parse.urlencode(params)


def error_code(body):
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return None
    for element in root.iter():
        if element.tag.endswith("Code"):
            return element.text
    return None


@pytest.mark.parametrize("service", QUERY_SERVICES)
def test_listed_status_matches_server(server, service):
    model = json.loads((MODELS / service / "service-2.json").read_text(encoding="utf-8"))
    table = listed_statuses()[service]
    key, secret = server.info["AccessKeyId"], server.info["SecretAccessKey"]
    wrong = []
    for operation in sorted(model["operations"]):
        body = probe_body(model, operation)
        status, _, answer = send_prepared(
            *signed_request(server.endpoint, key, secret, body, service=service))
        code = error_code(answer)
        answered_501 = status == 501
        if answered_501:
            assert code == "NotImplemented", (operation, code)
        if table[operation] == answered_501:
            wrong.append(f"{operation}: listed {'implemented' if table[operation] else '501'}, "
                         f"server answered {status} {code}")
    assert not wrong, "\n".join(wrong)
