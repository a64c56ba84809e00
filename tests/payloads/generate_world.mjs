// Writes tests/payloads/world.json: requests for the devnet's world (chain 31337, the protocols' contracts at their
// mainnet addresses), built by the protocols' own SDKs and viem exactly as a dApp sends them, and signed for real
// by anvil's first default account (Alice), so the simulator runs them through Permit2, the Universal Router and
// Safe to the end. `expect` holds what the SDKs themselves compute (a quote, a Safe transaction hash); the test
// compares the simulation with it.
// Run: node tests/payloads/generate_world.mjs [OUT]   (tests/test_world.py fails when world.json is stale)
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createWalletClient, custom, defineChain, encodeFunctionData, erc20Abi, hashTypedData, maxUint256, parseAbi, toHex } from 'viem';
import { mnemonicToAccount } from 'viem/accounts';
import { createBundlerClient, entryPoint07Abi, entryPoint07Address, entryPoint08Abi, entryPoint08Address, toSoladySmartAccount } from 'viem/account-abstraction';
import { registered } from './registry.mjs';

const require = createRequire(import.meta.url);
const fromSdk = (name) => require(require.resolve(name, { paths: [require.resolve('@uniswap/universal-router-sdk')] }));
const { SwapRouter, UniversalRouterVersion, UNIVERSAL_ROUTER_ADDRESS } = require('@uniswap/universal-router-sdk');
const { Token, Ether, CurrencyAmount, TradeType, Percent } = fromSdk('@uniswap/sdk-core');
const { Pair, Route, Trade: V2Trade } = fromSdk('@uniswap/v2-sdk');
const JSBI = fromSdk('jsbi');
const { Pool, Route: V3Route, Trade: V3Trade, maxLiquidityForAmounts, TickMath, nearestUsableTick, TICK_SPACINGS, FeeAmount } = fromSdk('@uniswap/v3-sdk');
const { Trade: RouterTrade } = fromSdk('@uniswap/router-sdk');
const { AllowanceTransfer, MaxAllowanceTransferAmount, PERMIT2_ADDRESS } = require('@uniswap/permit2-sdk');
const { EIP712_SAFE_TX_TYPE, buildSafeTransaction } = require('@safe-global/safe-contracts/dist/src/utils/execution.js');
const { EIP_712_ORDER_TYPE, ItemType, OrderType, CROSS_CHAIN_SEAPORT_V1_6_ADDRESS, SEAPORT_CONTRACT_NAME, SEAPORT_CONTRACT_VERSION_V1_6 } =
  require('@opensea/seaport-js/lib/constants.js');
const { SeaportABI } = require('@opensea/seaport-js/lib/abi/Seaport.js');
const pkg = (name) => JSON.parse(readFileSync(new URL(`../../node_modules/${name}/package.json`, import.meta.url))).version;
const versions = Object.fromEntries(['viem', '@uniswap/universal-router-sdk', '@uniswap/v2-sdk', '@uniswap/v3-sdk', '@uniswap/permit2-sdk',
  '@safe-global/safe-contracts', '@opensea/seaport-js'].map((n) => [n, pkg(n)]));
const viem = `viem ${versions.viem}`;

// The devnet (txexplain devnet prints these): mainnet addresses for the protocols, devnet ones for ours.
const devnet = defineChain({ id: 31337, name: 'txexplain devnet', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
  rpcUrls: { default: { http: ['http://127.0.0.1:8545'] } } });
const alice = mnemonicToAccount('test test test test test test test test test test test junk'); // anvil's account 0
const BOB = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const USDC = registered('Token', 'USDC');
const WETH = registered('Wrapped native', 'WETH');
const ROUTER02 = registered('Uniswap', 'V2 Router02');
const SWAP_ROUTER02 = registered('Uniswap', 'V3 SwapRouter02');
const SAFE = '0x72d9F64B323ea368A3fE1824F5094b783Ca7D08a'; // Alice's 1-of-1 Safe 1.4.1
const DRAINER_EOA = '0xeE76Fa70e8A002c9114C0aCB137b1E2951615424';
const DPUNK = '0x94334c2c2c94021746a87B9D53F887D38140850b'; // the devnet's ERC-721 (Alice holds #1-#5)
const MARKET_FEE = '0x0000a26b00c1F0DF003000390027140000fAa719'; // OpenSea's fee recipient (a plain account here)
const DEADLINE = 4102444800n; // 2100-01-01: the world's clock is the wall clock
const POOL = { usdc: 1_000_000n * 10n ** 6n, weth: 400n * 10n ** 18n }; // the world's USDC/WETH reserves
const UR_VERSION = UniversalRouterVersion.V2_1_1;
const UNIVERSAL_ROUTER = UNIVERSAL_ROUTER_ADDRESS(UR_VERSION, 1);

