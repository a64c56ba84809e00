// Writes tests/payloads/corpus.json: EIP-1193 requests exactly as real client libraries hand them to a wallet.
// Each library runs against a recording provider (viem's `custom` transport, an ethers Eip1193Provider) that
// captures `request({ method, params })` and answers just enough for the call to complete. Payload builders are
// the protocols' own packages where they publish one (@uniswap/permit2-sdk, @opensea/seaport-js's EIP-712 types).
// Run: node tests/payloads/generate.mjs [OUT]   (after `npm ci`; tests/test_real_payloads.py fails when it is stale)
import { readFileSync, writeFileSync } from 'node:fs';
import { concat, createWalletClient, custom, encodeFunctionData, encodePacked, erc20Abi, erc721Abi, hashMessage, maxUint256, parseAbi, parseGwei, size, toHex } from 'viem';
import { TypedDataUtils, SignTypedDataVersion } from '@metamask/eth-sig-util';
import { mainnet, base } from 'viem/chains';
import { createSiweMessage } from 'viem/siwe';
import { privateKeyToAccount } from 'viem/accounts';
import { BrowserProvider } from 'ethers';
import { createBundlerClient, getUserOperationHash, toCoinbaseSmartAccount, toSimple7702SmartAccount, toSoladySmartAccount,
  entryPoint06Address, entryPoint07Address, entryPoint08Address } from 'viem/account-abstraction';
import { createRequire } from 'node:module';
import { EIP_712_ORDER_TYPE, ItemType, OrderType, CROSS_CHAIN_SEAPORT_V1_6_ADDRESS, OPENSEA_CONDUIT_KEY } from '@opensea/seaport-js/lib/constants.js';
import { registered } from './registry.mjs';

const require = createRequire(import.meta.url);
// permit2-sdk's ESM build has extension-less imports that Node cannot resolve: its CommonJS build is the same code.
const { AllowanceTransfer, MaxAllowanceTransferAmount, PERMIT2_ADDRESS } = require('@uniswap/permit2-sdk');
// Safe's own EIP-712 SafeTx type and transaction builder (safe-contracts' utils; its multisend encoder needs ethers 5).
const { EIP712_SAFE_TX_TYPE, buildSafeTransaction } = require('@safe-global/safe-contracts/dist/src/utils/execution.js');
const uniswapx = require('@uniswap/uniswapx-sdk');
const { BigNumber } = require(require.resolve('ethers', { paths: [require.resolve('@uniswap/uniswapx-sdk')] })); // its ethers 5
const pkg = (name) => JSON.parse(readFileSync(new URL(`../../node_modules/${name}/package.json`, import.meta.url))).version;
const versions = Object.fromEntries(['viem', 'ethers', '@uniswap/permit2-sdk', '@opensea/seaport-js', '@metamask/eth-sig-util',
  '@uniswap/uniswapx-sdk'].map((n) => [n, pkg(n)]));

// Mainnet addresses of the real contracts the payloads name.
const USDC = registered('Token', 'USDC');
const BAYC = '0xBC4CA0EdA7647A8aB7C2061c2E118A18a936f13D';
const WETH = registered('Wrapped native', 'WETH');
const UNIVERSAL_ROUTER = registered('Uniswap', 'Universal Router', '2.0');
const OPENSEA_FEE = '0x0000a26b00c1F0DF003000390027140000fAa719';
const USER = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const DRAINER = '0xeE76Fa70e8A002c9114C0aCB137b1E2951615424'; // a plain account
const SAFE = '0x5afe5afe5afe5afe5afe5afe5afe5afe5afe5afe';
const NEW_OWNER = '0x1234567890123456789012345678901234567890';
const SMART_ACCOUNT = '0x5a5A5a5a5A5a5a5a5a5A5a5A5A5a5a5A5A5A5A5A'; // what the recording provider says a factory computes
const PAYMASTER = '0x9A9A9A9a9A9A9A9a9A9a9a9A9A9a9A9a9A9A9a9a';
const FIXED_TIME = 1764547200; // 2025-12-01T00:00:00Z: deadlines are relative to it so the corpus is stable

