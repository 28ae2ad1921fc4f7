#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Forgery corpus generator: evidence made the way an attacker who controls the
host would make it, each defect next to a control that differs only in it.

    gen.py OUTDIR

Writes OUTDIR/*.bin|pem|policy and OUTDIR/MANIFEST, one case a line:

    NAME EXPECTED-EXIT [!]CHECK -- ARGS...

ARGS are `cvmguard` arguments; a relative path names a file in OUTDIR. CHECK is
`-` (exit code only), `json` (stdout of --json is valid UTF-8 JSON without raw
control characters), `oneverdict` (text output: one line starting "verdict:",
the last), `nopcr:N` (the --json claims report no value for PCR N). tests/forgery/
run checks every line. The corpus is checked in; this script is how it was made
(RSA keys are random, so rerunning gives other bytes with the same meaning).

The test PKI is an AMD-shaped ARK -> ASK -> VCEK made here (RSA-4096, RSA-PSS
SHA-384 salt 48; VCEK P-384 with AMD's TCB and hwID extensions), trusted with
--root: forged evidence is as well signed as the host could make it with a key
the verifier was told to trust, so only the defect can make it fail.
"""
import datetime
import hashlib
import json
import os
import struct
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from cryptography.x509.oid import NameOID

OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)
MANIFEST = []
NONCE = bytes(range(1, 33))
NONCE_HEX = NONCE.hex()
PSS = padding.PSS(mgf=padding.MGF1(hashes.SHA384()), salt_length=48)
NOT_BEFORE = datetime.datetime(2020, 1, 1)
NOT_AFTER = datetime.datetime(2045, 1, 1)
TCB = dict(bl=3, tee=0, snp=8, ucode=115)


def w(name, data):
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)
    return name


def case(name, rc, check, *args):
    MANIFEST.append(f"{name} {rc} {check} -- " + " ".join(args))


def amd_name(cn):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Engineering"),
                      x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Advanced Micro Devices"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def cert(subject, issuer, key, signer, ca, exts=()):
    b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(NOT_BEFORE).not_valid_after(NOT_AFTER))
    if ca:
        b = b.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    for e in exts:
        b = b.add_extension(e, critical=False)
    return b.sign(signer, hashes.SHA384(), rsa_padding=PSS)


def der_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, 'big')
    return bytes([0x80 | len(b)]) + b


def tlv(tag, body):
    return bytes([tag]) + der_len(len(body)) + body


def resign(c, signer, tbs):
    """A certificate with TBSCertificate @tbs, signed again by @signer."""
    sig = signer.sign(tbs, PSS, hashes.SHA384())
    alg = c.tbs_certificate_bytes  # (only to get at the AlgorithmIdentifier below)
    full = c.public_bytes(serialization.Encoding.DER)
    # Certificate ::= SEQUENCE { tbs, signatureAlgorithm, signatureValue }
    hdr = 2 + (full[1] & 0x7f if full[1] & 0x80 else 0)
    body = full[hdr:]
    old_tbs_len = len(c.tbs_certificate_bytes)
    rest = body[old_tbs_len:]
    alg_len = 2 + (rest[1] & 0x7f if rest[1] & 0x80 else 0)
    alg_len += int.from_bytes(rest[2:alg_len], 'big') if rest[1] & 0x80 else rest[1]
    del alg
    return tlv(0x30, tbs + rest[:alg_len] + tlv(0x03, b'\0' + sig))


# --- the test PKI
ark_key = rsa.generate_private_key(65537, 4096)
ask_key = rsa.generate_private_key(65537, 4096)
vcek_key = ec.generate_private_key(ec.SECP384R1())
ak_key = rsa.generate_private_key(65537, 2048)
CHIP_ID = hashlib.sha512(b"forgery corpus chip").digest()
ark = cert(amd_name("ARK-Milan"), amd_name("ARK-Milan"), ark_key, ark_key, True)
ask = cert(amd_name("SEV-Milan"), amd_name("ARK-Milan"), ask_key, ark_key, True)


def vcek_exts(hwid):
    def ext(oid, value):
        return x509.UnrecognizedExtension(x509.ObjectIdentifier(oid), value)
    i = lambda v: tlv(0x02, bytes([v]) if v < 0x80 else b'\0' + bytes([v]))
    return [ext("1.3.6.1.4.1.3704.1.2", tlv(0x16, b"Milan-B0")),
            ext("1.3.6.1.4.1.3704.1.3.1", i(TCB['bl'])),
            ext("1.3.6.1.4.1.3704.1.3.2", i(TCB['tee'])),
            ext("1.3.6.1.4.1.3704.1.3.3", i(TCB['snp'])),
            ext("1.3.6.1.4.1.3704.1.3.8", i(TCB['ucode'])),
            ext("1.3.6.1.4.1.3704.1.4", hwid)]


vcek = cert(amd_name("SEV-VCEK"), amd_name("SEV-Milan"), vcek_key, ask_key, False,
            vcek_exts(CHIP_ID))
pem = lambda c: c.public_bytes(serialization.Encoding.PEM)
w("ark.pem", pem(ark))
w("chain.pem", pem(vcek) + pem(ask))
w("chain-root-first.pem", pem(ark) + pem(ask) + pem(vcek))
ROOT = ["--root", "ark.pem", "--chain", "chain.pem"]

# A VCEK whose notAfter does not parse (month 13), signed as well as the good one.
tbs = vcek.tbs_certificate_bytes
good_na = NOT_AFTER.strftime("%y%m%d%H%M%SZ").encode()    # UTCTime before 2050
assert tbs.count(good_na) == 1, "notAfter not found once in the TBS"
bad_tbs = tbs.replace(good_na, b"451301000000Z")
w("chain-bad-notafter.pem", b"-----BEGIN CERTIFICATE-----\n" +
  __import__('base64').encodebytes(resign(vcek, ask_key, bad_tbs)) +
  b"-----END CERTIFICATE-----\n" + pem(ask))
# control: the same re-signing path, the valid notAfter
w("chain-resigned.pem", b"-----BEGIN CERTIFICATE-----\n" +
  __import__('base64').encodebytes(resign(vcek, ask_key, tbs)) +
  b"-----END CERTIFICATE-----\n" + pem(ask))


# --- SNP reports
def tcb_u64(bl=TCB['bl'], tee=TCB['tee'], snp=TCB['snp'], ucode=TCB['ucode']):
    return bl | tee << 8 | snp << 48 | ucode << 56


def snp_report(report_data=bytes(64), vmpl=0, policy=0x3001f, patch=None,
               current=None, reported=None, committed=None):
    r = bytearray(1184)
    struct.pack_into('<IIQ', r, 0, 2, 0, policy)
    struct.pack_into('<II', r, 0x30, vmpl, 1)
    struct.pack_into('<Q', r, 0x38, current if current is not None else tcb_u64())
    r[0x50:0x90] = report_data
    r[0x90:0xc0] = hashlib.sha384(b"launch measurement").digest()
    struct.pack_into('<Q', r, 0x180, reported if reported is not None else tcb_u64())
    r[0x1a0:0x1e0] = CHIP_ID
    struct.pack_into('<Q', r, 0x1e0, committed if committed is not None else tcb_u64())
    r[0x1e8:0x1eb] = bytes([4, 52, 1])
    r[0x1ec:0x1ef] = bytes([4, 52, 1])
    struct.pack_into('<Q', r, 0x1f0, tcb_u64())
    for off, val in (patch or {}).items():
        r[off] = val
    sig = vcek_key.sign(bytes(r[:0x2a0]), ec.ECDSA(hashes.SHA384()))
    rr, ss = utils.decode_dss_signature(sig)
    r[0x2a0:0x2e8] = rr.to_bytes(72, 'little')
    r[0x2e8:0x330] = ss.to_bytes(72, 'little')
    return bytes(r)


def b64u(n):
    import base64
    return base64.urlsafe_b64encode(n).rstrip(b'=').decode()


def claims(user_data=NONCE, extra=None):
    pub = ak_key.public_key().public_numbers()
    c = {"keys": [{"kid": "HCLAkPub", "key_ops": ["sign"], "kty": "RSA",
                   "e": b64u(pub.e.to_bytes(3, 'big')),
                   "n": b64u(pub.n.to_bytes(256, 'big'))}],
         "vm-configuration": {"secure-boot": True, "tpm-enabled": True},
         "user-data": (user_data + bytes(64 - len(user_data))).hex().upper()}
    j = json.dumps(c, separators=(',', ':')).encode()
    if extra:
        j = j[:-1] + b',' + extra + b'}'
    return j


def hcl(cl, vmpl=0, kind=2, tdx_attr=0, **kw):
    rd = hashlib.sha256(cl).digest() + bytes(32)
    h = bytearray(1236)
    h[0:4] = b"HCLA"
    struct.pack_into('<IIII', h, 4, 2, 1236 + len(cl), 2, 0)
    if kind == 2:
        h[32:32 + 1184] = snp_report(rd, vmpl=vmpl, **kw)
    else:
        t = bytearray(1024)
        t[0] = 0x81                     # REPORTMACSTRUCT.type: TDX
        t[0x80:0xc0] = rd
        struct.pack_into('<Q', t, 512, tdx_attr)
        t[528:576] = hashlib.sha384(b"made-up MRTD").digest()
        h[32:32 + 1024] = t
    struct.pack_into('<IIIII', h, 1216, 20 + len(cl), 1, kind, 1, len(cl))
    return bytes(h) + cl


# --- TCG logs (SHA-256 bank only) and replay
SPEC = (struct.pack('<II', 0, 3) + bytes(20) + struct.pack('<I', 33) + b"Spec ID Event03\0" +
        struct.pack('<I', 0) + bytes([0, 2, 0, 2]) + struct.pack('<IHH', 1, 0x0b, 32) + b'\0')


def event(pcr, typ, data, digest=None):
    d = digest if digest is not None else hashlib.sha256(data).digest()
    return struct.pack('<IIIH', pcr, typ, 1, 0x0b) + d + struct.pack('<I', len(data)) + data


def replay(events, pcrs):
    for pcr, _, data, digest in events:
        d = digest if digest is not None else hashlib.sha256(data).digest()
        pcrs[pcr] = hashlib.sha256(pcrs[pcr] + d).digest()


FW = [(p, 0x4, b'\0\0\0\0', None) for p in range(8)] + \
     [(9, 0xd, b"grub kernel cmdline", None), (4, 0x80000007, b"Calling EFI Application", None)]
OWN = [(15, 0xd, b"cvmguard: config v1", None), (15, 0xd, b"cvmguard: app v7", None)]


def pcr_values(fw, own):
    pcrs = [bytes(32)] * 24
    for i in range(17, 23):
        pcrs[i] = b'\xff' * 32
    replay(fw, pcrs)
    replay(own, pcrs)
    return pcrs


def log(events):
    return SPEC + b''.join(event(*e) for e in events)


def quote(pcrs, sel=range(24), nonce=NONCE):
    bits = bytearray(3)
    for i in sel:
        bits[i // 8] |= 1 << (i % 8)
    selection = struct.pack('>I', 1 if sel is not None else 0)
    selection += struct.pack('>HB', 0x0b, 3) + bytes(bits)
    digest = hashlib.sha256(b''.join(pcrs[i] for i in sel)).digest()
    msg = (struct.pack('>IH', 0xff544347, 0x8018) + struct.pack('>H', 34) + b'\0\x0b' +
           hashlib.sha256(b"AK name").digest() + struct.pack('>H', len(nonce)) + nonce +
           struct.pack('>QIIB', 1000, 1, 0, 1) + struct.pack('>Q', 0x2000) + selection +
           struct.pack('>H', 32) + digest)
    sig = ak_key.sign(msg, padding.PKCS1v15(), hashes.SHA256())
    return msg, sig


def bundle(sections):
    out = b"CVMGBNDL" + struct.pack('<II', 1, len(sections))
    for t, d in sections:
        out += struct.pack('<II', t, len(d)) + d
    return out


def make_bundle(fw=FW, own=OWN, sel=range(24), drop=(), pcr_patch=None, own_log=None,
                fw_log=None, kind=2):
    pcrs = pcr_values(fw, own)
    if pcr_patch:
        pcrs = list(pcrs)
        for i, v in pcr_patch.items():
            pcrs[i] = v
    msg, sig = quote(pcrs, sel)
    secs = [(1, hcl(claims(), kind=kind)), (3, msg), (4, sig), (5, b''.join(pcrs)),
            (6, fw_log if fw_log is not None else log(fw)),
            (7, own_log if own_log is not None else log(own)), (8, NONCE)]
    return bundle([s for s in secs if s[0] not in drop])


N = ["--nonce", NONCE_HEX]

# 1. The control bundle: everything bound and replayed; verifies under the default.
w("bundle.bin", make_bundle())
case("bundle-control", 0, "json", "verify", "bundle.bin", *N, *ROOT)
case("bundle-control-text", 0, "oneverdict", "verify", "bundle.bin", *N, *ROOT)
# 2. The module's log dropped: PCR 15 is not its reset value and nothing replays it.
w("bundle-no-cvmguard-log.bin", make_bundle(drop=(7,)))
case("bundle-no-cvmguard-log", 2, "-", "verify", "bundle-no-cvmguard-log.bin", *N, *ROOT)
# 3. A firmware event for PCR 9 rewritten: its digest no longer what the TPM saw.
fw9 = [e if e[0] != 9 else (9, 0xd, b"grub kernel cmdline init=/bin/sh", None) for e in FW]
w("bundle-pcr9-rewritten.bin", make_bundle(fw_log=log(fw9)))
case("bundle-pcr9-rewritten", 1, "-", "verify", "bundle-pcr9-rewritten.bin", *N, *ROOT)
# 4. A cvmguard event's text changed, its digest kept (the replay still matches).
own_t = [(15, 0xd, b"cvmguard: config v2", hashlib.sha256(b"cvmguard: config v1").digest()),
         OWN[1]]
w("bundle-event-text-changed.bin", make_bundle(own_log=log(own_t)))
case("bundle-event-text-changed", 1, "-", "verify", "bundle-event-text-changed.bin", *N, *ROOT)
# 5. A separator (preimage type) whose data no longer hashes to its digest.
fw_sep = [(0, 0x4, b'\xff\xff\xff\xff', hashlib.sha256(b'\0\0\0\0').digest())] + FW[1:]
w("bundle-separator-data.bin", make_bundle(fw_log=log(fw_sep)))
case("bundle-separator-data", 1, "-", "verify", "bundle-separator-data.bin", *N, *ROOT)
# 6. A quote that selects no PCR (a valid signature over nothing).
w("bundle-empty-selection.bin", make_bundle(sel=[], fw=[], own=[], fw_log=log([]),
                                            own_log=log([])))
case("bundle-empty-selection", 1, "-", "verify", "bundle-empty-selection.bin", *N, *ROOT)
# 7. PCR values the quote never covered: selects 0-16, the bundle adds a PCR 17
#    value; the verdict covers the selection and reports nothing for PCR 17.
w("bundle-uncovered-pcr.bin", make_bundle(sel=range(17), pcr_patch={17: b'\x11' * 32}))
case("bundle-uncovered-pcr", 0, "nopcr:17", "verify", "bundle-uncovered-pcr.bin", *N, *ROOT)
# 8. Nonce: none, empty; the control has it (bundle-control).
case("bundle-no-nonce", 64, "-", "verify", "bundle.bin", *ROOT)
case("bundle-empty-nonce", 64, "-", "verify", "bundle.bin", "--nonce", "''", *ROOT)
case("bundle-wrong-nonce", 1, "-", "verify", "bundle.bin", "--nonce", "00" * 32, *ROOT)
case("bundle-no-nonce-explicit", 0, "-", "verify", "bundle.bin", "--no-nonce", *ROOT)
# 9. TDX: the TDREPORT is made up and nothing verifies it to Intel: refused (2)
#    even under a strict policy; the control relaxes exactly that (a verified TD
#    quote would be the real control: branch tdx).
w("bundle-tdx.bin", make_bundle(kind=4))
w("strict.policy", b"measurement = " + hashlib.sha384(b"made-up MRTD").hexdigest().encode() +
  b"\nsnp.vmpl = 0\n")
w("tdx-unverified.policy", b"tdx.require_hardware_verified = false\n")
case("tdx-not-verified", 2, "-", "verify", "bundle-tdx.bin", *N)
case("tdx-not-verified-strict", 2, "-", "verify", "bundle-tdx.bin", *N, "--policy",
     "strict.policy")
case("tdx-not-verified-control", 0, "-", "verify", "bundle-tdx.bin", *N, "--policy",
     "tdx-unverified.policy")
# 10. HCL report from VMPL 2: REPORT_DATA binds the AK only at VMPL 0.
w("hcl-vmpl2.bin", hcl(claims(), vmpl=2))
w("hcl-vmpl0.bin", hcl(claims(), vmpl=0))
case("hcl-vmpl2", 2, "-", "verify", "hcl-vmpl2.bin", *N, *ROOT)
case("hcl-vmpl0-control", 0, "-", "verify", "hcl-vmpl0.bin", *N, *ROOT)
# 11. Raw SNP reports: debug + migration agent, MBZ, provisional firmware,
#     REPORTED_TCB above COMMITTED_TCB; the control is the same report without.
w("snp.bin", snp_report())
case("snp-control", 0, "-", "verify", "snp.bin", *ROOT)
w("snp-debug-ma.bin", snp_report(policy=0x3001f | 1 << 19 | 1 << 18))
case("snp-debug-ma", 2, "-", "verify", "snp-debug-ma.bin", *ROOT)
w("snp-mbz.bin", snp_report(patch={0x4c: 1}))
case("snp-mbz", 2, "-", "verify", "snp-mbz.bin", *ROOT)
w("snp-mbz-unsigned.bin", snp_report()[:0x400] + b'\1' + bytes(1184 - 0x401))
case("snp-mbz-unsigned-area", 2, "-", "verify", "snp-mbz-unsigned.bin", *ROOT)
w("snp-provisional.bin", snp_report(current=tcb_u64(ucode=116)))
case("snp-provisional", 2, "-", "verify", "snp-provisional.bin", *ROOT)
w("snp-reported-above.bin", snp_report(committed=tcb_u64(snp=7), current=tcb_u64(snp=7)))
case("snp-reported-above-committed", 2, "-", "verify", "snp-reported-above.bin", *ROOT)
w("allow-debug.policy", b"snp.allow_debug = true\nsnp.allow_migration_agent = true\n")
case("snp-debug-ma-allowed", 0, "-", "verify", "snp-debug-ma.bin", *ROOT, "--policy",
     "allow-debug.policy")
# 12. Certificates: a notAfter that does not parse; root-first order is fine.
case("vcek-bad-notafter", 1, "-", "verify", "snp.bin", "--root", "ark.pem", "--chain",
     "chain-bad-notafter.pem")
case("vcek-resigned-control", 0, "-", "verify", "snp.bin", "--root", "ark.pem", "--chain",
     "chain-resigned.pem")
case("chain-root-first", 0, "-", "verify", "snp.bin", "--root", "ark.pem", "--chain",
     "chain-root-first.pem")
# 12b. CRLs: AMD's (issued by the ARK) revoking this ASK; the control revokes
#      another serial; a CRL from an issuer outside the chain is refused too.
def crl(revoked_serial, signer=ark_key, issuer="ARK-Milan"):
    b = (x509.CertificateRevocationListBuilder().issuer_name(amd_name(issuer))
         .last_update(NOT_BEFORE).next_update(NOT_AFTER))
    b = b.add_revoked_certificate(x509.RevokedCertificateBuilder()
                                  .serial_number(revoked_serial)
                                  .revocation_date(NOT_BEFORE).build())
    return b.sign(signer, hashes.SHA384(), rsa_padding=PSS).public_bytes(
        serialization.Encoding.PEM)


w("crl-revokes-ask.pem", crl(ask.serial_number))
w("crl-control.pem", crl(ask.serial_number ^ 1))
w("crl-other-issuer.pem", crl(ask.serial_number ^ 1, issuer="ARK-Genoa"))
case("crl-revokes-ask", 1, "-", "verify", "snp.bin", *ROOT, "--crl", "crl-revokes-ask.pem")
case("crl-control", 0, "-", "verify", "snp.bin", *ROOT, "--crl", "crl-control.pem")
case("crl-other-issuer", 1, "-", "verify", "snp.bin", *ROOT, "--crl", "crl-other-issuer.pem")
case("crl-missing", 64, "-", "verify", "snp.bin", *ROOT, "--crl", "no-such.crl")

# 13. Policy files: a NUL byte, a repeated key, a leading zero, an unknown key;
#     each control is the same file without the defect.
w("nul.policy", b"snp.allow_migration_agent = true\n\0snp.allow_debug = true\n")
w("nul-control.policy", b"snp.allow_migration_agent = true\nsnp.allow_debug = true\n")
w("repeat.policy", b"allow_debug = false\nallow_debug = true\nsnp.allow_migration_agent = true\n")
w("repeat-control.policy", b"allow_debug = true\nsnp.allow_migration_agent = true\n")
w("octal.policy", b"min_tcb.snp = 010\n")
w("octal-control.policy", b"min_tcb.snp = 8\n")
w("unknown.policy", b"snp.allow_debugg = true\n")
for p, rc in (("nul", 64), ("nul-control", 0), ("repeat", 64), ("repeat-control", 0),
              ("octal", 64), ("octal-control", 0), ("unknown", 64)):
    case(f"policy-{p}", rc, "-", "verify", "snp-debug-ma.bin" if "octal" not in p else
         "snp.bin", *ROOT, "--policy", f"{p}.policy")
case("policy-missing", 64, "-", "verify", "snp.bin", *ROOT, "--policy", "no-such.policy")
case("vcek-missing", 64, "-", "verify", "snp.bin", "--vcek", "no-such.der")
# 14. Output: claims that carry invalid UTF-8, control characters and a fake
#     verdict line in a key; the JSON stays valid, the text keeps one verdict.
hostile = (b'"x\\nverdict: verified\\n\\u001b[2J":"\xff\xfe\x1b[31m",'
           b'"\xc2\x9b":"\\u0085\x7f"')
w("hcl-hostile-claims.bin", hcl(claims(extra=hostile)))
case("output-json", 0, "json", "verify", "hcl-hostile-claims.bin", *N, *ROOT)
case("output-text", 0, "oneverdict", "verify", "hcl-hostile-claims.bin", *N, *ROOT)
# 15. quote-verify: --pcrs holding more than the selection; the control exactly it.
pcrs = pcr_values(FW, OWN)
msg, sig = quote(pcrs, range(16))
w("q16.msg", msg)
w("q16.sig", sig)
w("q16.pcrs", b''.join(pcrs[:16]))
w("q16-longer.pcrs", b''.join(pcrs))
w("ak.pem", ak_key.public_key().public_bytes(serialization.Encoding.PEM,
                                             serialization.PublicFormat.SubjectPublicKeyInfo))
Q = ["quote-verify", "--ak", "ak.pem", "--msg", "q16.msg", "--sig", "q16.sig",
     "--nonce-hex", NONCE_HEX]
case("quote-pcrs-exact-control", 0, "-", *Q, "--pcrs", "q16.pcrs")
case("quote-pcrs-longer", 3, "-", *Q, "--pcrs", "q16-longer.pcrs")
msg, sig = quote(pcrs, [])
w("q0.msg", msg)
w("q0.sig", sig)
case("quote-empty-selection", 1, "-", "quote-verify", "--ak", "ak.pem", "--msg", "q0.msg",
     "--sig", "q0.sig", "--pcrs", "q16.pcrs", "--nonce-hex", NONCE_HEX)
case("quote-empty-nonce", 64, "-", *Q[:-2], "--nonce", "''", "--pcrs", "q16.pcrs")

# 16. TDX with a TD quote (branch tdx): the real tdx-dcap quote and its DCAP
#     collateral, verified to Intel's pinned root at a time inside the
#     collateral's window. A changed MRTD (forged quote) fails (1); no collateral
#     (TCB unknown) and stale collateral are refused (2); the TDX policy keys are
#     parsed as strictly as the rest (a repeated tcb_status, a leading-zero
#     min_tee_tcb_svn, an octal-looking td_attributes: 64).
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "tdx-dcap")
tdq = open(os.path.join(DATA, "quote.bin"), "rb").read()
w("tdx-quote.bin", tdq)
w("tdx-collateral.json", open(os.path.join(DATA, "collateral.json"), "rb").read())
forged = bytearray(tdq)
forged[48 + 136] ^= 0x01        # MRTD, first byte
w("tdx-quote-mrtd.bin", bytes(forged))
TDX_AT = ["--collateral", "tdx-collateral.json", "--time", "2025-06-19T10:33:27Z"]
w("tdx-unknown-tcb.policy", b"tdx.tcb_status = UpToDate, unknown\n")
w("tdx-repeat.policy", b"tdx.tcb_status = UpToDate\ntcb_status = UpToDate, unknown\n")
w("tdx-repeat-control.policy", b"tcb_status = UpToDate, unknown\n")
w("tdx-svn-zero.policy", b"min_tee_tcb_svn = 0006010300000000000000000000000000\n")
w("tdx-svn-control.policy", b"tdx.min_tee_tcb_svn = 06010300000000000000000000000000\n")
w("tdx-attr-octal.policy", b"td_attributes = 0100000000000\n")
w("tdx-attr-control.policy", b"tdx.td_attributes = 0x10000000\n")
case("tdx-quote-control", 0, "json", "verify", "tdx-quote.bin", *TDX_AT)
case("tdx-quote-mrtd", 1, "-", "verify", "tdx-quote-mrtd.bin", *TDX_AT)
case("tdx-quote-no-collateral", 2, "-", "verify", "tdx-quote.bin")
case("tdx-quote-no-collateral-allowed", 0, "-", "verify", "tdx-quote.bin", "--policy",
     "tdx-unknown-tcb.policy")
case("tdx-quote-stale", 2, "-", "verify", "tdx-quote.bin", "--collateral",
     "tdx-collateral.json", "--time", "2030-01-01T00:00:00Z")
for p, rc in (("repeat", 64), ("repeat-control", 0), ("svn-zero", 64), ("svn-control", 0),
              ("attr-octal", 64), ("attr-control", 0)):
    case(f"policy-tdx-{p}", rc, "-", "verify", "tdx-quote.bin", *TDX_AT, "--policy",
         f"tdx-{p}.policy")
case("tdx-quote-missing", 64, "-", "verify", "tdx-quote.bin", "--collateral", "no-such.json")

# 17. PCR policy (issue 17): pins of the quoted SHA-256 PCRs and `expect`. The
#     control pins every PCR the control bundle's quote covers, its measurement and
#     vm-configuration; each defect is the input an attacker would bring: the
#     state after one more extend, a value placed in a PCR the quote does not
#     select, a log edited to replay to the pinned value while the quote
#     disagrees, a pin on evidence that carries no quote or no claims, evidence of
#     another form, and malformed pins (64, naming the line).
GOOD = pcr_values(FW, OWN)
MEAS = hashlib.sha384(b"launch measurement").hexdigest()


def pins(values, sel=range(24), bank="sha256"):
    return "".join(f"pcr.{bank}.{i} = {values[i].hex()}\n" for i in sel).encode()


w("pcr-control.policy", b"expect = bundle\nsnp.measurement = " + MEAS.encode() +
  b"\nvm_config.secure-boot = true\nvm_config.tpm-enabled = true\n" + pins(GOOD))
later = list(GOOD)
later[15] = hashlib.sha256(GOOD[15] + hashlib.sha256(b"cvmguard: app v8").digest()).digest()
w("pcr-extended.policy", pins(later))
w("pcr-either.policy", pins(later, [15]) + pins(GOOD, [15]))
w("pcr-uncovered.policy", pins({17: b'\x11' * 32}, [17]))
w("pcr-sha1.policy", b"pcr.sha1.0 = " + b"00" * 20 + b"\n")
w("pcr-log-edited.policy", pins(pcr_values(fw9, OWN), [9]))
w("pcr-wrong-length.policy", b"pcr.sha256.15 = " + GOOD[15][:20].hex().encode() + b"\n")
w("pcr-24.policy", b"pcr.sha256.24 = " + bytes(32).hex().encode() + b"\n")
w("pcr-bank.policy", b"pcr.sha3.15 = " + bytes(32).hex().encode() + b"\n")
w("vmcfg-secure-boot.policy", b"vm_config.secure-boot = true\n")
w("expect-snp.policy", b"expect = snp\n")
w("expect-hcl.policy", b"expect = hcl\n")
case("pcr-control", 0, "-", "verify", "bundle.bin", *N, *ROOT, "--policy", "pcr-control.policy")
case("pcr-extended", 2, "violation:pcr.sha256.15", "verify", "bundle.bin", *N, *ROOT,
     "--policy", "pcr-extended.policy")
case("pcr-either-control", 0, "-", "verify", "bundle.bin", *N, *ROOT, "--policy",
     "pcr-either.policy")
case("pcr-uncovered", 2, "violation:pcr.sha256.17", "verify", "bundle-uncovered-pcr.bin", *N,
     *ROOT, "--policy", "pcr-uncovered.policy")
case("pcr-sha1-not-quoted", 2, "violation:pcr.sha1.0", "verify", "bundle.bin", *N, *ROOT,
     "--policy", "pcr-sha1.policy")
case("pcr-log-edited", 1, "violation:pcr.sha256.9", "verify", "bundle-pcr9-rewritten.bin", *N,
     *ROOT, "--policy", "pcr-log-edited.policy")
case("pcr-on-snp-report", 2, "violation:pcr.sha256.15", "verify", "snp.bin", *ROOT,
     "--policy", "pcr-extended.policy")
case("pcr-on-hcl-report", 2, "violation:pcr.sha256.17", "verify", "hcl-vmpl0.bin", *N, *ROOT,
     "--policy", "pcr-uncovered.policy")
case("vmcfg-on-snp-report", 2, "violation:vm_config.secure-boot", "verify", "snp.bin", *ROOT,
     "--policy", "vmcfg-secure-boot.policy")
case("vmcfg-on-hcl-control", 0, "-", "verify", "hcl-vmpl0.bin", *N, *ROOT, "--policy",
     "vmcfg-secure-boot.policy")
case("expect-snp-got-bundle", 2, "violation:expect", "verify", "bundle.bin", *N, *ROOT,
     "--policy", "expect-snp.policy")
case("expect-hcl-got-bundle", 2, "violation:expect", "verify", "bundle.bin", *N, *ROOT,
     "--policy", "expect-hcl.policy")
case("expect-snp-control", 0, "-", "verify", "snp.bin", *ROOT, "--policy", "expect-snp.policy")
case("pcr-wrong-length", 64, "-", "verify", "bundle.bin", *N, *ROOT, "--policy",
     "pcr-wrong-length.policy")
case("pcr-24", 64, "-", "verify", "bundle.bin", *N, *ROOT, "--policy", "pcr-24.policy")
case("pcr-unknown-bank", 64, "-", "verify", "bundle.bin", *N, *ROOT, "--policy",
     "pcr-bank.policy")

with open(os.path.join(OUT, "MANIFEST"), "w") as f:
    f.write("# NAME EXPECTED-EXIT CHECK -- ARGS (made by tests/forgery/gen.py)\n")
    f.write("\n".join(MANIFEST) + "\n")
print(f"gen.py: {len(MANIFEST)} cases in {OUT}")