let captured = [];
const provider = {
  async request({ method, params }) {
    captured.push({ method, params: params ?? [] });
    const answers = { eth_chainId: toHex(31337), eth_accounts: [alice.address], eth_estimateGas: '0x7a120', eth_gasPrice: '0x3b9aca00',
      eth_maxPriorityFeePerGas: '0x3b9aca00', eth_getTransactionCount: '0x0', eth_sendTransaction: '0x' + 'ab'.repeat(32),
      eth_signTypedData_v4: '0x' + 'cd'.repeat(65), eth_getCode: '0x01', eth_sendUserOperation: '0x' + 'ef'.repeat(32),
      eth_getBlockByNumber: { number: '0x2', baseFeePerGas: '0x3b9aca00', timestamp: '0x0', gasLimit: '0x1c9c380', hash: '0x' + '11'.repeat(32), transactions: [] } };
    if (!(method in answers)) throw new Error(`recording provider: no answer for ${method}`);
    return answers[method];
  },
};
const wallet = createWalletClient({ account: alice.address, chain: devnet, transport: custom(provider) });
const bobWallet = createWalletClient({ account: BOB, chain: devnet, transport: custom(provider) });
const world = [];

async function capture(name, desc, source, method, run, expect = {}) {
  captured = [];
  await run();
  const request = captured.filter((r) => r.method === method).at(-1);
  if (!request) throw new Error(`${name}: no ${method} request was sent (saw ${captured.map((r) => r.method)})`);
  world.push({ name, desc, source, request: { chain_id: 31337, method, params: request.params }, expect });
}

// Uniswap: V2 trades through the Universal Router, quoted and encoded by Uniswap's SDKs over the world's pool.
const usdc = new Token(1, USDC, 6, 'USDC', 'USD Coin');
const weth = new Token(1, WETH, 18, 'WETH', 'Wrapped Ether');
const pair = new Pair(CurrencyAmount.fromRawAmount(usdc, POOL.usdc.toString()), CurrencyAmount.fromRawAmount(weth, POOL.weth.toString()));
const routerTrade = (v2) => new RouterTrade({ v2Routes: [{ routev2: v2.route, inputAmount: v2.inputAmount, outputAmount: v2.outputAmount }],
  tradeType: TradeType.EXACT_INPUT });
const swapOptions = { slippageTolerance: new Percent(50, 10_000), recipient: alice.address, deadlineOrPreviousBlockhash: DEADLINE.toString(),
  urVersion: UR_VERSION };
const urSource = `@uniswap/universal-router-sdk ${versions['@uniswap/universal-router-sdk']} SwapRouter.swapCallParameters + @uniswap/v2-sdk ${versions['@uniswap/v2-sdk']}`;

const sellUsdc = V2Trade.exactIn(new Route([pair], usdc, weth), CurrencyAmount.fromRawAmount(usdc, (1_000n * 10n ** 6n).toString()));
const permit = { details: { token: USDC, amount: MaxAllowanceTransferAmount.toString(), expiration: DEADLINE.toString(), nonce: 0 },
  spender: UNIVERSAL_ROUTER, sigDeadline: DEADLINE.toString() };
const permitData = AllowanceTransfer.getPermitData(permit, PERMIT2_ADDRESS, 31337);
const permitTyped = { domain: permitData.domain, types: permitData.types, primaryType: 'PermitSingle', message: JSON.parse(JSON.stringify(permitData.values)) };
const permitSignature = await alice.signTypedData(permitTyped);
const sell = SwapRouter.swapCallParameters(routerTrade(sellUsdc), { ...swapOptions, inputTokenPermit: { ...permit, signature: permitSignature } });
await capture('ur-sell-usdc-with-permit2', 'Universal Router: sell 1,000 USDC for WETH on Uniswap V2, with a signed Permit2 permit',
  urSource, 'eth_sendTransaction', () => wallet.sendTransaction({ to: UNIVERSAL_ROUTER, data: sell.calldata, value: BigInt(sell.value) }),
  { weth_out: sellUsdc.outputAmount.quotient.toString(), usdc_in: (1_000n * 10n ** 6n).toString() });

