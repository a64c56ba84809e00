// Writes tests/payloads/protocols.json: requests to the well-known protocols on every chain the registry serves.
// - `payloads`: routine Uniswap flows per chain built with the protocols' SDKs (permit2-sdk's PermitSingle to the
//   chain's Universal Router, and to a plain account; viem's approve of Permit2), signed or sent through viem's wallet
//   client over a recording EIP-1193 transport, exactly what the wallet would receive.
// - `corpus`: one call per state-changing function of every ABI the registry holds, and one call per registered
//   contract and chain, encoded with viem's encodeFunctionData from that ABI. It is drawn from the same packages as
//   the registry, so it measures the table (that every function of every registered contract is named on every
//   chain), not the world.
// Run: node tests/payloads/generate_protocols.mjs [OUT]   (after `npm ci`; tests/test_protocols.py fails when stale)
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createWalletClient, custom, encodeFunctionData, erc20Abi, maxUint256, parseAbiItem, toHex } from 'viem';
import * as chains from 'viem/chains';
import { registered } from './registry.mjs';

const require = createRequire(import.meta.url);
const { AllowanceTransfer, MaxAllowanceTransferAmount, permit2Address } = require('@uniswap/permit2-sdk');
const { UNIVERSAL_ROUTER_ADDRESS } = require('@uniswap/universal-router-sdk');
const version = (name) => JSON.parse(readFileSync(new URL(`../../node_modules/${name}/package.json`, import.meta.url))).version;
const registry = JSON.parse(readFileSync(new URL('../../chain/protocols/registry.json', import.meta.url)));
const viem = `viem@${version('viem')}`;

const USER = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const THIEF = '0xeE76Fa70e8A002c9114C0aCB137b1E2951615424'; // a plain account
const FIXED_TIME = 1764547200; // 2025-12-01T00:00:00Z

let seen = [];
let chainId = 1;
const transport = custom({
  request: async ({ method, params }) => {
    seen.push({ method, params: params ?? [] });
    if (method === 'eth_chainId') return toHex(chainId);
    if (method === 'eth_accounts' || method === 'eth_requestAccounts') return [USER];
    if (method === 'eth_signTypedData_v4') return '0x' + '11'.repeat(32) + '22'.repeat(32) + '1b';
    if (method === 'eth_sendTransaction') return '0x' + 'ab'.repeat(32);
    throw new Error(`the recording transport does not answer ${method}`);
  },
});
const chainDef = (id) => Object.values(chains).find((c) => c?.id === id);
const wallet = (id) => createWalletClient({ chain: chainDef(id), transport, account: USER });

const payloads = {};
async function capture(name, description, source, chain, method, act) {
  seen = [];
  chainId = chain;
  await act();
  const request = seen.filter((r) => r.method === method).at(-1);
  payloads[name] = { description, source, request: { chain_id: chain, method: request.method, params: request.params } };
}

// A routine Uniswap swap's two requests on each chain: approve Permit2 once, then sign a PermitSingle to the router.
for (const chain of [1, 10, 137, 8453, 42161]) {
  const usdc = registered('Token', 'USDC', null, chain);
  const router = UNIVERSAL_ROUTER_ADDRESS('2.0', chain);
  const sign = (spender) => async () => {
    const permit = { details: { token: usdc, amount: MaxAllowanceTransferAmount.toString(), expiration: FIXED_TIME + 30 * 86400, nonce: 0 },
      spender, sigDeadline: FIXED_TIME + 1800 };
    const { domain, types, values } = AllowanceTransfer.getPermitData(permit, permit2Address(chain), chain);
    await wallet(chain).signTypedData({ domain, types, primaryType: 'PermitSingle', message: JSON.parse(JSON.stringify(values)) });
  };
  const sdk = `@uniswap/permit2-sdk@${version('@uniswap/permit2-sdk')} AllowanceTransfer.getPermitData + ${viem} signTypedData`;
  await capture(`uniswap-permit-router-${chain}`, `Permit2 PermitSingle for USDC to the Universal Router 2.0 on chain ${chain}`, sdk, chain, 'eth_signTypedData_v4', sign(router));
  await capture(`uniswap-permit-eoa-${chain}`, `Permit2 PermitSingle for USDC to a plain account on chain ${chain}`, sdk, chain, 'eth_signTypedData_v4', sign(THIEF));
  await capture(`uniswap-approve-permit2-${chain}`, `USDC approve(Permit2, max) on chain ${chain}`, `${viem} writeContract(erc20Abi, approve)`, chain, 'eth_sendTransaction',
    () => wallet(chain).writeContract({ address: usdc, abi: erc20Abi, functionName: 'approve', args: [permit2Address(chain), maxUint256] }));
  await capture(`approve-unknown-spender-${chain}`, `USDC approve(a plain account, max) on chain ${chain}`, `${viem} writeContract(erc20Abi, approve)`, chain, 'eth_sendTransaction',
    () => wallet(chain).writeContract({ address: usdc, abi: erc20Abi, functionName: 'approve', args: [THIEF, maxUint256] }));
}

