// The protocol registry (chain/protocols/registry.json, written by scripts/gen_registry.mjs from the protocols' own
// packages) for the payload generators: a well-known address by protocol, contract and version, never retyped.
import { readFileSync } from 'node:fs';
import { getAddress } from 'viem';

const registry = JSON.parse(readFileSync(new URL('../../chain/protocols/registry.json', import.meta.url)));

/** The EIP-55 address of one registered contract (chain 1 unless said); throws unless exactly one matches. */
export function registered(protocol, name, version = null, chain = 1) {
  const found = registry.contracts.filter((c) => c.chain === chain && c.protocol === protocol && c.name === name
    && (version === null || c.version === version));
  if (found.length !== 1) throw new Error(`${found.length} registered contracts are ${protocol} ${name} ${version ?? ''} on ${chain}`);
  return getAddress(found[0].address);
}
