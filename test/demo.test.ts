import { describe, expect, it } from "vitest";
import { runDemo } from "../src/cli/demo";

describe("the demo", () => {
  it("tells the whole rotation and revocation story and every step behaves", async () => {
    const lines: string[] = [];

    const code = await runDemo({ print: (line) => lines.push(line) });

    const text = lines.join("\n");
    expect(text).not.toContain("✘");
    expect(text.match(/✔/g)).toHaveLength(17);
    expect(text).toContain("time from the key being disabled to the alert: 3 minutes");
    expect(text.trimEnd().endsWith("Every step behaved as it should.")).toBe(true);
    expect(code).toBe(0);
  });
});
