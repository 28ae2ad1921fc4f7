#!/usr/bin/env python3
"""A stand-in for Azure IMDS (THIM), AMD's KDS and an Intel PCCS, for tests/fetch/run.

Serves, from DATA (tests/data):
  GET /metadata/THIM/amd/certification   THIM JSON: vcekCert, certificateChain, tcbm,
                                         cacheControl (IMDS answers 400 without
                                         "Metadata: true", as the real one does)
  GET /vcek/v1/Milan/<hwid>?...          the VCEK (DER), as KDS
  GET /vcek/v1/Milan/cert_chain          ASK then ARK (PEM), as KDS
  GET /sgx/certification/v4/..., /tdx/certification/v4/...   Intel PCS v4 (PCCS):
                                         the DCAP collateral of tdx-dcap/quote.bin
                                         (see the PCS routes below for their modes)
  POST /acc/tdquote {"report": base64url} {"quote": base64url} with the Azure TD
                                         quote tdx-quote/quote-v4.bin, for a
                                         1024-byte TDREPORT (400 otherwise); with
                                         CVMGUARD_TEST_PCK=DIR, a quote signed for
                                         the TDREPORT posted (tdx_signer.py)
The fault comes from the file MODE, read at each request:
  ok, sleep (answer after 10 s), 500, flaky (500 for the first 2 requests, then ok),
  garbage, truncated (Content-Length beyond the body, then close), oversize (4 MiB),
  wrongcert (another chip's VCEK chain), badjson (JSON without vcekCert),
  wrongtcbm (the genuine chain, tcbm one microcode SPL off the report's),
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


def vcek_tcbm(pem):
    """THIM's tcbm for a VCEK: its TCB extensions as the REPORTED_TCB u64, in hex."""
    import warnings
    from cryptography import x509
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # a test VCEK's serial may be 0
        cert = x509.load_pem_x509_certificate(pem.encode())

    def ext(oid):
        try:
            v = cert.extensions.get_extension_for_oid(x509.ObjectIdentifier(oid)).value
        except x509.ExtensionNotFound:
            return 0
        return int.from_bytes(v.value[2:], "big")    # DER INTEGER, short form
    spl = {k: ext("1.3.6.1.4.1.3704.1.3." + str(n))
           for k, n in (("bl", 1), ("tee", 2), ("snp", 3), ("ucode", 8), ("fmc", 9))}
    try:
        prod = cert.extensions.get_extension_for_oid(
            x509.ObjectIdentifier("1.3.6.1.4.1.3704.1.2")).value.value
    except x509.ExtensionNotFound:
        prod = b""
    if b"Turin" in prod:
        b = [spl["fmc"], spl["bl"], spl["tee"], spl["snp"], 0, 0, 0, spl["ucode"]]
    else:
        b = [spl["bl"], spl["tee"], 0, 0, 0, 0, spl["snp"], spl["ucode"]]
    return "%016X" % int.from_bytes(bytes(b), "little")


