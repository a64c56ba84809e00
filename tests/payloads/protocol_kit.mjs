// Safe{Core} protocol-kit against a live node holding the devnet's world: Alice (anvil's account 0, unlocked there)
// has her 1-of-1 Safe send Bob USDC. Prints, as JSON, the two requests a wallet receives — protocol-kit's SafeTx
// signature (eth_signTypedData_v4, signed by the node) and its execTransaction (eth_sendTransaction, recorded and not
// sent, so the node's state stays as the world built it).
// Usage: node tests/payloads/protocol_kit.mjs NODE_URL SAFE USDC TO AMOUNT
import { readFileSync } from 'node:fs';
import Safe from '@safe-global/protocol-kit';
import { encodeFunctionData, erc20Abi } from 'viem';
import { recordingProvider } from './live_node.mjs';

const [url, safeAddress, usdc, to, amount] = process.argv.slice(2);
const ALICE = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const { provider, seen, last } = recordingProvider(url, () => '0x' + 'ab'.repeat(32));
// safe-deployments lists no chain 31337: protocol-kit is told the canonical 1.4.1 addresses, where the devnet has them.
const canonical = (asset) => JSON.parse(readFileSync(new URL(`../../node_modules/@safe-global/safe-deployments/dist/assets/v1.4.1/${asset}.json`,
  import.meta.url))).deployments.canonical.address;
const contractNetworks = { 31337: { safeSingletonAddress: canonical('safe'), safeProxyFactoryAddress: canonical('safe_proxy_factory'),
  multiSendAddress: canonical('multi_send'), multiSendCallOnlyAddress: canonical('multi_send_call_only'),
  fallbackHandlerAddress: canonical('compatibility_fallback_handler'), signMessageLibAddress: canonical('sign_message_lib'),
  createCallAddress: canonical('create_call'), simulateTxAccessorAddress: canonical('simulate_tx_accessor') } };
const kit = await Safe.init({ provider, signer: ALICE, safeAddress, contractNetworks });
const transaction = await kit.createTransaction({ transactions: [{ to: usdc, value: '0',
  data: encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [to, BigInt(amount)] }) }] });
const signed = await kit.signTransaction(transaction);
try {
  await kit.executeTransaction(signed);
} catch (error) {
  if (!seen.some((r) => r.method === 'eth_sendTransaction')) throw error; // waiting on the unsent hash is expected
}
const pkg = JSON.parse(readFileSync(new URL('../../node_modules/@safe-global/protocol-kit/package.json', import.meta.url)));
process.stdout.write(JSON.stringify({ source: `@safe-global/protocol-kit ${pkg.version}`, sign: last('eth_signTypedData_v4'),
  execute: last('eth_sendTransaction'), methods: [...new Set(seen.map((r) => r.method))] }) + '\n');
