//! Serving the built widget: index fallback, brotli then gzip, cache headers for hashed
//! and stable files, a strict CSP that still lets Trunk's inline boot script run, and CORS
//! for shop pages that load the widget's files cross-origin.

use crate::helpers::{TempDir, TestApp, spawn_app_with};
use base64::Engine as _;
use sha2::{Digest, Sha256};
use std::io::Read;

const BOOT: &str = "\nimport init, * as bindings from '/trackfront-0123456789abcdef.js';\nconst wasm = await init({ module_or_path: '/trackfront-0123456789abcdef_bg.wasm' });\nwindow.wasmBindings = bindings;\n";

fn dist() -> TempDir {
    let d = TempDir::new("dist");
    let index = format!(
        "<!DOCTYPE html><html><head><link rel=\"modulepreload\" href=\"/trackfront-0123456789abcdef.js\"><script type=\"module\">{BOOT}</script></head><body>{}</body></html>",
        "<p>trackfront</p>".repeat(50)
    );
    d.write("index.html", index.as_bytes());
    d.write(
        "trackfront-0123456789abcdef.js",
        "export default function init() {}\n".repeat(40).as_bytes(),
    );
    d.write("trackfront-0123456789abcdef_bg.wasm", &[0u8; 4096]);
    d.write(
        "trackfront.js",
        "(function(){ /* loader */ })();\n".repeat(20).as_bytes(),
    );
    d.write("i18n/de.json", br#"{"track":"Sendung verfolgen"}"#);
    d.write(".secret", b"hidden");
    d
}

async fn app_with_dist(d: &TempDir) -> TestApp {
    let dir = d.0.clone();
    spawn_app_with(
        move |s| {
            s.dist = Some(dir);
            s.allowed_origins = vec!["https://shop.example".into()];
        },
        |_| {},
    )
    .await
}

async fn get(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = app.client.get(app.url(path));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn root_serves_index_html_with_a_csp_that_allows_its_boot_script() {
    let d = dist();
    let app = app_with_dist(&d).await;
    let resp = get(&app, "/", &[]).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/html; charset=utf-8");
    assert_eq!(resp.headers()["cache-control"], "no-cache");
    let csp = resp.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(BOOT.as_bytes()));
    assert!(
        csp.contains(&format!(
            "script-src 'self' 'wasm-unsafe-eval' 'sha256-{hash}'"
        )),
        "{csp}"
    );
    assert!(!csp.contains("'unsafe-eval'"), "{csp}");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(
        csp.contains("frame-ancestors 'self' https://shop.example"),
        "{csp}"
    );
    assert!(
        csp.contains("object-src 'none'") && csp.contains("base-uri 'none'"),
        "{csp}"
    );
    assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
    assert!(resp.headers().contains_key("referrer-policy"));
    assert!(resp.text().await.unwrap().contains("trackfront"));
}

#[tokio::test]
async fn hashed_assets_are_immutable_and_the_loader_is_not() {
    let d = dist();
    let app = app_with_dist(&d).await;
    for path in [
        "/trackfront-0123456789abcdef.js",
        "/trackfront-0123456789abcdef_bg.wasm",
    ] {
        let resp = get(&app, path, &[]).await;
        assert_eq!(resp.status(), 200, "{path}");
        assert_eq!(
            resp.headers()["cache-control"],
            "public, max-age=31536000, immutable",
            "{path}"
        );
    }
    let wasm = get(&app, "/trackfront-0123456789abcdef_bg.wasm", &[]).await;
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    for path in ["/trackfront.js", "/i18n/de.json", "/index.html"] {
        let resp = get(&app, path, &[]).await;
        assert_eq!(resp.status(), 200, "{path}");
        assert_eq!(resp.headers()["cache-control"], "no-cache", "{path}");
        assert!(resp.headers().contains_key("etag"), "{path}");
    }
}

/// Compression runs in the background after start-up; wait (bounded) until it is done.
async fn when_compressed(app: &TestApp, path: &str) {
    for _ in 0..100 {
        let resp = get(app, path, &[("accept-encoding", "br")]).await;
        if resp.headers().contains_key("content-encoding") {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{path} was not compressed within 5 s");
}

#[tokio::test]
async fn brotli_is_preferred_then_gzip_then_identity() {
    let d = dist();
    let app = app_with_dist(&d).await;
    when_compressed(&app, "/trackfront.js").await;
    let identity = get(&app, "/trackfront.js", &[("accept-encoding", "identity")]).await;
    assert!(identity.headers().get("content-encoding").is_none());
    let plain = identity.bytes().await.unwrap();

    let br = get(
        &app,
        "/trackfront.js",
        &[("accept-encoding", "gzip, deflate, br")],
    )
    .await;
    assert_eq!(br.headers()["content-encoding"], "br");
    assert_eq!(br.headers()["vary"], "accept-encoding");
    let mut out = Vec::new();
    brotli::Decompressor::new(&br.bytes().await.unwrap()[..], 4096)
        .read_to_end(&mut out)
        .unwrap();
    assert_eq!(out, plain);

    let gz = get(&app, "/trackfront.js", &[("accept-encoding", "gzip")]).await;
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&gz.bytes().await.unwrap()[..])
        .read_to_end(&mut out)
        .unwrap();
    assert_eq!(out, plain);
}

#[tokio::test]
async fn etags_revalidate() {
    let d = dist();
    let app = app_with_dist(&d).await;
    let first = get(&app, "/trackfront.js", &[]).await;
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let again = get(&app, "/trackfront.js", &[("if-none-match", &etag)]).await;
    assert_eq!(again.status(), 304);
}

#[tokio::test]
async fn shop_origins_may_load_widget_files_cross_origin() {
    let d = dist();
    let app = app_with_dist(&d).await;
    let resp = get(
        &app,
        "/trackfront-0123456789abcdef_bg.wasm",
        &[("origin", "https://shop.example")],
    )
    .await;
    assert_eq!(
        resp.headers()["access-control-allow-origin"],
        "https://shop.example"
    );
    assert_eq!(
        resp.headers()["cross-origin-resource-policy"],
        "cross-origin"
    );
    let other = get(
        &app,
        "/trackfront-0123456789abcdef_bg.wasm",
        &[("origin", "https://evil.example")],
    )
    .await;
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn unknown_and_hidden_files_are_json_404s() {
    let d = dist();
    let app = app_with_dist(&d).await;
    for path in ["/nope.js", "/.secret", "/i18n/", "/api/v1/nothing"] {
        let resp = get(&app, path, &[]).await;
        assert_eq!(resp.status(), 404, "{path}");
        assert_eq!(resp.headers()["content-type"], "application/json", "{path}");
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["code"], "not_found", "{path}");
    }
}

/// Issue #5: the proxy compressed `dist/` in the background after start-up, so the first
/// request for the wasm (Lighthouse's, a shopper's right after a deploy) went out
/// uncompressed. The build now writes `X.br` and `X.gz` next to each file and the proxy
/// serves those from the first request on, never under their own names.
#[tokio::test]
async fn the_first_request_for_the_wasm_is_already_compressed() {
    const WASM: &str = "trackfront-0123456789abcdef_bg.wasm";
    let d = dist();
    let wasm: Vec<u8> = (0..64 * 1024u32)
        .map(|i| (i % 251) as u8 ^ (i / 1000) as u8)
        .collect();
    d.write(WASM, &wasm);
    // Quality 5, unlike the proxy's own 9 or 11: the bytes show which one was served.
    let brotli_q5 = |data: &[u8]| {
        let mut out = Vec::new();
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
        std::io::Write::write_all(&mut w, data).unwrap();
        drop(w);
        out
    };
    let br = brotli_q5(&wasm);
    d.write(&format!("{WASM}.br"), &br);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(3));
    std::io::Write::write_all(&mut gz, &wasm).unwrap();
    let gz = gz.finish().unwrap();
    d.write(&format!("{WASM}.gz"), &gz);
    // A stale sibling (of other content) is not served.
    d.write(
        "trackfront.js.br",
        &brotli_q5("stale loader ".repeat(100).as_bytes()),
    );
    let app = app_with_dist(&d).await;
    let wasm_accepting = async |encodings: &str| {
        get(&app, &format!("/{WASM}"), &[("accept-encoding", encodings)]).await
    };

    let first = wasm_accepting("gzip, deflate, br, zstd").await;
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["content-encoding"], "br");
    assert_eq!(first.headers()["content-type"], "application/wasm");
    assert_eq!(first.headers()["vary"], "accept-encoding");
    assert_eq!(
        first.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(first.bytes().await.unwrap(), br, "the build's .br, as is");

    let gzip = wasm_accepting("br;q=0, gzip;q=0.8").await;
    assert_eq!(gzip.headers()["content-encoding"], "gzip");
    assert_eq!(gzip.bytes().await.unwrap(), gz, "the build's .gz, as is");

    let plain = wasm_accepting("identity").await;
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.bytes().await.unwrap(), wasm);

    for sibling in [format!("/{WASM}.br"), format!("/{WASM}.gz")] {
        let resp = get(&app, &sibling, &[("accept-encoding", "br")]).await;
        assert_eq!(resp.status(), 404, "{sibling} is not an asset of its own");
    }

    when_compressed(&app, "/trackfront.js").await;
    let loader = get(&app, "/trackfront.js", &[("accept-encoding", "br")]).await;
    assert_eq!(loader.headers()["content-encoding"], "br");
    let mut out = Vec::new();
    brotli::Decompressor::new(&loader.bytes().await.unwrap()[..], 4096)
        .read_to_end(&mut out)
        .unwrap();
    assert_eq!(
        out,
        "(function(){ /* loader */ })();\n".repeat(20).into_bytes()
    );
}
