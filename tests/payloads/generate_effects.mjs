// Writes tests/payloads/effects.json: signed orders and grants beyond ERC-20 approvals, each built by the protocol's
// own npm SDK (or encoded with the ABI its package publishes) and signed or sent through viem's wallet client over a
// recording EIP-1193 transport, so each request is exactly what the wallet would receive.
// Run: node tests/payloads/generate_effects.mjs [OUT]   (after `npm ci`; tests/test_effects.py fails when it is stale)
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createPublicClient, createWalletClient, custom, encodeFunctionData, parseAbi, toHex } from 'viem';
import { mainnet } from 'viem/chains';
import { LimitOrder, MakerTraits, Address } from '@1inch/limit-order-sdk';
import { OrderSigningUtils, setGlobalAdapter, OrderKind } from '@cowprotocol/cow-sdk';
import { ViemAdapter } from '@cowprotocol/sdk-viem-adapter';
import { constructPartialSDK, constructBuildDeltaOrder, constructSignDeltaOrder, constructViemContractCaller } from '@velora-dex/sdk';
import { Seaport } from '@opensea/seaport-js';
import { ItemType } from '@opensea/seaport-js/lib/constants.js';
import { BrowserProvider } from 'ethers';
import { registered } from './registry.mjs';

const require = createRequire(import.meta.url);
const { NonfungiblePositionManager } = require('@uniswap/v3-sdk');
const { NONFUNGIBLE_POSITION_MANAGER_ADDRESSES } = require('@uniswap/sdk-core');
const pkg = (name) => JSON.parse(readFileSync(new URL(`../../node_modules/${name}/package.json`, import.meta.url))).version;
const PACKAGES = ['viem', 'ethers', '@1inch/limit-order-sdk', '@cowprotocol/cow-sdk', '@cowprotocol/sdk-viem-adapter',
  '@velora-dex/sdk', '@opensea/seaport-js', '@uniswap/v3-sdk', '@uniswap/sdk-core', '@aave/core-v3'];
const versions = Object.fromEntries(PACKAGES.map((n) => [n, pkg(n)]));
const source = (name, what) => `npm ${name}@${versions[name]} ${what}`;

const USER = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const THIEF = '0xeE76Fa70e8A002c9114C0aCB137b1E2951615424'; // a plain account
const USDC = registered('Token', 'USDC');
const WETH = registered('Wrapped native', 'WETH');
const BAYC = '0xBC4CA0EdA7647A8aB7C2061c2E118A18a936f13D';
const AAVE_VARIABLE_DEBT_USDC = '0x72E95b8931767C79bA4EeE721354d6E99a61D004'; // @bgd-labs/aave-address-book AaveV3Ethereum.ASSETS.USDC.V_TOKEN
const COMET_USDC = registered('Compound', 'Comet (USDC)'); // Compound III cUSDCv3 on mainnet
const DELTA = '0x0000000000bbF5c5Fd284e657F01Bd000933C96D'; // what the recording fetcher answers as Velora's Delta contract
const START = 1764547200; // 2025-12-01T00:00:00Z
const END = 1767225600; // 2026-01-01T00:00:00Z

// A recording EIP-1193 transport: answers what the SDKs ask of a wallet and node, and keeps every request.
let seen = [];
let chainId = 1; // what the transport says the wallet is on
const ownerOf = '0x' + '00'.repeat(12) + USER.slice(2).toLowerCase();
const request = async ({ method, params }) => {
  seen.push({ method, params: params ?? [] });
  if (method === 'eth_chainId') return toHex(chainId);
  if (method === 'eth_accounts' || method === 'eth_requestAccounts') return [USER];
  if (method === 'eth_signTypedData_v4') return '0x' + '11'.repeat(32) + '22'.repeat(32) + '1b'; // canonical r, s, v
  if (method === 'eth_sendTransaction') return '0x' + 'ab'.repeat(32);
  if (method === 'eth_blockNumber') return '0x1500000';
  if (method === 'eth_call') { // seaport-js checks the offerer's items: it owns them and Seaport may move them
    const selector = params[0].data.slice(0, 10);
    if (selector === '0x6352211e') return ownerOf;
    if (['0xe985e9c5', '0x01ffc9a7'].includes(selector)) return '0x' + '00'.repeat(31) + '01';
    if (['0x70a08231', '0xdd62ed3e'].includes(selector)) return '0x' + '7f' + 'ff'.repeat(31); // balance, allowance
    return '0x' + '00'.repeat(32);
  }
  throw new Error(`the recording transport does not answer ${method}`);
};
const transport = custom({ request });
const wallet = createWalletClient({ chain: mainnet, transport, account: USER });
const last = (method) => seen.filter((r) => r.method === method).at(-1);
const asRequest = (captured) => ({ chain_id: chainId, method: captured.method, params: captured.params });
const payloads = [];
const add = (name, desc, src) => { payloads.push({ name, desc, source: src, request: asRequest(seen.at(-1)) }); };
const signed = async (fn) => { seen = []; await fn(); return last('eth_signTypedData_v4'); };

