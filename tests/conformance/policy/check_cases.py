#!/usr/bin/env python3
"""Check the structure of the policy-evaluation conformance corpus.

Usage: check_cases.py [CASES_DIR]   (default: the cases/ directory beside this file)

Every file in CASES_DIR/*.json must be a JSON object {"description", "cases"}; every
case must carry exactly the fields of the `rampart policy simulate` case object
(docs: /work/shared/POLICY-SIMULATE.md) plus "description", "doc" and "expect".
Prints the number of cases per file and in total; exits 1 on any error.
Standard library only.
"""

import json
import os
import re
import sys

CASE_REQUIRED = {
    "description", "doc", "principal", "action", "resource", "resourceAccount",
    "context", "identityPolicies", "resourcePolicy", "permissionsBoundary",
    "sessionPolicies", "scps", "rcps", "expect",
}
CASE_OPTIONAL = {"id", "endpointPolicies"}
EXPECT_FIELDS = {"decision", "reason", "missingContextValues"}
DECISIONS = {"allowed", "explicitDeny", "implicitDeny", "error"}
PRINCIPAL_TYPES = {"Root", "IAMUser", "IAMRole", "AssumedRole", "FederatedUser",
                   "AWSService", "Anonymous"}
ACCOUNTS = {"111122223333", "444455556666", "777788889999", "123456789012"}
ARN_BY_TYPE = {
    "Root": re.compile(r"^arn:aws:iam::(\d{12}):root$"),
    "IAMUser": re.compile(r"^arn:aws:iam::(\d{12}):user/.+$"),
    "IAMRole": re.compile(r"^arn:aws:iam::(\d{12}):role/.+$"),
    "AssumedRole": re.compile(r"^arn:aws:sts::(\d{12}):assumed-role/[^/]+/[^/]+$"),
    "FederatedUser": re.compile(r"^arn:aws:sts::(\d{12}):federated-user/[^/]+$"),
}
DOC_PREFIX = "https://docs.aws.amazon.com/"
VAR_RE = re.compile(r"\$\{([^}]*)\}")
SPECIAL_VARS = {"*", "?", "$"}


