// The TypeScript client against a running txexplain server (started by tests/test_sdk_ts.py).
// env: TXEXPLAIN_URL, TXEXPLAIN_SDK (the compiled dist/index.js), WALLET_REQUEST (an EIP-1193 request as JSON).
import assert from "node:assert/strict";
import { test } from "node:test";

const { TxExplainClient, TxExplainError, withChain } = await import(process.env.TXEXPLAIN_SDK);
const base = process.env.TXEXPLAIN_URL;
const walletRequest = JSON.parse(process.env.WALLET_REQUEST);
const client = new TxExplainClient(base);

test("explains the wallet's EIP-1193 request unchanged, and the record proves it", async () => {
  const frozen = structuredClone(walletRequest);
  const result = await client.explain(walletRequest, { chainId: 31337 });
  assert.deepEqual(walletRequest, frozen, "the caller's object is not modified");
  assert.equal(result.verdict, "block");
  assert.deepEqual(result.findings.map((f) => f.rule), ["APPROVAL_TO_EOA", "UNLIMITED_APPROVAL"]);
  assert.equal(result.chain_id, 31337);
  const record = await client.auditRecord(result.audit.id);
  assert.equal(record.leaf_hash, result.audit.leaf_hash);
  assert.equal(record.record.verdict, "block");
  const listed = await client.auditRecords({ verdict: "block", limit: 5 });
  assert.ok(listed.records.some((r) => r.id === result.audit.id));
  const checkpoint = await client.latestCheckpoint();
  assert.ok(checkpoint.size >= result.audit.seq);
});

test("decode, simulate, rules and readiness are typed results", async () => {
  const decoded = await client.decode(walletRequest, { chainId: 31337 });
  assert.equal(decoded.decoded.function, "approve(address,uint256)");
  const simulated = await client.simulate(walletRequest, { chainId: 31337 });
  assert.equal(simulated.simulation.status, "success");
  const rules = await client.rules();
  assert.ok(rules.rules.some((r) => r.rule === "APPROVAL_TO_EOA"));
  const ready = await client.ready();
  assert.equal(ready.status, "ready");
});

test("streams the audited result first", async () => {
  const events = [];
  for await (const event of client.explainStream(walletRequest, { chainId: 31337 })) events.push(event);
  assert.equal(events[0].event, "result");
  assert.equal(events[0].data.verdict, "block");
});

test("invalid input is a TxExplainError naming the field", async () => {
  const bad = { method: "eth_sendTransaction", params: [{ ...walletRequest.params[0], to: "0x1234" }] };
  await assert.rejects(client.explain(bad, { chainId: 31337 }), (err) => {
    assert.ok(err instanceof TxExplainError);
    assert.equal(err.status, 422);
    assert.ok(err.errors.some((e) => e.field.includes("to")), JSON.stringify(err.errors));
    return true;
  });
  await assert.rejects(client.auditRecord("01NOPE"), (err) => err.status === 404);
  await assert.rejects(client.auditRecords({ verdict: "maybe" }), (err) => err.status === 422 && err.errors[0].field === "verdict");
});

test("withChain adds chain_id beside the request and keeps an explicit one", () => {
  assert.deepEqual(withChain({ method: "personal_sign", params: [] }, 1), { method: "personal_sign", params: [], chain_id: 1 });
  assert.equal(withChain({ chain_id: 5 }, 1).chain_id, 5);
});
