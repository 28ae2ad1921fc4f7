// SPDX-License-Identifier: GPL-2.0-only
//
// Differential test: `cvmguard verify` against @phala/dcap-qvl (an independent
// JavaScript implementation of Intel's quote verification, pinned in
// package-lock.json) on the real tdx-dcap quote and collateral, and on mutations
// of them a host could hand a verifier. Each case must give both the same status:
//
//   UpToDate, SWHardeningNeeded, ... the TCB status and advisory IDs (cvmguard:
//              exit 0 under a policy allowing every status but Revoked)
//   stale      collateral or a certificate outside its window (exit 2)
//   tcb        no TCB level matches, or Revoked (exit 2)
//   rejected   a signature, chain or binding does not hold (exit 1)
//   qe_identity the QE is not the one the QE identity names (exit 1)
//   malformed  the quote or collateral does not parse (exit 3)
//   debug      a debug TD, refused by the default policy (exit 2)
//
// The real data gives only UpToDate, stale and failures; the other statuses come
// from SIGNED, a directory the test signer (testsign.c) fills with the real quote
// and collateral re-signed by a test root with one edit each: both verifiers are
// then given that root (cvmguard --intel-root, dcap-qvl newWithRootCa).
//
// dcap-qvl reports through exceptions; MAP turns their messages into statuses.
// Cases where cvmguard is deliberately stricter are listed apart (DIVERGE), each
// asserting both sides' answers so a change on either side is seen.
//
// Usage: node diff.js CVMGUARD_BIN DATA_DIR SIGNED
// Closing line: "tdx-diff: N passed, N failed"
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const { verify, QuoteVerifier } = require('@phala/dcap-qvl');

const [bin, data, signed] = process.argv.slice(2);
const quote = fs.readFileSync(path.join(data, 'tdx-dcap/quote.bin'));
const collateral = JSON.parse(fs.readFileSync(path.join(data, 'tdx-dcap/collateral.json')));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cvmg-tdx-diff-'));
const T = (s) => Math.floor(Date.parse(s) / 1000);
const AT = '2025-06-19T10:33:27Z';

// dcap-qvl's exception messages (src/verify.js, utils.js, quote.js) -> statuses
const MAP = [
	[/Debug mode is enabled/, 'debug'],
	[/expired|issue date is in the future|not yet valid/i, 'stale'],
	[/QE (MRSIGNER|ISVPRODID|MISCSELECT|ATTRIBUTES) mismatch/, 'qe_identity'],
	[/No matching TCB level|TCB status is invalid|below minimum/, 'tcb'],
	[new RegExp('[Ss]ignature is invalid|[Ss]ignature verification failed|revoked|' +
		    'hash mismatch|certificate chain|Fmspc mismatch|CaUsedAsEndEntity'), 'rejected'],
	[/Failed to decode|Unsupported|too short|length mismatch/, 'malformed'],
];

let lastMessage = '';

function qvl(q, col, at, rootDer) {
	lastMessage = '';
	try {
		const r = rootDer ? QuoteVerifier.newWithRootCa(rootDer).verify(q, col, T(at))
				  : verify(q, col, T(at));

		return r.status + (r.advisory_ids.length ? ' ' + r.advisory_ids.join(',') : '');
	} catch (e) {
		const msg = String(e.message) + (e.cause ? ': ' + e.cause.message : '');

		lastMessage = msg;
		for (const [re, st] of MAP)
			if (re.test(msg))
				return st;
		return 'unmapped: ' + msg;
	}
}

