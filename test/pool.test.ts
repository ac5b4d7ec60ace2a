import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { mapLimit } from "../src/lib/pool";

describe("mapLimit", () => {
  it("returns every outcome in input order, whatever order the calls finish in", async () => {
    const results = await mapLimit([30, 10, 20], 3, async (ms, index) => {
      await sleep(ms);
      return `${index}:${ms}`;
    });
    expect(results).toEqual([
      { status: "fulfilled", value: "0:30" },
      { status: "fulfilled", value: "1:10" },
      { status: "fulfilled", value: "2:20" },
    ]);
  });

  it.each([1, 3, 8])("never has more than %i calls in flight", async (limit) => {
    let inFlight = 0;
    let most = 0;
    await mapLimit(
      Array.from({ length: 20 }, (_, index) => index),
      limit,
      async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        await sleep(1);
        inFlight--;
      },
    );
    expect(most).toBe(limit);
  });

  it("keeps going after a rejection or a synchronous throw", async () => {
    const failure = new Error("PATCH failed");
    const results = await mapLimit(["a", "reject", "throw", "d"], 2, (item) => {
      if (item === "throw") throw failure;
      if (item === "reject") return Promise.reject(failure);
      return Promise.resolve(item.toUpperCase());
    });
    expect(results).toEqual([
      { status: "fulfilled", value: "A" },
      { status: "rejected", reason: failure },
      { status: "rejected", reason: failure },
      { status: "fulfilled", value: "D" },
    ]);
  });

  it("takes an async iterable such as list pages", async () => {
    async function* pages(): AsyncGenerator<number> {
      yield 1;
      await sleep(1);
      yield 2;
      yield 3;
    }
    const results = await mapLimit(pages(), 2, async (n) => n * 10);
    expect(results).toEqual([
      { status: "fulfilled", value: 10 },
      { status: "fulfilled", value: 20 },
      { status: "fulfilled", value: 30 },
    ]);
  });

  it("lets started calls finish before rethrowing the source's error", async () => {
    const finished: number[] = [];
    const listFailure = new Error("list page 2 failed");
    async function* pages(): AsyncGenerator<number> {
      yield 1;
      yield 2;
      throw listFailure;
    }
    await expect(
      mapLimit(pages(), 4, async (n) => {
        await sleep(5);
        finished.push(n);
      }),
    ).rejects.toBe(listFailure);
    expect(finished.sort()).toEqual([1, 2]);
  });

  it("returns an empty list for no items", async () => {
    expect(await mapLimit([], 4, async () => 1)).toEqual([]);
  });

  it.each([0, -1, 1.5, Number.NaN])("refuses a limit of %s", async (limit) => {
    await expect(mapLimit([1], limit, async () => 1)).rejects.toThrow(
      `mapLimit: limit must be a whole number of at least 1, found ${limit}`,
    );
  });
});
