#!/usr/bin/env node
// gen_vectors.js produces vectors.json for the Go tests of package srp by
// driving the REAL amazon-cognito-identity-js client (v6) against a scripted,
// in-process "server". See README.md in this directory for how to run it.
//
// What comes from the library, unmodified:
//   - CognitoUser.authenticateUser (USER_SRP_AUTH): SRP_A, USER_ID_FOR_SRP
//     handling, PASSWORD_CLAIM_SIGNATURE and TIMESTAMP (CognitoUser.js
//     authenticateUserDefaultAuth, DateHelper.js getNowString);
//   - CognitoUser.getDeviceResponse (DEVICE_SRP_AUTH), with the device salt,
//     random password and verifier made by AuthenticationHelper.generateHashDevice;
//   - k, padHex, hash/hexHash, calculateS, computehkdf (AuthenticationHelper.js),
//     whose arguments and results are recorded by wrapping (not replacing) them.
// What is pinned so the output is reproducible:
//   - the library's only entropy source, WordArray.prototype.random, is replaced
//     by a SHA-256 counter stream seeded per case (this fixes the client secret
//     "a" made by generateRandomSmallA and the device salt/password);
//   - the global Date, so DateHelper.getNowString sees a fixed instant.
// What the script computes itself (it plays the server): the verifier v of a
// user (with the library's own hash/padHex/modPow, exactly as generateHashDevice
// does) and B = (k*v + g^b) mod N for a fixed server secret b (native BigInt).
'use strict';

const crypto = require('crypto');

function load(m) {
	return require(require.resolve(m, { paths: [process.cwd(), __dirname] }));
}

const pkg = load('amazon-cognito-identity-js/package.json');
const AuthenticationHelper = load('amazon-cognito-identity-js/lib/AuthenticationHelper').default;
const BigInteger = load('amazon-cognito-identity-js/lib/BigInteger').default;
const DateHelper = load('amazon-cognito-identity-js/lib/DateHelper').default;
const WordArray = load('amazon-cognito-identity-js/lib/utils/WordArray').default;
const {
	CognitoUserPool,
	CognitoUser,
	AuthenticationDetails,
} = load('amazon-cognito-identity-js');

// ---- deterministic entropy -------------------------------------------------

let drbgSeed = 'unset';
let drbgCounter = 0;
function drbg(n) {
	const out = [];
	while (out.length < n) {
		const h = crypto
			.createHash('sha256')
			.update(`${drbgSeed}/${drbgCounter++}`)
			.digest();
		out.push(...h);
	}
	return Buffer.from(out.slice(0, n));
}
function reseed(seed) {
	drbgSeed = seed;
	drbgCounter = 0;
}
WordArray.prototype.random = function (nBytes) {
	const bytes = drbg(nBytes);
	const words = [];
	for (let i = 0; i < nBytes; i += 4) {
		let w = 0;
		for (let j = 0; j < 4; j++) w = (w << 8) | (i + j < nBytes ? bytes[i + j] : 0);
		words.push(w | 0);
	}
	return new WordArray(words, nBytes);
};

// ---- fixed clock -----------------------------------------------------------

const RealDate = Date;
let fixedNow = 0;
global.Date = class extends RealDate {
	constructor(...args) {
		if (args.length === 0) super(fixedNow);
		else super(...args);
	}
	static now() {
		return fixedNow;
	}
};

// ---- recording wrappers around AuthenticationHelper ------------------------

let rec = null;
const P = AuthenticationHelper.prototype;
const origCalculateS = P.calculateS;
P.calculateS = function (xValue, serverBValue, callback) {
	return origCalculateS.call(this, xValue, serverBValue, (err, s) => {
		if (rec) {
			rec.x = xValue.toString(16);
			rec.S = s.toString(16);
		}
		callback(err, s);
	});
};
const origHkdf = P.computehkdf;
P.computehkdf = function (ikm, salt) {
	const out = origHkdf.call(this, ikm, salt);
	if (rec) {
		rec.hkdf_ikm_pad_S = Buffer.from(ikm).toString('hex');
		rec.hkdf_salt_pad_u = Buffer.from(salt).toString('hex');
		rec.key = Buffer.from(out).toString('hex');
		rec.u = this.UValue.toString(16);
		rec.a = this.smallAValue.toString(16);
		rec.A = this.largeAValue.toString(16);
		rec.k = this.k.toString(16);
	}
	return out;
};