let captured = [];
const answers = {
  eth_chainId: (chainId) => toHex(chainId),
  eth_accounts: () => [USER],
  eth_requestAccounts: () => [USER],
  eth_estimateGas: () => '0x30d40',
  eth_gasPrice: () => '0x3b9aca00',
  eth_maxPriorityFeePerGas: () => '0x3b9aca00',
  eth_getTransactionCount: () => '0x7',
  eth_blockNumber: () => '0x1500000',
  eth_getBlockByNumber: () => ({ number: '0x1500000', baseFeePerGas: '0x3b9aca00', timestamp: toHex(FIXED_TIME), gasLimit: '0x1c9c380', hash: '0x' + '11'.repeat(32), transactions: [] }),
  eth_sendTransaction: () => '0x' + 'ab'.repeat(32),
  eth_signTypedData_v4: () => '0x' + 'cd'.repeat(65),
  personal_sign: () => '0x' + 'cd'.repeat(65),
  eth_sign: () => '0x' + 'cd'.repeat(65),
  wallet_sendCalls: () => ({ id: '0x01' }),
  wallet_sendTransaction: () => '0x' + 'ab'.repeat(32),
  eth_sendRawTransaction: () => '0x' + 'ab'.repeat(32),
  wallet_getCapabilities: () => ({}),
  // ERC-4337: a smart account's factory.getAddress (eth_call) and whether it is deployed yet (eth_getCode)
  eth_call: () => '0x' + '00'.repeat(12) + SMART_ACCOUNT.slice(2).toLowerCase(),
  eth_getCode: () => (accountDeployed ? '0x01' : '0x'),
  eth_sendUserOperation: () => '0x' + 'ef'.repeat(32),
  eth_createAccessList: () => ({ accessList: [], gasUsed: '0x0' }),
};
let accountDeployed = false;
let refuseSend = false; // a wallet without eth_sendTransaction: viem falls back to wallet_sendTransaction
const provider = (chainId) => ({
  async request({ method, params }) {
    captured.push({ method, params: params ?? [] });
    if (refuseSend && method === 'eth_sendTransaction') throw Object.assign(new Error('Method not found'), { code: -32601 });
    if (!(method in answers)) throw new Error(`recording provider: no answer for ${method}`);
    return answers[method](chainId);
  },
});
const wallet = (chain, extra = {}) => createWalletClient({ account: USER, chain, transport: custom(provider(chain.id)), ...extra });
const corpus = [];

/** Run one library call and keep the request it sent for `method` (the wallet-facing one). */
async function capture(name, desc, source, chainId, method, run) {
  captured = [];
  await run();
  const request = captured.filter((r) => r.method === method).at(-1);
  if (!request) throw new Error(`${name}: no ${method} request was sent (saw ${captured.map((r) => r.method)})`);
  corpus.push({ name, desc, source, request: { chain_id: chainId, method: request.method, params: request.params },
    ...digestOf(request) });
}

/** The digest a wallet signs, computed by the wallets' own code: eth-sig-util (MetaMask) and viem. */
function digestOf({ method, params }) {
  if (method === 'eth_signTypedData_v4') {
    return { digest: '0x' + Buffer.from(TypedDataUtils.eip712Hash(JSON.parse(params[1]), SignTypedDataVersion.V4)).toString('hex') };
  }
  if (method === 'personal_sign') return { digest: hashMessage({ raw: params[0] }) };
  if (method === 'eth_sendUserOperation') {
    const entryPointVersion = { [entryPoint06Address]: '0.6', [entryPoint07Address]: '0.7', [entryPoint08Address]: '0.8' }[params[1]];
    const op = params[0];
    const userOperation = { ...op, ...Object.fromEntries(['nonce', 'callGasLimit', 'verificationGasLimit', 'preVerificationGas', 'maxFeePerGas',
      'maxPriorityFeePerGas', 'paymasterVerificationGasLimit', 'paymasterPostOpGasLimit'].filter((k) => k in op).map((k) => [k, BigInt(op[k])])),
    ...(op.eip7702Auth ? { authorization: { address: op.eip7702Auth.address } } : {}) };
    return { digest: getUserOperationHash({ userOperation, entryPointAddress: params[1], entryPointVersion, chainId: 1 }) };
  }
  return {};
}

