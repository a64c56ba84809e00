// Writes tests/vectors/typed_v1.json: legacy `eth_signTypedData` (v1: an array of {type, name, value}) documents
// with the digest MetaMask signs for each, computed by @metamask/eth-sig-util's typedSignatureHash — or want_err
// where it refuses the document.
// Run: node tests/vectors/generate_typed_v1.mjs [OUT]   (needs `npm ci`; tests/test_typed_v1.py fails when stale)
import { readFileSync, writeFileSync } from 'node:fs';
import { typedSignatureHash } from '@metamask/eth-sig-util';

const version = JSON.parse(readFileSync(new URL('../../node_modules/@metamask/eth-sig-util/package.json', import.meta.url))).version;
const MAX = '115792089237316195423570985008687907853269984665640564039457584007913129639935';
const cases = [];
const add = (desc, typed_data) => cases.push({ desc, typed_data });

// The example MetaMask's docs and test dApp have sent for years.
add('MetaMask test dApp example', [{ type: 'string', name: 'Message', value: 'Hi, Alice!' },
  { type: 'uint32', name: 'A number', value: '1337' }]);
add('a login challenge', [{ type: 'string', name: 'challenge', value: 'Sign in to example.org' },
  { type: 'uint256', name: 'nonce', value: 42 }, { type: 'address', name: 'account', value: '0x1111111111111111111111111111111111111111' }]);
add('uint256 at 2^256-1 (decimal and hex)', [{ type: 'uint256', name: 'a', value: MAX }, { type: 'uint256', name: 'b', value: '0x' + 'f'.repeat(64) }]);
add('uint8 and uint16 as numbers', [{ type: 'uint8', name: 'a', value: 255 }, { type: 'uint16', name: 'b', value: 256 }]);
add('int8 and int256 negative', [{ type: 'int8', name: 'a', value: -128 }, { type: 'int256', name: 'b', value: '-12345678901234567890' }, { type: 'int32', name: 'c', value: -1 }]);
add('bool true and "false"', [{ type: 'bool', name: 'a', value: true }, { type: 'bool', name: 'b', value: 'false' }]);
add('bytes as hex and as text', [{ type: 'bytes', name: 'a', value: '0xdeadbeef' }, { type: 'bytes', name: 'b', value: 'hello' }]);
add('bytes32 full and bytes4', [{ type: 'bytes32', name: 'a', value: '0x' + 'ab'.repeat(32) }, { type: 'bytes4', name: 'b', value: '0x12345678' }]);
add('unicode string', [{ type: 'string', name: 'Grüße', value: 'Grüße, 世界 🚀\nline two' }]);
add('address lowercase', [{ type: 'address', name: 'to', value: '0xdeadbeefdeadbeefdeadbeefdeadbeefdeadbeef' }]);
add('uint256[] and bytes4[]', [{ type: 'uint256[]', name: 'a', value: [1, 2, '0x3'] }, { type: 'bytes4[]', name: 'b', value: ['0x01020304', '0xaabbccdd'] }]);
add('address[]', [{ type: 'address[]', name: 'a', value: ['0x1111111111111111111111111111111111111111', '0x2222222222222222222222222222222222222222'] }]);
add('int8[] with a negative', [{ type: 'int8[]', name: 'a', value: [-1, 5] }]);
add('string[] and bytes[]', [{ type: 'string[]', name: 'a', value: ['x', 'yz'] }, { type: 'bytes[]', name: 'b', value: ['0x01', '0x0203'] }]);
add('uint256[2] fixed', [{ type: 'uint256[2]', name: 'a', value: [7, 8] }]);
add('bool[]', [{ type: 'bool[]', name: 'a', value: [true, false] }]);
add('an empty array', []);
add('an item without a name', [{ type: 'string', value: 'x' }]);
add('function type', [{ type: 'function', name: 'f', value: '0x' + '11'.repeat(24) }]);

const vectors = cases.map(({ desc, typed_data }) => {
  try {
    return { desc, typed_data, want_hash: typedSignatureHash(JSON.parse(JSON.stringify(typed_data))) };
  } catch (error) {
    return { desc, typed_data, want_err: true };
  }
});
const out = process.argv[2] ?? new URL('./typed_v1.json', import.meta.url);
writeFileSync(out, JSON.stringify({ generator: `@metamask/eth-sig-util ${version} typedSignatureHash`, vectors }, null, 1) + '\n');
