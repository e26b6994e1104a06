#!/usr/bin/python3
"""A Google Cloud Storage JSON API server for the pkgmeta tests.

Serves one directory as one bucket, anonymously, the way doc/format.md section 3
describes the public export bucket:

  GET /storage/v1/b/<bucket>/o?prefix=&startOffset=&pageToken=&maxResults=
  GET /storage/v1/b/<bucket>/o/<percent-encoded name>?alt=media[&generation=]
      (with "Range: bytes=N-": 206 and the rest from byte N)

Pages are small (--page-size, default 3) so clients must follow
nextPageToken.  Objects listed in the configuration under
"content_encoding" are stored gzip-compressed with metadata
contentEncoding=gzip: served as stored when the request says
"Accept-Encoding: gzip", otherwise inflated without Content-Length, as GCS's
decompressive transcoding does.

Faults are injected per object (or for every listing request, key "@list")
from --config FILE and can be replaced at run time with POST /_faults.  A
fault is a JSON object {"kind": K, "times": N, ...}; it applies to the first
N requests for that object after the faults were set (no "times": every
request).  Kinds:
  status    {"status": 503}          answer with that HTTP status
  reset     {"after": bytes}         send that much body, then a TCP reset
  stall     {"after": bytes, "seconds": s}
                                     send that much body, then go quiet
  truncate  {"after": bytes}         announce the full length, send that
                                     much, then close the connection
  corrupt   {}                       flip one byte of the body (the hashes
                                     still describe the stored bytes)
  grow      {"data": text}           append text to the body (default "\n")
  slow      {"piece": bytes, "delay": s}
                                     send the body in pieces of that size,
                                     pausing between them (a slow link, so
                                     that a test can act in mid-transfer)
Server-wide switches, set by keys of the same table (any value):
  @no_range         downloads ignore Range and send the whole object (200)
  @no_list_hashes   listings leave out crc32c and md5Hash
  @no_crc32c        neither listings nor x-goog-hash carry crc32c (md5 only,
                    as for a mirror that does not compute it)

Control endpoints (never part of the real API):
  GET  /_stats   counters of storage API traffic (control requests are
                 not counted): connections, requests, list, download,
                 download_bytes, range_requests, downloads per object,
                 ranges (the "Range: bytes=N-" starts per object), proxied
                 (requests in absolute form, as sent to a proxy: the
                 server answers them itself), user_agent (the last one)
  POST /_reset   zero the counters
  POST /_faults  replace the fault table (JSON body), restarting the counts

With --tls-cert and --tls-key it speaks HTTPS.  Requests in absolute form
(as a client sends them to a proxy) are answered too and counted, so the
server doubles as the proxy in front of itself.

The chosen port is printed alone on the first line of stdout.  Only
127.0.0.1 is bound.  With --exit-on-eof the server stops when its stdin
closes, so a test that dies takes its server with it.
"""

import argparse
import base64
import gzip
import hashlib
import json
import os
import socket
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def _crc32c_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


CRC32C_TABLE = _crc32c_table()


def crc32c(data):
    crc = 0xFFFFFFFF
    table = CRC32C_TABLE
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def b64(raw):
    return base64.b64encode(raw).decode("ascii")


class Bucket:
    """The directory as a bucket: names, stored bytes and their metadata."""

    def __init__(self, root, name, encoded):
        self.root = os.path.realpath(root)
        self.name = name
        self.encoded = set(encoded)
        self._meta_cache = {}
        self._lock = threading.Lock()

    def names(self):
        found = []
        for dirpath, _dirs, files in os.walk(self.root):
            for f in files:
                rel = os.path.relpath(os.path.join(dirpath, f), self.root)
                found.append(rel.replace(os.sep, "/"))
        # GCS orders by the UTF-8 bytes of the name
        found.sort(key=lambda n: n.encode("utf-8"))
        return found

    def path(self, name):
        parts = name.split("/")
        if not name or name.startswith("/") or any(p in ("", ".", "..") for p in parts):
            return None
        p = os.path.join(self.root, *parts)
        return p if os.path.isfile(p) else None

    def metadata(self, name):
        p = self.path(name)
        if p is None:
            return None
        st = os.stat(p)
        key = (name, st.st_size, st.st_mtime_ns)
        with self._lock:
            meta = self._meta_cache.get(key)
        if meta is not None:
            return meta
        with open(p, "rb") as f:
            data = f.read()
        meta = {
            "kind": "storage#object",
            "id": "%s/%s/%d" % (self.name, name, st.st_mtime_ns // 1000),
            "name": name,
            "bucket": self.name,
            "generation": str(st.st_mtime_ns // 1000),
            "metageneration": "1",
            "contentType": "application/octet-stream",
            "storageClass": "STANDARD",
            "size": str(len(data)),
            "md5Hash": b64(hashlib.md5(data).digest()),
            "crc32c": b64(struct.pack(">I", crc32c(data))),
            "etag": "CAE=",
            "timeCreated": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(st.st_mtime)),
            "updated": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(st.st_mtime)),
        }
        if name in self.encoded:
            meta["contentEncoding"] = "gzip"
        with self._lock:
            self._meta_cache[key] = meta
        return meta

    def read(self, name):
        with open(self.path(name), "rb") as f:
            return f.read()


