#!/usr/bin/python3
"""A package metadata distribution service for the pkgmeta tests.

Serves --root, laid out as the offline v3 copy (<root>/<data>/v3/<registry>/
{full_dataset/{checkpoint.json,<hh>.tar.zst},deltas/<seconds>.tar.zst}, with
<data> "licenses" or "malware"), the way doc/format.md section 11 describes
the service:

  GET .../all?purl_type=<registry>    {"until": N, "shards": [{"shard", "url"|"signed_url"}]}
                                      503 {"reason": "snapshot_not_yet_published"} without one
  GET .../supported                   {"registries": [the registry folders]}
  GET .../delta?since=<registry>:<seq> (repeatable)
                                      at most 20 deltas per registry, 204 when none;
                                      a registry without a folder in "not_supported"
  GET /_files/<path>                  the "signed" archive URLs: no token accepted

Every API request must carry "Authorization: Bearer <--token>" and the
X-Gitlab-Instance-Id and X-Gitlab-Realm headers the token's claims give, else
401.  Faults (--config or POST /_faults): {"<path prefix>": {"status": S,
"times": N}} answers the first N matching requests with S.  GET /_stats:
{"requests": [{"path", "authorization"}]}.
"""
import argparse
import base64
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PAGE = 20
lock = threading.Lock()
state = {"faults": {}, "requests": []}


def claims(token):
    payload = token.split(".")[1]
    payload += "=" * (-len(payload) % 4)
    return json.loads(base64.urlsafe_b64decode(payload))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body=None):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(n) or b"{}")
        if self.path == "/_faults":
            with lock:
                state["faults"] = body
            return self.send(200, {})
        if self.path == "/_reset":
            with lock:
                state["requests"] = []
            return self.send(200, {})
        self.send(404, {})

    def fault(self, path):
        with lock:
            for prefix, f in state["faults"].items():
                if path.startswith(prefix) and f.get("times", 1) != 0:
                    if "times" in f:
                        f["times"] -= 1
                    return f
        return None

    def do_GET(self):
        url = urlsplit(self.path)
        with lock:
            state["requests"].append({"path": self.path,
                                      "authorization": self.headers.get("Authorization")})
        if url.path == "/_stats":
            with lock:
                return self.send(200, {"requests": state["requests"]})
        f = self.fault(self.path)
        if f:
            return self.send(f["status"], f.get("body"))
        if url.path.startswith("/_files/"):
            if self.headers.get("Authorization"):
                return self.send(400, {"error": "a signed URL takes no token"})
            path = os.path.join(self.server.root, url.path[len("/_files/"):])
            if not os.path.isfile(path):
                return self.send(404, {})
            data = open(path, "rb").read()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            return self.wfile.write(data)
        for prefix, data, url_key in (("/v1/licenses", "licenses", "url"),
                                      ("/v1/malware/advisories", "malware", "signed_url")):
            if url.path.startswith(prefix + "/"):
                return self.api(url, url.path[len(prefix) + 1:], data, url_key)
        self.send(404, {})

    def authorized(self):
        auth = self.headers.get("Authorization", "")
        if auth != "Bearer " + self.server.token:
            return False
        c = claims(self.server.token)
        return (self.headers.get("X-Gitlab-Instance-Id") == c["sub"]
                and self.headers.get("X-Gitlab-Realm") == c["gitlab_realm"])

    def api(self, url, op, data, url_key):
        if not self.authorized():
            return self.send(401, {"error": "unauthorized"})
        v3 = os.path.join(self.server.root, data, "v3")
        query = parse_qs(url.query)
        base = "http://127.0.0.1:%d/_files/%s/v3" % (self.server.server_port, data)
        if op == "supported":
            return self.send(200, {"registries": sorted(os.listdir(v3)) if os.path.isdir(v3) else []})
        if op == "all":
            reg = query.get("purl_type", [""])[0]
            full = os.path.join(v3, reg, "full_dataset")
            try:
                until = json.load(open(os.path.join(full, "checkpoint.json")))["until"]
            except (OSError, ValueError, KeyError):
                return self.send(503, {"reason": "snapshot_not_yet_published"})
            shards = sorted(n[:-len(".tar.zst")] for n in os.listdir(full) if n.endswith(".tar.zst"))
            return self.send(200, {"until": until, "shards": [
                {"shard": s, url_key: "%s/%s/full_dataset/%s.tar.zst" % (base, reg, s)} for s in shards]})
        if op == "delta":
            answer = {}
            not_supported = []
            for since in query.get("since", []):
                reg, seq = since.rsplit(":", 1)
                if not os.path.isdir(os.path.join(v3, reg)):
                    not_supported.append(reg)
                    continue
                ddir = os.path.join(v3, reg, "deltas")
                names = sorted((int(n[:-len(".tar.zst")]), n) for n in
                               (os.listdir(ddir) if os.path.isdir(ddir) else [])
                               if n.endswith(".tar.zst") and n[:-len(".tar.zst")].isdigit())
                newer = [(t, n) for t, n in names if t > int(seq)][:PAGE]
                if newer:
                    answer[reg] = [{"delta": str(t), url_key: "%s/%s/deltas/%s" % (base, reg, n)}
                                   for t, n in newer]
            if not answer and not not_supported:
                return self.send(204)
            return self.send(200, {"purl_types": answer, "not_supported": not_supported})
        self.send(404, {})


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--config", help='JSON file: {"faults": {...}}')
    ap.add_argument("--exit-on-eof", action="store_true")
    args = ap.parse_args()
    if args.config:
        state["faults"] = json.load(open(args.config)).get("faults", {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.root = args.root
    server.token = args.token
    print(server.server_port, flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    if args.exit_on_eof:
        sys.stdin.read()
    else:
        threading.Event().wait()


if __name__ == "__main__":
    main()
