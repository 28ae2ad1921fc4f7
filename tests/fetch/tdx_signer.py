#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""A TEST quoting service for TDX: a PCK hierarchy made at test time, and TD quotes
(v4, TDX 1.0 body) signed by it for any TDREPORT. For the rig's IMDS stand-in
(tests/fetch/server.py) and tests/fetch/tdquote-run; never a trust anchor.

The hierarchy, made the first time DIR is used (P-256, python3-cryptography) and
kept there, private keys included (DIR is a test's temporary directory, never
committed; every subject says TEST and NOT INTEL so no one takes it for Intel's):
  root.pem        "cvmguard TEST Intel SGX Root CA (NOT INTEL)", self-signed; pass
                  it as --intel-root; it is what the verifier pins in its place
  chain.pem       PCK leaf, PCK platform CA, root: certification data type 5
  *.key           the root's, platform CA's, PCK's and attestation key's keys
The PCK leaf carries Intel's SGX extension (1.2.840.113741.1.13.1) with the fields
userspace/tdx_quote.c reads: TCB (16 component SVNs, PCESVN, CPUSVN), PCE-ID,
FMSPC, plus PPID and SGX type as in Intel's PCK certificate profile.

A quote for a TDREPORT (Intel TDX module ABI TDREPORT_STRUCT, 1024 bytes):
  header     v4, ECDSA P-256 AK, TEE type 0x81, QE vendor ID Intel's
  body       TEE_TCB_SVN, MRSEAM, MRSIGNERSEAM, SEAM attributes from TEE_TCB_INFO;
             TD attributes, XFAM, MRTD, MRCONFIGID, MROWNER, MROWNERCONFIG,
             RTMR0-3 from TDINFO; REPORTDATA from REPORTMACSTRUCT
  signature  ECDSA by the attestation key over header || body
  cert data  type 6: QE report (REPORTDATA = SHA-256(AK || QE auth data) || 0^32)
             signed by the PCK key, QE auth data, type 5: the PEM chain
CLI: tdx_signer.py DIR TDREPORT OUT   writes the quote for TDREPORT to OUT
"""
import datetime
import hashlib
import os
import struct
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID

SGX_OID = "1.2.840.113741.1.13.1"
FMSPC = bytes.fromhex("00806f050000")      # a TDX FMSPC's shape; a test value
PCEID = b"\x00\x00"
PCESVN = 13
CPUSVN = bytes([6, 6, 0x13, 0x15, 3, 0xff, 0, 3] + [0] * 8)
QE_VENDOR = bytes.fromhex("939a7233f79c4ca9940a0db3957f0607")   # Intel's QE vendor ID
QE_AUTH = bytes(range(32))


# DER, by hand: the SGX extension is a SEQUENCE of (OID, value) SEQUENCEs.
def _len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def _tlv(tag, v):
    return bytes([tag]) + _len(len(v)) + v


def _oid(dotted):
    p = [int(x) for x in dotted.split(".")]
    out = bytes([40 * p[0] + p[1]])
    for x in p[2:]:
        enc = [x & 0x7f]
        x >>= 7
        while x:
            enc.insert(0, 0x80 | (x & 0x7f))
            x >>= 7
        out += bytes(enc)
    return _tlv(0x06, out)


def _int(v):
    b = v.to_bytes((v.bit_length() + 8) // 8 or 1, "big")
    return _tlv(0x02, b)


def _pair(sub, value):
    return _tlv(0x30, _oid(SGX_OID + "." + sub) + value)


def sgx_extension():
    tcb = b"".join(_pair("2.%d" % i, _int(c)) for i, c in enumerate(CPUSVN, 1))
    tcb += _pair("2.17", _int(PCESVN)) + _pair("2.18", _tlv(0x04, CPUSVN))
    return _tlv(0x30, _pair("1", _tlv(0x04, b"\x7e" * 16)) +       # PPID
                _pair("2", _tlv(0x30, tcb)) +
                _pair("3", _tlv(0x04, PCEID)) +
                _pair("4", _tlv(0x04, FMSPC)) +
                _pair("5", _tlv(0x0a, b"\x00")))                   # SGX type: Standard


def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "cvmguard tests, NOT INTEL")])


def _cert(cn, key, issuer, ikey, ca, serial, sgx=False):
    now = datetime.datetime.now(datetime.timezone.utc)
    b = (x509.CertificateBuilder().subject_name(_name(cn))
         .issuer_name(issuer.subject if issuer else _name(cn))
         .public_key(key.public_key()).serial_number(serial)
         .not_valid_before(now - datetime.timedelta(days=1))
         .not_valid_after(now + datetime.timedelta(days=3650))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None if not ca or not issuer
                                              else 0), critical=True)
         .add_extension(x509.KeyUsage(digital_signature=not ca, content_commitment=not ca,
                                      key_encipherment=False, data_encipherment=False,
                                      key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                                      encipher_only=False, decipher_only=False), critical=True)
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
         .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
             (ikey if issuer else key).public_key()), critical=False))
    if sgx:
        b = b.add_extension(x509.UnrecognizedExtension(x509.ObjectIdentifier(SGX_OID),
                                                        sgx_extension()), critical=False)
    return b.sign(ikey if issuer else key, hashes.SHA256())


def _pem(c):
    return c.public_bytes(serialization.Encoding.PEM)


class Signer:
    """The hierarchy in DIR (made on first use) and quotes signed by it."""

    def __init__(self, d):
        self.dir = d
        os.makedirs(d, exist_ok=True)
        if not os.path.exists(os.path.join(d, "chain.pem")):
            self._make()
        self.pck_key = self._key("pck")
        self.ak = self._key("ak")
        with open(os.path.join(d, "chain.pem"), "rb") as f:
            self.chain = f.read()
        self.root_path = os.path.join(d, "root.pem")

    def _key(self, name):
        with open(os.path.join(self.dir, name + ".key"), "rb") as f:
            return serialization.load_pem_private_key(f.read(), None)

    def _make(self):
        keys = {n: ec.generate_private_key(ec.SECP256R1()) for n in ("root", "ca", "pck", "ak")}
        root = _cert("cvmguard TEST Intel SGX Root CA (NOT INTEL)", keys["root"], None, None, True, 1)
        ca = _cert("cvmguard TEST Intel SGX PCK Platform CA (NOT INTEL)", keys["ca"], root,
                   keys["root"], True, 2)
        pck = _cert("cvmguard TEST Intel SGX PCK Certificate (NOT INTEL)", keys["pck"], ca,
                    keys["ca"], False, 3, sgx=True)
        for n, k in keys.items():
            with open(os.path.join(self.dir, n + ".key"), "wb") as f:
                f.write(k.private_bytes(serialization.Encoding.PEM,
                                        serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption()))
        with open(os.path.join(self.dir, "root.pem"), "wb") as f:
            f.write(_pem(root))
        # the chain last: its presence says the hierarchy is complete
        with open(os.path.join(self.dir, "chain.pem.tmp"), "wb") as f:
            f.write(_pem(pck) + _pem(ca) + _pem(root))
        os.rename(os.path.join(self.dir, "chain.pem.tmp"), os.path.join(self.dir, "chain.pem"))

    @staticmethod
    def _sig(key, msg):
        r, s = decode_dss_signature(key.sign(msg, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    @staticmethod
    def body(t):
        """The TD report body (TDX 1.0, 584 bytes) for a TDREPORT."""
        if len(t) != 1024 or t[0] != 0x81:
            raise ValueError("not a TDREPORT")
        tcb, td = t[256:256 + 239], t[512:1024]
        return (tcb[8:24] + tcb[24:72] + tcb[72:120] + tcb[120:128] +   # SVN, MRSEAM, -SIGNER, attr
                td[0:8] + td[8:16] + td[16:64] +                        # TD attributes, XFAM, MRTD
                td[64:112] + td[112:160] + td[160:208] +                # MRCONFIGID, MROWNER(CONFIG)
                td[208:400] + t[128:192])                               # RTMR0-3, REPORTDATA

    def quote(self, tdreport):
        """A v4 quote for TDREPORT, signed by the attestation key, certified by the PCK."""
        hdr = struct.pack("<HHIHH", 4, 2, 0x81, 0, 0) + QE_VENDOR + bytes(20)
        signed = hdr + self.body(tdreport)
        ak_pub = self.ak.public_key().public_bytes(serialization.Encoding.X962,
                                                   serialization.PublicFormat.UncompressedPoint)[1:]
        rd = hashlib.sha256(ak_pub + QE_AUTH).digest() + bytes(32)
        qe = bytearray(384)
        qe[0:16] = CPUSVN                   # CPUSVN
        qe[256:258] = struct.pack("<H", 2)  # ISVPRODID: the TD QE
        qe[258:260] = struct.pack("<H", 4)  # ISVSVN
        qe[320:384] = rd
        qe = bytes(qe)
        inner = (qe + self._sig(self.pck_key, qe) + struct.pack("<H", len(QE_AUTH)) + QE_AUTH +
                 struct.pack("<HI", 5, len(self.chain)) + self.chain)
        sigdata = self._sig(self.ak, signed) + ak_pub + struct.pack("<HI", 6, len(inner)) + inner
        return signed + struct.pack("<I", len(sigdata)) + sigdata


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: tdx_signer.py DIR TDREPORT OUT")
    s = Signer(sys.argv[1])
    with open(sys.argv[2], "rb") as f:
        q = s.quote(f.read())
    with open(sys.argv[3], "wb") as f:
        f.write(q)