class Checker:
    def __init__(self):
        self.errors = []
        self.warnings = []

    def err(self, where, msg):
        self.errors.append(f"{where}: {msg}")

    def warn(self, where, msg):
        self.warnings.append(f"{where}: {msg}")

    def check_doc(self, where, doc):
        """A policy document: a JSON object (errors.json may hold anything)."""
        return isinstance(doc, dict)

    def check_principal(self, where, p):
        if not isinstance(p, dict):
            self.err(where, "principal must be an object")
            return
        extra = set(p) - {"type", "arn", "accountId"}
        if extra:
            self.err(where, f"principal has unknown fields {sorted(extra)}")
        t = p.get("type")
        if t not in PRINCIPAL_TYPES:
            self.err(where, f"principal.type {t!r} is not one of {sorted(PRINCIPAL_TYPES)}")
            return
        arn, acct = p.get("arn"), p.get("accountId")
        if t == "Anonymous":
            if arn is not None or acct is not None:
                self.err(where, "an Anonymous principal has neither arn nor accountId")
            return
        if t == "AWSService":
            if not isinstance(arn, str) or not arn.endswith(".amazonaws.com"):
                self.err(where, "an AWSService principal's arn is its service principal name")
            if acct is not None:
                self.err(where, "an AWSService principal has no accountId")
            return
        m = ARN_BY_TYPE[t].match(arn or "")
        if not m:
            self.err(where, f"principal arn {arn!r} does not fit type {t}")
        elif m.group(1) != acct:
            self.err(where, f"principal arn account {m.group(1)} differs from accountId {acct}")
        if acct not in ACCOUNTS:
            self.err(where, f"accountId {acct!r} is not one of the corpus accounts")

    def check_context(self, where, ctx):
        if not isinstance(ctx, dict):
            self.err(where, "context must be an object")
            return
        for k, v in ctx.items():
            if isinstance(v, str):
                continue
            if isinstance(v, list) and all(isinstance(x, str) for x in v):
                continue
            self.err(where, f"context[{k!r}] must be a string or a list of strings")

    def check_variables(self, where, case):
        """Warn when a 2012-10-17 policy uses ${key} (no default) that the context lacks."""
        ctx = {k.lower() for k in case.get("context", {})}
        docs = list(case.get("identityPolicies") or []) + list(case.get("sessionPolicies") or [])
        for d in (case.get("resourcePolicy"), case.get("permissionsBoundary")):
            if d is not None:
                docs.append(d)
        for level in (case.get("scps") or []) + (case.get("rcps") or []):
            docs.extend(level if isinstance(level, list) else [])
        for d in docs:
            if not isinstance(d, dict) or d.get("Version") != "2012-10-17":
                continue
            for var in VAR_RE.findall(json.dumps(d)):
                if var in SPECIAL_VARS or "," in var:
                    continue
                if var.strip().lower() not in ctx:
                    text = case.get("description", "").lower()
                    if not any(w in text for w in ("absent", "missing", "unresolved", "not in the context", "no value")):
                        self.warn(where, f"policy variable ${{{var}}} has no context value and the description does not say why")

    def check_policy_list(self, where, name, value, nested=False):
        if not isinstance(value, list):
            self.err(where, f"{name} must be a list")
            return
        for i, item in enumerate(value):
            if nested:
                if not isinstance(item, list) or not item:
                    self.err(where, f"{name}[{i}] must be a non-empty list of policy documents (one organization level)")
                    continue
                for j, d in enumerate(item):
                    if not isinstance(d, dict):
                        self.err(where, f"{name}[{i}][{j}] must be a policy document object")
            elif not isinstance(item, dict):
                self.err(where, f"{name}[{i}] must be a policy document object")

    def check_case(self, where, case, is_errors_file, seen_ids):
        if not isinstance(case, dict):
            self.err(where, "case must be an object")
            return None
        keys = set(case)
        missing = CASE_REQUIRED - keys
        extra = keys - CASE_REQUIRED - CASE_OPTIONAL
        if missing:
            self.err(where, f"missing fields {sorted(missing)}")
        if extra:
            self.err(where, f"unknown fields {sorted(extra)}")
        cid = case.get("id")
        if cid is not None:
            if not isinstance(cid, str) or not cid:
                self.err(where, "id must be a non-empty string")
            elif cid in seen_ids:
                self.err(where, f"duplicate id {cid!r} (also in {seen_ids[cid]})")
            else:
                seen_ids[cid] = where
            where = f"{where} ({cid})"
        for f in ("description", "doc", "action", "resource"):
            if f in case and (not isinstance(case[f], str) or not case[f]):
                self.err(where, f"{f} must be a non-empty string")
        if isinstance(case.get("doc"), str) and not case["doc"].startswith(DOC_PREFIX):
            self.err(where, f"doc must be an AWS documentation page ({DOC_PREFIX}...)")
        if isinstance(case.get("action"), str) and case["action"] != "*" and ":" not in case["action"]:
            self.err(where, "action must be service:Action")
        ra = case.get("resourceAccount")
        if ra is not None and ra not in ACCOUNTS:
            self.err(where, f"resourceAccount {ra!r} must be null or one of the corpus accounts")
        if "principal" in case:
            self.check_principal(where, case["principal"])
        if "context" in case:
            self.check_context(where, case["context"])
        policy_check = not is_errors_file
        if "identityPolicies" in case:
            if not isinstance(case["identityPolicies"], list):
                self.err(where, "identityPolicies must be a list")
            elif policy_check:
                self.check_policy_list(where, "identityPolicies", case["identityPolicies"])
        for f in ("resourcePolicy", "permissionsBoundary"):
            if policy_check and f in case and case[f] is not None and not isinstance(case[f], dict):
                self.err(where, f"{f} must be a policy document or null")
        if "sessionPolicies" in case and policy_check:
            self.check_policy_list(where, "sessionPolicies", case["sessionPolicies"])
        for f in ("scps", "rcps"):
            if f in case and policy_check:
                self.check_policy_list(where, f, case[f], nested=True)
        if "endpointPolicies" in case and policy_check:
            self.check_policy_list(where, "endpointPolicies", case["endpointPolicies"])
        exp = case.get("expect")
        decision = None
        if not isinstance(exp, dict):
            self.err(where, "expect must be an object")
        else:
            extra = set(exp) - EXPECT_FIELDS
            if extra:
                self.err(where, f"expect has unknown fields {sorted(extra)}")
            decision = exp.get("decision")
            if decision not in DECISIONS:
                self.err(where, f"expect.decision {decision!r} is not one of {sorted(DECISIONS)}")
            if "reason" in exp and (not isinstance(exp["reason"], str) or not exp["reason"]):
                self.err(where, "expect.reason must be a non-empty string")
            if "reason" in exp and decision in ("allowed", "error"):
                self.err(where, "expect.reason is for denials only")
            if "missingContextValues" in exp:
                mcv = exp["missingContextValues"]
                if not isinstance(mcv, list) or not all(isinstance(x, str) for x in mcv):
                    self.err(where, "expect.missingContextValues must be a list of strings")
            if is_errors_file and decision != "error":
                self.err(where, "every case in errors.json expects decision 'error'")
            if not is_errors_file and decision == "error":
                self.err(where, "decision 'error' belongs in errors.json")
        if not is_errors_file:
            self.check_variables(where, case)
        return decision

    def check_file(self, path, seen_ids):
        name = os.path.basename(path)
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError) as e:
            self.err(name, f"not valid JSON: {e}")
            return 0, {}
        if not isinstance(data, dict):
            self.err(name, "top level must be an object")
            return 0, {}
        extra = set(data) - {"description", "cases"}
        if extra:
            self.err(name, f"unknown top-level fields {sorted(extra)}")
        if not isinstance(data.get("description"), str) or not data.get("description"):
            self.err(name, "description must be a non-empty string")
        cases = data.get("cases")
        if not isinstance(cases, list) or not cases:
            self.err(name, "cases must be a non-empty list")
            return 0, {}
        counts = {}
        is_errors = name == "errors.json"
        for i, case in enumerate(cases):
            d = self.check_case(f"{name}#{i}", case, is_errors, seen_ids)
            counts[d] = counts.get(d, 0) + 1
        return len(cases), counts


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    cases_dir = argv[1] if len(argv) > 1 else os.path.join(here, "cases")
    files = sorted(f for f in os.listdir(cases_dir) if f.endswith(".json"))
    if not files:
        print(f"no case files in {cases_dir}", file=sys.stderr)
        return 1
    checker = Checker()
    seen_ids = {}
    total = 0
    totals = {}
    for f in files:
        n, counts = checker.check_file(os.path.join(cases_dir, f), seen_ids)
        total += n
        for k, v in counts.items():
            totals[k] = totals.get(k, 0) + v
        summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: str(kv[0])))
        print(f"{f:36s} {n:4d}   {summary}")
    summary = ", ".join(f"{k} {v}" for k, v in sorted(totals.items(), key=lambda kv: str(kv[0])))
    print(f"{'total':36s} {total:4d}   {summary}")
    for w in checker.warnings:
        print(f"warning: {w}", file=sys.stderr)
    for e in checker.errors:
        print(f"error: {e}", file=sys.stderr)
    if checker.errors:
        print(f"{len(checker.errors)} error(s)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
