// Writes tests/vectors/eip712.json: typed-data documents with the digest MetaMask signs for each, computed by
// @metamask/eth-sig-util (TypedDataUtils.eip712Hash, V4 and V3: want_hash, want_hash_v3) — or want_err / want_err_v3
// where it refuses to hash the document.
// Run: node tests/vectors/generate_eip712.mjs [OUT]   (needs `npm ci`; tests/test_eip712.py fails when the file is stale)
import { readFileSync, writeFileSync } from 'node:fs';
import { TypedDataUtils, SignTypedDataVersion } from '@metamask/eth-sig-util';
import { registered } from '../payloads/registry.mjs';

const version = JSON.parse(readFileSync(new URL('../../node_modules/@metamask/eth-sig-util/package.json', import.meta.url))).version;
const clone = (x) => JSON.parse(JSON.stringify(x));
const MAX = '115792089237316195423570985008687907853269984665640564039457584007913129639935';

// eth-sig-util's own README example for V4: `Group` is declared and never used.
const mail = {
  types: {
    EIP712Domain: [{ name: 'name', type: 'string' }, { name: 'version', type: 'string' },
      { name: 'chainId', type: 'uint256' }, { name: 'verifyingContract', type: 'address' }],
    Group: [{ name: 'name', type: 'string' }, { name: 'members', type: 'Person[]' }],
    Mail: [{ name: 'from', type: 'Person' }, { name: 'to', type: 'Person[]' }, { name: 'contents', type: 'string' }],
    Person: [{ name: 'name', type: 'string' }, { name: 'wallets', type: 'address[]' }],
  },
  domain: { chainId: 1, name: 'Ether Mail', verifyingContract: '0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC', version: '1' },
  primaryType: 'Mail',
  message: {
    contents: 'Hello, Bob!',
    from: { name: 'Cow', wallets: ['0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826', '0xDeaDbeefdEAdbeefdEadbEEFdeadbeEFdEaDbeeF'] },
    to: [{ name: 'Bob', wallets: ['0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB', '0xB0BdaBea57B0BDABeA57b0bdABEA57b0BDabEa57',
      '0xB0B0b0b0b0b0B000000000000000000000000000'] }],
  },
};

// Uniswap's Permit2 PermitSingle as @uniswap/permit2-sdk's AllowanceTransfer.getPermitData lays it out.
const permitSingle = {
  types: {
    EIP712Domain: [{ name: 'name', type: 'string' }, { name: 'chainId', type: 'uint256' }, { name: 'verifyingContract', type: 'address' }],
    PermitSingle: [{ name: 'details', type: 'PermitDetails' }, { name: 'spender', type: 'address' }, { name: 'sigDeadline', type: 'uint256' }],
    PermitDetails: [{ name: 'token', type: 'address' }, { name: 'amount', type: 'uint160' }, { name: 'expiration', type: 'uint48' }, { name: 'nonce', type: 'uint48' }],
  },
  domain: { name: 'Permit2', chainId: 1, verifyingContract: registered('Uniswap', 'Permit2') },
  primaryType: 'PermitSingle',
  message: {
    details: { token: registered('Token', 'USDC'), amount: '1461501637330902918203684832716283019655932542975', expiration: '1735689600', nonce: '0' },
    spender: registered('Uniswap', 'Universal Router', '1.2'), sigDeadline: '1733100000',
  },
};

// An EIP-2612 permit, the values at 2^256-1 (the commonest phishing signature).
const permit = {
  types: {
    EIP712Domain: [{ name: 'name', type: 'string' }, { name: 'version', type: 'string' }, { name: 'chainId', type: 'uint256' }, { name: 'verifyingContract', type: 'address' }],
    Permit: [{ name: 'owner', type: 'address' }, { name: 'spender', type: 'address' }, { name: 'value', type: 'uint256' }, { name: 'nonce', type: 'uint256' }, { name: 'deadline', type: 'uint256' }],
  },
  domain: { name: 'USD Coin', version: '2', chainId: 1, verifyingContract: registered('Token', 'USDC') },
  primaryType: 'Permit',
  message: { owner: '0x1111111111111111111111111111111111111111', spender: '0x2222222222222222222222222222222222222222', value: MAX, nonce: 0, deadline: MAX },
};

const atoms = (message, fields) => ({
  types: { EIP712Domain: [{ name: 'name', type: 'string' }], Atoms: fields },
  domain: { name: 'atoms' }, primaryType: 'Atoms', message,
});

