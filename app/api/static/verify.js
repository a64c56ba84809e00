// txexplain audit explorer: checks a record's inclusion proof in this browser, trusting no server-side result.
// 1. SHA-256(0x00 ‖ canonical JSON) equals the record's leaf hash (RFC 9162 §2.1.1).
// 2. The audit path takes that leaf at index seq-1 to the checkpoint's root (RFC 9162 §2.1.3.2).
// 3. The checkpoint's Ed25519 signature covers signed bytes that state this size and root.
// 4. Every field the page shows from the database equals the same field of the signed canonical record.
"use strict";

const enc = new TextEncoder();

function fromHex(hex) {
  const clean = hex.startsWith("0x") ? hex.slice(2) : hex;
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) throw new Error("not hex: " + hex);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function toHex(bytes) {
  return "0x" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function sha256(...parts) {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const buf = new Uint8Array(total);
  let at = 0;
  for (const p of parts) { buf.set(p, at); at += p.length; }
  return new Uint8Array(await crypto.subtle.digest("SHA-256", buf));
}

const hashNode = (left, right) => sha256(Uint8Array.of(1), left, right);

function sameBytes(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

async function rootFromPath(leaf, index, size, proof) {
  if (!(index >= 0 && index < size)) throw new Error(`index ${index} is outside a tree of size ${size}`);
  let fn = index, sn = size - 1, r = leaf;
  for (const p of proof) {
    if (p.length !== 32) throw new Error("proof hashes must be 32 bytes");
    if (sn === 0) throw new Error("proof is longer than the path");
    if ((fn & 1) === 1 || fn === sn) {
      r = await hashNode(p, r);
      if ((fn & 1) === 0) {
        while ((fn & 1) === 0 && fn !== 0) { fn >>= 1; sn >>= 1; }
      }
    } else {
      r = await hashNode(r, p);
    }
    fn >>= 1; sn >>= 1;
  }
  if (sn !== 0) throw new Error("proof is shorter than the path");
  return r;
}

function canon(value) {  // key-sorted JSON, enough to compare two parsed documents
  if (Array.isArray(value)) return "[" + value.map(canon).join(",") + "]";
  if (value && typeof value === "object") {
    return "{" + Object.keys(value).sort().map((k) => JSON.stringify(k) + ":" + canon(value[k])).join(",") + "}";
  }
  return JSON.stringify(value === undefined ? null : value);
}

async function checkSignature(checkpoint) {
  let key;
  try {
    key = await crypto.subtle.importKey("raw", fromHex(checkpoint.public_key), { name: "Ed25519" }, false, ["verify"]);
  } catch (err) {
    return { ok: null, text: "signature not checked: this browser's WebCrypto has no Ed25519 (" + err.name + ")" };
  }
  const good = await crypto.subtle.verify({ name: "Ed25519" }, key, fromHex(checkpoint.signature),
                                          enc.encode(checkpoint.signed));
  return good ? { ok: true, text: "checkpoint signature verifies (Ed25519, key id " + checkpoint.key_id + ")" }
              : { ok: false, text: "checkpoint signature does not verify" };
}

// A time as the milliseconds it names: a column without an offset is UTC, the ledger's clock.
function instant(text) {
  if (typeof text !== "string") return NaN;
  const iso = text.replace(" ", "T").replace(/(\.\d{3})\d+/, "$1");
  return Date.parse(/(Z|[+-]\d\d:\d\d)$/.test(iso) ? iso : iso + "Z");
}

async function verifyRecord(data) {
  const steps = [];
  const fail = (text) => { steps.push({ ok: false, text }); return { ok: false, steps }; };
  const leaf = await sha256(Uint8Array.of(0), enc.encode(data.canonical));
  if (toHex(leaf) !== data.leaf_hash.toLowerCase()) {
    return fail("leaf hash does not match the canonical record (computed " + toHex(leaf) + ")");
  }
  steps.push({ ok: true, text: "leaf hash matches SHA-256(0x00 ‖ canonical record)" });

  const signed = JSON.parse(data.canonical);
  const columns = data.columns;
  for (const name of Object.keys(columns)) {
    const expected = name === "tenant" ? (signed.tenant ?? "default") : signed[name];
    const same = name === "created_at" ? instant(columns[name]) === instant(expected)
      : canon(columns[name]) === canon(expected);
    if (!same) {
      return fail("field '" + name + "' shown here differs from the signed record");
    }
  }
  steps.push({ ok: true, text: "every field shown equals the signed record" });

  const cp = data.checkpoint;
  if (!cp || !data.inclusion_proof) {
    steps.push({ ok: null, text: "no checkpoint covers this record yet: inclusion not provable" });
    return { ok: null, steps };
  }
  const root = await rootFromPath(leaf, data.seq - 1, cp.size, data.inclusion_proof.map(fromHex));
  if (!sameBytes(root, fromHex(cp.root_hash))) {
    return fail("inclusion proof does not reach the checkpoint root (computed " + toHex(root) + ")");
  }
  steps.push({ ok: true, text: `audit path reaches the root of the ${cp.size}-record tree` });

  const trusted = (data.trusted_keys || []).map((k) => k.toLowerCase());
  if (!trusted.includes(cp.public_key.toLowerCase())) {
    return fail("the checkpoint is signed by a key this explorer does not trust (key id " + cp.key_id + ")");
  }
  const statement = JSON.parse(cp.signed);
  if (statement.size !== cp.size || statement.root_hash !== cp.root_hash) {
    return fail("the signed checkpoint states another size or root");
  }
  const signature = await checkSignature(cp);
  steps.push(signature);
  if (signature.ok === false) return { ok: false, steps };
  return { ok: true, steps };
}

async function main() {
  const section = document.getElementById("proof");
  const status = document.getElementById("proof-status");
  const list = document.getElementById("proof-steps");
  let outcome;
  try {
    outcome = await verifyRecord(JSON.parse(document.getElementById("proof-data").textContent));
  } catch (err) {
    outcome = { ok: false, steps: [{ ok: false, text: "check failed: " + err.message }] };
  }
  for (const step of outcome.steps) {
    const item = document.createElement("li");
    item.className = step.ok === true ? "pass" : step.ok === false ? "fail" : "skip";
    item.textContent = (step.ok === true ? "✔ " : step.ok === false ? "✘ " : "– ") + step.text;
    list.appendChild(item);
  }
  section.dataset.state = outcome.ok === true ? "verified" : outcome.ok === false ? "failed" : "unproven";
  status.textContent = outcome.ok === true ? "Verified: this record is in the signed ledger, unchanged."
    : outcome.ok === false ? "FAILED: this record does not match the signed ledger."
    : "Not yet provable.";
}

main();
