// Writes tests/payloads/calldata.json: calldata the protocols' own SDKs build for the calls dApps send, each with
// the package@version and the function that built it, for bench/decode.py's coverage figure and its tests.
// Run: node tests/payloads/generate_calldata.mjs [OUT]   (after `npm ci`; a test fails when the file is stale)
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { registered } from './registry.mjs';

const require = createRequire(import.meta.url);
const core = require('@uniswap/sdk-core');
const v2 = require('@uniswap/v2-sdk');
const v3 = require('@uniswap/v3-sdk');
const routerSdk = require('@uniswap/router-sdk');
const ur = require('@uniswap/universal-router-sdk');
const permit2 = require('@uniswap/permit2-sdk');
const { Interface } = require('ethers');
const pkg = (name) => JSON.parse(readFileSync(new URL(`../../node_modules/${name}/package.json`, import.meta.url))).version;
const at = (name, what) => `npm ${name}@${pkg(name)} ${what}`;

const { Token, Ether, CurrencyAmount, Percent, TradeType } = core;
const USER = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const DEADLINE = 1764550800; // 2025-12-01T01:00:00Z: fixed so the corpus is stable
const WETH = new Token(1, registered('Wrapped native', 'WETH'), 18, 'WETH', 'Wrapped Ether');
const USDC = new Token(1, registered('Token', 'USDC'), 6, 'USDC', 'USD Coin');
const DAI = new Token(1, registered('Token', 'DAI'), 18, 'DAI', 'Dai Stablecoin');
const ETH = Ether.onChain(1);
const SLIPPAGE = new Percent(50, 10_000);
const entries = [];
const add = (name, source, to, data, value = '0x0') => entries.push({ name, source, to, data, value });

// Uniswap V2: Router02 swaps from a pair with fixed reserves.
const V2_ROUTER = registered('Uniswap', 'V2 Router02');
const ROUTER02 = new Interface(JSON.parse(readFileSync(new URL('../../node_modules/@uniswap/v2-periphery/build/IUniswapV2Router02.json', import.meta.url))).abi);
const pairEth = new v2.Pair(CurrencyAmount.fromRawAmount(USDC, '4000000000000'), CurrencyAmount.fromRawAmount(WETH, '1000000000000000000000'));
const pairDai = new v2.Pair(CurrencyAmount.fromRawAmount(USDC, '4000000000000'), CurrencyAmount.fromRawAmount(DAI, '4000000000000000000000000'));
const v2Trades = {
  'exact-eth-in': v2.Trade.exactIn(new v2.Route([pairEth], ETH, USDC), CurrencyAmount.fromRawAmount(ETH, '1000000000000000000')),
  'exact-tokens-in': v2.Trade.exactIn(new v2.Route([pairDai], DAI, USDC), CurrencyAmount.fromRawAmount(DAI, '1000000000000000000000')),
  'exact-eth-out': v2.Trade.exactOut(new v2.Route([pairEth], USDC, ETH), CurrencyAmount.fromRawAmount(ETH, '1000000000000000000')),
  'two-hops': v2.Trade.exactIn(new v2.Route([pairDai, pairEth], DAI, ETH), CurrencyAmount.fromRawAmount(DAI, '1000000000000000000000')),
};
for (const [name, trade] of Object.entries(v2Trades)) {
  for (const feeOnTransfer of name === 'exact-tokens-in' ? [false, true] : [false]) {
    const call = v2.Router.swapCallParameters(trade, { allowedSlippage: SLIPPAGE, recipient: USER, deadline: DEADLINE, feeOnTransfer });
    // the SDK returns the method and its arguments; the router's own ABI (from @uniswap/v2-periphery) encodes them
    add(`uniswap-v2-${name}${feeOnTransfer ? '-fee-on-transfer' : ''}`, at('@uniswap/v2-sdk', `Router.swapCallParameters (${call.methodName})`), V2_ROUTER,
      ROUTER02.encodeFunctionData(call.methodName, call.args), call.value);
  }
}