const buyUsdc = V2Trade.exactIn(new Route([pair], Ether.onChain(1), usdc), CurrencyAmount.fromRawAmount(Ether.onChain(1), (10n ** 18n).toString()));
const buy = SwapRouter.swapCallParameters(routerTrade(buyUsdc), swapOptions);
await capture('ur-buy-usdc-with-eth', 'Universal Router: buy USDC with 1 ETH on Uniswap V2 (wrap, then swap)', urSource, 'eth_sendTransaction',
  () => wallet.sendTransaction({ to: UNIVERSAL_ROUTER, data: buy.calldata, value: BigInt(buy.value) }),
  { usdc_out: buyUsdc.outputAmount.quotient.toString(), eth_in: (10n ** 18n).toString() });

// Uniswap V3: the world's USDC/WETH 0.05% pool holds the same reserves at the same price, full range; the SDK computes
// its liquidity as the position manager's mint did and quotes over its two ticks.
const V3_SQRT_PRICE = 20000n * 2n ** 96n;
const fullRange = nearestUsableTick(TickMath.MAX_TICK, TICK_SPACINGS[FeeAmount.LOW]);
const liquidity = maxLiquidityForAmounts(JSBI.BigInt(V3_SQRT_PRICE.toString()), TickMath.getSqrtRatioAtTick(-fullRange), TickMath.getSqrtRatioAtTick(fullRange),
  POOL.usdc.toString(), POOL.weth.toString(), false);
const pool = new Pool(usdc, weth, FeeAmount.LOW, V3_SQRT_PRICE.toString(), liquidity, TickMath.getTickAtSqrtRatio(JSBI.BigInt(V3_SQRT_PRICE.toString())), [
  { index: -fullRange, liquidityNet: liquidity, liquidityGross: liquidity }, { index: fullRange, liquidityNet: -liquidity, liquidityGross: liquidity }]);
const buyUsdcV3 = await V3Trade.fromRoute(new V3Route([pool], Ether.onChain(1), usdc), CurrencyAmount.fromRawAmount(Ether.onChain(1), (10n ** 18n).toString()),
  TradeType.EXACT_INPUT);
const buyV3 = SwapRouter.swapCallParameters(new RouterTrade({ v3Routes: [{ routev3: buyUsdcV3.swaps[0].route, inputAmount: buyUsdcV3.inputAmount,
  outputAmount: buyUsdcV3.outputAmount }], tradeType: TradeType.EXACT_INPUT }), swapOptions);
await capture('ur-buy-usdc-with-eth-v3', 'Universal Router: buy USDC with 1 ETH on the Uniswap V3 0.05% pool', `${urSource} + @uniswap/v3-sdk ${versions['@uniswap/v3-sdk']}`,
  'eth_sendTransaction', () => wallet.sendTransaction({ to: UNIVERSAL_ROUTER, data: buyV3.calldata, value: BigInt(buyV3.value) }),
  { usdc_out: buyUsdcV3.outputAmount.quotient.toString(), eth_in: (10n ** 18n).toString() });

await capture('permit2-sdk-permit-single-router', 'Permit2 PermitSingle for USDC to the Universal Router: what the Uniswap app asks first',
  `@uniswap/permit2-sdk ${versions['@uniswap/permit2-sdk']} AllowanceTransfer.getPermitData + ${viem} signTypedData`, 'eth_signTypedData_v4',
  () => wallet.signTypedData(permitTyped));

// Plain approvals and a permit: to the router (routine) and to a plain account (how wallets are drained).
await capture('viem-approve-usdc-universal-router', 'USDC approve(Universal Router, 2^256-1)', `${viem} walletClient.writeContract`,
  'eth_sendTransaction', () => wallet.writeContract({ address: USDC, abi: erc20Abi, functionName: 'approve', args: [UNIVERSAL_ROUTER, maxUint256] }));
await capture('viem-approve-usdc-drainer', 'USDC approve(plain account, 2^256-1)', `${viem} walletClient.writeContract`,
  'eth_sendTransaction', () => wallet.writeContract({ address: USDC, abi: erc20Abi, functionName: 'approve', args: [DRAINER_EOA, maxUint256] }));
await capture('viem-transfer-usdc-tornado', 'USDC transfer(Tornado Cash donation address, 1 USDC): an address on the OFAC SDN list',
  `${viem} walletClient.writeContract`, 'eth_sendTransaction', () => wallet.writeContract({ address: USDC, abi: erc20Abi,
    functionName: 'transfer', args: ['0x8589427373D6D84E98730D7795D8f6f8731FDA16', 10n ** 6n] }));
const routerAbi = parseAbi(['function swapExactETHForTokens(uint256 amountOutMin, address[] path, address to, uint256 deadline) payable returns (uint256[])']);
await capture('viem-router02-swap-eth-for-usdc', 'Uniswap V2 Router02 swapExactETHForTokens: 0.5 ETH for USDC', `${viem} walletClient.writeContract`,
  'eth_sendTransaction', () => wallet.writeContract({ address: ROUTER02, abi: routerAbi, functionName: 'swapExactETHForTokens',
    args: [1n, [WETH, USDC], alice.address, DEADLINE], value: 5n * 10n ** 17n }));