class State:
    """Fault table and counters, shared by all connections."""

    def __init__(self, faults):
        self.lock = threading.Lock()
        self.set_faults(faults)
        self.reset()

    def set_faults(self, faults):
        if not isinstance(faults, dict):
            raise ValueError("faults must be a JSON object keyed by object name")
        with self.lock:
            self.faults = faults
            self.tries = {}

    def reset(self):
        with self.lock:
            self.stats = {"connections": 0, "requests": 0, "list": 0, "download": 0,
                          "download_bytes": 0, "range_requests": 0, "downloads": {},
                          "ranges": {}, "proxied": 0, "user_agent": None}

    def count(self, key, by=1):
        with self.lock:
            self.stats[key] += by

    def fault_for(self, key):
        """The fault to apply to this request for key, or None."""
        with self.lock:
            fault = self.faults.get(key)
            if fault is None:
                return None
            n = self.tries.get(key, 0) + 1
            self.tries[key] = n
            times = fault.get("times")
            if times is not None and n > times:
                return None
            return fault


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "pkgmeta-gcs-test"

    def setup(self):
        super().setup()
        self.connection_counted = False

    def count_api_request(self):
        """Counts requests and connections of the storage API, not /_ ones."""
        state = self.server.state
        if not self.connection_counted:
            self.connection_counted = True
            state.count("connections")
        state.count("requests")

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("gcs_server: %s\n" % (fmt % args))

    # -- replies ------------------------------------------------------------

    def send_json(self, status, obj, extra=None):
        body = json.dumps(obj).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_error_json(self, status, message):
        self.send_json(status, {"error": {"code": status, "message": message,
                                          "errors": [{"message": message, "reason": "test"}]}})

    def reset_connection(self):
        """Abort the connection with a TCP RST (SO_LINGER 0, then close)."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.rfile.close()
            self.connection.close()
        except OSError:
            pass

    def stall(self, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not self.server.stopping.is_set():
            time.sleep(0.05)

    def apply_status_fault(self, fault):
        """Answers now and returns True for faults that replace the whole reply."""
        if fault is None:
            return False
        kind = fault.get("kind")
        if kind == "status":
            status = int(fault.get("status", 503))
            extra = {"Retry-After": "0"} if status == 429 else None
            self.send_json(status, {"error": {"code": status, "message": "injected fault"}}, extra)
            return True
        return False

    # -- requests -----------------------------------------------------------

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        path = url.path

        if path == "/_stats":
            with self.server.state.lock:
                stats = json.loads(json.dumps(self.server.state.stats))
            return self.send_json(200, stats)
        self.count_api_request()
        with self.server.state.lock:
            self.server.state.stats["user_agent"] = self.headers.get("User-Agent")
            if url.scheme:
                # absolute-form request target: the client took us for its proxy
                self.server.state.stats["proxied"] += 1

        for base in ("/storage/v1/b/", "/download/storage/v1/b/"):
            if path.startswith(base):
                rest = path[len(base):]
                break
        else:
            return self.send_error_json(404, "Not Found")
        bucket, sep, rest = rest.partition("/o")
        if urllib.parse.unquote(bucket) != self.server.bucket.name:
            return self.send_error_json(404, "The specified bucket does not exist.")
        if sep and rest in ("", "/"):
            return self.list_objects(query)
        if sep and rest.startswith("/"):
            name = urllib.parse.unquote(rest[1:])
            if query.get("alt", [""])[0] == "media":
                return self.download(name, query)
            meta = self.server.bucket.metadata(name)
            if meta is None:
                return self.send_error_json(404, "No such object: %s/%s" % (bucket, name))
            return self.send_json(200, meta)
        return self.send_error_json(404, "Not Found")

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length) if length else b""
        if self.path == "/_reset":
            self.server.state.reset()
            return self.send_json(200, {"ok": True})
        if self.path == "/_faults":
            try:
                self.server.state.set_faults(json.loads(body.decode("utf-8") or "{}"))
            except ValueError as e:
                return self.send_error_json(400, str(e))
            return self.send_json(200, {"ok": True})
        return self.send_error_json(404, "Not Found")

    def list_objects(self, query):
        state = self.server.state
        state.count("list")
        fault = state.fault_for("@list")
        if self.apply_status_fault(fault):
            return

        def arg(key):
            return query.get(key, [""])[0]

        prefix = arg("prefix")
        start = arg("startOffset")
        end = arg("endOffset")
        token = arg("pageToken")
        page = self.server.page_size
        if arg("maxResults"):
            try:
                page = max(1, min(page, int(arg("maxResults"))))
            except ValueError:
                return self.send_error_json(400, "Invalid maxResults")
        after = None
        if token:
            try:
                after = base64.urlsafe_b64decode(token.encode("ascii")).decode("utf-8")
            except ValueError:
                return self.send_error_json(400, "Invalid pageToken")

        items = []
        more = False
        for name in self.server.bucket.names():
            key = name.encode("utf-8")
            if not name.startswith(prefix):
                continue
            if start and key < start.encode("utf-8"):
                continue
            if end and key >= end.encode("utf-8"):
                continue
            if after is not None and key <= after.encode("utf-8"):
                continue
            if len(items) == page:
                more = True
                break
            items.append(self.listed(self.server.bucket.metadata(name)))
        reply = {"kind": "storage#objects"}
        if more:
            reply["nextPageToken"] = base64.urlsafe_b64encode(
                items[-1]["name"].encode("utf-8")).decode("ascii")
        if items:
            reply["items"] = items
        body = json.dumps(reply).encode("utf-8")
        if fault is not None and fault.get("kind") in ("stall", "truncate", "reset"):
            return self.partial(body, fault, {"Content-Type": "application/json; charset=UTF-8"})
        self.send_json(200, reply)

    def switches(self):
        """The server-wide "@" keys of the fault table that are set."""
        with self.server.state.lock:
            return {k for k in self.server.state.faults if k.startswith("@no_")}

    def listed(self, meta):
        """An object's metadata as the listing shows it."""
        off = self.switches()
        if "@no_list_hashes" in off:
            meta = {k: v for k, v in meta.items() if k not in ("crc32c", "md5Hash")}
        if "@no_crc32c" in off:
            meta = {k: v for k, v in meta.items() if k != "crc32c"}
        return meta

    def download(self, name, query):
        state = self.server.state
        state.count("download")
        meta = self.server.bucket.metadata(name)
        if meta is None:
            return self.send_error_json(404, "No such object: %s/%s" % (self.server.bucket.name, name))
        with state.lock:
            state.stats["downloads"][name] = state.stats["downloads"].get(name, 0) + 1
        fault = state.fault_for(name)
        if self.apply_status_fault(fault):
            return

        wanted = query.get("generation", [""])[0]
        if wanted and wanted != meta["generation"]:
            return self.send_error_json(404, "No such object: %s/%s#%s" % (self.server.bucket.name, name, wanted))
        data = self.server.bucket.read(name)
        headers = {
            "Content-Type": meta["contentType"],
            "x-goog-hash": ("md5=%s" % meta["md5Hash"] if "@no_crc32c" in self.switches()
                            else "crc32c=%s,md5=%s" % (meta["crc32c"], meta["md5Hash"])),
            "x-goog-generation": meta["generation"],
            "x-goog-metageneration": meta["metageneration"],
            "x-goog-stored-content-length": meta["size"],
            "x-goog-stored-content-encoding": meta.get("contentEncoding", "identity"),
            "Cache-Control": "no-cache",
        }
        accepts_gzip = any(
            part.split(";")[0].strip().lower() == "gzip"
            for part in self.headers.get("Accept-Encoding", "").split(","))
        chunked = False
        if meta.get("contentEncoding") == "gzip":
            if accepts_gzip:
                headers["Content-Encoding"] = "gzip"
            else:
                # decompressive transcoding: no Content-Encoding, no Content-Length
                data = gzip.decompress(data)
                chunked = True
        if fault is not None and fault.get("kind") == "corrupt" and data:
            data = bytes([data[0] ^ 0x01]) + data[1:]
        if fault is not None and fault.get("kind") == "grow":
            data += fault.get("data", "\n").encode("utf-8")
        status = 200
        honor_range = "@no_range" not in self.switches()
        first = self.range_start(len(data)) if honor_range and not chunked else None
        if first is not None:
            # "Range: bytes=N-" of the bytes as served
            state.count("range_requests")
            with state.lock:
                state.stats["ranges"].setdefault(name, []).append(first)
            headers["Content-Range"] = "bytes %d-%d/%d" % (first, len(data) - 1, len(data))
            data = data[first:]
            status = 206
        state.count("download_bytes", len(data))
        if fault is not None and fault.get("kind") in ("stall", "truncate", "reset", "slow"):
            return self.partial(data, fault, headers, chunked, status)

        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.write_chunked(data)
        else:
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    def range_start(self, length):
        """N of a satisfiable "Range: bytes=N-" header, else None."""
        value = self.headers.get("Range", "")
        if not value.startswith("bytes=") or not value.endswith("-"):
            return None
        try:
            first = int(value[len("bytes="):-1])
        except ValueError:
            return None
        return first if 0 <= first < length else None

    def write_chunked(self, data, final=True):
        for i in range(0, len(data), 4096):
            piece = data[i:i + 4096]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
        if final:
            self.wfile.write(b"0\r\n\r\n")

    def partial(self, data, fault, headers, chunked=False, status=200):
        """A reply whose body goes wrong after fault["after"] bytes."""
        kind = fault["kind"]
        after = min(int(fault.get("after", 0)), len(data))
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            if kind == "slow":
                return self.drip(data, fault, chunked)
            if chunked:
                self.write_chunked(data[:after], final=False)
            else:
                self.wfile.write(data[:after])
            self.wfile.flush()
            if kind == "reset":
                return self.reset_connection()
            if kind == "truncate":
                self.close_connection = True
                return
            self.stall(float(fault.get("seconds", 3600)))
            if chunked:
                self.write_chunked(data[after:])
            else:
                self.wfile.write(data[after:])
        except OSError:
            self.close_connection = True


    def drip(self, data, fault, chunked):
        piece = max(1, int(fault.get("piece", 1024)))
        delay = float(fault.get("delay", 0.05))
        for i in range(0, len(data), piece):
            if i:
                time.sleep(delay)
            if chunked:
                self.write_chunked(data[i:i + piece], final=False)
            else:
                self.wfile.write(data[i:i + piece])
            self.wfile.flush()
        if chunked:
            self.wfile.write(b"0\r\n\r\n")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # clients that give up mid-reply are part of the tests
        if self.verbose:
            super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", required=True, help="directory served as the bucket")
    ap.add_argument("--bucket", required=True, help="bucket name")
    ap.add_argument("--port", type=int, default=0, help="0: any free port (printed)")
    ap.add_argument("--page-size", type=int, default=3)
    ap.add_argument("--config", help='JSON file: {"faults": {...}, "content_encoding": {name: "gzip"}}')
    ap.add_argument("--tls-cert", help="PEM certificate chain: serve HTTPS")
    ap.add_argument("--tls-key", help="PEM private key of --tls-cert")
    ap.add_argument("--exit-on-eof", action="store_true", help="stop when stdin closes")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()

    config = {}
    if args.config:
        with open(args.config) as f:
            config = json.load(f)
    encoded = [n for n, enc in config.get("content_encoding", {}).items() if enc == "gzip"]

    server = Server(("127.0.0.1", args.port), Handler)
    server.bucket = Bucket(args.root, args.bucket, encoded)
    server.state = State(config.get("faults", {}))
    server.page_size = max(1, args.page_size)
    server.verbose = args.verbose
    server.stopping = threading.Event()
    if args.tls_cert:
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)

    def stop():
        server.stopping.set()
        server.shutdown()

    if args.exit_on_eof:
        def watch():
            while sys.stdin.buffer.read(4096):
                pass
            stop()
        threading.Thread(target=watch, daemon=True).start()

    import signal
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=stop).start())

    print(server.server_address[1], flush=True)
    server.serve_forever(poll_interval=0.1)
    server.server_close()


if __name__ == "__main__":
    main()