const viem = `viem ${versions.viem}`;
await capture('viem-approve-unlimited-eoa-datasuffix', 'USDC approve(plain account, 2^256-1) with an ERC-8021 dataSuffix',
  `${viem} walletClient.writeContract + client dataSuffix`, 1, 'eth_sendTransaction',
  () => wallet(mainnet, { dataSuffix: '0xdeadbeef0000000000000000000000000000000080218021802180218021' })
    .writeContract({ address: USDC, abi: erc20Abi, functionName: 'approve', args: [DRAINER, maxUint256] }));
await capture('viem-approve-permit2', 'USDC approve(Permit2, 2^256-1): the first step of every Uniswap swap',
  `${viem} walletClient.writeContract`, 1, 'eth_sendTransaction',
  () => wallet(mainnet).writeContract({ address: USDC, abi: erc20Abi, functionName: 'approve', args: [PERMIT2_ADDRESS, maxUint256] }));
await capture('viem-approve-revoke', 'USDC approve(spender, 0): a revocation', `${viem} walletClient.writeContract`, 1,
  'eth_sendTransaction', () => wallet(mainnet).writeContract({ address: USDC, abi: erc20Abi, functionName: 'approve', args: [DRAINER, 0n] }));
await capture('viem-set-approval-for-all-eoa', 'BAYC setApprovalForAll(plain account, true)', `${viem} walletClient.writeContract`, 1,
  'eth_sendTransaction', () => wallet(mainnet).writeContract({ address: BAYC, abi: erc721Abi, functionName: 'setApprovalForAll', args: [DRAINER, true] }));
await capture('viem-set-approval-for-all-revoke', 'BAYC setApprovalForAll(operator, false): a revocation', `${viem} walletClient.writeContract`, 1,
  'eth_sendTransaction', () => wallet(mainnet).writeContract({ address: BAYC, abi: erc721Abi, functionName: 'setApprovalForAll', args: [DRAINER, false] }));
await capture('viem-deploy-contract', 'a contract deployment: no `to`, initcode in `data`', `${viem} walletClient.deployContract`, 1,
  'eth_sendTransaction', () => wallet(mainnet).deployContract({ abi: [], bytecode: '0x6080604052348015600f57600080fd5b50603e80601d6000396000f3fe6080604052600080fdfea164736f6c6343000818000a' }));
const lockdown = parseAbi(['function lockdown((address token, address spender)[] approvals)']);
await capture('viem-permit2-lockdown', 'Permit2 lockdown of a USDC allowance: a revocation', `${viem} walletClient.writeContract`, 1,
  'eth_sendTransaction', () => wallet(mainnet).writeContract({ address: PERMIT2_ADDRESS, abi: lockdown, functionName: 'lockdown', args: [[{ token: USDC, spender: DRAINER }]] }));

// Safe control changes, through execTransaction (the Safe's own ABI, as safe-contracts publishes it).
const safeAbi = parseAbi([
  'function execTransaction(address to, uint256 value, bytes data, uint8 operation, uint256 safeTxGas, uint256 baseGas, uint256 gasPrice, address gasToken, address refundReceiver, bytes signatures) payable returns (bool)',
  'function addOwnerWithThreshold(address owner, uint256 _threshold)',
  'function changeThreshold(uint256 _threshold)',
  'function multiSend(bytes transactions) payable',
]);
const addOwner = encodeFunctionData({ abi: safeAbi, functionName: 'addOwnerWithThreshold', args: [NEW_OWNER, 1n] });
await capture('viem-safe-exec-add-owner', 'Safe execTransaction(addOwnerWithThreshold(new owner, 1)) on the Safe itself',
  `${viem} walletClient.writeContract`, 1, 'eth_sendTransaction',
  () => wallet(mainnet).writeContract({ address: SAFE, abi: safeAbi, functionName: 'execTransaction',
    args: [SAFE, 0n, addOwner, 0, 0n, 0n, 0n, '0x0000000000000000000000000000000000000000', '0x0000000000000000000000000000000000000000', '0x' + '00'.repeat(65)] }));

