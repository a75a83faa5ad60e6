// Drives AfterShip's official Node SDK (@aftership/tracking-sdk 17, API 2026-07) against
// a running aftership-sandbox: create, get, list, update, retrack (and its errors),
// mark-as-completed, delete, get again (4004), EDD predict-batch. Exits non-zero on the
// first failed expectation. Started by run.sh with SANDBOX_URL and SANDBOX_KEY.
import assert from "node:assert/strict";
import { AfterShip } from "@aftership/tracking-sdk";

const domain = process.env.SANDBOX_URL;
const apiKey = process.env.SANDBOX_KEY;
assert.ok(domain && apiKey, "SANDBOX_URL and SANDBOX_KEY are required");

const as = new AfterShip({ api_key: apiKey, domain, max_retry: 0, timeout: 5000 });
let steps = 0;
const step = (name) => {
  steps += 1;
  console.log(`node-sdk: ${name}`);
};

async function rejects(promise, metaCode, httpStatus) {
  try {
    await promise;
  } catch (e) {
    assert.equal(e.meta_code, metaCode, `meta_code of ${e.message}`);
    if (httpStatus) assert.equal(Number(e.status_code), httpStatus, "HTTP status");
    return e;
  }
  assert.fail(`expected an error with meta.code ${metaCode}`);
}

const number = "SDKNODE0001";

step("create");
const created = await as.tracking.createTracking({
  tracking_number: number,
  slug: "ecms",
  title: "Node SDK parcel",
  note: "fragile",
  customers: [{ name: "Ada", email: "ada@example.com", phone_number: "+4915100000001" }],
});
assert.equal(created.data.tracking_number, number);
assert.equal(created.data.tag, "Pending");
assert.ok(created.response_headers["x-ratelimit-limit"], "rate-limit headers exposed");
assert.equal(created.response_headers["as-api-version"], "2026-07");
const id = created.data.id;
await rejects(as.tracking.createTracking({ tracking_number: number, slug: "ecms" }), 4003, 400);
await rejects(as.tracking.createTracking({ tracking_number: "x", slug: "ecms" }), 4005, 400);
await rejects(as.tracking.createTracking({ slug: "ecms" }), 4007, 400);
await rejects(as.tracking.createTracking({ tracking_number: "SDKNODE0002", slug: "nope" }), 4010, 400);

step("get");
const got = await as.tracking.getTrackingById(id);
assert.equal(got.data.id, id);
assert.equal(got.data.title, "Node SDK parcel");

step("list");
const listed = await as.tracking.getTrackings({ tracking_numbers: number, slug: "ecms" });
assert.equal(listed.data.trackings.length, 1);
assert.equal(listed.data.trackings[0].id, id);
assert.equal(listed.data.pagination.has_next_page, false);
const demo = await as.tracking.getTrackings({ tracking_numbers: "ECMS0005DELIVERED", slug: "ecms" });
const delivered = demo.data.trackings[0];
assert.equal(delivered.tag, "Delivered");
const german = await as.tracking.getTrackingById(delivered.id, { lang: "de" });
assert.equal(german.data.checkpoints.at(-1).message, "Zugestellt");

step("update");
const updated = await as.tracking.updateTrackingById(id, { title: "Renamed", note: "" });
assert.equal(updated.data.title, "Renamed");
assert.equal(updated.data.note, null);
assert.equal(updated.data.customers[0].email, "ada@example.com");

step("retrack (active: 4013)");
const active = await rejects(as.tracking.retrackTrackingById(id), 4013, 400);
assert.equal(active.code, "INACTIVE_RETRACK_NOT_ALLOWED");

step("mark-as-completed");
const marked = await as.tracking.markTrackingCompletedById(id, { reason: "DELIVERED" });
assert.equal(marked.data.tag, "Delivered");
assert.equal(marked.data.subtag, "Delivered_001");
assert.equal(marked.data.checkpoints.at(-1).source, "user");

step("retrack x3 then 4016");
for (let i = 0; i < 3; i += 1) {
  const r = await as.tracking.retrackTrackingById(id);
  assert.equal(r.data.active, true);
  await as.tracking.markTrackingCompletedById(id, { reason: "LOST" });
}
await rejects(as.tracking.retrackTrackingById(id), 4016, 400);

step("delete");
const deleted = await as.tracking.deleteTrackingById(id);
assert.equal(deleted.data.id, id);

step("get again (4004)");
const gone = await rejects(as.tracking.getTrackingById(id), 4004, 404);
assert.equal(gone.code, "TRACKING_DOES_NOT_EXIST");

step("couriers");
const couriers = await as.courier.getCouriers({ slug: "ecms" });
assert.equal(couriers.data.couriers[0].slug, "ecms");
const detected = await as.courier.detectCourier({ tracking_number: "ECMS0002TRANSIT" });
assert.equal(detected.data.couriers[0].slug, "ecms");

step("predict-batch");
const item = (destination) => ({
  slug: "ecms",
  origin_address: { country_region: "CHN", state: "Guangdong", postal_code: "518000" },
  destination_address: destination,
  estimated_pickup: { order_time: "2026-11-23 15:04:05", order_cutoff_time: "18:00:00" },
});
const batch = await as.estimatedDeliveryDate.predictBatch({
  estimated_delivery_dates: [
    item({ country_region: "DEU", postal_code: "10115" }),
    item({ country_region: "USA", state: "NY", postal_code: "10001" }),
  ],
});
assert.equal(batch.data.estimated_delivery_dates.length, 2);
for (const p of batch.data.estimated_delivery_dates) {
  assert.match(p.estimated_delivery_date, /^\d{4}-\d{2}-\d{2}$/);
  assert.equal(typeof p.confidence_code, "number");
  assert.equal(p.estimated_pickup.pickup_time, "2026-11-23 18:00:00");
}
await rejects(as.estimatedDeliveryDate.predictBatch({ estimated_delivery_dates: [] }), 400, 400);
const single = await as.estimatedDeliveryDate.predict(item({ country_region: "DEU", postal_code: "10115" }));
assert.equal(single.data.estimated_delivery_date, batch.data.estimated_delivery_dates[0].estimated_delivery_date);

step("wrong key (401)");
const wrong = new AfterShip({ api_key: "not-the-key", domain, max_retry: 0 });
await rejects(wrong.tracking.getTrackings(), 401, 401);

console.log(`node-sdk: all ${steps} steps passed`);
