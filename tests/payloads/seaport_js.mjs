// seaport-js against a live node holding the devnet's world: Alice lists Demo Punk #2 for 1 ETH with createOrder
// (no conduit: she has approved Seaport itself), Bob buys it with fulfillOrder. Prints, as JSON, the requests a
// wallet receives: Alice's order signature (eth_signTypedData_v4, signed by the node) and Bob's fulfillment
// (eth_sendTransaction, recorded and not sent, so the node's state stays as the world built it).
// Usage: node tests/payloads/seaport_js.mjs NODE_URL DPUNK
import { readFileSync } from 'node:fs';
import { Seaport } from '@opensea/seaport-js';
import { ItemType, NO_CONDUIT } from '@opensea/seaport-js/lib/constants.js';
import { BrowserProvider, parseEther } from 'ethers';
import { recordingProvider } from './live_node.mjs';

const [url, dpunk] = process.argv.slice(2);
const ALICE = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const BOB = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const pkg = JSON.parse(readFileSync(new URL('../../node_modules/@opensea/seaport-js/package.json', import.meta.url))).version;
const { provider, last } = recordingProvider(url, () => { // the purchase is what the wallet would be asked
  process.stdout.write(JSON.stringify({ source: `@opensea/seaport-js ${pkg}`, sign: last('eth_signTypedData_v4'),
    execute: last('eth_sendTransaction') }) + '\n');
  process.exit(0);
});
const browser = new BrowserProvider(provider);
const asAlice = new Seaport(await browser.getSigner(ALICE));
const { executeAllActions: list } = await asAlice.createOrder({ conduitKey: NO_CONDUIT,
  offer: [{ itemType: ItemType.ERC721, token: dpunk, identifier: '2' }],
  consideration: [{ amount: parseEther('1').toString(), recipient: ALICE }] }, ALICE);
const order = await list();
const asBob = new Seaport(await browser.getSigner(BOB));
const { executeAllActions: buy } = await asBob.fulfillOrder({ order, accountAddress: BOB });
await buy();
throw new Error('fulfillOrder sent no transaction');
