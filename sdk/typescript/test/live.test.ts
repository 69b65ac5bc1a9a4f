// Runs against a live Chime: CHIME_URL (e.g. http://127.0.0.1:8080) and CHIME_API_KEY (an admin
// key, which `GET /api/v1/tenant` needs). The webhook test runs its receiver on 127.0.0.1, so
// that Chime must allow private webhook targets (CHIME_WEBHOOK_ALLOW_PRIVATE=true).
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { ChimeError, createChimeClient, unwrap, type ChimeClient } from "../src/index.js";

// The server side counts these to see that this suite ran against it.
const GROUP = "sdk-typescript";
const DEADLINE_MS = 60_000;

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: point CHIME_URL and CHIME_API_KEY at a running Chime`);
  }
  return value;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${DEADLINE_MS} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

let client: ChimeClient;

before(() => {
  client = createChimeClient({ baseUrl: requiredEnv("CHIME_URL"), apiKey: requiredEnv("CHIME_API_KEY") });
});

describe("notifications", () => {
  test("create, list and cancel", async () => {
    const sendAt = new Date(Date.now() + 24 * 3600 * 1000).toISOString();
    const created = await client.POST("/api/v1/notifications", {
      body: {
        channel: "email",
        recipient: "ada@example.com",
        subject: "Your card expires soon",
        body: "Hi {{name}}",
        data: { name: "Ada" },
        send_at: sendAt,
        group_key: GROUP,
      },
    });
    assert.equal(created.response.status, 201, JSON.stringify(created.error));
    const notification = unwrap(created);
    assert.equal(notification.status, "scheduled");
    assert.equal(notification.channel, "email");
    assert.equal(Date.parse(notification.send_at), Date.parse(sendAt));

    const page = unwrap(
      await client.GET("/api/v1/notifications", {
        params: { query: { group_key: GROUP, status: "scheduled", limit: 500 } },
      }),
    );
    assert.ok(
      page.items.some((n) => n.id === notification.id),
      `listed ${page.items.map((n) => n.id).join(", ")}`,
    );

    const cancelled = unwrap(
      await client.POST("/api/v1/notifications/{id}/cancel", { params: { path: { id: notification.id } } }),
    );
    assert.equal(cancelled.status, "cancelled");
    assert.ok(cancelled.cancelled_at, "cancelled_at is set");
    const fetched = unwrap(
      await client.GET("/api/v1/notifications/{id}", { params: { path: { id: notification.id } } }),
    );
    assert.equal(fetched.status, "cancelled");
  });

  test("an invalid request is a typed error naming the field", async () => {
    const result = await client.POST("/api/v1/notifications", {
      body: { channel: "email", recipient: "ada@example.com", body: "Hi", lead_time: "three days", target_date: new Date(Date.now() + 86_400_000).toISOString() },
    });
    assert.equal(result.response.status, 422);
    assert.equal(result.error?.error.field, "lead_time");
    assert.throws(() => unwrap(result), (e: unknown) => e instanceof ChimeError && e.field === "lead_time");
  });
});

describe("client", () => {
  test("a 204 unwraps to undefined and a missing id is a ChimeError", async () => {
    const rule = unwrap(
      await client.POST("/api/v1/rules", {
        body: {
          event_type: `sdk.typescript.${randomUUID()}`,
          channel: "email",
          recipient_path: "/email",
          target_date_path: "/target_date",
          lead_times: ["P1D"],
          body: "Hi",
        },
      }),
    );
    const deleted = await client.DELETE("/api/v1/rules/{id}", { params: { path: { id: rule.id } } });
    assert.equal(deleted.response.status, 204);
    assert.equal(unwrap(deleted), undefined);
    const gone = await client.GET("/api/v1/rules/{id}", { params: { path: { id: rule.id } } });
    assert.throws(() => unwrap(gone), (e: unknown) => e instanceof ChimeError && e.status === 404 && e.code === "not_found");
  });

  test("headers given to the client are sent along with the API key", async () => {
    const seen: string[] = [];
    const traced = createChimeClient({
      baseUrl: `${requiredEnv("CHIME_URL")}/`,
      apiKey: requiredEnv("CHIME_API_KEY"),
      headers: { "x-request-id": "sdk-typescript" },
      fetch: async (request: Request) => {
        seen.push(`${request.headers.get("x-request-id")} ${request.headers.has("authorization")}`);
        return fetch(request);
      },
    });
    const page = unwrap(await traced.GET("/api/v1/notifications", { params: { query: { limit: 1 } } }));
    assert.ok(Array.isArray(page.items));
    assert.deepEqual(seen, ["sdk-typescript true"]);
  });
});

describe("webhooks", () => {
  const received: Received[] = [];
  let arrived: () => void;
  const firstArrival = new Promise<void>((resolve) => (arrived = resolve));
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(204).end();
      arrived();
    });
  });

  before(async () => {
    receiver.listen(0, "127.0.0.1");
    await once(receiver, "listening");
  });
  after(() => {
    receiver.close();
  });

  test("a webhook due now arrives signed with the tenant's secret", async () => {
    const { port } = receiver.address() as AddressInfo;
    const tenant = unwrap(await client.GET("/api/v1/tenant"));
    assert.match(tenant.webhook_secret, /^whsec_/);

    const created = await client.POST("/api/v1/notifications", {
      body: {
        channel: "webhook",
        recipient: `http://127.0.0.1:${port}/hooks/chime`,
        body: "Hi {{name}}",
        data: { name: "Ada", order: 42 },
        send_at: new Date().toISOString(),
        group_key: GROUP,
      },
    });
    assert.equal(created.response.status, 201, JSON.stringify(created.error));
    const notification = unwrap(created);

    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      firstArrival,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no webhook within ${DEADLINE_MS} ms`)), DEADLINE_MS);
      }),
    ]).finally(() => clearTimeout(timer));

    const delivery = received[0];
    assert.ok(delivery);
    const headers = {
      "webhook-id": String(delivery.headers["webhook-id"]),
      "webhook-timestamp": String(delivery.headers["webhook-timestamp"]),
      "webhook-signature": String(delivery.headers["webhook-signature"]),
    };
    const payload = new Webhook(tenant.webhook_secret).verify(delivery.body, headers) as {
      id: string;
      type: string;
      data: Record<string, unknown>;
    };
    assert.equal(headers["webhook-id"], notification.id);
    assert.equal(payload.id, notification.id);
    assert.equal(payload.type, "notification");
    assert.deepEqual(payload.data, { name: "Ada", order: 42, body: "Hi Ada" });

    // The verification is not vacuous: another secret or another body is refused.
    const otherSecret = `whsec_${Buffer.from("not the tenant's secret, 32 byte").toString("base64")}`;
    assert.throws(() => new Webhook(otherSecret).verify(delivery.body, headers), WebhookVerificationError);
    assert.throws(
      () => new Webhook(tenant.webhook_secret).verify(delivery.body.replace("Ada", "Eve"), headers),
      WebhookVerificationError,
    );

    const sent = await waitFor("the notification to be sent", async () => {
      const n = unwrap(
        await client.GET("/api/v1/notifications/{id}", { params: { path: { id: notification.id } } }),
      );
      return n.status === "sent" ? n : undefined;
    });
    assert.ok(sent.sent_at, "sent_at is set");
  });
});
