// SPDX-License-Identifier: GPL-2.0-only
// node tdx-qvl.js QUOTE COLLATERAL UNIX_TIME N: N verifications with
// @phala/dcap-qvl (from tests/tdx-diff/node_modules) in one process; prints
// microseconds of CPU time (user + system) per verification, or with N = 0
// verifies once and prints the status.
'use strict';
const fs = require('fs');
const path = require('path');
const { verify } = require(path.join(__dirname, '../tests/tdx-diff/node_modules/@phala/dcap-qvl'));
const [qf, cf, t, n] = process.argv.slice(2);
const q = fs.readFileSync(qf), c = fs.readFileSync(cf, 'utf8');
if (+n === 0) {
	console.log(verify(q, JSON.parse(c), +t).status);
	process.exit(0);
}
const t0 = process.cpuUsage();
for (let i = 0; i < +n; i++)
	if (verify(q, JSON.parse(c), +t).status !== 'UpToDate')
		throw new Error('does not verify');
const d = process.cpuUsage(t0);
console.log(((d.user + d.system) / +n).toFixed(1));