const cases = [];
const add = (desc, doc) => cases.push({ desc, typed_data: doc });
const edit = (base, fn) => { const doc = clone(base); fn(doc); return doc; };

add('eth-sig-util README example (unused Group type)', mail);
add('primaryType is not the root type (Person of the Mail document)', edit(mail, (d) => { d.primaryType = 'Person'; d.message = d.message.from; }));
add('primaryType Group: a declared type whose data is given', edit(mail, (d) => { d.primaryType = 'Group'; d.message = { name: 'G', members: [d.message.from] }; }));
add('null string field hashes as the empty string', edit(mail, (d) => { d.message.contents = null; }));
add('missing string field', edit(mail, (d) => { delete d.message.contents; }));
add('null struct field encodes as zero', edit(mail, (d) => { d.message.from = null; }));
add('null item in an array of structs', edit(mail, (d) => { d.message.to = [null, d.message.to[0]]; }));
add('no EIP712Domain in types', edit(mail, (d) => { delete d.types.EIP712Domain; }));
add('EIP712Domain declared empty, domain given', edit(mail, (d) => { d.types.EIP712Domain = []; }));
add('primaryType EIP712Domain signs the domain alone', edit(mail, (d) => { d.primaryType = 'EIP712Domain'; }));
add('domain chainId as a hex string', edit(mail, (d) => { d.domain.chainId = '0x1'; }));
add('domain chainId as a decimal string', edit(mail, (d) => { d.domain.chainId = '1'; }));
add('unknown primaryType', edit(mail, (d) => { d.primaryType = 'Letter'; }));
add('field of an undefined type', edit(mail, (d) => { d.types.Mail[2].type = 'Text'; }));
add('types missing', edit(mail, (d) => { delete d.types; }));
add('message missing', edit(mail, (d) => { delete d.message; }));
add('array field given an object', edit(mail, (d) => { d.message.to = d.message.to[0]; }));
add('Permit2 PermitSingle (permit2-sdk layout)', permitSingle);
add('Permit2 PermitSingle plus one unused type', edit(permitSingle, (d) => { d.types.Unused = [{ name: 'x', type: 'uint256' }]; }));
add('Permit2 PermitSingle, amounts as JSON numbers', edit(permitSingle, (d) => { d.message.details.expiration = 1735689600; d.message.details.nonce = 0; d.message.sigDeadline = 1733100000; }));
add('EIP-2612 permit at 2^256-1 (decimal strings)', permit);
add('EIP-2612 permit at 2^256-1 (hex strings)', edit(permit, (d) => { d.message.value = '0x' + 'f'.repeat(64); d.message.deadline = '0x' + 'f'.repeat(64); }));
add('EIP-2612 permit value 2^256 (out of range)', edit(permit, (d) => { d.message.value = '115792089237316195423570985008687907853269984665640564039457584007913129639936'; }));
add('EIP-2612 permit, negative value', edit(permit, (d) => { d.message.value = '-1'; }));
add('EIP-2612 permit, value with spaces', edit(permit, (d) => { d.message.value = ' 42 '; }));
add('EIP-2612 permit, empty-string nonce', edit(permit, (d) => { d.message.nonce = ''; }));
add('EIP-2612 permit, lowercase addresses', edit(permit, (d) => { d.message.owner = d.message.owner.toLowerCase(); d.domain.verifyingContract = d.domain.verifyingContract.toLowerCase(); }));
add('EIP-2612 permit, owner as a number', edit(permit, (d) => { d.message.owner = 4660; }));
add('EIP-2612 permit, short hex owner', edit(permit, (d) => { d.message.owner = '0x1234'; }));
add('EIP-2612 permit, 21-byte owner', edit(permit, (d) => { d.message.owner = '0x' + '11'.repeat(21); }));
add('EIP-2612 permit, value a boolean', edit(permit, (d) => { d.message.value = true; }));
add('uint8 at 255 and 256', atoms({ a: 255, b: 256 }, [{ name: 'a', type: 'uint8' }, { name: 'b', type: 'uint16' }]));
add('uint8 out of range', atoms({ a: 256 }, [{ name: 'a', type: 'uint8' }]));
add('int8 negative and positive', atoms({ a: -128, b: 127, c: '-0x1' === '' ? 0 : -1 }, [{ name: 'a', type: 'int8' }, { name: 'b', type: 'int8' }, { name: 'c', type: 'int256' }]));
add('int8 at 200 (eth-sig-util allows up to 2^8-1)', atoms({ a: 200 }, [{ name: 'a', type: 'int8' }]));
add('int8 at -200', atoms({ a: -200 }, [{ name: 'a', type: 'int8' }]));
add('int256 as a negative decimal string', atoms({ a: '-12345678901234567890' }, [{ name: 'a', type: 'int256' }]));
add('uint without a width', atoms({ a: 7 }, [{ name: 'a', type: 'uint' }]));
add('bool as true and "false"', atoms({ a: true, b: 'false' }, [{ name: 'a', type: 'bool' }, { name: 'b', type: 'bool' }]));
add('bool as 1', atoms({ a: 1 }, [{ name: 'a', type: 'bool' }]));
add('bytes as hex, text and number', atoms({ a: '0xdeadbeef', b: 'hello', c: 258, d: '0x' }, [{ name: 'a', type: 'bytes' }, { name: 'b', type: 'bytes' }, { name: 'c', type: 'bytes' }, { name: 'd', type: 'bytes' }]));
add('bytes null', atoms({ a: null }, [{ name: 'a', type: 'bytes' }]));
add('string as a number', atoms({ a: 258 }, [{ name: 'a', type: 'string' }]));
add('unicode string', atoms({ a: 'Grüße, 世界 🚀\nline two' }, [{ name: 'a', type: 'string' }]));
add('bytes32 full, short and as a number', atoms({ a: '0x' + 'ab'.repeat(32), b: '0x01', c: 5 }, [{ name: 'a', type: 'bytes32' }, { name: 'b', type: 'bytes32' }, { name: 'c', type: 'bytes32' }]));
add('bytes4 given 4 bytes', atoms({ a: '0x12345678' }, [{ name: 'a', type: 'bytes4' }]));
add('bytes32 given 33 bytes', atoms({ a: '0x' + 'ab'.repeat(33) }, [{ name: 'a', type: 'bytes32' }]));
add('nested arrays uint256[][]', atoms({ a: [[1, 2], [], ['0x3']] }, [{ name: 'a', type: 'uint256[][]' }]));
add('fixed array given more items than declared', atoms({ a: [1, 2, 3] }, [{ name: 'a', type: 'uint256[2]' }]));
add('string[] and bytes[]', atoms({ a: ['x', 'y'], b: ['0x01', 'zz'] }, [{ name: 'a', type: 'string[]' }, { name: 'b', type: 'bytes[]' }]));
add('recursive type (a tree)', {
  types: { EIP712Domain: [], Node: [{ name: 'value', type: 'uint256' }, { name: 'children', type: 'Node[]' }] },
  domain: {}, primaryType: 'Node', message: { value: 1, children: [{ value: 2, children: [] }, { value: 3, children: [{ value: 4, children: [] }] }] },
});
add('extra message fields are ignored', edit(permit, (d) => { d.message.extra = 'ignored'; }));
add('extra top-level keys are ignored', edit(permit, (d) => { d.extra = { anything: 1 }; }));
add('function type', atoms({ a: '0x' + '11'.repeat(24) }, [{ name: 'a', type: 'function' }]));

// eth_signTypedData_v3: fields absent from the data are left out of the encoding, arrays are refused.
add('v3: a field absent from the message', edit(permit, (d) => { delete d.message.nonce; }));
add('v3: a field absent from the domain', edit(permit, (d) => { delete d.domain.version; }));
add('v3: an empty message', edit(permit, (d) => { d.message = {}; }));
add('v3: a null struct', edit(mail, (d) => { d.message.from = null; }));

const digest = (typed_data, v) => '0x' + Buffer.from(TypedDataUtils.eip712Hash(clone(typed_data), v)).toString('hex');
const vectors = cases.map(({ desc, typed_data }) => {
  const vector = { desc, typed_data };
  for (const [key, v] of [['', SignTypedDataVersion.V4], ['_v3', SignTypedDataVersion.V3]]) {
    try {
      vector['want_hash' + key] = digest(typed_data, v);
    } catch (error) {
      vector['want_err' + key] = true;
    }
  }
  return vector;
});
const out = process.argv[2] ?? new URL('./eip712.json', import.meta.url);
writeFileSync(out, JSON.stringify({ generator: `@metamask/eth-sig-util ${version} TypedDataUtils.eip712Hash V4 and V3`, vectors }, null, 1) + '\n');