// EIP-5792 batches as viem's sendCalls emits them.
const approveCall = { to: USDC, data: encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [DRAINER, maxUint256] }) };
await capture('viem-send-calls', 'wallet_sendCalls: an unlimited approval to a plain account, then a transfer', `${viem} walletClient.sendCalls`, 1,
  'wallet_sendCalls', () => wallet(mainnet).sendCalls({ calls: [approveCall, { to: USDC, abi: erc20Abi, functionName: 'transfer', args: [DRAINER, 5n] }] }));
await capture('viem-send-calls-no-account', 'wallet_sendCalls without an account: no `from`', `${viem} walletClient.sendCalls (account: null)`, 8453,
  'wallet_sendCalls', () => createWalletClient({ chain: base, transport: custom(provider(base.id)) }).sendCalls({ account: null, calls: [approveCall] }));
await capture('viem-send-calls-deploy', 'wallet_sendCalls with a deployment (a call without `to`)', `${viem} walletClient.sendCalls`, 1,
  'wallet_sendCalls', () => wallet(mainnet).sendCalls({ calls: [{ data: '0x6080604052348015600f57600080fd5b50603e80601d6000396000f3fe6080604052600080fdfea164736f6c6343000818000a' }, approveCall] }));

// Permit2 PermitSingle from Uniswap's own SDK, signed through viem.
const permitSingle = (spender, amount, expiration) => ({
  details: { token: USDC, amount, expiration, nonce: 0 }, spender, sigDeadline: FIXED_TIME + 1800 });
async function signPermit2(name, desc, permit) {
  const { domain, types, values } = AllowanceTransfer.getPermitData(permit, PERMIT2_ADDRESS, 1);
  await capture(name, desc, `@uniswap/permit2-sdk ${versions['@uniswap/permit2-sdk']} AllowanceTransfer.getPermitData + ${viem} signTypedData`,
    1, 'eth_signTypedData_v4', () => wallet(mainnet).signTypedData({ domain, types, primaryType: 'PermitSingle', message: JSON.parse(JSON.stringify(values)) }));
}
await signPermit2('permit2-sdk-permit-single-router', 'Permit2 PermitSingle to the Universal Router, 30 days: what the Uniswap app asks',
  permitSingle(UNIVERSAL_ROUTER, MaxAllowanceTransferAmount.toString(), FIXED_TIME + 30 * 86400));
await signPermit2('permit2-sdk-permit-single-eoa', 'Permit2 PermitSingle to a plain account, max amount and expiration',
  permitSingle(DRAINER, MaxAllowanceTransferAmount.toString(), 2 ** 48 - 1));

// An EIP-2612 permit at 2^256-1, the commonest phishing signature; one with an unused type and a non-root primaryType.
const permitTypes = { Permit: [{ name: 'owner', type: 'address' }, { name: 'spender', type: 'address' }, { name: 'value', type: 'uint256' }, { name: 'nonce', type: 'uint256' }, { name: 'deadline', type: 'uint256' }] };
const usdcDomain = { name: 'USD Coin', version: '2', chainId: 1, verifyingContract: USDC };
await capture('viem-eip2612-permit-max', 'EIP-2612 permit, value and deadline 2^256-1, to a plain account', `${viem} signTypedData`, 1,
  'eth_signTypedData_v4', () => wallet(mainnet).signTypedData({ domain: usdcDomain, types: permitTypes, primaryType: 'Permit',
    message: { owner: USER, spender: DRAINER, value: maxUint256, nonce: 0n, deadline: maxUint256 } }));
