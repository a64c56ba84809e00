// Compile contracts/*.sol with the pinned npm solc (offline) into contracts/artifacts/<Name>.json.
// Usage: node contracts/compile.mjs [--check]   (--check exits 1 when a committed artifact is stale)
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const solc = require("solc");
const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.join(here, "artifacts");
const check = process.argv.includes("--check");

const sources = {};
for (const file of fs.readdirSync(here).filter((f) => f.endsWith(".sol")).sort()) {
  sources[file] = { content: fs.readFileSync(path.join(here, file), "utf8") };
}
const input = {
  language: "Solidity",
  sources,
  settings: {
    evmVersion: "cancun",
    optimizer: { enabled: true, runs: 200 },
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
  },
};
// Imports such as "@openzeppelin/contracts/..." resolve inside node_modules (installed by the Makefile).
const findImports = (name) => {
  try {
    return { contents: fs.readFileSync(require.resolve(name), "utf8") };
  } catch {
    return { error: `not found: ${name}` };
  }
};
const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
const errors = (output.errors || []).filter((e) => e.severity === "error");
if (errors.length) {
  for (const e of errors) console.error(e.formattedMessage);
  process.exit(1);
}
fs.mkdirSync(outDir, { recursive: true });
let stale = [];
for (const [file, contracts] of Object.entries(output.contracts)) {
  if (!(file in sources)) continue; // imported library code is compiled into our contracts, not written out
  for (const [name, c] of Object.entries(contracts)) {
    if (!c.evm.bytecode.object) continue; // interfaces have no code to deploy
    const artifact = {
      contractName: name,
      sourceName: file,
      compiler: `solc ${solc.version()}`,
      evmVersion: input.settings.evmVersion,
      abi: c.abi,
      bytecode: "0x" + c.evm.bytecode.object,
      deployedBytecode: "0x" + c.evm.deployedBytecode.object,
    };
    const text = JSON.stringify(artifact, null, 2) + "\n";
    const target = path.join(outDir, `${name}.json`);
    if (check) {
      if (!fs.existsSync(target) || fs.readFileSync(target, "utf8") !== text) stale.push(name);
    } else {
      fs.writeFileSync(target, text);
      console.log(`wrote ${path.relative(process.cwd(), target)}`);
    }
  }
}
if (check && stale.length) {
  console.error(`stale artifacts: ${stale.join(", ")} (run: node contracts/compile.mjs)`);
  process.exit(1);
}
