#!/usr/bin/env python3
"""slow-upload-proxy.py UPSTREAM PORTFILE DELAY_S: an HTTP proxy in front of personio-emu that
holds every POST /v1/company/documents for DELAY_S seconds before passing it on, and passes it
on even when its client has gone (as a server goes on with a request whose client was killed).
Everything else goes straight through. For tests/review-documents.bats only."""
import sys, time, urllib.request, urllib.error
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler

UP, PORTFILE, DELAY = sys.argv[1], sys.argv[2], float(sys.argv[3])

class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def go(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else None
        if self.command == "POST" and self.path.startswith("/v1/company/documents"):
            time.sleep(DELAY)
        req = urllib.request.Request(UP + self.path, data=body, method=self.command)
        for k in ("Authorization", "Content-Type", "X-Personio-App-ID", "Accept"):
            if self.headers.get(k):
                req.add_header(k, self.headers[k])
        try:
            r = urllib.request.urlopen(req)
            st, hd, data = r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            st, hd, data = e.code, e.headers, e.read()
        try:
            self.send_response(st)
            for k in ("Content-Type", "Retry-After"):
                if hd.get(k):
                    self.send_header(k, hd[k])
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass

    do_GET = do_POST = go

s = ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(s.server_address[1]))
import os
os.rename(PORTFILE + ".tmp", PORTFILE)
s.serve_forever()