def thim(wrong=False, bad_tcbm=False):
    if chain_file and not wrong:
        with open(chain_file) as f:
            certs = pem_blocks(f.read())
        return json.dumps({"vcekCert": certs[0], "tcbm": vcek_tcbm(certs[0]),
                           "certificateChain": "".join(certs[1:]),
                           "cacheControl": "86400"}).encode()
    return json.dumps({
        "vcekCert": WRONG[0] if wrong else VCEK_PEM,
        "tcbm": "%016X" % (TCB ^ (1 << 56) if bad_tcbm else TCB),
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


# --- Intel PCS v4 (PCCS) routes: DCAP collateral for tdx-dcap/quote.bin ---------
# GET /sgx/certification/v4/pckcrl?ca=platform   the PCK CRL (DER), chain in the
#                                               SGX-PCK-CRL-Issuer-Chain header
# GET /sgx/certification/v4/rootcacrl           the root CA CRL, hex (as a PCCS)
# GET /tdx/certification/v4/tcb?fmspc=B0C06F000000  {"tcbInfo":...,"signature":...},
#                                               chain in TCB-Info-Issuer-Chain
# GET /tdx/certification/v4/qe/identity         {"enclaveIdentity":...,"signature"},
#                                               chain in SGX-Enclave-Identity-Issuer-Chain
# Issuer chains are URL-encoded PEM, as Intel's PCS sends them. What is served is
# tdx-dcap/collateral.json, the real collateral, unless MODE says otherwise:
#   tcb-badsig      the TCB info's signature with one bit flipped
#   qe-badsig       the QE identity's signature with one bit flipped
#   tcb-qechain     TCB-Info-Issuer-Chain holds another genuine Intel chain (the PCK
#                   CRL's: Platform CA, root), not the TCB signing certificate's
#   tcb-nohdr       no TCB-Info-Issuer-Chain header
#   tcb-v3hdr       the chain under the older name SGX-TCB-Info-Issuer-Chain
#   tcb-truncated   the TCB answer cut in half (Content-Length says more)
#   pckcrl-root     the root CA CRL served as the PCK CRL (signed, but not the
#                   PCK CA's)
#   pcs-test        everything re-signed by a test hierarchy with Intel's names
#                   (an attacker's own root; its certificate is written to
#                   LOG.testroot.pem for --intel-root)
#   pcs-test-fmspc  as pcs-test, the TCB info for FMSPC 00906ED50000, not the quote's
#   pcs-test-processor  as pcs-test, the PCK CRL (and its chain) the Processor CA's
#                   while the quote's PCK certificate is the Platform CA's
COLL = json.loads(rd("tdx-dcap/collateral.json"))
FMSPC = "B0C06F000000"
TESTPKI = {}


def test_pki():
    """A test root, TCB signing certificate and PCK Platform CA named as Intel's."""
    if TESTPKI:
        return TESTPKI
    import datetime
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    intel_root = x509.load_pem_x509_certificates(COLL["tcb_info_issuer_chain"].encode())[-1]

    def name(cn):
        # Intel's names, string types and all, so they compare equal (DER) to the real ones
        return x509.Name([x509.NameAttribute(a.oid, cn if a.oid == NameOID.COMMON_NAME
                                             else a.value, _type=a._type)
                          for a in intel_root.subject])
    t0 = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)
    t1 = datetime.datetime(2049, 1, 1, tzinfo=datetime.timezone.utc)

    def cert(cn, key, issuer=None, ikey=None, ca=True):
        b = (x509.CertificateBuilder().subject_name(name(cn))
             .issuer_name(issuer.subject if issuer else name(cn))
             .public_key(key.public_key()).serial_number(x509.random_serial_number())
             .not_valid_before(t0).not_valid_after(t1)
             .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
             .add_extension(x509.KeyUsage(digital_signature=not ca, content_commitment=False,
                                          key_encipherment=False, data_encipherment=False,
                                          key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                                          encipher_only=False, decipher_only=False), critical=True)
             .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                            critical=False)
             .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                 (ikey or key).public_key()), critical=False))
        return b.sign(ikey or key, hashes.SHA256())

    def crl(issuer, ikey):
        return (x509.CertificateRevocationListBuilder().issuer_name(issuer.subject)
                .last_update(datetime.datetime(2025, 6, 1, tzinfo=datetime.timezone.utc))
                .next_update(datetime.datetime(2026, 6, 1, tzinfo=datetime.timezone.utc))
                .sign(ikey, hashes.SHA256()))
    rk, sk, pk = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    root = cert("Intel SGX Root CA", rk)
    signer = cert("Intel SGX TCB Signing", sk, root, rk, ca=False)
    pckca = cert("Intel SGX PCK Platform CA", pk, root, rk)
    procca = cert("Intel SGX PCK Processor CA", pk, root, rk)
    pem = lambda c: c.public_bytes(serialization.Encoding.PEM).decode()
    der = lambda c: c.public_bytes(serialization.Encoding.DER)
    TESTPKI.update(root=pem(root), signer_key=sk, tcb_chain=pem(signer) + pem(root),
                   crl_chain=pem(pckca) + pem(root), root_crl=der(crl(root, rk)).hex(),
                   pck_crl=der(crl(pckca, pk)).hex(), proc_chain=pem(procca) + pem(root),
                   proc_crl=der(crl(procca, pk)).hex())
    with open(log_file + ".testroot.pem", "w") as f:
        f.write(TESTPKI["root"])
    return TESTPKI


