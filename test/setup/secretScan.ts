/**
 * Scans everything the product says during each test file for secrets. The product's one output
 * tap (`setOutputTap` in src/lib/log.ts) sees every formatted log line, every external alert
 * payload and every line of the command line; this file collects them and fails the file in
 * `afterAll` when any looks like a token, connection string, account key, SAS or key material.
 * Ledger and alert table rows are scanned at the end of the run by the global setup.
 */
import { afterAll, expect } from "vitest";
import { setOutputTap } from "../../src/lib/log";
import { describeFindings } from "../support/secrets";

// Each line is scanned as it comes, so a test that logs a great deal keeps only the findings.
const findings: string[] = [];
let lines = 0;

setOutputTap((channel, text) => {
  lines += 1;
  findings.push(...describeFindings([{ source: `${channel} line ${lines}`, text }]));
});

afterAll(() => {
  expect(findings, "secret-looking text in product output of this test file").toEqual([]);
});