// Sample arguments for an ABI parameter: fixed, type-shaped values (an address is the user, amounts are 10^18).
function sample(param) {
  const type = param.type;
  const array = type.match(/^(.*)\[(\d*)\]$/);
  if (array) return Array.from({ length: array[2] ? Number(array[2]) : 1 }, () => sample({ ...param, type: array[1] }));
  if (type === 'tuple') {
    const components = param.components ?? [];
    return components.every((c) => c.name) ? Object.fromEntries(components.map((c) => [c.name, sample(c)])) : components.map(sample);
  }
  if (type === 'address') return USER;
  if (type === 'bool') return true;
  if (type === 'string') return 'txexplain';
  if (type === 'bytes') return '0x1234';
  if (type.startsWith('bytes')) return '0x' + '5a'.repeat(Number(type.slice(5)));
  const bits = Number(type.replace(/^u?int/, '') || 256);
  return type.startsWith('u') ? (bits >= 64 ? 10n ** 18n : 1n) : 1n;
}

/** A registered ABI, read from its package file (or the JavaScript export) as scripts/gen_registry.mjs read it. */
function abiOf(key) {
  const entry = registry.abis[key];
  if (entry.export?.startsWith('EMBEDDED_REGISTRY')) { // an ERC-7730 descriptor: its formats' signatures
    return entry.functions.map((signature) => ({ ...parseAbiItem(`function ${signature}`), stateMutability: 'nonpayable' }));
  }
  if (entry.export) { // a JavaScript module's export, by its path (`Name__factory.abi`, `abi.cErc20`, `blueAbi`)
    const module = require(new URL(`../../node_modules/${entry.package}/${entry.file}`, import.meta.url).pathname);
    return entry.export.split('.').reduce((object, key) => object[key], module);
  }
  const doc = JSON.parse(readFileSync(new URL(`../../node_modules/${entry.package}/${entry.file}`, import.meta.url)));
  return Array.isArray(doc) ? doc : doc.abi ?? doc.compilerOutput.abi;
}

const corpus = [];
const writes = (abi) => abi.filter((e) => e.type === 'function' && !['view', 'pure'].includes(e.stateMutability) && !e.constant);
const call = (contract, fn, why) => {
  const data = encodeFunctionData({ abi: [fn], functionName: fn.name, args: (fn.inputs ?? []).map(sample) });
  corpus.push({ protocol: contract.protocol, chain: contract.chain, contract: contract.name, to: contract.address,
    function: `${fn.name}(${(fn.inputs ?? []).map((i) => formatType(i)).join(',')})`, data,
    source: `${registry.abis[contract.abi].package}@${registry.abis[contract.abi].version} ${registry.abis[contract.abi].file} + ${viem} encodeFunctionData`, why });
};
const formatType = (p) => (p.type.startsWith('tuple') ? `(${(p.components ?? []).map(formatType).join(',')})${p.type.slice(5)}` : p.type);
const seenFunctions = new Set();
for (const contract of registry.contracts.filter((c) => c.abi)) {
  const fns = writes(abiOf(contract.abi)).sort((a, b) => a.name.localeCompare(b.name));
  if (!fns.length) continue;
  call(contract, fns[0], 'one call per registered contract and chain');
  for (const fn of fns.slice(1)) {
    const key = `${contract.abi}:${formatType({ type: 'tuple', components: fn.inputs ?? [] })}:${fn.name}`;
    if (seenFunctions.has(key)) continue;
    seenFunctions.add(key);
    call(contract, fn, 'every state-changing function of each registered ABI, once');
  }
}

const out = process.argv[2] ?? new URL('protocols.json', import.meta.url).pathname;
writeFileSync(out, JSON.stringify({ payloads, corpus }, null, 1) + '\n');
console.log(`wrote ${Object.keys(payloads).length} payloads and ${corpus.length} corpus calls to ${out}`);
