"""Regenerates ../<endpoint>.<lang>.http: what each request example of
amapi.txt sends when run as written with only the host changed.

It cuts every example out of the document, points it at capture.py and runs
it with the real tool: bash + curl, node (fetch), php (with guzzle_shim.php
standing in for Guzzle, which encodes 'json' with json_encode) and python3
(requests). Not run by the tests; run it by hand after the document changes:

    python3 gen.py /work/shared/api-docs/amapi.txt
"""
import os, re, subprocess, sys, tempfile, time, glob, shutil

DOC = sys.argv[1]
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.dirname(HERE)
PORT = 18765
HOST = "https://www.amapi.ru"
LOCAL = f"http://127.0.0.1:{PORT}"

lines = open(DOC, encoding="utf-8").read().split("\n")

def cut(start_pat, end_pat, from_line):
    s = next(i for i in range(from_line, len(lines)) if re.match(start_pat, lines[i]))
    e = next(i for i in range(s, len(lines)) if re.match(end_pat, lines[i]))
    return "\n".join(lines[s:e + 1]), e + 1

examples = []  # (endpoint, lang, code)
i = 0
while True:
    try:
        head = next(j for j in range(i, len(lines)) if re.match(r"^(POST|GET) api/", lines[j]))
    except StopIteration:
        break
    endpoint = lines[head].split("api/")[1].strip()
    curl, i = cut(r"^curl --request", r'^--header "Accept: application/json"', head)
    # a --data argument follows the Accept header when the example has a body
    if lines[i].startswith("--data"):
        _, i = cut(r"^--data", r'^}"$', i)
        curl = "\n".join(lines[lines.index(curl.split("\n")[0], head):i])
    js, i = cut(r"^const url = new URL\(", r"^\}\)\.then\(response => response\.json\(\)\);", i)
    php, i = cut(r"^\$client = new", r"^print_r\(", i)
    py, i = cut(r"^import requests", r"^response\.json\(\)", i)
    langs = [("curl", curl), ("js", js), ("php", php), ("py", py)]
    if re.search(r"=> \d+\.0,", php):
        # The PHP source writes 304.0; json_encode sends 304 unless told
        # to keep the zero fraction. Capture both.
        langs.append(("php-zerofrac", php))
    for lang, code in langs:
        examples.append((endpoint, lang, code.replace(HOST, LOCAL)))

tmp = tempfile.mkdtemp()
server = subprocess.Popen([sys.executable, os.path.join(HERE, "capture.py"), str(PORT), tmp])
time.sleep(0.5)
try:
    for endpoint, lang, code in examples:
        before = set(os.listdir(tmp))
        if lang == "curl":
            subprocess.run(["bash", "-c", code + " --silent --output /dev/null"], check=True)
        elif lang == "js":
            subprocess.run(["node", "-e", code], check=True)
        elif lang in ("php", "php-zerofrac"):
            shim = open(os.path.join(HERE, "guzzle_shim.php")).read()
            script = shim + "\nnamespace {\n" + code + "\n}\n"
            env = dict(os.environ, GUZZLE_JSON_FLAGS="1024" if lang == "php-zerofrac" else "0")  # JSON_PRESERVE_ZERO_FRACTION
            subprocess.run(["php", "-r", script.replace("<?php", "", 1)], check=True, stdout=subprocess.DEVNULL, env=env)
        else:
            subprocess.run([sys.executable, "-c", code], check=True)
        new = sorted(set(os.listdir(tmp)) - before)
        assert len(new) == 1, (endpoint, lang, new)
        shutil.copy(os.path.join(tmp, new[0]), os.path.join(OUT, f"{endpoint}.{lang}.http"))
        print("captured", endpoint, lang)
finally:
    server.kill()