// 1inch Limit Order Protocol v4: the SDK builds the order and its EIP-712 data; viem signs it.
for (const [name, receiver, desc] of [
  ['1inch-limit-order', undefined, '1inch limit order: sell 2,500 USDC for at least 1 WETH, paid to the maker'],
  ['1inch-limit-order-to-third-party', THIEF, '1inch limit order whose receiver is another account'],
]) {
  const order = new LimitOrder({ makerAsset: new Address(USDC), takerAsset: new Address(WETH), makingAmount: 2500_000000n,
    takingAmount: 10n ** 18n, maker: new Address(USER), salt: 1234n, ...(receiver ? { receiver: new Address(receiver) } : {}) },
  MakerTraits.default().withExpiration(BigInt(END)));
  const typed = order.getTypedData(1);
  await signed(() => wallet.signTypedData({ domain: typed.domain, types: { Order: typed.types.Order }, primaryType: 'Order', message: typed.message }));
  add(name, desc, source('@1inch/limit-order-sdk', 'LimitOrder.getTypedData'));
}

// CoW Protocol: the SDK signs the order through its viem adapter.
setGlobalAdapter(new ViemAdapter({ provider: createPublicClient({ chain: mainnet, transport }), walletClient: wallet }));
for (const [name, receiver, desc] of [
  ['cow-order', undefined, 'CoW order: sell 2,500 USDC for at least 1 WETH (no receiver: the owner)'],
  ['cow-order-to-third-party', THIEF, 'CoW order paying the WETH to another account'],
]) {
  await signed(() => OrderSigningUtils.signOrder({ sellToken: USDC, buyToken: WETH, receiver, sellAmount: '2500000000',
    buyAmount: '1000000000000000000', validTo: END, appData: '0x' + '00'.repeat(32), feeAmount: '0', kind: OrderKind.SELL,
    partiallyFillable: false, sellTokenBalance: 'erc20', buyTokenBalance: 'erc20' }, 1, wallet));
  add(name, desc, source('@cowprotocol/cow-sdk', 'OrderSigningUtils.signOrder'));
}

// Velora Delta: the SDK builds the order (its API calls answered by a recording fetcher) and signs it.
const fetcher = async ({ url }) => url.includes('partnerfee')
  ? { partnerAddress: '0x0000000000000000000000000000000000000000', partnerFee: 0, takeSurplus: false }
  : { ParaswapDelta: DELTA };
const velora = constructPartialSDK({ chainId: 1, fetcher, contractCaller: constructViemContractCaller(wallet, USER) },
  constructBuildDeltaOrder, constructSignDeltaOrder);
const bridge = { protocolSelector: '0x00000000', destinationChainId: 0, outputToken: '0x0000000000000000000000000000000000000000', scalingFactor: 0, protocolData: '0x' };
for (const [name, beneficiary, desc] of [
  ['velora-delta-order', USER, 'Velora Delta order: sell 2,500 USDC for at least 1 WETH to the owner'],
  ['velora-delta-order-to-third-party', THIEF, 'Velora Delta order whose beneficiary is another account'],
]) {
  await signed(async () => velora.signDeltaOrder(await velora.buildDeltaOrder({ owner: USER, beneficiary, srcToken: USDC,
    destToken: WETH, srcAmount: '2500000000', destAmount: '1000000000000000000', deadline: END, nonce: '1', slippage: 0,
    deltaPrice: { destAmount: '1000000000000000000', srcAmount: '2500000000', destToken: WETH, partner: 'anon', partnerFee: 0, bridge } })));
  add(name, desc, source('@velora-dex/sdk', 'buildDeltaOrder + signDeltaOrder'));
}

// Seaport bulk listing: seaport-js signs several orders at once as one BulkOrder tree.
const seaport = new Seaport(await new BrowserProvider({ request }).getSigner(USER), { overrides: { seaportVersion: '1.6' } });
for (const [name, second, desc] of [
  ['seaport-bulk-listing', '2000000000000000000', 'Seaport bulk listing of two BAYC, 1 and 2 ETH'],
  ['seaport-bulk-listing-one-for-nothing', '0', 'Seaport bulk listing whose second leaf gives a BAYC away for 0 ETH'],
]) {
  await signed(async () => (await seaport.createBulkOrders([
    { offer: [{ itemType: ItemType.ERC721, token: BAYC, identifier: '1' }], consideration: [{ amount: '1000000000000000000', recipient: USER }], startTime: String(START), endTime: String(END), salt: '1' },
    { offer: [{ itemType: ItemType.ERC721, token: BAYC, identifier: '2' }], consideration: [{ amount: second, recipient: USER }], startTime: String(START), endTime: String(END), salt: '2' },
  ], USER)).executeAllActions());
  add(name, desc, source('@opensea/seaport-js', 'Seaport.createBulkOrders'));
}