function cvmguard(q, col, at, rootDer) {
	const qf = path.join(tmp, 'q.bin'), cf = path.join(tmp, 'c.json');
	const rf = path.join(tmp, 'root.der'), pf = path.join(tmp, 'all.pol');
	// every status a policy may allow, so the verdict shows the status itself
	const args = ['verify', qf, '--collateral', cf, '--time', at, '--json', '--policy', pf];
	let out, rc = 0;

	fs.writeFileSync(qf, q);
	fs.writeFileSync(cf, JSON.stringify(col));
	fs.writeFileSync(pf, 'tcb_status = UpToDate, SWHardeningNeeded, ConfigurationNeeded, ' +
			 'ConfigurationAndSWHardeningNeeded, OutOfDate, OutOfDateConfigurationNeeded\n');
	if (rootDer) {
		fs.writeFileSync(rf, rootDer);
		args.push('--intel-root', rf);
	}
	try {
		out = execFileSync(bin, args, { stdio: ['ignore', 'pipe', 'ignore'] });
	} catch (e) {
		rc = e.status;
		out = e.stdout;
	}
	const r = JSON.parse(out.toString());
	const failed = r.checks.filter((c) => c.result === 'fail').map((c) => c.name);
	const viol = r.policy_violations.map((v) => v.detail).join(' ');
	const vnames = r.policy_violations.map((v) => v.name);
	if (rc === 0)
		return r.claims.td_quote.tcb_status +
		       (r.claims.td_quote.advisory_ids ? ' ' + r.claims.td_quote.advisory_ids : '');
	if (rc === 3)
		return 'malformed';
	if (rc === 2 && vnames.includes('tdx.allow_debug') && /DEBUG/.test(viol))
		return 'debug';
	if (rc === 2 && /stale/.test(viol))
		return 'stale';
	if (rc === 2 && /TCB:/.test(viol))
		return 'tcb';
	if (rc === 1 && failed.includes('td-quote-qe-identity'))
		return 'qe_identity';
	if (rc === 1)
		return 'rejected';
	return `exit ${rc}: ${failed.join(',')} ${viol}`;
}

const clone = () => JSON.parse(JSON.stringify(collateral));
function flipQuote(off, bit) {
	const q = Buffer.from(quote);
	q[off] ^= 1 << bit;
	return q;
}
function flipHex(field, pos) {
	const c = clone();
	const h = c[field];
	c[field] = h.slice(0, pos) + (parseInt(h[pos], 16) ^ 1).toString(16) + h.slice(pos + 1);
	return c;
}
function edit(field, from, to) {
	const c = clone();
	if (!c[field].includes(from))
		throw new Error(`${field} has no ${from}`);
	c[field] = c[field].replace(from, to);
	return c;
}
function swap(a, b) {
	const c = clone();
	[c[a], c[b]] = [collateral[b], collateral[a]];
	return c;
}

// [name, quote, collateral, time]
const CASES = [
	['real quote and collateral', quote, collateral, AT],
	['collateral stale today', quote, collateral, new Date().toISOString().replace(/\.\d+Z$/, 'Z')],
	['before the QE identity was issued', quote, collateral, '2025-06-19T10:20:00Z'],
	['after the TCB info expired', quote, collateral, '2025-07-20T00:00:00Z'],
	['a year before: issuer certificates not yet valid', quote, collateral, '2024-06-19T10:33:27Z'],
	['TCB info signature bit', quote, flipHex('tcb_info_signature', 7), AT],
	['QE identity signature bit', quote, flipHex('qe_identity_signature', 70), AT],
	['TCB info edited: evaluation number', quote,
	 edit('tcb_info', '"tcbEvaluationDataNumber":17', '"tcbEvaluationDataNumber":18'), AT],
	['TCB info edited: OutOfDate level relabelled', quote,
	 edit('tcb_info', '"tcbStatus":"OutOfDate"', '"tcbStatus":"UpToDate"'), AT],
	['QE identity edited: ISVSVN level', quote,
	 edit('qe_identity', '"isvsvn":4', '"isvsvn":9'), AT],
	['QE identity and TCB info signatures swapped', quote,
	 swap('tcb_info_signature', 'qe_identity_signature'), AT],
	['QE identity swapped for the TCB info', quote, (() => {
		const c = clone();
		c.qe_identity = collateral.tcb_info;
		c.qe_identity_signature = collateral.tcb_info_signature;
		return c;
	})(), AT],
	['TCB info issuer chain swapped for the PCK CRL chain', quote,
	 swap('tcb_info_issuer_chain', 'pck_crl_issuer_chain'), AT],
	['quote: TD report body bit (MRTD)', flipQuote(48 + 136, 0), collateral, AT],
	['quote: header QE SVN bit', flipQuote(8, 1), collateral, AT],
	['quote: signature bit', flipQuote(636 + 10, 3), collateral, AT],
	['quote: attestation key bit', flipQuote(700 + 5, 6), collateral, AT],
	['quote: QE report bit (MRSIGNER)', flipQuote(770 + 128, 2), collateral, AT],
	['quote: QE report signature bit', flipQuote(770 + 384 + 9, 4), collateral, AT],
	['quote: version 3', (() => { const q = Buffer.from(quote); q[0] = 3; return q; })(),
	 collateral, AT],
	['quote: truncated', quote.subarray(0, 1000), collateral, AT],
];

