// The package's own detector over the domains on stdin (one per line): prints one JSON verdict per line.
// Used by tests/test_intel.py to check chain/intel/phishing.py decides exactly as eth-phishing-detect does.
const path = require("node:path");
const root = path.join(__dirname, "..", "..", "node_modules", "eth-phishing-detect", "src");
const PhishingDetector = require(path.join(root, "detector.js"));
const detector = new PhishingDetector(require(path.join(root, "config.json")));
const input = require("node:fs").readFileSync(0, "utf8").split("\n").filter(Boolean);
for (const domain of input) {
  const { result, type, match } = detector.check(domain);
  process.stdout.write(JSON.stringify({ domain, result, type, match: match ?? null }) + "\n");
}