// ---- helpers ---------------------------------------------------------------

const helper0 = new AuthenticationHelper('x');
const N = BigInt('0x' + helper0.N.toString(16));
const g = 2n;
const k = BigInt('0x' + helper0.k.toString(16));

function modPow(base, exp, mod) {
	let r = 1n;
	base %= mod;
	while (exp > 0n) {
		if (exp & 1n) r = (r * base) % mod;
		base = (base * base) % mod;
		exp >>= 1n;
	}
	return r;
}
const big = h => BigInt('0x' + h);
const hex = n => n.toString(16);

// Verifier with the library's own primitives, as generateHashDevice does.
function libVerifier(poolName, userId, password, saltHex) {
	const h = new AuthenticationHelper(poolName);
	const salt = new BigInteger(saltHex, 16);
	const x = new BigInteger(
		h.hexHash(h.padHex(salt) + h.hash(`${poolName}${userId}:${password}`)),
		16
	);
	let v;
	h.g.modPow(x, h.N, (err, r) => {
		if (err) throw err;
		v = r;
	});
	return { x: x.toString(16), v: v.toString(16) };
}

function serverB(vHex, bHex) {
	return hex((k * big(vHex) + modPow(g, big(bHex), N)) % N);
}

function fail(msg) {
	throw new Error(msg);
}

// ---- USER_SRP_AUTH through CognitoUser.authenticateUser --------------------

function userCase(c) {
	reseed(`user/${c.seed}`);
	fixedNow = c.now;
	rec = {};
	const { x, v } = libVerifier(c.poolName, c.userIdForSrp, c.password, c.saltHex);
	const B = serverB(v, c.bHex);
	const secretBlock = drbg(48).toString('base64');
	const out = {
		name: c.name,
		pool_id: c.poolId,
		pool_name: c.poolName,
		username: c.username,
		user_id_for_srp: c.userIdForSrp,
		password: c.password,
		salt: c.saltHex,
		v,
		x_from_verifier: x,
		b: c.bHex,
		B,
		secret_block: secretBlock,
		now_unix_ms: c.now,
	};

	const pool = new CognitoUserPool({ UserPoolId: c.poolId, ClientId: 'client123' });
	const user = new CognitoUser({ Username: c.username, Pool: pool });
	let done = false;
	user.client = {
		request(op, params, cb) {
			if (op === 'InitiateAuth') {
				out.initiate_auth_parameters = params.AuthParameters;
				return cb(null, {
					ChallengeName: 'PASSWORD_VERIFIER',
					Session: 'session',
					ChallengeParameters: {
						SALT: c.saltHex,
						SRP_B: B,
						SECRET_BLOCK: secretBlock,
						USER_ID_FOR_SRP: c.userIdForSrp,
						USERNAME: c.userIdForSrp,
					},
				});
			}
			if (op === 'RespondToAuthChallenge') {
				out.challenge_responses = params.ChallengeResponses;
				done = true;
				return cb({ code: 'Stop', message: 'vector captured' }, null);
			}
			fail(`unexpected ${op}`);
		},
	};
	user.authenticateUser(
		new AuthenticationDetails({ Username: c.username, Password: c.password }),
		{ onFailure: () => {}, onSuccess: () => fail('unexpected success') }
	);
	if (!done) fail(`case ${c.name}: flow did not reach RespondToAuthChallenge`);
	Object.assign(out, rec);
	if (out.x !== x) fail(`case ${c.name}: x mismatch`);
	if (out.A !== out.initiate_auth_parameters.SRP_A) fail('A mismatch');
	rec = null;
	return out;
}

// ---- DEVICE_SRP_AUTH through CognitoUser.getDeviceResponse -----------------

