#!/usr/bin/env python3
"""A stand-in for Azure IMDS (THIM) and AMD's KDS, for tests/fetch/run.

Serves, from DATA (tests/data):
  GET /metadata/THIM/amd/certification   THIM JSON: vcekCert, certificateChain, tcbm,
                                         cacheControl (IMDS answers 400 without
                                         "Metadata: true", as the real one does)
  GET /vcek/v1/Milan/<hwid>?...          the VCEK (DER), as KDS
  GET /vcek/v1/Milan/cert_chain          ASK then ARK (PEM), as KDS
  POST /acc/tdquote {"report": base64url} {"quote": base64url} with the Azure TD
                                         quote tdx-quote/quote-v4.bin, for a
                                         1024-byte TDREPORT (400 otherwise); with
                                         CVMGUARD_TEST_PCK=DIR, a quote signed for
                                         the TDREPORT posted (tdx_signer.py)
The fault comes from the file MODE, read at each request:
  ok, sleep (answer after 10 s), 500, flaky (500 for the first 2 requests, then ok),
  garbage, truncated (Content-Length beyond the body, then close), oversize (4 MiB),
  wrongcert (another chip's VCEK chain), badjson (JSON without vcekCert),
  wrongquote (the v5 quote, another TD's; signing: a quote for another TDREPORT),
  badsig (the quote's signature flipped), stdb64 (the quote in standard base64
  with padding).
Each request is appended to LOG as "METHOD PATH metadata=<header>".
It writes its port to PORTFILE once it listens. Usage:
  server.py DATA MODE LOG PORTFILE [CHAIN.pem]
With CHAIN.pem (tests/vm/run --imds: the paravisor stand-in's VCEK, ASK, ARK, read
at each request) THIM serves that chain instead of the Milan one.
"""
import base64
import json
import os
import ssl
import struct
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

data, mode_file, log_file, port_file = sys.argv[1:5]
# The rig passes the paravisor stand-in's chain (VCEK, ASK, ARK): THIM serves it.
chain_file = sys.argv[5] if len(sys.argv) > 5 else None


def rd(p):
    with open(os.path.join(data, p), "rb") as f:
        return f.read()


def pem_blocks(text):
    out, cur = [], []
    for line in text.splitlines(keepends=True):
        if "BEGIN CERTIFICATE" in line:
            cur = [line]
        elif cur:
            cur.append(line)
            if "END CERTIFICATE" in line:
                out.append("".join(cur))
                cur = []
    return out


VCEK_DER = rd("snp-milan/vcek.der")
VCEK_PEM = ssl.DER_cert_to_PEM_cert(VCEK_DER)
CHAIN = rd("amd/milan-ask.pem").decode() + rd("amd/milan-ark.pem").decode()
TCB = struct.unpack_from("<Q", rd("snp-milan/report.bin"), 0x180)[0]
WRONG = pem_blocks(rd("azure-snp/unrelated-milan-chain.pem").decode())


def thim(wrong=False):
    if chain_file and not wrong:
        with open(chain_file) as f:
            certs = pem_blocks(f.read())
        return json.dumps({"vcekCert": certs[0], "tcbm": "%016X" % 0,
                           "certificateChain": "".join(certs[1:]),
                           "cacheControl": "86400"}).encode()
    return json.dumps({
        "vcekCert": WRONG[0] if wrong else VCEK_PEM,
        "tcbm": "%016X" % TCB,
        "certificateChain": "".join(WRONG[1:]) if wrong else CHAIN,
        "cacheControl": "86400",
    }).encode()


QUOTE = rd("tdx-quote/quote-v4.bin")
# CVMGUARD_TEST_PCK=DIR (tests/vm/run, tests/fetch/tdquote-run): /acc/tdquote signs
# a quote for the TDREPORT posted with the test PCK hierarchy in DIR (made now if
# absent; DIR/root.pem is the --intel-root). Without it, the canned Azure quote.
SIGNER = None
if os.environ.get("CVMGUARD_TEST_PCK"):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from tdx_signer import Signer
    SIGNER = Signer(os.environ["CVMGUARD_TEST_PCK"])
