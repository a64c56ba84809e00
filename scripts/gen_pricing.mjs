// Writes chain/pricing/sources.json: where a price can be read on-chain, per chain, from the field's own packages —
// each Aave v3 market's price source for each asset it lists (npm @bgd-labs/aave-address-book: ASSETS.<SYMBOL>.ORACLE,
// the Chainlink aggregator or Chainlink-based adapter the lending protocol itself prices with, answering
// latestAnswer() in USD with 8 decimals), and Uniswap's wrapped native token and V2/V3 factories per chain (npm
// @uniswap/sdk-core). Every entry names the package, its version and the export it came from.
// Run: node scripts/gen_pricing.mjs [OUT]   (after `npm ci`; tests/test_pricing.py fails when the file is stale)
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = new URL('../node_modules/', import.meta.url);
const version = (name) => JSON.parse(readFileSync(new URL(`${name}/package.json`, root))).version;
const AAVE = '@bgd-labs/aave-address-book';
const UNISWAP = '@uniswap/sdk-core';
const core = require(UNISWAP);

const feeds = {};
const dist = new URL(`${AAVE}/dist/`, root);
for (const file of readdirSync(dist).filter((f) => /^AaveV3[A-Za-z]+\.js$/.test(f)).sort()) {
  const market = require(new URL(file, dist).pathname);
  if (!market.CHAIN_ID || !market.ASSETS) continue;
  const chain = (feeds[market.CHAIN_ID] ??= {});
  for (const [symbol, asset] of Object.entries(market.ASSETS).sort()) {
    if (!asset.UNDERLYING || !asset.ORACLE) continue;
    const token = asset.UNDERLYING.toLowerCase();
    chain[token] ??= { symbol, decimals: asset.decimals, oracle: asset.ORACLE, from: `${file.replace('.js', '')}.ASSETS.${symbol}.ORACLE` };
  }
}
const byChain = (map) => Object.fromEntries(Object.entries(map).map(([chain, value]) => [chain, value]));
const sources = {
  packages: { [AAVE]: version(AAVE), [UNISWAP]: version(UNISWAP) },
  feeds,
  wrapped_native: Object.fromEntries(Object.entries(core.WETH9).map(([chain, token]) => [chain, { token: token.address, symbol: token.symbol, decimals: token.decimals }])),
  uniswap_v2_factory: byChain(core.V2_FACTORY_ADDRESSES),
  uniswap_v3_factory: byChain(core.V3_CORE_FACTORY_ADDRESSES),
};
const out = process.argv[2] ?? new URL('../chain/pricing/sources.json', import.meta.url).pathname;
writeFileSync(out, JSON.stringify(sources, null, 1) + '\n');
console.log(`wrote ${Object.values(feeds).reduce((n, c) => n + Object.keys(c).length, 0)} price sources on ${Object.keys(feeds).length} chains to ${out}`);
