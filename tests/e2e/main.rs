//! End-to-end tests, one binary with a module per area (each V8-linked test binary costs a
//! long link, so there is only this one).

mod support;

mod browser_actions;
mod browser_basics;
mod browser_locators;
mod browser_network;
mod browser_policy;
mod cli_run;
mod npm_project;
mod sandbox_bindings;
mod sandbox_errors;
mod sandbox_expect;
mod sandbox_globals;
mod sandbox_limits;
mod sandbox_pool;
mod serve_app;
mod test_api;
mod test_artifacts;
mod test_forms;
mod test_frames;
mod test_hermetic;
mod test_input;
mod test_isolation;
mod test_lifecycle;
mod test_network;
mod test_page_events;
mod test_profiles;
mod test_report;
mod test_requests;
mod test_routes;
mod test_runner;
mod test_shards;
mod test_snapshots;
mod workspace;
