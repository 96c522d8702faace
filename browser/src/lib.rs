//! Chromium over the DevTools Protocol behind isolate-browser's own
//! `Browser / Context / Page / Locator` API.
//!
//! This crate will own launching or connecting to Chromium, browser contexts and pages, the
//! selector engines and actionability waits, input, screenshots, routing, storage state, and the
//! polling `expect_state` primitive that web-first assertions build on. No chromiumoxide type
//! will appear in its public API. It is filled in by the browser-crate issue; today it only
//! re-exports the profile store it will build on.

pub use isolate_browser_profiles as profiles;