const v3RouterAbi = parseAbi(['function exactInputSingle((address tokenIn, address tokenOut, uint24 fee, address recipient, uint256 amountIn, uint256 amountOutMinimum, uint160 sqrtPriceLimitX96) params) payable returns (uint256)']);
await capture('viem-swaprouter02-exact-input-single', 'Uniswap SwapRouter02 exactInputSingle: 0.5 ETH for USDC on the V3 0.05% pool',
  `${viem} walletClient.writeContract`, 'eth_sendTransaction', () => wallet.writeContract({ address: SWAP_ROUTER02, abi: v3RouterAbi,
    functionName: 'exactInputSingle', args: [{ tokenIn: WETH, tokenOut: USDC, fee: 500, recipient: alice.address, amountIn: 5n * 10n ** 17n,
      amountOutMinimum: 1n, sqrtPriceLimitX96: 0n }], value: 5n * 10n ** 17n }));

// Safe: Alice, sole owner, signs a SafeTx (Safe's own type and builder) and executes it: 100 USDC from the Safe to Bob.
const safeAbi = parseAbi(['function execTransaction(address to, uint256 value, bytes data, uint8 operation, uint256 safeTxGas, uint256 baseGas, uint256 gasPrice, address gasToken, address refundReceiver, bytes signatures) payable returns (bool)']);
const safeTx = buildSafeTransaction({ to: USDC, data: encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [BOB, 100n * 10n ** 6n] }), nonce: 0 });
const safeTyped = { domain: { chainId: 31337, verifyingContract: SAFE }, types: EIP712_SAFE_TX_TYPE, primaryType: 'SafeTx', message: JSON.parse(JSON.stringify(safeTx)) };
const safeSignature = await alice.signTypedData(safeTyped);
await capture('safe-exec-usdc-to-bob', 'Safe 1.4.1 execTransaction, signed by its owner: 100 USDC from the Safe to Bob',
  `@safe-global/safe-contracts ${versions['@safe-global/safe-contracts']} buildSafeTransaction + EIP712_SAFE_TX_TYPE + ${viem} writeContract`,
  'eth_sendTransaction', () => wallet.writeContract({ address: SAFE, abi: safeAbi, functionName: 'execTransaction',
    args: [safeTx.to, BigInt(safeTx.value), safeTx.data, safeTx.operation, BigInt(safeTx.safeTxGas), BigInt(safeTx.baseGas), BigInt(safeTx.gasPrice),
      safeTx.gasToken, safeTx.refundReceiver, safeSignature] }),
  { safe_tx_hash: hashTypedData(safeTyped) });

// Seaport 1.6: Alice lists Demo Punk #1 for 1 ETH (2.5% fee) with seaport-js's order type, then Bob buys it with
// fulfillOrder (seaport-js's Seaport ABI) and her signature.
const ZERO = '0x0000000000000000000000000000000000000000';
const ZERO_KEY = '0x' + '00'.repeat(32);
const listing = { offerer: alice.address, zone: ZERO, orderType: OrderType.FULL_OPEN, startTime: '0', endTime: DEADLINE.toString(),
  zoneHash: ZERO_KEY, salt: '7', conduitKey: ZERO_KEY, counter: '0',
  offer: [{ itemType: ItemType.ERC721, token: DPUNK, identifierOrCriteria: '1', startAmount: '1', endAmount: '1' }],
  consideration: [
    { itemType: ItemType.NATIVE, token: ZERO, identifierOrCriteria: '0', startAmount: '975000000000000000', endAmount: '975000000000000000', recipient: alice.address },
    { itemType: ItemType.NATIVE, token: ZERO, identifierOrCriteria: '0', startAmount: '25000000000000000', endAmount: '25000000000000000', recipient: MARKET_FEE }] };
const seaportTyped = { domain: { name: SEAPORT_CONTRACT_NAME, version: SEAPORT_CONTRACT_VERSION_V1_6, chainId: 31337, verifyingContract: CROSS_CHAIN_SEAPORT_V1_6_ADDRESS },
  types: EIP_712_ORDER_TYPE, primaryType: 'OrderComponents', message: listing };
const seaportSource = `@opensea/seaport-js ${versions['@opensea/seaport-js']} EIP_712_ORDER_TYPE + SeaportABI + ${viem}`;
await capture('seaport-list-dpunk', 'Seaport 1.6 listing: Demo Punk #1 for 1 ETH, 2.5% fee', seaportSource, 'eth_signTypedData_v4',
  () => wallet.signTypedData(seaportTyped));