// Uniswap V3: a pool at a fixed price; swaps through SwapRouter and SwapRouter02, positions through the NFT manager.
const sqrt = v3.encodeSqrtRatioX96('4000000000', '1000000000000000000'); // 4,000 USDC per WETH (token0 is USDC)
const pool = new v3.Pool(USDC, WETH, v3.FeeAmount.MEDIUM, sqrt, '10000000000000000000', v3.TickMath.getTickAtSqrtRatio(sqrt));
const v3Trade = v3.Trade.createUncheckedTrade({ route: new v3.Route([pool], ETH, USDC), inputAmount: CurrencyAmount.fromRawAmount(ETH, '1000000000000000000'),
  outputAmount: CurrencyAmount.fromRawAmount(USDC, '3990000000'), tradeType: TradeType.EXACT_INPUT });
const v3TradeOut = v3.Trade.createUncheckedTrade({ route: new v3.Route([pool], USDC, WETH), inputAmount: CurrencyAmount.fromRawAmount(USDC, '4010000000'),
  outputAmount: CurrencyAmount.fromRawAmount(WETH, '1000000000000000000'), tradeType: TradeType.EXACT_OUTPUT });
const V3_ROUTER = '0xE592427A0AEce92De3Edee1F18E0157C05861564';
for (const [name, trade] of [['exact-eth-in', v3Trade], ['exact-out', v3TradeOut]]) {
  const call = v3.SwapRouter.swapCallParameters([trade], { slippageTolerance: SLIPPAGE, recipient: USER, deadline: DEADLINE });
  add(`uniswap-v3-${name}`, at('@uniswap/v3-sdk', 'SwapRouter.swapCallParameters'), V3_ROUTER, call.calldata, call.value);
}
const NPM = registered('Uniswap', 'V3 NonfungiblePositionManager');
const spacing = v3.TICK_SPACINGS[v3.FeeAmount.MEDIUM];
const position = new v3.Position({ pool, liquidity: '1000000000000', tickLower: v3.nearestUsableTick(pool.tickCurrent, spacing) - spacing * 10,
  tickUpper: v3.nearestUsableTick(pool.tickCurrent, spacing) + spacing * 10 });
const mint = v3.NonfungiblePositionManager.addCallParameters(position, { slippageTolerance: SLIPPAGE, recipient: USER, deadline: DEADLINE, useNative: ETH });
add('uniswap-v3-mint-position', at('@uniswap/v3-sdk', 'NonfungiblePositionManager.addCallParameters'), NPM, mint.calldata, mint.value);
const increase = v3.NonfungiblePositionManager.addCallParameters(position, { slippageTolerance: SLIPPAGE, deadline: DEADLINE, tokenId: 12345 });
add('uniswap-v3-increase-liquidity', at('@uniswap/v3-sdk', 'NonfungiblePositionManager.addCallParameters'), NPM, increase.calldata, increase.value);
const remove = v3.NonfungiblePositionManager.removeCallParameters(position, { tokenId: 12345, liquidityPercentage: new Percent(1), slippageTolerance: SLIPPAGE,
  deadline: DEADLINE, burnToken: true, collectOptions: { expectedCurrencyOwed0: CurrencyAmount.fromRawAmount(USDC, 0), expectedCurrencyOwed1: CurrencyAmount.fromRawAmount(ETH, 0), recipient: USER } });
add('uniswap-v3-remove-and-burn', at('@uniswap/v3-sdk', 'NonfungiblePositionManager.removeCallParameters'), NPM, remove.calldata, remove.value);
const collect = v3.NonfungiblePositionManager.collectCallParameters({ tokenId: 12345, expectedCurrencyOwed0: CurrencyAmount.fromRawAmount(USDC, 5), expectedCurrencyOwed1: CurrencyAmount.fromRawAmount(WETH, 5), recipient: USER });
add('uniswap-v3-collect', at('@uniswap/v3-sdk', 'NonfungiblePositionManager.collectCallParameters'), NPM, collect.calldata, collect.value);
const transfer = v3.NonfungiblePositionManager.safeTransferFromParameters({ sender: USER, recipient: '0x' + '77'.repeat(20), tokenId: 12345 });
add('uniswap-v3-transfer-position', at('@uniswap/v3-sdk', 'NonfungiblePositionManager.safeTransferFromParameters'), NPM, transfer.calldata, transfer.value);

