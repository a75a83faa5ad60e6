//! Property tests of create/update validation, through the client over loopback HTTP,
//! against an oracle written independently from the sandbox's rules (reference §7.2).

mod common;

use aftership::model::{CreateTrackingRequest, Customer, UpdateTrackingRequest};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::collections::HashSet;

/// §7.2: 4 to 100 characters of `A-Z 0-9 - . _ /`.
fn oracle_valid(n: &str) -> bool {
    let len = n.chars().count();
    (4..=100).contains(&len)
        && n.chars()
            .all(|c| matches!(c, 'A'..='Z' | '0'..='9' | '-' | '.' | '_' | '/'))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn create_accepts_exactly_the_documented_tracking_numbers() {
    let rt = runtime();
    let (sb, c) = rt.block_on(common::start());
    let created: std::cell::RefCell<HashSet<String>> = std::cell::RefCell::default();
    let mut runner = TestRunner::new(Config::with_cases(200));
    let numbers = prop_oneof![
        "[A-Z0-9./_-]{0,8}",
        "[A-Z0-9./_-]{95,105}",
        "[A-Za-z0-9 ./_#é-]{0,12}",
    ];
    runner
        .run(&numbers, |n| {
            let req = CreateTrackingRequest {
                tracking_number: Some(n.clone()),
                slug: Some("ecms".into()),
                ..Default::default()
            };
            let got = rt
                .block_on(c.create_tracking(&req))
                .map(|r| r.status)
                .map_err(|e| common::api_err(&e).0);
            let want = if n.is_empty() {
                Err(4007)
            } else if !oracle_valid(&n) {
                Err(4005)
            } else if created.borrow().contains(&n) {
                Err(4003)
            } else {
                Ok(201)
            };
            prop_assert_eq!(got, want, "number {:?}", n);
            if got == Ok(201) {
                created.borrow_mut().insert(n);
            }
            Ok(())
        })
        .unwrap();
    assert!(
        !created.borrow().is_empty(),
        "the strategy produced valid numbers too"
    );
    drop(sb);
}

#[test]
fn update_accepts_at_most_three_customers_with_plus_phone_numbers() {
    let rt = runtime();
    let (_sb, c) = rt.block_on(common::start());
    let id = rt
        .block_on(c.find_tracking("ecms", "ECMS0002TRANSIT", None))
        .unwrap()
        .unwrap()
        .id
        .unwrap();
    let mut runner = TestRunner::new(Config::with_cases(60));
    let strategy = (0usize..6, prop::bool::ANY, "[0-9]{5,17}");
    runner
        .run(&strategy, |(count, plus, digits)| {
            let phone = if plus {
                format!("+{digits}")
            } else {
                digits.clone()
            };
            let req = UpdateTrackingRequest {
                customers: Some(vec![
                    Customer {
                        phone_number: Some(phone.clone()),
                        ..Default::default()
                    };
                    count
                ]),
                ..Default::default()
            };
            let got = rt
                .block_on(c.update_tracking(&id, &req))
                .map(|_| ())
                .map_err(|e| common::api_err(&e).0);
            // `+` and 7 to 15 digits (E.164 with the country code).
            let phone_ok = plus && (7..=15).contains(&digits.len());
            let ok = count <= 3 && (count == 0 || phone_ok);
            prop_assert_eq!(
                got.is_ok(),
                ok,
                "{} customers, phone {:?}: {:?}",
                count,
                phone,
                got
            );
            if let Err(code) = got {
                prop_assert_eq!(code, 4008);
            }
            Ok(())
        })
        .unwrap();
}