function deviceCase(c) {
	reseed(`device/${c.seed}`);
	fixedNow = c.now;
	// ConfirmDevice material, exactly as CognitoUser.authenticateUserInternal
	// builds DeviceSecretVerifierConfig from generateHashDevice.
	const gen = new AuthenticationHelper(c.deviceGroupKey);
	gen.generateHashDevice(c.deviceGroupKey, c.deviceKey, err => {
		if (err) throw err;
	});
	const saltPadHex = gen.getSaltDevices();
	const verifierPadHex = gen.getVerifierDevices();
	const randomPassword = gen.getRandomPassword();
	const saltHex = new BigInteger(saltPadHex, 16).toString(16);
	const vHex = new BigInteger(verifierPadHex, 16).toString(16);
	const B = serverB(vHex, c.bHex);
	const secretBlock = drbg(48).toString('base64');

	rec = {};
	const out = {
		name: c.name,
		pool_id: c.poolId,
		username: c.username,
		device_group_key: c.deviceGroupKey,
		device_key: c.deviceKey,
		device_random_password: randomPassword,
		confirm_device_salt_b64: Buffer.from(saltPadHex, 'hex').toString('base64'),
		confirm_device_verifier_b64: Buffer.from(verifierPadHex, 'hex').toString('base64'),
		salt: saltHex,
		v: vHex,
		b: c.bHex,
		B,
		secret_block: secretBlock,
		now_unix_ms: c.now,
	};
	const pool = new CognitoUserPool({ UserPoolId: c.poolId, ClientId: 'client123' });
	const user = new CognitoUser({ Username: c.username, Pool: pool });
	user.deviceKey = c.deviceKey;
	user.deviceGroupKey = c.deviceGroupKey;
	user.randomPassword = randomPassword;
	user.Session = 'session';
	let done = false;
	user.client = {
		request(op, params, cb) {
			if (op !== 'RespondToAuthChallenge') fail(`unexpected ${op}`);
			if (params.ChallengeName === 'DEVICE_SRP_AUTH') {
				out.device_srp_auth_responses = params.ChallengeResponses;
				return cb(null, {
					ChallengeName: 'DEVICE_PASSWORD_VERIFIER',
					Session: 'session2',
					ChallengeParameters: {
						SALT: saltHex,
						SRP_B: B,
						SECRET_BLOCK: secretBlock,
						USERNAME: c.username,
						DEVICE_KEY: c.deviceKey,
					},
				});
			}
			if (params.ChallengeName === 'DEVICE_PASSWORD_VERIFIER') {
				out.challenge_responses = params.ChallengeResponses;
				done = true;
				return cb({ code: 'Stop', message: 'vector captured' }, null);
			}
			fail(`unexpected challenge ${params.ChallengeName}`);
		},
	};
	user.getDeviceResponse({ onFailure: () => {}, onSuccess: () => fail('unexpected success') }, {});
	if (!done) fail(`device case ${c.name}: flow did not complete`);
	Object.assign(out, rec);
	rec = null;
	return out;
}

// ---- case selection --------------------------------------------------------

// Salts as Cognito's SALT parameter: hex of a positive integer. They cover a
// high-bit-set value (padHex prepends 00), a value whose hex is odd-length
// (leading zero nibble dropped by toString(16)), and plain ones.
const salts = [
	'3b1d5a2e7c9f4a6b8d0e1f2a3b4c5d6e',
	'e3b0c44298fc1c149afbf4c8996fb924',
	'f1e2d3c4b5a697887766554433221100',
	'a1b2c3d4e5f60718293a4b5c6d7e8f9',
	'7fffffffffffffffffffffffffffffff',
	'1',
];
const users = [
	['us-east-1_AbCdEf123', 'alice', 'alice', 'Passw0rd!'],
	['eu-west-2_Z9y8X7w6V', 'bob@example.com', '5f0c2b9e-1d3a-4c8e-9b7a-2e6f4d1c0a98', 'correct horse battery staple'],
	['ap-northeast-1_q1W2e3R4t', 'carol', 'carol', 'pässwörd-日本語-🔑'],
	['us-west-2_0000000000', 'd', 'd', ':colon:in:password:'],
];

// Instants chosen so the timestamp covers a one-digit and a two-digit day,
// single-digit hours/minutes/seconds and midnight.
const instants = [
	Date.UTC(2023, 8, 5, 8, 3, 1), // Tue Sep 5 08:03:01 UTC 2023
	Date.UTC(2024, 1, 29, 23, 59, 59), // leap day
	Date.UTC(2025, 11, 31, 0, 0, 0),
	Date.UTC(2026, 0, 1, 9, 9, 9),
	Date.UTC(2030, 6, 14, 12, 0, 5),
];