// SwapRouter02 through @uniswap/router-sdk (the router the Uniswap interface used before the Universal Router).
const SWAP_ROUTER_02 = registered('Uniswap', 'V3 SwapRouter02');
const mixed = new routerSdk.Trade({ v2Routes: [], v3Routes: [{ routev3: v3Trade.route, inputAmount: v3Trade.inputAmount, outputAmount: v3Trade.outputAmount }],
  tradeType: TradeType.EXACT_INPUT });
const r02 = routerSdk.SwapRouter.swapCallParameters(mixed, { slippageTolerance: SLIPPAGE, recipient: USER, deadlineOrPreviousBlockhash: DEADLINE });
add('swaprouter02-v3-eth-in', at('@uniswap/router-sdk', 'SwapRouter.swapCallParameters'), SWAP_ROUTER_02, r02.calldata, r02.value);
const v2OnR02 = new routerSdk.Trade({ v2Routes: [{ routev2: v2Trades['exact-tokens-in'].route, inputAmount: v2Trades['exact-tokens-in'].inputAmount,
  outputAmount: v2Trades['exact-tokens-in'].outputAmount }], v3Routes: [], tradeType: TradeType.EXACT_INPUT });
const r02v2 = routerSdk.SwapRouter.swapCallParameters(v2OnR02, { slippageTolerance: SLIPPAGE, recipient: USER, deadlineOrPreviousBlockhash: DEADLINE });
add('swaprouter02-v2-tokens-in', at('@uniswap/router-sdk', 'SwapRouter.swapCallParameters'), SWAP_ROUTER_02, r02v2.calldata, r02v2.value);

// The Universal Router through @uniswap/universal-router-sdk, with and without a Permit2 permit.
const UNIVERSAL_ROUTER = registered('Uniswap', 'Universal Router', '2.0');
const urEth = ur.SwapRouter.swapCallParameters(mixed, { slippageTolerance: SLIPPAGE, recipient: USER, deadlineOrPreviousBlockhash: DEADLINE });
add('universal-router-v3-eth-in', at('@uniswap/universal-router-sdk', 'SwapRouter.swapCallParameters'), UNIVERSAL_ROUTER, urEth.calldata, urEth.value);
const permit = { details: { token: DAI.address, amount: permit2.MaxAllowanceTransferAmount.toString(), expiration: DEADLINE + 86400 * 30, nonce: 0 },
  spender: UNIVERSAL_ROUTER, sigDeadline: DEADLINE, signature: '0x' + '11'.repeat(32) + '22'.repeat(32) + '1b' };
const urPermit = ur.SwapRouter.swapCallParameters(v2OnR02, { slippageTolerance: SLIPPAGE, recipient: USER, deadlineOrPreviousBlockhash: DEADLINE, inputTokenPermit: permit });
add('universal-router-permit2-v2-tokens-in', at('@uniswap/universal-router-sdk', 'SwapRouter.swapCallParameters (inputTokenPermit)'), UNIVERSAL_ROUTER, urPermit.calldata, urPermit.value);