// On the embedded world (chain 31337, mainnet's addresses, prices read there): a Seaport order selling 1 WETH for
// 100 USDC, far below what the world's Chainlink feed prices ETH at.
chainId = 31337;
const devnetSeaport = new Seaport(await new BrowserProvider({ request }).getSigner(USER), { overrides: { seaportVersion: '1.6' } });
await signed(async () => (await devnetSeaport.createOrder({
  offer: [{ token: WETH, amount: '1000000000000000000' }], consideration: [{ token: USDC, amount: '100000000', recipient: USER }],
  startTime: String(START), endTime: String(END), salt: '3' }, USER)).executeAllActions());
add('seaport-sell-weth-far-below-its-price', 'Seaport order on the embedded world: 1 WETH for 100 USDC',
  source('@opensea/seaport-js', 'Seaport.createOrder'));
chainId = 1;

// Grants beyond ERC-20 approvals.
const send = async (to, data) => { seen = []; await wallet.sendTransaction({ to, data, gas: 100000n, maxFeePerGas: 10n ** 9n, maxPriorityFeePerGas: 10n ** 9n, nonce: 7 }); };
const aave = JSON.parse(readFileSync(new URL('../../node_modules/@aave/core-v3/artifacts/contracts/protocol/tokenization/VariableDebtToken.sol/VariableDebtToken.json', import.meta.url))).abi;
await send(AAVE_VARIABLE_DEBT_USDC, encodeFunctionData({ abi: aave, functionName: 'approveDelegation', args: [THIEF, 2n ** 256n - 1n] }));
add('aave-approve-delegation', 'Aave v3 credit delegation: let a plain account borrow unlimited USDC against your collateral',
  source('@aave/core-v3', 'VariableDebtToken ABI approveDelegation'));
await signed(() => wallet.signTypedData({ domain: { name: 'Aave Ethereum Variable Debt USDC', version: '1', chainId: 1, verifyingContract: AAVE_VARIABLE_DEBT_USDC },
  types: { DelegationWithSig: [{ name: 'delegatee', type: 'address' }, { name: 'value', type: 'uint256' }, { name: 'nonce', type: 'uint256' }, { name: 'deadline', type: 'uint256' }] },
  primaryType: 'DelegationWithSig', message: { delegatee: THIEF, value: 5000_000000n, nonce: 0n, deadline: BigInt(END) } }));
add('aave-delegation-with-sig', 'Aave v3 credit delegation by signature (DebtTokenBase DELEGATION_WITH_SIG_TYPEHASH)',
  source('@aave/core-v3', 'DebtTokenBase DelegationWithSig type'));
const comet = parseAbi(['function allow(address manager, bool isAllowed)']); // CometExt (no npm package ships Comet's ABI)
await send(COMET_USDC, encodeFunctionData({ abi: comet, functionName: 'allow', args: [THIEF, true] }));
add('compound-allow', 'Compound III allow: a manager may act on your whole USDC position', 'viem encodeFunctionData of CometExt allow(address,bool)');
await signed(() => wallet.signTypedData({ domain: { name: 'Compound USDC', version: '0', chainId: 1, verifyingContract: COMET_USDC },
  types: { Authorization: [{ name: 'owner', type: 'address' }, { name: 'manager', type: 'address' }, { name: 'isAllowed', type: 'bool' }, { name: 'nonce', type: 'uint256' }, { name: 'expiry', type: 'uint256' }] },
  primaryType: 'Authorization', message: { owner: USER, manager: THIEF, isAllowed: true, nonce: 0n, expiry: BigInt(END) } }));
add('compound-allow-by-sig', 'Compound III allowBySig authorization (CometExt AUTHORIZATION_TYPEHASH)', 'viem signTypedData of CometExt Authorization');
const positions = NONFUNGIBLE_POSITION_MANAGER_ADDRESSES[1];
const permit = NonfungiblePositionManager.getPermitData({ spender: THIEF, tokenId: 4242, nonce: 0, deadline: END }, positions, 1);
await signed(() => wallet.signTypedData({ domain: permit.domain, types: permit.types, primaryType: 'Permit', message: permit.values }));
add('uniswap-v3-position-permit', 'ERC-721 permit of a Uniswap V3 position to a plain account',
  source('@uniswap/v3-sdk', 'NonfungiblePositionManager.getPermitData'));
await send(USDC, encodeFunctionData({ abi: parseAbi(['function increaseApproval(address _spender, uint256 _addedValue) returns (bool)']), functionName: 'increaseApproval', args: [THIEF, 10n ** 12n] }));
add('increase-approval', 'increaseApproval (the pre-OpenZeppelin-4 name of increaseAllowance) to a plain account', 'viem encodeFunctionData of increaseApproval(address,uint256)');

const out = process.argv[2] ?? new URL('./effects.json', import.meta.url).pathname;
const json = JSON.stringify({ generated_by: versions, payloads }, (k, v) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n';
writeFileSync(out, json);
console.log(`wrote ${payloads.length} payloads to ${out}`);