// Cases where cvmguard is stricter on purpose: [name, quote, collateral, time,
// cvmguard's status, dcap-qvl's status, why]
const DIVERGE = [
	['inside the TCB info window, after the PCK CRL nextUpdate', quote, collateral,
	 '2025-07-19T10:10:00Z', 'stale', 'UpToDate', 'dcap-qvl does not check CRL validity windows'],
	['PCK CRL replaced by the root CA CRL', quote, swap('pck_crl', 'root_ca_crl'), AT,
	 'rejected', 'UpToDate', 'dcap-qvl does not verify CRL signatures or issuers'],
];

// Re-signed by the test root: [directory, ...] agreeing, and stricter ones.
const SIGNED = ['resigned', 'sw-hardening-needed', 'configuration-needed',
	'config-and-sw-hardening', 'out-of-date-pcesvn', 'revoked', 'no-level-tdx-svn',
	'other-fmspc', 'qe-other-signer', 'qe-other-product', 'qe-svn-below-levels',
	'qe-out-of-date', 'debug-td'];
const SIGNED_DIVERGE = [
	['module-identity-out-of-date', 'OutOfDate', 'UpToDate',
	 'dcap-qvl does not apply the TCB info\'s TDX module identities'],
	['module-minor-without-identity', 'tcb', 'UpToDate',
	 'dcap-qvl does not apply the TCB info\'s TDX module identities'],
];
const rootDer = fs.readFileSync(path.join(signed, 'root.der'));
const load = (d) => [fs.readFileSync(path.join(signed, d, 'quote.bin')),
		     JSON.parse(fs.readFileSync(path.join(signed, d, 'collateral.json')))];
for (const d of SIGNED) {
	const [q, col] = load(d);
	CASES.push([`test-signed: ${d}`, q, col, AT, rootDer]);
	// and the pinned Intel root refuses what the test root signed
	if (d === 'resigned')
		CASES.push(['test-signed, against the pinned Intel root', q, col, AT]);
}
for (const [d, wa, wb, why] of SIGNED_DIVERGE) {
	const [q, col] = load(d);
	DIVERGE.push([`test-signed: ${d}`, q, col, AT, wa, wb, why, rootDer]);
}

let pass = 0, fail = 0;
for (const [name, q, col, at, root] of CASES) {
	const a = cvmguard(q, col, at, root), b = qvl(q, col, at, root);
	const ok = a === b;
	console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}: cvmguard ${a}, dcap-qvl ${b}` +
		    (lastMessage ? ` ("${lastMessage}")` : ''));
	ok ? pass++ : fail++;
}
for (const [name, q, col, at, wa, wb, why, root] of DIVERGE) {
	const a = cvmguard(q, col, at, root), b = qvl(q, col, at, root);
	const ok = a === wa && b === wb;
	console.log(`${ok ? 'ok  ' : 'FAIL'} (stricter) ${name}: cvmguard ${a}, dcap-qvl ${b}` +
		    ` (want ${wa} / ${wb}: ${why})`);
	ok ? pass++ : fail++;
}
fs.rmSync(tmp, { recursive: true, force: true });
console.log(`tdx-diff: ${pass} passed, ${fail} failed`);
process.exit(fail ? 1 : 0);