// Calls to bridges, lending, staking, settlement and account contracts, encoded with the ABI each protocol publishes
// in its npm package (the SDKs above have no counterpart offline); the arguments are examples of each type.
const EXAMPLE_ADDRESS = '0x' + '5a'.repeat(20);
const ERC20_TRANSFER = new Interface(['function transfer(address to, uint256 amount)']).encodeFunctionData('transfer', [EXAMPLE_ADDRESS, 1000n]);
const example = (param) => {
  if (param.baseType === 'tuple') return param.components.map(example);
  if (param.baseType === 'array') return Array.from({ length: param.arrayLength > 0 ? param.arrayLength : 2 }, () => example(param.arrayChildren));
  if (param.baseType === 'address') return EXAMPLE_ADDRESS;
  if (param.baseType === 'bool') return true;
  if (param.baseType === 'string') return 'example';
  if (param.baseType === 'bytes') return ERC20_TRANSFER; // inner calls (a user operation's callData) are a real call
  if (param.baseType.startsWith('bytes')) return '0x' + '11'.repeat(Number(param.baseType.slice(5)));
  if (param.baseType.startsWith('uint') || param.baseType.startsWith('int')) return param.type.endsWith('int8') ? 27n : 1000n;
  throw new Error(`no example for ${param.type}`);
};
const abiOf = (name, file) => {
  const document = JSON.parse(readFileSync(new URL(`../../node_modules/${name}/${file}`, import.meta.url)));
  return new Interface(Array.isArray(document) ? document : document.abi);
};
const published = [
  ['@eth-optimism/contracts-bedrock', 'forge-artifacts/L1StandardBridge.sol/L1StandardBridge.json', registered('OP Stack (OP Mainnet)', 'L1StandardBridge'),
    ['depositETH', 'depositETHTo', 'depositERC20', 'depositERC20To', 'bridgeETHTo']],
  ['@eth-optimism/contracts-bedrock', 'forge-artifacts/OptimismPortal2.sol/OptimismPortal2.json', registered('OP Stack (OP Mainnet)', 'OptimismPortal2'),
    ['depositTransaction']],
  ['@eth-optimism/contracts-bedrock', 'forge-artifacts/L1CrossDomainMessenger.sol/L1CrossDomainMessenger.json', '0x25ace71c97B33Cc4729CF772ae268934F7ab5fA1',
    ['sendMessage']],
  ['@1inch/limit-order-protocol-utils', 'abi/LimitOrderProtocol.json', registered('1inch', 'Aggregation Router', '6'),
    ['fillOrder', 'fillOrderArgs', 'cancelOrder', 'cancelOrders', 'increaseEpoch']],
  ['@aave/core-v3', 'artifacts/contracts/protocol/pool/Pool.sol/Pool.json', registered('Aave', 'Pool (AaveV3Ethereum)'),
    ['supply', 'borrow', 'repay', 'withdraw', 'setUserUseReserveAsCollateral', 'repayWithATokens', 'supplyWithPermit']],
  ['@account-abstraction/contracts', 'artifacts/EntryPoint.json', registered('ERC-4337', 'EntryPoint', '0.8'), ['handleOps', 'depositTo']],
  ['@balancer-labs/v2-deployments', 'dist/tasks/20210418-vault/abi/Vault.json', registered('Balancer', 'Vault'),
    ['swap', 'batchSwap', 'joinPool', 'exitPool', 'setRelayerApproval']],
  ['@gnosis.pm/gp-v2-contracts', 'lib/contracts/GPv2Settlement.json', registered('CoW Protocol', 'GPv2Settlement'), ['setPreSignature', 'invalidateOrder']],
  ['@safe-global/safe-contracts', 'build/artifacts/contracts/Safe.sol/Safe.json', '0x5afe5afe5afe5afe5afe5afe5afe5afe5afe5afe',
    ['addOwnerWithThreshold', 'changeThreshold', 'enableModule', 'setGuard', 'approveHash']],
  ['canonical-weth', 'build/contracts/WETH9.json', WETH.address, ['deposit', 'withdraw']],
];
for (const [name, file, to, functions] of published) {
  const iface = abiOf(name, file);
  for (const fn of functions) {
    const fragment = iface.getFunction(fn);
    add(`${name.split('/').pop()}-${fn}`, at(name, `${file} ABI: ${fragment.format()} with example arguments`), to,
      iface.encodeFunctionData(fragment, fragment.inputs.map(example)));
  }
}

const out = process.argv[2] ?? new URL('./calldata.json', import.meta.url);
writeFileSync(out, JSON.stringify({ generated_by: 'tests/payloads/generate_calldata.mjs', calls: entries }, null, 2) + '\n');
console.log(`${entries.length} calls`);
