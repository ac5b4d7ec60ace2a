/**
 * The Event Grid alert sink through the real `EventGridPublisherClient`: an in-process transport
 * stands where the custom topic would be, so the SDK's serialisation and authentication run.
 */
import {
  type HttpClient,
  type PipelineRequest,
  createHttpHeaders,
} from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import type { AlertNotification } from "../src/lib/alerts";
import { eventGridSink } from "../src/lib/alertSinks";
import { eventGridPublisher } from "../src/lib/azure/sinks";
import { fakeCredential } from "../src/standin/credential";
import { demoAccountId } from "./support/demo";

const endpoint = "https://batch-cmk-alerts.westeurope-1.eventgrid.azure.net/api/events";

function topic() {
  const received: Array<{ request: PipelineRequest; body: unknown }> = [];
  const httpClient: HttpClient = {
    async sendRequest(request) {
      received.push({ request, body: JSON.parse(String(request.body)) });
      return { request, status: 200, headers: createHttpHeaders() };
    },
  };
  return { httpClient, received };
}

const notification: AlertNotification = {
  kind: "raised",
  on: new Date("2026-12-04T09:20:00Z"),
  accountId: demoAccountId("batchprod"),
  check: "KeyVersionDisabled",
  severity: "critical",
  message: "key version 89e41584 is disabled",
  remedy: "Re-enable the key version, or move the account to a usable version.",
  vault: "contoso-cmk",
  keyName: "batch-cmk",
  version: "89e41584e2b54c0f9d5b3a1f0e2d4c6b",
};

describe("the Event Grid alert sink", () => {
  it("publishes one CloudEvent carrying identifiers only, with the app's token, to the topic", async () => {
    const { httpClient, received } = topic();
    const sink = eventGridSink(eventGridPublisher(endpoint, fakeCredential, httpClient));

    await sink.send(notification);

    expect(received).toHaveLength(1);
    const [{ request, body }] = received as [(typeof received)[number]];
    expect(request.url).toMatch(
      /^https:\/\/batch-cmk-alerts\.westeurope-1\.eventgrid\.azure\.net\/api\/events\?api-version=/,
    );
    expect(request.headers.get("authorization")).toBe("Bearer standin-fake-token");
    expect(request.headers.get("content-type")).toMatch(/^application\/cloudevents-batch\+json/);
    expect(body).toEqual([
      {
        specversion: "1.0",
        type: "BatchCmkGuard.AlertRaised",
        source: "/batch-cmk-guard",
        id: expect.stringMatching(/^[0-9a-f]{32}$/),
        time: "2026-12-04T09:20:00.000Z",
        subject: demoAccountId("batchprod"),
        datacontenttype: "application/json",
        data: {
          accountId: demoAccountId("batchprod"),
          vault: "contoso-cmk",
          keyName: "batch-cmk",
          version: "89e41584e2b54c0f9d5b3a1f0e2d4c6b",
          check: "KeyVersionDisabled",
          severity: "critical",
          remedy: "Re-enable the key version, or move the account to a usable version.",
        },
      },
    ]);
  });
});
