#!/usr/bin/env node
// Runs the compiled command line (`npm run build`), or the TypeScript sources through tsx in a
// development checkout.
const path = require("node:path");
const fs = require("node:fs");

const compiled = path.join(__dirname, "..", "dist", "src", "cli", "main.js");
if (fs.existsSync(compiled)) {
  require(compiled)
    .main(process.argv.slice(2))
    .then((code) => (process.exitCode = code));
} else {
  require("tsx/cjs");
  require(path.join(__dirname, "..", "src", "cli", "main.ts"))
    .main(process.argv.slice(2))
    .then((code) => (process.exitCode = code));
}
