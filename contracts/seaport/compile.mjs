// Compile Seaport 1.6 and its ConduitController from npm seaport-core's sources with the compiler and settings
// Seaport pins (solc 0.8.24, via-IR, cancun, 4,294,967,295 optimizer runs), into contracts/artifacts/seaport/.
// The artifacts are committed: compiling takes about a minute, so tests do not recompile. Each artifact records
// the sha256 of every source file it was built from; `--check` re-hashes the installed sources and exits 1 when
// any differs (or the compiler is another version), without compiling.
// Usage: node contracts/seaport/compile.mjs [--check] [--artifacts DIR]
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const flag = process.argv.indexOf("--artifacts");
const outDir = flag > 0 ? path.resolve(process.argv[flag + 1]) : path.join(here, "..", "artifacts", "seaport");
const solc = require("solc-0.8.24");
const pkg = (name) => JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`), "utf8")).version;
const CONTRACTS = { Seaport: "seaport-core/src/Seaport.sol", ConduitController: "seaport-core/src/conduit/ConduitController.sol" };
const settings = { viaIR: true, evmVersion: "cancun", optimizer: { enabled: true, runs: 4294967295 },
  outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } } };
const sha256 = (text) => crypto.createHash("sha256").update(text).digest("hex");
const read = (name) => fs.readFileSync(require.resolve(name), "utf8");

if (process.argv.includes("--check")) {
  const stale = [];
  for (const name of Object.keys(CONTRACTS)) {
    const file = path.join(outDir, `${name}.json`);
    if (!fs.existsSync(file)) { stale.push(`${name} (missing)`); continue; }
    const artifact = JSON.parse(fs.readFileSync(file, "utf8"));
    if (artifact.compiler !== `solc ${solc.version()}`) stale.push(`${name} (compiler ${artifact.compiler})`);
    for (const [source, digest] of Object.entries(artifact.sources)) {
      let now = null;
      try { now = sha256(read(source)); } catch { /* gone */ }
      if (now !== digest) stale.push(`${name} (${source})`);
    }
  }
  if (stale.length) {
    console.error(`stale Seaport artifacts: ${stale.join(", ")} (run: node contracts/seaport/compile.mjs)`);
    process.exit(1);
  }
  process.exit(0);
}

const input = { language: "Solidity", settings,
  sources: Object.fromEntries(Object.values(CONTRACTS).map((s) => [s, { content: read(s) }])) };
const findImports = (name) => { try { return { contents: read(name) }; } catch { return { error: `not found: ${name}` }; } };
const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
const errors = (output.errors || []).filter((e) => e.severity === "error");
if (errors.length) {
  for (const e of errors) console.error(e.formattedMessage);
  process.exit(1);
}
const sources = Object.fromEntries(Object.keys(output.sources).sort().map((s) => [s, sha256(read(s))]));
fs.mkdirSync(outDir, { recursive: true });
for (const [name, source] of Object.entries(CONTRACTS)) {
  const c = output.contracts[source][name];
  const artifact = { contractName: name, sourceName: source, compiler: `solc ${solc.version()}`,
    compiledFrom: `npm seaport-core@${pkg("seaport-core")} + seaport-types@${pkg("seaport-types")}, solc ${solc.version()} via-IR`,
    settings: { viaIR: settings.viaIR, evmVersion: settings.evmVersion, optimizer: settings.optimizer },
    sources, abi: c.abi, bytecode: "0x" + c.evm.bytecode.object, deployedBytecode: "0x" + c.evm.deployedBytecode.object };
  const target = path.join(outDir, `${name}.json`);
  fs.writeFileSync(target, JSON.stringify(artifact, null, 1) + "\n");
  console.log(`wrote ${path.relative(process.cwd(), target)} (${c.evm.deployedBytecode.object.length / 2} bytes of runtime code)`);
}
