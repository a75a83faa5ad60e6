"""Drives AfterShip's official Python SDK (aftership-tracking-sdk 10, API 2026-07) against
a running aftership-sandbox: create, get, list, update, retrack (and its errors),
mark-as-completed, delete, get again (4004), EDD predict-batch. The SDK validates every
answer with pydantic, so any field or enum value it does not accept fails here. Exits
non-zero on the first failed expectation. Started by run.sh with SANDBOX_URL and
SANDBOX_KEY."""

import base64
import hashlib
import hmac
import http.server
import json
import os
import sys
import threading
import time
import urllib.request

import tracking
from tracking import exceptions

URL = os.environ["SANDBOX_URL"]
KEY = os.environ["SANDBOX_KEY"]

HOOK_PORT = int(os.environ.get("SANDBOX_HOOK_PORT", "0"))
HOOK_SECRET = os.environ.get("SANDBOX_HOOK_SECRET", "")
hooks = []


class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["content-length"]))
        hooks.append((dict(self.headers), body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


if HOOK_PORT:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", HOOK_PORT), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()

client = tracking.Client(tracking.Configuration(domain=URL, api_key=KEY, max_retry=0, timeout=5000))
steps = 0


def step(name):
    global steps
    steps += 1
    print(f"python-sdk: {name}", flush=True)


def expect(want, got, what):
    if want != got:
        sys.exit(f"python-sdk: {what}: expected {want!r}, got {got!r}")


def raises(fn, meta_code, status=None, cls=exceptions.ApiException):
    try:
        fn()
    except cls as e:
        expect(meta_code, e.meta_code, f"meta_code of {e}")
        if status is not None:
            expect(status, e.status_code, "HTTP status")
        return e
    sys.exit(f"python-sdk: expected an error with meta.code {meta_code}")


NUMBER = "SDKPY0001"

step("create")
created = client.tracking.create_tracking(
    {
        "tracking_number": NUMBER,
        "slug": "ecms",
        "title": "Python SDK parcel",
        "note": "fragile",
        "customers": [{"name": "Grace", "email": "grace@example.com", "phone_number": "+4915100000002"}],
    }
)
expect(NUMBER, created.data.tracking_number, "number")
expect(tracking.Tag.PENDING, created.data.tag, "tag")
expect(["2026-07"], created.response_header.get("as-api-version"), "as-api-version")
TID = created.data.id
raises(lambda: client.tracking.create_tracking({"tracking_number": NUMBER, "slug": "ecms"}), 4003, 400)
raises(lambda: client.tracking.create_tracking({"tracking_number": "ab", "slug": "ecms"}), 4005, 400)
raises(lambda: client.tracking.create_tracking({"tracking_number": "SDKPY0002", "slug": "nope"}), 4010, 400)

step("get")
got = client.tracking.get_tracking_by_id(TID)
expect("Python SDK parcel", got.data.title, "title")

step("list")
listed = client.tracking.get_trackings(tracking_numbers=NUMBER, slug="ecms")
expect(1, len(listed.data.trackings), "list size")
expect(TID, listed.data.trackings[0].id, "listed id")
# Every demo tracking must validate against the SDK's strict models.
everything = client.tracking.get_trackings(limit=200)
expect(10, len(everything.data.trackings), "demos + created")
delivered = client.tracking.get_trackings(tracking_numbers="ECMS0005DELIVERED", slug="ecms").data.trackings[0]
french = client.tracking.get_tracking_by_id(delivered.id, lang="fr")
expect("Livré", french.data.checkpoints[-1].message, "French message")

step("update")
updated = client.tracking.update_tracking_by_id(TID, {"title": "Renamed", "note": ""})
expect("Renamed", updated.data.title, "title")
expect(None, updated.data.note, "note cleared")
expect("grace@example.com", updated.data.customers[0].email, "customers kept")

step("retrack (active: 4013)")
e = raises(lambda: client.tracking.retrack_tracking_by_id(TID), 4013, 400, exceptions.BadRequestError)
expect(exceptions.ErrorCodeEnum.INACTIVE_RETRACK_NOT_ALLOWED, e.code, "error code")

step("mark-as-completed")
marked = client.tracking.mark_tracking_completed_by_id(TID, {"reason": "RETURNED_TO_SENDER"})
expect(tracking.Tag.EXCEPTION, marked.data.tag, "tag")
expect("Exception_011", marked.data.subtag, "subtag")

step("retrack x3 then 4016")
for _ in range(3):
    r = client.tracking.retrack_tracking_by_id(TID)
    expect(True, r.data.active, "active after retrack")
    client.tracking.mark_tracking_completed_by_id(TID, {"reason": "DELIVERED"})
raises(lambda: client.tracking.retrack_tracking_by_id(TID), 4016, 400)

step("delete")
deleted = client.tracking.delete_tracking_by_id(TID)
expect(TID, deleted.data.id, "deleted id")

step("get again (4004)")
e = raises(lambda: client.tracking.get_tracking_by_id(TID), 4004, 404, exceptions.BadRequestError)
expect(exceptions.ErrorCodeEnum.TRACKING_DOES_NOT_EXIST, e.code, "error code")

step("couriers")
couriers = client.courier.get_couriers(slug="ecms")
expect("ecms", couriers.data.couriers[0].slug, "courier")
detected = client.courier.detect_courier({"tracking_number": "ECMS0002TRANSIT"})
expect("ecms", detected.data.couriers[0].slug, "detected")


def item(dest):
    return {
        "slug": "ecms",
        "origin_address": {"country_region": "CHN", "state": "Guangdong", "postal_code": "518000"},
        "destination_address": dest,
        "pickup_time": "2026-11-23 15:00:00",
    }


step("predict-batch")
batch = client.estimated_delivery_date.predict_batch(
    {"estimated_delivery_dates": [item({"country_region": "DEU", "postal_code": "10115"}), item({"country_region": "USA", "state": "NY"})]}
)
expect(2, len(batch.data.estimated_delivery_dates), "batch size")
for p in batch.data.estimated_delivery_dates:
    if not (p.estimated_delivery_date and p.estimated_delivery_date_min <= p.estimated_delivery_date <= p.estimated_delivery_date_max):
        sys.exit(f"python-sdk: implausible EDD {p}")
raises(lambda: client.estimated_delivery_date.predict_batch({"estimated_delivery_dates": [item({"country_region": "DEU"})]}), 400, 400)
single = client.estimated_delivery_date.predict(item({"country_region": "DEU", "postal_code": "10115"}))
expect(batch.data.estimated_delivery_dates[0].estimated_delivery_date, single.data.estimated_delivery_date, "predict = batch")

step("every journey validates after the clock moves")
for i in range(21):
    client.tracking.create_tracking({"tracking_number": f"SDKPYJ{i:04d}", "slug": "ecms"})
# Advance in steps so every intermediate state of every journey is validated too.
seen = set()
for _ in range(8):
    req = urllib.request.Request(f"{URL}/sandbox/clock/advance", data=b'{"days": 5}', method="POST")
    urllib.request.build_opener(urllib.request.ProxyHandler({})).open(req).read()
    page = client.tracking.get_trackings(limit=200, keyword="SDKPYJ")
    expect(21, len(page.data.trackings), "journeys listed")
    seen.update(t.subtag for t in page.data.trackings)
if len({s.split("_")[0] for s in seen}) < 5:
    sys.exit(f"python-sdk: too few distinct tags along the journeys: {sorted(seen)}")

if HOOK_PORT:
    step("webhooks: signed, versioned, and the SDK's Tracking model accepts msg")
    deadline = time.time() + 10
    while len(hooks) < 5 and time.time() < deadline:
        time.sleep(0.1)
    if len(hooks) < 5:
        sys.exit(f"python-sdk: only {len(hooks)} webhooks arrived")
    for headers, body in hooks:
        h = {k.lower(): v for k, v in headers.items()}
        want = base64.b64encode(hmac.new(HOOK_SECRET.encode(), body, hashlib.sha256).digest()).decode()
        expect(want, h.get("aftership-hmac-sha256"), "webhook signature")
        expect("2026-07", h.get("as-webhook-version"), "webhook version")
        event = json.loads(body)
        expect("tracking_update", event["event"], "event")
        tracking.Tracking.model_validate(event["msg"])

step("wrong key (401)")
wrong = tracking.Client(tracking.Configuration(domain=URL, api_key="not-the-key", max_retry=0))
raises(lambda: wrong.tracking.get_trackings(), 401, 401, exceptions.UnauthorizedError)

print(f"python-sdk: all {steps} steps passed")