function flagsOf(v) {
	const msb = h => (h.length % 2 === 1 ? false : /^[89a-f]/.test(h));
	return [
		v.A.length % 2 === 1 ? 'A hex has odd length' : 'A hex has even length',
		msb(v.A) ? 'PAD(A) gets a 00 prefix' : 'PAD(A) has no prefix',
		v.B.length % 2 === 1 ? 'B hex has odd length' : 'B hex has even length',
		msb(v.B) ? 'PAD(B) gets a 00 prefix' : 'PAD(B) has no prefix',
		v.hkdf_salt_pad_u.startsWith('00') ? 'PAD(u) gets a 00 prefix' : 'PAD(u) has no prefix',
		v.u.length <= 62 ? 'u has a leading zero byte' : 'u is full width',
		v.hkdf_ikm_pad_S.startsWith('00') ? 'PAD(S) gets a 00 prefix' : 'PAD(S) has no prefix',
		v.S.length % 2 === 1 ? 'S hex has odd length' : 'S hex has even length',
	];
}
const wanted = [
	'A hex has odd length', 'A hex has even length',
	'PAD(A) gets a 00 prefix', 'PAD(A) has no prefix',
	'B hex has odd length', 'B hex has even length',
	'PAD(B) gets a 00 prefix', 'PAD(B) has no prefix',
	'PAD(u) gets a 00 prefix', 'PAD(u) has no prefix',
	'PAD(S) gets a 00 prefix', 'PAD(S) has no prefix',
	'S hex has odd length', 'S hex has even length',
	'u has a leading zero byte', 'u is full width',
];

const userVectors = [];
const covered = new Set();
for (let i = 0; i < 5000; i++) {
	const [poolId, username, userIdForSrp, password] = users[i % users.length];
	const bHex = crypto.createHash('sha256').update(`server-b/${i}`).digest('hex');
	const c = {
		name: `${username} signs in to pool ${poolId.split('_')[1]} (seed ${i})`,
		seed: i,
		poolId,
		poolName: poolId.split('_')[1],
		username,
		userIdForSrp,
		password,
		saltHex: salts[i % salts.length],
		bHex,
		now: instants[i % instants.length],
	};
	const v = userCase(c);
	const flags = flagsOf(v);
	const fresh = flags.filter(f => !covered.has(f));
	if (i < salts.length || fresh.length > 0) {
		v.covers = flags;
		userVectors.push(v);
		flags.forEach(f => covered.add(f));
	}
	if (i >= salts.length && wanted.every(f => covered.has(f))) break;
}
const missing = wanted.filter(f => !covered.has(f));
if (missing.length) fail(`coverage not reached: ${missing.join(', ')}`);

const deviceVectors = [0, 1, 2].map(i =>
	deviceCase({
		name: `device ${i} of alice signs in with device SRP`,
		seed: i,
		poolId: 'us-east-1_AbCdEf123',
		username: 'alice',
		deviceGroupKey: ['-abcDEF12', '-Zz0Yy1Xx', '-q9w8e7r6'][i],
		deviceKey: `us-east-1_${['7d3a1c1e-0b2f-4f3c-9a8e-123456789abc', '00000000-0000-4000-8000-000000000000', 'f0e1d2c3-b4a5-4697-8877-665544332211'][i]}`,
		bHex: crypto.createHash('sha256').update(`device-b/${i}`).digest('hex'),
		now: instants[(i + 2) % instants.length],
	})
);

// DateHelper.getNowString at fixed instants.
const timestamps = [
	...instants,
	Date.UTC(2023, 8, 10, 8, 3, 1),
	Date.UTC(2024, 6, 7, 1, 2, 3),
	Date.UTC(2024, 6, 8, 1, 2, 3),
	Date.UTC(2024, 6, 9, 1, 2, 3),
	Date.UTC(2024, 6, 10, 1, 2, 3),
	Date.UTC(2024, 6, 11, 1, 2, 3),
	Date.UTC(2024, 6, 12, 1, 2, 3),
	Date.UTC(2024, 6, 13, 1, 2, 3),
].map(ms => {
	fixedNow = ms;
	return { unix_ms: ms, text: new DateHelper().getNowString() };
});

// padHex of positive integers.
const padHex = [
	'0', '1', '7f', '80', 'ff', '100', '7fff', '8000', 'abc', 'fabc',
	hex(N), hex(N - 1n), hex(k),
].map(h => ({ int: h, pad: helper0.padHex(new BigInteger(h, 16)) }));

const result = {
	generator: `testdata/gen_vectors.js with amazon-cognito-identity-js@${pkg.version}, node ${process.version}`,
	N: hex(N),
	g: hex(g),
	k: hex(k),
	pad_hex: padHex,
	timestamps,
	user_srp: userVectors,
	device_srp: deviceVectors,
};
process.stdout.write(JSON.stringify(result, null, '\t') + '\n');