def test_sign(text):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
    r, s = decode_dss_signature(test_pki()["signer_key"].sign(text.encode(),
                                                              ec.ECDSA(hashes.SHA256())))
    return (r.to_bytes(32, "big") + s.to_bytes(32, "big")).hex()


def pcs_collateral(mode):
    c = dict(COLL)
    if mode.startswith("pcs-test"):
        t = test_pki()
        tcb = c["tcb_info"]
        if mode == "pcs-test-fmspc":
            tcb = tcb.replace('"fmspc":"%s"' % FMSPC, '"fmspc":"00906ED50000"')
        c.update(tcb_info=tcb, tcb_info_signature=test_sign(tcb),
                 qe_identity_signature=test_sign(c["qe_identity"]),
                 tcb_info_issuer_chain=t["tcb_chain"], qe_identity_issuer_chain=t["tcb_chain"],
                 pck_crl_issuer_chain=t["crl_chain"], root_ca_crl=t["root_crl"],
                 pck_crl=t["pck_crl"])
        if mode == "pcs-test-processor":
            c.update(pck_crl_issuer_chain=t["proc_chain"], pck_crl=t["proc_crl"])
    return c


def flip(hexsig):
    return hexsig[:-1] + "%x" % (int(hexsig[-1], 16) ^ 1)


def pcs(h, mode):
    """Answer one PCS v4 request (see the table above)."""
    from urllib.parse import parse_qs, quote
    c = pcs_collateral(mode)
    path, _, query = h.path.partition("?")
    q = parse_qs(query)
    hdrs = {}
    enc = lambda pem: quote(pem, safe="")
    ctype = "application/json"
    if path == "/sgx/certification/v4/pckcrl" and q.get("ca") == ["platform"]:
        body = bytes.fromhex(c["root_ca_crl" if mode == "pckcrl-root" else "pck_crl"])
        hdrs["SGX-PCK-CRL-Issuer-Chain"] = enc(c["pck_crl_issuer_chain"])
        ctype = "application/pkix-crl"
    elif path == "/sgx/certification/v4/rootcacrl":
        body = c["root_ca_crl"].encode()
        ctype = "text/plain"
    elif path == "/tdx/certification/v4/tcb" and q.get("fmspc") == [FMSPC]:
        sig = flip(c["tcb_info_signature"]) if mode == "tcb-badsig" else c["tcb_info_signature"]
        body = ('{"tcbInfo":%s,"signature":"%s"}' % (c["tcb_info"], sig)).encode()
        chain = c["pck_crl_issuer_chain"] if mode == "tcb-qechain" else c["tcb_info_issuer_chain"]
        if mode != "tcb-nohdr":
            hdrs["SGX-TCB-Info-Issuer-Chain" if mode == "tcb-v3hdr"
                 else "TCB-Info-Issuer-Chain"] = enc(chain)
    elif path == "/tdx/certification/v4/qe/identity":
        sig = flip(c["qe_identity_signature"]) if mode == "qe-badsig" else c["qe_identity_signature"]
        body = ('{"enclaveIdentity":%s,"signature":"%s"}' % (c["qe_identity"], sig)).encode()
        hdrs["SGX-Enclave-Identity-Issuer-Chain"] = enc(c["qe_identity_issuer_chain"])
    else:
        body, ctype = b'{"error":"not found"}', "application/json"
        return pcs_send(h, 404, body, ctype, {})
    length = len(body)
    if mode == "tcb-truncated" and path.endswith("/tcb"):
        body = body[: len(body) // 2]
    return pcs_send(h, 200, body, ctype, hdrs, length)


def pcs_send(h, code, body, ctype, hdrs, length=None):
    h.send_response(code)
    h.send_header("Content-Type", ctype)
    h.send_header("Content-Length", str(len(body) if length is None else length))
    for k, v in hdrs.items():
        h.send_header(k, v)
    h.send_header("Connection", "close")
    h.end_headers()
    h.wfile.write(body)
    h.wfile.flush()
    h.close_connection = True


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
        if self.path.startswith(("/sgx/certification/v4/", "/tdx/certification/v4/")):
            return pcs(self, mode)
        if thim_req:
            body = thim(mode == "wrongcert", mode == "wrongtcbm")
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
