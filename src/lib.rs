//! The trackfront widget: a Leptos (CSR) app compiled to WebAssembly that shops embed to
//! show shipment tracking and delivery estimates. It talks only to the trackfront proxy
//! (never to AfterShip, and it never holds an API key), decodes JSON with the browser's
//! `JSON.parse` and formats dates with `Intl`, so it must not pull in serde_json, regex or
//! time-zone tables.