await capture('viem-eip2612-permit-unused-type', 'EIP-2612 permit to a plain account plus an unused type', `${viem} signTypedData`, 1,
  'eth_signTypedData_v4', () => wallet(mainnet).signTypedData({ domain: usdcDomain, types: { ...permitTypes, Unused: [{ name: 'x', type: 'uint256' }] },
    primaryType: 'Permit', message: { owner: USER, spender: DRAINER, value: maxUint256, nonce: 0n, deadline: maxUint256 } }));
await capture('viem-eip2612-permit-other-chain', 'EIP-2612 permit whose domain is Base (8453) while the wallet is on mainnet', `${viem} signTypedData`, 1,
  'eth_signTypedData_v4', () => wallet(mainnet).signTypedData({ domain: { ...usdcDomain, chainId: 8453 }, types: permitTypes, primaryType: 'Permit',
    message: { owner: USER, spender: DRAINER, value: 10n ** 12n, nonce: 0n, deadline: BigInt(FIXED_TIME + 3600) } }));

// Seaport 1.6 orders with seaport-js's EIP-712 types: a listing, an offer, a collection offer, a giveaway.
const seaportDomain = { name: 'Seaport', version: '1.6', chainId: 1, verifyingContract: CROSS_CHAIN_SEAPORT_V1_6_ADDRESS };
const item = (itemType, token, identifierOrCriteria, amount) => ({ itemType, token, identifierOrCriteria, startAmount: amount, endAmount: amount });
const order = (offer, consideration) => ({
  offerer: USER, zone: '0x0000000000000000000000000000000000000000', offer, consideration, orderType: OrderType.FULL_OPEN,
  startTime: String(FIXED_TIME), endTime: String(FIXED_TIME + 30 * 86400), zoneHash: '0x' + '00'.repeat(32),
  salt: '0x' + '5a'.repeat(16), conduitKey: OPENSEA_CONDUIT_KEY, counter: '0' });
const ZERO = '0x0000000000000000000000000000000000000000';
const orders = {
  'seaport-listing': ['an OpenSea listing: BAYC #1234 for 10 ETH, 2.5% fee',
    order([item(ItemType.ERC721, BAYC, '1234', '1')], [{ ...item(ItemType.NATIVE, ZERO, '0', '9750000000000000000'), recipient: USER }, { ...item(ItemType.NATIVE, ZERO, '0', '250000000000000000'), recipient: OPENSEA_FEE }])],
  'seaport-offer': ['an offer: 9 WETH for BAYC #1234', order([item(ItemType.ERC20, WETH, '0', '9000000000000000000')], [{ ...item(ItemType.ERC721, BAYC, '1234', '1'), recipient: USER }, { ...item(ItemType.ERC20, WETH, '0', '225000000000000000'), recipient: OPENSEA_FEE }])],
  'seaport-collection-offer': ['a collection offer: 8 WETH for any BAYC', order([item(ItemType.ERC20, WETH, '0', '8000000000000000000')], [{ ...item(ItemType.ERC721_WITH_CRITERIA, BAYC, '0', '1'), recipient: USER }, { ...item(ItemType.ERC20, WETH, '0', '200000000000000000'), recipient: OPENSEA_FEE }])],
  'seaport-giveaway': ['a phishing order: BAYC #1234 for nothing, everything to the attacker', order([item(ItemType.ERC721, BAYC, '1234', '1')], [{ ...item(ItemType.NATIVE, ZERO, '0', '1'), recipient: DRAINER }])],
};
for (const [name, [desc, message]] of Object.entries(orders)) {
  await capture(name, `Seaport 1.6 ${desc}`, `@opensea/seaport-js ${versions['@opensea/seaport-js']} EIP_712_ORDER_TYPE + ${viem} signTypedData`, 1,
    'eth_signTypedData_v4', () => wallet(mainnet).signTypedData({ domain: seaportDomain, types: EIP_712_ORDER_TYPE, primaryType: 'OrderComponents', message }));
}

