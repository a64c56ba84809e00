// Drives the audit explorer in Debian's headless Chromium through playwright-core.
// Usage: node explorer.mjs  (env: TXEXPLAIN_URL, TAMPERED_ID, BACKDATED_ID, EXPECT_BLOCK, ARTIFACTS; or
// UNTRUSTED_ID alone: that record's proof must fail on the checkpoint's key)
// Exits non-zero, naming the failed step, when any check fails.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

const base = process.env.TXEXPLAIN_URL;
const tamperedId = process.env.TAMPERED_ID;
const expectBlock = Number(process.env.EXPECT_BLOCK);
const artifacts = process.env.ARTIFACTS;
mkdirSync(artifacts, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
         "--no-first-run", "--disable-component-update", "--disable-sync"],
});
const errors = [];
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("pageerror", (err) => errors.push(String(err)));
  page.on("console", (msg) => { if (msg.type() === "error") errors.push(msg.text()); });

  if (process.env.UNTRUSTED_ID) {  // the latest checkpoint re-signed with another key: every proof must fail
    await page.goto(base + "/audit/records/" + process.env.UNTRUSTED_ID);
    await page.waitForSelector("#proof:not([data-state=pending])");
    assert.equal(await page.getAttribute("#proof", "data-state"), "failed");
    console.log("untrusted: " + (await page.locator("#proof-steps li.fail").allTextContents())[0]);
    console.log("pinned: " + (await page.textContent("#trusted-key-id")));
    process.exit(0);
  }

  // the list loads
  await page.goto(base + "/audit");
  const all = await page.locator("tr.record").count();
  assert.ok(all > expectBlock, `list shows ${all} records, expected more than ${expectBlock}`);

  // filter by verdict
  await page.selectOption("select[name=verdict]", "block");
  await Promise.all([page.waitForURL(/verdict=block/), page.click("#filters button[type=submit]")]);
  const verdicts = await page.locator("tr.record").evaluateAll((rows) => rows.map((r) => r.dataset.verdict));
  assert.equal(verdicts.length, expectBlock, "block filter row count");
  assert.ok(verdicts.every((v) => v === "block"), "block filter shows only block records: " + verdicts);

  // a record opens and its proof verifies in the browser
  await Promise.all([page.waitForURL(/\/audit\/records\//), page.locator("tr.record a.open").first().click()]);
  await page.waitForSelector("#proof:not([data-state=pending])");
  const state = await page.getAttribute("#proof", "data-state");
  const steps = await page.locator("#proof-steps li").allTextContents();
  assert.equal(state, "verified", "proof state; steps: " + steps.join(" | "));
  assert.ok(steps.some((s) => s.includes("signature verifies")), "Ed25519 checked: " + steps.join(" | "));
  assert.equal(await page.textContent("#verdict"), "block");
  await page.screenshot({ path: join(artifacts, "audit-record-verified.png"), fullPage: true });

  // a tampered record shows the failure
  await page.goto(base + "/audit/records/" + tamperedId);
  await page.waitForSelector("#proof:not([data-state=pending])");
  assert.equal(await page.getAttribute("#proof", "data-state"), "failed");
  assert.match(await page.textContent("#proof-status"), /FAILED/);
  const failed = await page.locator("#proof-steps li.fail").allTextContents();
  assert.equal(failed.length, 1);
  console.log("tampered: " + failed[0]);
  await page.screenshot({ path: join(artifacts, "audit-record-tampered.png"), fullPage: true });

  // a backdated record (its created_at column edited) fails as well
  await page.goto(base + "/audit/records/" + process.env.BACKDATED_ID);
  await page.waitForSelector("#proof:not([data-state=pending])");
  assert.equal(await page.getAttribute("#proof", "data-state"), "failed");
  console.log("backdated: " + (await page.locator("#proof-steps li.fail").allTextContents())[0]);

  await page.goto(base + "/audit");
  await page.screenshot({ path: join(artifacts, "audit-list.png"), fullPage: true });
  assert.deepEqual(errors, [], "no script errors (CSP included)");
  console.log("explorer: list, filter, record proof and tamper checks passed");
} finally {
  await browser.close();
}