const listingSignature = await alice.signTypedData(seaportTyped);
const { counter, ...parameters } = listing;
await capture('seaport-buy-dpunk', 'Seaport 1.6 fulfillOrder: Bob buys Demo Punk #1 for 1 ETH with Alice\'s signed listing', seaportSource,
  'eth_sendTransaction', () => bobWallet.writeContract({ address: CROSS_CHAIN_SEAPORT_V1_6_ADDRESS, abi: SeaportABI, functionName: 'fulfillOrder',
    args: [{ parameters: { ...parameters, totalOriginalConsiderationItems: BigInt(listing.consideration.length) }, signature: listingSignature }, ZERO_KEY],
    value: 10n ** 18n }));

// ERC-4337 user operations as viem's bundler client sends them. viem ships no SimpleAccount; its Solady account speaks
// the same execute/executeBatch ABI, pointed at the world's SimpleAccounts.
const bundler = createBundlerClient({ client: wallet, chain: devnet, transport: custom(provider) });
const entryPoints = { '0.7': { abi: entryPoint07Abi, address: entryPoint07Address, version: '0.7' },
  '0.8': { abi: entryPoint08Abi, address: entryPoint08Address, version: '0.8' } };
const soladyAt = (address, version, owner = alice) => toSoladySmartAccount({ client: wallet, owner, address, entryPoint: entryPoints[version] });
const opGas = { nonce: 0n, callGasLimit: 100000n, verificationGasLimit: 200000n, preVerificationGas: 50000n,
  maxFeePerGas: 30000000000n, maxPriorityFeePerGas: 1000000000n };
async function sendOp(name, desc, how, account, calls, extra = {}) {
  await capture(name, desc, `${viem} bundlerClient.sendUserOperation (${how})`, 'eth_sendUserOperation',
    () => bundler.sendUserOperation({ account, ...opGas, ...extra, calls }));
}
const tenUsdcToBob = [{ to: USDC, data: encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [BOB, 10n * 10n ** 6n] }) }];

// Alice's SimpleAccount (v0.8, created through the EntryPoint) sends Bob 10 USDC.
await sendOp('userop-simple-account-usdc-to-bob', 'EntryPoint v0.8: Alice\'s SimpleAccount sends Bob 10 USDC',
  'toSoladySmartAccount at the SimpleAccount', await soladyAt('0xDDb09637F54b9d31dcDC1AAdc1aA4ECD5d4156cE', '0.8'), tenUsdcToBob);
// The same through EntryPoint v0.7 from Alice's v0.7 SimpleAccount (a single call: v0.7's executeBatch differs).
await sendOp('userop-v07-simple-account-usdc-to-bob', 'EntryPoint v0.7: Alice\'s v0.7 SimpleAccount sends Bob 10 USDC',
  'toSoladySmartAccount at the SimpleAccount', await soladyAt('0x07C8ebe8eC728F19418f9738d60AcC7BF0c63f0b', '0.7'), tenUsdcToBob);
// Bob's first operation, signed by Bob (anvil's account 1): his v0.7 SimpleAccount does not exist yet; the
// EntryPoint deploys it through the factory (factory/factoryData) and then calls it. Funded with ETH only, it sends
// Alice 0.1 ETH.
const FACTORY_V07 = '0x6Fe0181aa99c129032971c73086EA80418CEB9c1'; // the devnet's v0.7 SimpleAccountFactory
const BOB_ACCOUNT_V07 = '0x6e334c0e91ada3a871408a2854900915e83d8529'; // factory.getAddress(Bob, 0)
const bob = mnemonicToAccount('test test test test test test test test test test test junk', { addressIndex: 1 });
const createAccount = parseAbi(['function createAccount(address owner, uint256 salt) returns (address)']);
await sendOp('userop-v07-first-op-deploys-account', 'EntryPoint v0.7: Bob\'s first operation deploys his SimpleAccount through the factory, then sends Alice 0.1 ETH',
  'factory, factoryData', await soladyAt(BOB_ACCOUNT_V07, '0.7', bob), [{ to: alice.address, value: 10n ** 17n, data: '0x' }],
  { verificationGasLimit: 400000n, factory: FACTORY_V07,
    factoryData: encodeFunctionData({ abi: createAccount, functionName: 'createAccount', args: [BOB, 0n] }) });

writeFileSync(process.argv[2] ?? new URL('./world.json', import.meta.url), JSON.stringify({ generated_by: versions, payloads: world }, null, 1) + '\n');