// Messages: a SIWE message from viem/siwe (multi-line), and ethers' typed-data payload shape.
const siwe = createSiweMessage({ address: USER, chainId: 1, domain: 'app.uniswap.org', nonce: 'abcdef1234567890', uri: 'https://app.uniswap.org',
  version: '1', statement: 'Sign in to Uniswap.', issuedAt: new Date(FIXED_TIME * 1000) });
await capture('viem-siwe', 'Sign-In with Ethereum message for app.uniswap.org (viem/siwe)', `${viem} createSiweMessage + signMessage`, 1,
  'personal_sign', () => wallet(mainnet).signMessage({ message: siwe }));
await capture('viem-personal-sign-multiline', 'a multi-line personal_sign message', `${viem} signMessage`, 1, 'personal_sign',
  () => wallet(mainnet).signMessage({ message: 'Welcome to Example!\n\nClick to sign in and accept the Terms of Service.\n\nNonce: 42' }));
const ethersSigner = await new BrowserProvider(provider(1)).getSigner(USER);
await capture('ethers-eip2612-permit-max', 'EIP-2612 permit at 2^256-1 signed through ethers v6', `ethers ${versions.ethers} JsonRpcSigner.signTypedData`, 1,
  'eth_signTypedData_v4', () => ethersSigner.signTypedData(usdcDomain, permitTypes, { owner: USER, spender: DRAINER, value: maxUint256, nonce: 0n, deadline: maxUint256 }));

// A transaction signed by a local (private-key) account and broadcast: viem sends eth_sendRawTransaction.
const localAccount = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80');
await capture('viem-raw-approve-unlimited-eoa', 'a locally signed USDC approve(plain account, 2^256-1), broadcast raw',
  `${viem} walletClient.writeContract with a local account`, 1, 'eth_sendRawTransaction',
  () => createWalletClient({ account: localAccount, chain: mainnet, transport: custom(provider(1)) })
    .writeContract({ address: USDC, abi: erc20Abi, functionName: 'approve', args: [DRAINER, maxUint256] }));
// A wallet that answers eth_sendTransaction with "method not found": viem retries as wallet_sendTransaction.
refuseSend = true;
await capture('viem-wallet-send-transaction-fallback', 'USDC approve(plain account, 2^256-1) through viem\'s wallet_sendTransaction fallback',
  `${viem} walletClient.writeContract, eth_sendTransaction refused`, 1, 'wallet_sendTransaction',
  () => wallet(mainnet).writeContract({ address: USDC, abi: erc20Abi, functionName: 'approve', args: [DRAINER, maxUint256] }));
refuseSend = false;

// ERC-4337 user operations as viem's bundler client sends them (eth_sendUserOperation), from viem's own smart accounts.
const userOpOwner = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80');
const userOpClient = createWalletClient({ chain: mainnet, transport: custom(provider(1)) });
const bundler = createBundlerClient({ client: userOpClient, chain: mainnet, transport: custom(provider(1)) });
const userOpGas = { nonce: 0n, callGasLimit: 100000n, verificationGasLimit: 200000n, preVerificationGas: 50000n,
  maxFeePerGas: 30000000000n, maxPriorityFeePerGas: 1000000000n };
const transferCall = { to: USDC, data: encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [DRAINER, 5n] }) };
async function sendUserOp(name, desc, account, calls, extra = {}) {
  await capture(name, desc, `${viem} bundlerClient.sendUserOperation (${account.source ?? 'smart account'})`, 1, 'eth_sendUserOperation',
    () => bundler.sendUserOperation({ account, calls, ...userOpGas, ...extra }));
}
await sendUserOp('viem-userop-v06-coinbase-approve-eoa', 'EntryPoint v0.6: a new Coinbase Smart Wallet (initCode) approving a plain account for 2^256-1',
  await toCoinbaseSmartAccount({ client: userOpClient, owners: [userOpOwner], version: '1.1' }), [approveCall]);
