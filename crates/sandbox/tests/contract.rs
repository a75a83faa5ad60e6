//! Contract tests: the typed `aftership` client against a spawned sandbox over real
//! loopback HTTP, covering every operation and every documented error path.

mod common;

use aftership::model::{
    CreateTrackingRequest, Customer, DetectCourierRequest, EddAddress, EddRequest,
    GetTrackingQuery, ListTrackingsQuery, MarkCompletedRequest, Tag, UpdateTrackingRequest,
};
use aftership::{ApiKey, Client, Error, MetaCode};
use aftership_sandbox::DEMO_TRACKING_NUMBERS;
use common::{KEY, api_err, demo_id, start};
use std::time::Duration;

fn create_req(number: &str) -> CreateTrackingRequest {
    CreateTrackingRequest {
        tracking_number: Some(number.to_owned()),
        slug: Some("ecms".to_owned()),
        ..Default::default()
    }
}

fn mark(reason: &str) -> MarkCompletedRequest {
    MarkCompletedRequest {
        reason: reason.to_owned(),
        event_datetime: None,
    }
}

#[tokio::test]
async fn every_demo_is_found_by_number_with_its_tag() {
    let (_sb, c) = start().await;
    for (number, tag) in DEMO_TRACKING_NUMBERS.iter().zip(Tag::ALL) {
        let t = c
            .find_tracking("ecms", number, None)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(t.tag, Some(tag), "{number}");
        assert_eq!(t.slug.as_deref(), Some("ecms"));
    }
    assert!(
        c.find_tracking("ecms", "ECMS9999NOPE", None)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        c.find_tracking("ups", "ECMS0002TRANSIT", None)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn list_paginates_with_cursors_and_filters() {
    let (_sb, c) = start().await;
    let q = |limit| ListTrackingsQuery {
        limit: Some(limit),
        ..Default::default()
    };
    let first = c.list_trackings(&q(4)).await.unwrap().data;
    assert_eq!(first.pagination.total, Some(9));
    assert_eq!(first.pagination.has_next_page, Some(true));
    assert_eq!(first.trackings.len(), 4);
    let mut seen: Vec<String> = first
        .trackings
        .iter()
        .filter_map(|t| t.tracking_number.clone())
        .collect();
    let mut cursor = first.pagination.next_cursor;
    while let Some(cur) = cursor {
        let page = c
            .list_trackings(&ListTrackingsQuery {
                cursor: Some(cur),
                ..q(4)
            })
            .await
            .unwrap()
            .data;
        seen.extend(
            page.trackings
                .iter()
                .filter_map(|t| t.tracking_number.clone()),
        );
        cursor = page.pagination.next_cursor;
    }
    seen.sort();
    assert_eq!(
        seen,
        DEMO_TRACKING_NUMBERS.to_vec(),
        "every demo exactly once"
    );

    let by_tag = c
        .list_trackings(&ListTrackingsQuery {
            tag: Some("Exception".into()),
            ..Default::default()
        })
        .await
        .unwrap()
        .data;
    assert_eq!(by_tag.trackings.len(), 1);
    assert_eq!(
        by_tag.trackings[0].tracking_number.as_deref(),
        Some("ECMS0007EXCEPTION")
    );

    let by_keyword = c
        .list_trackings(&ListTrackingsQuery {
            keyword: Some("camille.durand@example.fr".into()),
            ..Default::default()
        })
        .await
        .unwrap()
        .data;
    assert_eq!(
        by_keyword.trackings.len(),
        1,
        "keyword searches customer emails"
    );

    let none_after = c
        .list_trackings(&ListTrackingsQuery {
            created_at_min: Some("2030-01-01T00:00:00+00:00".into()),
            ..Default::default()
        })
        .await
        .unwrap()
        .data;
    assert_eq!(none_after.pagination.total, Some(0));

    for bad in [0, 201] {
        let e = c.list_trackings(&q(bad)).await.unwrap_err();
        assert_eq!(api_err(&e).0, 4008, "limit {bad}");
    }
}

#[tokio::test]
async fn get_by_id_and_by_legacy_id_is_the_same_tracking() {
    let (_sb, c) = start().await;
    let t = c
        .find_tracking("ecms", "ECMS0005DELIVERED", None)
        .await
        .unwrap()
        .unwrap();
    let by_id = c
        .get_tracking(t.id.as_deref().unwrap(), &GetTrackingQuery::default())
        .await
        .unwrap();
    let by_legacy = c
        .get_tracking(
            t.legacy_id.as_deref().unwrap(),
            &GetTrackingQuery::default(),
        )
        .await
        .unwrap();
    assert_eq!(by_id.status, 200);
    assert_eq!(by_id.data, by_legacy.data);
    assert_eq!(t.legacy_id.as_ref().unwrap().len(), 24);
    assert_eq!(t.id.as_ref().unwrap().len(), 32);
    assert!(by_id.data.signed_by.is_some());
}

#[tokio::test]
async fn lang_translates_checkpoint_messages() {
    let (_sb, c) = start().await;
    let de = c
        .find_tracking("ecms", "ECMS0005DELIVERED", Some("de"))
        .await
        .unwrap()
        .unwrap();
    let last = de.checkpoints.unwrap().pop().unwrap();
    assert_eq!(last.message.as_deref(), Some("Zugestellt"));
    let ja = c
        .find_tracking("ecms", "ECMS0005DELIVERED", Some("ja"))
        .await
        .unwrap()
        .unwrap();
    assert!(
        ja.checkpoints.unwrap()[0]
            .message
            .as_deref()
            .unwrap()
            .starts_with("[ja] ")
    );
}

#[tokio::test]
async fn fields_keeps_only_the_requested_fields() {
    let (_sb, c) = start().await;
    let id = demo_id(&c, "ECMS0002TRANSIT").await;
    let q = GetTrackingQuery {
        fields: Some("title,tag".into()),
        lang: None,
    };
    let t = c.get_tracking(&id, &q).await.unwrap().data;
    assert_eq!(t.tag, Some(Tag::InTransit));
    assert!(t.title.is_some());
    assert!(t.checkpoints.is_none() && t.customers.is_none() && t.note.is_none());
    let bad = GetTrackingQuery {
        fields: Some("title;drop".into()),
        lang: None,
    };
    assert_eq!(
        api_err(&c.get_tracking(&id, &bad).await.unwrap_err()).0,
        4008
    );
}

#[tokio::test]
async fn unknown_id_is_4004_on_http_404_with_type_bad_request() {
    let (_sb, c) = start().await;
    let e = c
        .get_tracking("nope", &GetTrackingQuery::default())
        .await
        .unwrap_err();
    assert!(e.is_not_found());
    assert_eq!(api_err(&e), (4004, "BadRequest".into(), 404));
    assert_eq!(e.meta_code(), Some(MetaCode::TrackingDoesNotExist));
}

#[tokio::test]
async fn wrong_api_key_is_401_unauthorized() {
    let (sb, _) = start().await;
    let bad = Client::new(&sb.base_url(), ApiKey::new("wrong"), common::options()).unwrap();
    let e = bad
        .list_trackings(&ListTrackingsQuery::default())
        .await
        .unwrap_err();
    assert_eq!(api_err(&e), (401, "Unauthorized".into(), 401));
    assert!(matches!(&e, Error::Api { message, .. } if message == "Invalid API key."));
}

#[tokio::test]
async fn create_answers_201_with_a_pending_tracking_then_get_finds_it() {
    let (_sb, c) = start().await;
    let mut req = create_req("ECMS1000NEW");
    req.title = Some("Blue sneakers".into());
    req.customers = Some(vec![Customer {
        name: Some("Jo".into()),
        email: Some("jo@example.com".into()),
        phone_number: Some("+4915100000000".into()),
        ..Default::default()
    }]);
    let created = c.create_tracking(&req).await.unwrap();
    assert_eq!(created.status, 201);
    let t = created.data;
    assert_eq!(t.tag, Some(Tag::Pending));
    assert_eq!(t.subtag.as_deref(), Some("Pending_001"));
    assert_eq!(t.title.as_deref(), Some("Blue sneakers"));
    let got = c
        .get_tracking(t.id.as_deref().unwrap(), &GetTrackingQuery::default())
        .await
        .unwrap()
        .data;
    assert_eq!(got.tracking_number.as_deref(), Some("ECMS1000NEW"));
    assert_eq!(
        got.customers.unwrap()[0].email.as_deref(),
        Some("jo@example.com")
    );
}

#[tokio::test]
async fn create_errors_use_the_documented_meta_codes() {
    let (_sb, c) = start().await;
    let code = |r: Result<_, Error>| api_err(&r.unwrap_err()).0;
    assert_eq!(
        code(c.create_tracking(&create_req("ECMS0002TRANSIT")).await),
        4003
    );
    assert_eq!(code(c.create_tracking(&create_req("AB")).await), 4005);
    assert_eq!(
        code(c.create_tracking(&create_req("has space")).await),
        4005
    );
    let mut missing = create_req("x");
    missing.tracking_number = None;
    assert_eq!(code(c.create_tracking(&missing).await), 4007);
    let mut bad_slug = create_req("ECMS1234");
    bad_slug.slug = Some("teleport-express".into());
    assert_eq!(code(c.create_tracking(&bad_slug).await), 4010);
    let mut undetectable = create_req("ZZ-0000");
    undetectable.slug = None;
    assert_eq!(code(c.create_tracking(&undetectable).await), 4012);
    let mut too_many = create_req("ECMS1234");
    too_many.customers = Some(vec![Customer::default(); 4]);
    assert_eq!(code(c.create_tracking(&too_many).await), 4008);
    let mut bad_id = create_req("ECMS1234");
    bad_id.id = Some("not/valid".into());
    assert_eq!(code(c.create_tracking(&bad_id).await), 4015);
}

#[tokio::test]
async fn create_without_slug_detects_the_courier() {
    let (_sb, c) = start().await;
    let mut req = create_req("1Z999AA10123456784");
    req.slug = None;
    let t = c.create_tracking(&req).await.unwrap().data;
    assert_eq!(t.slug.as_deref(), Some("ups"));
}

#[tokio::test]
async fn update_changes_only_sent_fields_and_empty_note_clears() {
    let (_sb, c) = start().await;
    let id = demo_id(&c, "ECMS0003OUT").await;
    let before = c
        .get_tracking(&id, &GetTrackingQuery::default())
        .await
        .unwrap()
        .data;
    assert!(before.note.is_some());
    let upd = UpdateTrackingRequest {
        title: Some("New title".into()),
        ..Default::default()
    };
    let after = c.update_tracking(&id, &upd).await.unwrap().data;
    assert_eq!(after.title.as_deref(), Some("New title"));
    assert_eq!(after.note, before.note, "note untouched");
    assert_eq!(after.customers, before.customers, "customers untouched");

    let clear = UpdateTrackingRequest {
        note: Some(String::new()),
        customers: Some(vec![Customer {
            email: Some("new@example.com".into()),
            phone_number: Some("+33600000000".into()),
            ..Default::default()
        }]),
        order_id_path: Some("https://shop.example/o/1".into()),
        language: Some("fr".into()),
        ..Default::default()
    };
    let cleared = c.update_tracking(&id, &clear).await.unwrap().data;
    assert_eq!(cleared.note, None);
    assert_eq!(cleared.title.as_deref(), Some("New title"));
    assert_eq!(
        cleared.customers.unwrap()[0].email.as_deref(),
        Some("new@example.com")
    );
    assert_eq!(cleared.language.as_deref(), Some("fr"));

    let four = UpdateTrackingRequest {
        customers: Some(vec![Customer::default(); 4]),
        ..Default::default()
    };
    assert_eq!(
        api_err(&c.update_tracking(&id, &four).await.unwrap_err()).0,
        4008
    );
    let missing = c.update_tracking("nope", &upd).await.unwrap_err();
    assert!(missing.is_not_found());
}

#[tokio::test]
async fn delete_removes_the_tracking() {
    let (_sb, c) = start().await;
    let t = c
        .create_tracking(&create_req("ECMS2000DEL"))
        .await
        .unwrap()
        .data;
    let id = t.id.unwrap();
    let deleted = c.delete_tracking(&id).await.unwrap().data;
    assert_eq!(deleted.tracking_number.as_deref(), Some("ECMS2000DEL"));
    assert!(
        c.get_tracking(&id, &GetTrackingQuery::default())
            .await
            .unwrap_err()
            .is_not_found()
    );
    assert!(c.delete_tracking(&id).await.unwrap_err().is_not_found());
}

#[tokio::test]
async fn retrack_refuses_active_trackings_and_stops_after_three() {
    let (_sb, c) = start().await;
    let active = demo_id(&c, "ECMS0002TRANSIT").await;
    let e = c.retrack(&active).await.unwrap_err();
    assert_eq!(api_err(&e), (4013, "BadRequest".into(), 400));

    let expired = demo_id(&c, "ECMS0008EXPIRED").await;
    for round in 1..=3 {
        let t = c.retrack(&expired).await.unwrap().data;
        assert_eq!(t.active, Some(true), "round {round}");
        assert_eq!(t.tag, Some(Tag::Pending));
        // Make it inactive again so only the limit can refuse the next retrack.
        c.mark_completed(&expired, &mark("LOST")).await.unwrap();
    }
    let e = c.retrack(&expired).await.unwrap_err();
    assert_eq!(api_err(&e).0, 4016);
    assert_eq!(e.meta_code(), Some(MetaCode::RetrackLimitReached));
    assert!(c.retrack("nope").await.unwrap_err().is_not_found());
}

#[tokio::test]
async fn mark_as_completed_maps_each_reason_and_adds_a_user_checkpoint() {
    let (_sb, c) = start().await;
    let cases = [
        ("ECMS0001INFO", "DELIVERED", Tag::Delivered, "Delivered_001"),
        ("ECMS0002TRANSIT", "LOST", Tag::Exception, "Exception_013"),
        (
            "ECMS0003OUT",
            "RETURNED_TO_SENDER",
            Tag::Exception,
            "Exception_011",
        ),
    ];
    for (number, reason, tag, subtag) in cases {
        let id = demo_id(&c, number).await;
        let t = c.mark_completed(&id, &mark(reason)).await.unwrap().data;
        assert_eq!(t.tag, Some(tag), "{reason}");
        assert_eq!(t.subtag.as_deref(), Some(subtag));
        assert_eq!(t.active, Some(false));
        let last = t.checkpoints.unwrap().pop().unwrap();
        assert_eq!(last.source.as_deref(), Some("user"));
        assert_eq!(last.subtag.as_deref(), Some(subtag));
    }
    let id = demo_id(&c, "ECMS0004FAIL").await;
    let bad = c
        .mark_completed(&id, &mark("TELEPORTED"))
        .await
        .unwrap_err();
    assert_eq!(api_err(&bad).0, 4008);
    let future = MarkCompletedRequest {
        reason: "DELIVERED".into(),
        event_datetime: Some("2099-01-01".into()),
    };
    assert_eq!(
        api_err(&c.mark_completed(&id, &future).await.unwrap_err()).0,
        4008
    );
}

#[tokio::test]
async fn mark_as_completed_stops_auto_updates_until_a_retrack() {
    let (sb, c) = start().await;
    let id = demo_id(&c, "ECMS0002TRANSIT").await;
    let marked = c
        .mark_completed(&id, &mark("DELIVERED"))
        .await
        .unwrap()
        .data;
    let n = marked.checkpoints.unwrap().len();
    sb.advance_clock(Duration::from_secs(10 * 86_400));
    let later = c
        .get_tracking(&id, &GetTrackingQuery::default())
        .await
        .unwrap()
        .data;
    assert_eq!(later.checkpoints.unwrap().len(), n, "frozen");
    assert_eq!(later.tag, Some(Tag::Delivered));
    let resumed = c.retrack(&id).await.unwrap().data;
    let cps = resumed.checkpoints.unwrap();
    assert!(cps.len() > n, "carrier scans resume after retrack");
    assert!(cps.iter().all(|c| c.source.as_deref() == Some("carrier")));
}

#[tokio::test]
async fn advancing_the_clock_moves_a_created_tracking_along_its_journey() {
    let (sb, c) = start().await;
    let t = c
        .create_tracking(&create_req("ECMS3000MOVE"))
        .await
        .unwrap()
        .data;
    let id = t.id.unwrap();
    assert_eq!(t.checkpoints.as_ref().map(Vec::len), Some(0));
    sb.advance_clock(Duration::from_secs(3 * 86_400));
    let later = c
        .get_tracking(&id, &GetTrackingQuery::default())
        .await
        .unwrap()
        .data;
    assert_ne!(later.tag, Some(Tag::Pending));
    let cps = later.checkpoints.unwrap();
    assert!(!cps.is_empty());
    let times: Vec<&str> = cps
        .iter()
        .filter_map(|c| c.checkpoint_time.as_deref())
        .collect();
    assert!(
        times.iter().all(|t| t.len() == 25),
        "local offsets: {times:?}"
    );
}

#[tokio::test]
async fn couriers_list_and_detect() {
    let (_sb, c) = start().await;
    let all = c.get_couriers(None, None).await.unwrap().data;
    assert!(all.total >= 5);
    assert_eq!(all.total as usize, all.couriers.len());
    let ecms = c.get_couriers(Some(true), Some("ecms")).await.unwrap().data;
    assert_eq!(ecms.total, 1);
    assert_eq!(
        ecms.couriers[0].name.as_deref(),
        Some("ECMS International Logistics Co., Ltd.")
    );
    let det = |n: &str| DetectCourierRequest {
        tracking_number: Some(n.into()),
        slug: None,
    };
    let found = c
        .detect_courier(&det("ECMS0002TRANSIT"))
        .await
        .unwrap()
        .data;
    assert_eq!(found.couriers[0].slug.as_deref(), Some("ecms"));
    let none = c.detect_courier(&det("??")).await.unwrap().data;
    assert_eq!((none.total, none.couriers.len()), (0, 0));
    let e = c
        .detect_courier(&DetectCourierRequest::default())
        .await
        .unwrap_err();
    assert_eq!(api_err(&e).0, 4007);
}

fn edd(origin: &str, dest: &str) -> EddRequest {
    let addr = |cc: &str, zip: &str| {
        Some(EddAddress {
            country_region: Some(cc.into()),
            postal_code: Some(zip.into()),
            ..Default::default()
        })
    };
    EddRequest {
        slug: Some("ecms".into()),
        origin_address: addr(origin, "518000"),
        destination_address: addr(dest, "10115"),
        pickup_time: Some("2026-11-23 15:00:00".into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn predict_and_predict_batch() {
    let (_sb, c) = start().await;
    let one = c.predict(&edd("CHN", "DEU")).await.unwrap().data;
    assert!(one.estimated_delivery_date.as_deref().unwrap() > "2026-11-23");
    assert!(one.confidence_code.is_some());
    assert_eq!(one.request.slug.as_deref(), Some("ecms"));
    let batch = c
        .predict_batch(&[edd("CHN", "DEU"), edd("DEU", "DEU")])
        .await
        .unwrap()
        .data;
    assert_eq!(batch.len(), 2);
    assert_eq!(
        batch[0].estimated_delivery_date, one.estimated_delivery_date,
        "deterministic"
    );
    assert!(
        batch[1].estimated_delivery_date < batch[0].estimated_delivery_date,
        "domestic is faster"
    );
    for bad in [
        vec![],
        vec![edd("CHN", "DEU"); 6],
        vec![EddRequest::default()],
    ] {
        let e = c.predict_batch(&bad).await.unwrap_err();
        assert_eq!(
            api_err(&e),
            (400, "BadRequest".into(), 400),
            "{} items",
            bad.len()
        );
    }
    let mut no_slug = edd("CHN", "DEU");
    no_slug.slug = None;
    assert_eq!(api_err(&c.predict(&no_slug).await.unwrap_err()).0, 400);
}

#[tokio::test]
async fn rate_limit_headers_are_exposed_on_success() {
    let (_sb, c) = start().await;
    let r = c
        .list_trackings(&ListTrackingsQuery::default())
        .await
        .unwrap();
    assert_eq!(r.rate_limit.limit, Some(10_000));
    assert_eq!(r.rate_limit.remaining, Some(9_999));
    assert!(r.rate_limit.reset.is_some());
    assert!(KEY.len() > 3);
}

#[tokio::test]
async fn legacy_v4_reads_through_the_client() {
    let (_sb, c) = start().await;
    let t = c
        .legacy_tracking("ecms", "ECMS0002TRANSIT", None)
        .await
        .unwrap()
        .data;
    assert_eq!(t.tag, Some(Tag::InTransit));
    assert_eq!(t.destination_country_iso3.as_deref(), Some("DEU"));
    let id = t.id.clone().unwrap();
    assert_eq!(id.len(), 24);
    let cp = &t.checkpoints[0];
    assert_eq!(cp.coordinates.len(), 2);
    assert_eq!(cp.country_iso3.as_deref(), Some("CHN"));
    assert!(cp.zip.is_some());
    assert_eq!(c.legacy_tracking_by_id(&id, None).await.unwrap().data, t);

    let last = c
        .legacy_last_checkpoint("ecms", "ECMS0005DELIVERED", Some("es"))
        .await
        .unwrap()
        .data;
    assert_eq!(last.tag, Some(Tag::Delivered));
    assert_eq!(last.checkpoint.message.as_deref(), Some("Entregado"));
    let by_id = c
        .legacy_last_checkpoint_by_id(last.id.as_deref().unwrap(), Some("es"))
        .await
        .unwrap()
        .data;
    assert_eq!(by_id, last);

    let pending = c
        .legacy_last_checkpoint("ecms", "ECMS0000PENDING", None)
        .await
        .unwrap()
        .data;
    assert_eq!(
        pending.checkpoint,
        Default::default(),
        "no checkpoint yet: {{}}"
    );
    let e = c
        .legacy_tracking("ecms", "NOPE1234", None)
        .await
        .unwrap_err();
    assert!(e.is_not_found());
}