QUOTE5 = rd("tdx-quote/quote-v5.bin")


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, code, body, ctype="application/json", length=None):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        self.close_connection = True

    def start(self, method):
        with open(log_file, "a") as f:
            f.write(f"{method} {self.path} metadata={self.headers.get('Metadata')}\n")
        with open(log_file) as f:
            requests = len(f.readlines())   # since the test emptied the log
        try:
            with open(mode_file) as f:
                mode = f.read().strip()
        except FileNotFoundError:
            mode = "ok"
        return mode, requests

    def do_POST(self):
        mode, requests = self.start("POST")
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n) if 0 < n < 65536 else b""
        if self.path != "/acc/tdquote":
            return self.send(404, b"not found", "text/plain")
        try:
            rep = json.loads(raw)["report"]
            assert "=" not in rep and "+" not in rep and "/" not in rep
            tdreport = base64.urlsafe_b64decode(rep + "=" * (-len(rep) % 4))
            assert len(tdreport) == 1024 and tdreport[0] == 0x81
        except Exception:
            return self.send(400, b'{"error":"bad report"}')
        with open(log_file + ".tdreport", "wb") as f:
            f.write(tdreport)
        if mode == "sleep":
            time.sleep(10)
        if mode == "500" or (mode == "flaky" and requests <= 2):
            return self.send(500, b"internal error")
        if mode == "garbage":
            return self.send(200, b"\x00\xffnot json at all{")
        if mode == "oversize":
            return self.send(200, b" " * (4 << 20))
        if SIGNER:
            # As Azure's quoting service would: a quote for the TDREPORT posted,
            # signed by the test PCK hierarchy; wrongquote: for another TD's
            # TDREPORT (one bit of MRTD flipped), validly signed all the same.
            other = bytearray(tdreport)
            other[528] ^= 1
            q = SIGNER.quote(bytes(other) if mode == "wrongquote" else tdreport)
        else:
            q = QUOTE5 if mode == "wrongquote" else QUOTE
        if mode == "badsig":
            q = bytearray(q)
            q[48 + 584 + 4 + 5] ^= 1
            q = bytes(q)
        body = json.dumps({"quote": base64.b64encode(q).decode() if mode == "stdb64"
                           else b64url(q)}).encode()
        if mode == "truncated":
            return self.send(200, body[: len(body) // 2], length=len(body))
        return self.send(200, body)

    def do_GET(self):
        mode, requests = self.start("GET")
        thim_req = self.path == "/metadata/THIM/amd/certification"
        if thim_req and self.headers.get("Metadata") != "true":
            return self.send(400, b'{"error":"Required metadata header not specified"}')
        if mode == "sleep":
            time.sleep(10)
        if mode == "500" or (mode == "flaky" and requests <= 2):
            return self.send(500, b"internal error")
        if mode == "garbage":
            return self.send(200, b"\x00\xffnot json at all{")
        if mode == "oversize":
            return self.send(200, b" " * (4 << 20))
        if thim_req:
            body = thim(mode == "wrongcert")
            if mode == "badjson":
                body = json.dumps({"tcbm": "00", "certificateChain": CHAIN}).encode()
            if mode == "truncated":
                return self.send(200, body[: len(body) // 2], length=len(body))
            return self.send(200, body)
        if self.path.startswith("/vcek/v1/Milan/cert_chain"):
            return self.send(200, CHAIN.encode(), "application/x-pem-file")
        if self.path.startswith("/vcek/v1/Milan/"):
            return self.send(200, VCEK_DER, "application/pkix-cert")
        return self.send(404, b"not found", "text/plain")


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass    # a client that hangs up on a fault is what the faults are for


srv = Server(("127.0.0.1", 0), H)
with open(port_file + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(port_file + ".tmp", port_file)
srv.serve_forever()
