#!/usr/bin/env python3
"""Runs every request of a Postman collection alone, with newman, against a
mock reset before each, and prints status, method and path of each:

    python3 postman-run.py COLLECTION BASE [VAR=VALUE...]

VAR=VALUE are newman environment variables (the credentials). The request
to change-password is sent with the vendor's token of the account its
example names (see its description in amapi.yaml). Not part of CI: it needs
node; docs/openapi/README.md says how it was run and what it showed."""
import json, subprocess, sys, urllib.request

TOKENS = {"change-password": "D3468kcvbdZa5gPea1V6hfE"}

def leaves(items):
    for it in items:
        yield from leaves(it["item"]) if "item" in it else [it]

coll, base, env = sys.argv[1], sys.argv[2], sys.argv[3:]
c = json.load(open(coll))
for it in leaves(c["item"]):
    urllib.request.urlopen(urllib.request.Request(base + "/__admin/reset", method="POST")).read()
    one = dict(c, item=[it])
    json.dump(one, open("/tmp/one.json", "w"))
    args = [a for v in env for a in ("--env-var", v)]
    path = "/".join(it["request"]["url"]["path"])
    for k, tok in TOKENS.items():
        if path.endswith(k):
            args += ["--env-var", "bearerToken=" + tok]
    subprocess.run(["newman", "run", "/tmp/one.json", "--env-var", "baseUrl=" + base,
                    "--reporters", "json", "--reporter-json-export", "/tmp/one.result.json", *args],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ex = json.load(open("/tmp/one.result.json"))["run"]["executions"][0]
    resp = ex.get("response") or {}
    body = bytes(resp.get("stream", {}).get("data", []) or []).decode("utf-8", "replace")
    err = '"status":"error"' in body
    print(resp.get("code"), "ERR" if err else "ok ", it["request"]["method"], "/" + "/".join(ex["request"]["url"]["path"]),
          "?" + "&".join(q["key"] + "=" + str(q.get("value")) for q in ex["request"]["url"].get("query", [])) if ex["request"]["url"].get("query") else "")
