"""Capture server for gen.py: writes each request it receives to OUT_DIR as
<n>.http (request line, every header, blank line, body) and answers {}."""
import http.server, os, sys, itertools

OUT = sys.argv[2]
counter = itertools.count(1)

class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        head = f"{self.command} {self.path}\n" + "".join(f"{k}: {v}\n" for k, v in self.headers.items())
        with open(os.path.join(OUT, f"{next(counter):03d}.http"), "wb") as f:
            f.write(head.encode() + b"\n" + body)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(b"{}")
    do_GET = do_POST = do_HEAD = handle_any
    def log_message(self, *a):
        pass

http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
