#!/usr/bin/env node
// In a development checkout (sources and tsx present) the TypeScript sources run directly, so an
// edit is never hidden behind an old build; an installed package runs the compiled `dist/`.
const path = require("node:path");
const fs = require("node:fs");

const root = path.join(__dirname, "..");
const source = path.join(root, "src", "cli", "main.ts");
const compiled = path.join(root, "dist", "src", "cli", "main.js");

function hasTsx() {
  try {
    require.resolve("tsx/cjs", { paths: [root] });
    return true;
  } catch {
    return false;
  }
}

let entry;
if (fs.existsSync(source) && hasTsx()) {
  require(require.resolve("tsx/cjs", { paths: [root] }));
  entry = source;
} else if (fs.existsSync(compiled)) {
  entry = compiled;
} else {
  process.stderr.write("batch-cmk-guard: not built; run `npm run build` first\n");
  process.exit(1);
}
require(entry)
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