accountDeployed = true;
await sendUserOp('viem-userop-v07-solady-batch', 'EntryPoint v0.7: a deployed Solady account batching an unlimited approval and a transfer',
  await toSoladySmartAccount({ client: userOpClient, owner: userOpOwner }), [approveCall, transferCall]);
await sendUserOp('viem-userop-v08-solady-paymaster', 'EntryPoint v0.8: a deployed Solady account, gas paid by a paymaster',
  await toSoladySmartAccount({ client: userOpClient, owner: userOpOwner, entryPoint: { address: entryPoint08Address, version: '0.8' } }),
  [transferCall], { paymaster: PAYMASTER, paymasterData: '0x1234', paymasterVerificationGasLimit: 60000n, paymasterPostOpGasLimit: 40000n });
accountDeployed = false; // the EOA is not delegated yet: viem marks the factory 0x7702 and sends eip7702Auth
const simple7702 = await toSimple7702SmartAccount({ client: userOpClient, owner: userOpOwner });
await sendUserOp('viem-userop-v08-7702', 'EntryPoint v0.8: an EOA delegating to viem\'s Simple7702Account (eip7702Auth), approving a plain account',
  simple7702, [approveCall], { authorization: await userOpOwner.signAuthorization({ chainId: 1, nonce: 0, contractAddress: simple7702.authorization.address }) });

// Every transaction type viem's sendTransaction emits, exactly as the wallet receives it.
const approveData = approveCall.data;
await capture('viem-tx-legacy', 'a legacy (type 0) USDC approve(plain account, 2^256-1) with gasPrice', `${viem} walletClient.sendTransaction type legacy`,
  1, 'eth_sendTransaction', () => wallet(mainnet).sendTransaction({ to: USDC, data: approveData, type: 'legacy', gasPrice: parseGwei('20') }));
await capture('viem-tx-eip2930', 'an EIP-2930 USDC approve with an access list', `${viem} walletClient.sendTransaction type eip2930`,
  1, 'eth_sendTransaction', () => wallet(mainnet).sendTransaction({ to: USDC, data: approveData, type: 'eip2930', gasPrice: parseGwei('20'),
    accessList: [{ address: USDC, storageKeys: ['0x' + '00'.repeat(32)] }] }));
const delegator = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80');
for (const [name, desc, contractAddress] of [
  ['viem-tx-eip7702-simple7702', 'an EIP-7702 authorization delegating to ERC-4337\'s Simple7702Account', registered('ERC-4337', 'Simple7702Account')],
  ['viem-tx-eip7702-unknown', 'an EIP-7702 authorization delegating to an unknown contract', DRAINER]]) {
  const authorization = await delegator.signAuthorization({ chainId: 1, nonce: 8, contractAddress });
  await capture(name, desc, `${viem} signAuthorization + walletClient.sendTransaction authorizationList`, 1, 'eth_sendTransaction',
    () => wallet(mainnet).sendTransaction({ to: USER, data: '0x', authorizationList: [authorization] }));
}

// UniswapX: a Dutch order as the Uniswap app asks the wallet to sign it (Permit2 PermitWitnessTransferFrom to the
// reactor), built with @uniswap/uniswapx-sdk; the builder refuses a deadline in the past, so the corpus's fixed times
// are set after build(). And the same witness shape with a plain account as the spender (a phishing "order").
const bigints = (value) => (value && value.type === 'BigNumber' ? BigInt(value.hex) : Array.isArray(value) ? value.map(bigints)
  : value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, bigints(v)])) : value);
async function signDutchOrder(name, desc, spender, recipient = USER) {
  const order = new uniswapx.DutchOrderBuilder(1, uniswapx.REACTOR_ADDRESS_MAPPING[1].Dutch, uniswapx.PERMIT2_MAPPING[1])
    .deadline(4102444800).decayStartTime(FIXED_TIME).decayEndTime(FIXED_TIME + 120).nonce(BigNumber.from(7)).swapper(USER)
    .exclusiveFiller('0x0000000000000000000000000000000000000000', BigNumber.from(0))
    .input({ token: USDC, startAmount: BigNumber.from('1000000000'), endAmount: BigNumber.from('1000000000') })
    .output({ token: WETH, startAmount: BigNumber.from('300000000000000000'), endAmount: BigNumber.from('290000000000000000'), recipient })
    .build();
  const { domain, types, values } = order.permitData();
  const message = bigints(JSON.parse(JSON.stringify(values)));
  message.deadline = BigInt(FIXED_TIME + 300);
  message.witness.info.deadline = BigInt(FIXED_TIME + 300);
  message.spender = spender ?? message.spender;
  await capture(name, desc, `@uniswap/uniswapx-sdk ${versions['@uniswap/uniswapx-sdk']} DutchOrderBuilder.permitData + ${viem} signTypedData`,
    1, 'eth_signTypedData_v4', () => wallet(mainnet).signTypedData({ domain, types, primaryType: 'PermitWitnessTransferFrom', message }));
}
await signDutchOrder('uniswapx-dutch-order', 'UniswapX Dutch order: sell 1,000 USDC for at least 0.29 WETH through the reactor');
await signDutchOrder('uniswapx-shaped-order-to-eoa', 'the UniswapX witness shape with a plain account as the Permit2 spender', DRAINER);
await signDutchOrder('uniswapx-order-paying-another-account', 'a UniswapX Dutch order whose output goes to another account', undefined, DRAINER);

// Safe transactions as Safe{Wallet} asks each owner to sign them (eth_signTypedData_v4 of a SafeTx).
const MULTISEND_CALL_ONLY = '0x9641d764fc13c8B624c04430C7356C1C7C8102e2'; // Safe 1.4.1 (@safe-global/safe-deployments)
const BYBIT_STYLE_TARGET = '0x96221423681A6d52E184D440a8eFCEbB105C7242'; // the contract the Feb 2025 Bybit SafeTx delegatecalled
const multiSendTxs = (txs) => concat(txs.map((t) => encodePacked(['uint8', 'address', 'uint256', 'uint256', 'bytes'],
  [t.operation, t.to, t.value, BigInt(size(t.data)), t.data])));
async function signSafeTx(name, desc, fields) {
  const message = JSON.parse(JSON.stringify(buildSafeTransaction({ nonce: 7, ...fields })));
  await capture(name, desc, `@safe-global/safe-contracts ${pkg('@safe-global/safe-contracts')} EIP712_SAFE_TX_TYPE + buildSafeTransaction + ${viem} signTypedData`,
    1, 'eth_signTypedData_v4', () => wallet(mainnet).signTypedData({ domain: { chainId: 1, verifyingContract: SAFE }, types: EIP712_SAFE_TX_TYPE, primaryType: 'SafeTx', message }));
}
await signSafeTx('safe-tx-usdc-transfer', 'SafeTx: the Safe sends 5 USDC (a plain call)', { to: USDC, data: transferCall.data });
await signSafeTx('safe-tx-add-owner', 'SafeTx: the Safe adds an owner and sets the threshold to 1', { to: SAFE, data: addOwner });
await signSafeTx('safe-tx-multisend-approve', 'SafeTx: delegatecall to Safe\'s MultiSendCallOnly 1.4.1 batching a transfer and an unlimited approval',
  { to: MULTISEND_CALL_ONLY, operation: 1, data: encodeFunctionData({ abi: safeAbi, functionName: 'multiSend',
    args: [multiSendTxs([{ operation: 0, to: USDC, value: 0n, data: transferCall.data }, { operation: 0, ...approveCall, value: 0n }])] }) });
await signSafeTx('safe-tx-delegatecall-unknown', 'SafeTx shaped like the Bybit theft: transfer(address,uint256) delegatecalled into an unknown contract',
  { to: BYBIT_STYLE_TARGET, operation: 1, data: encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [DRAINER, 0n] }) });

writeFileSync(process.argv[2] ?? new URL('./corpus.json', import.meta.url), JSON.stringify({ generated_by: versions, payloads: corpus }, null, 1) + '\n');
