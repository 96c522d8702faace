//! Chromium over the DevTools Protocol behind isolate-browser's own
//! `Browser / Context / Page / Locator` API.
//!
//! - [`Browser`]: launch Chromium (found through an explicit path, `ISOLATE_BROWSER_CHROMIUM`
//!   or `PATH`) with a private profile, or connect to a CDP endpoint; no process is left
//!   behind when it closes or is dropped.
//! - [`Context`]: an isolated browser context with viewport, locale, time zone, colour scheme,
//!   headers, offline and cookie control.
//! - [`Page`]: navigation with Playwright's `waitUntil`, evaluation, content, screenshots,
//!   keyboard and mouse.
//! - [`Locator`]: lazy selectors (CSS with `:visible`/`:has-text()`/`:text()`, `text=`,
//!   `xpath=`, `id=`, `data-testid=`, `>>` chains, `get_by_*`), composition, and actions that
//!   wait for actionability through one deadline helper ([`wait::poll`]) with a call log.
//!
//! No chromiumoxide type appears in this API; the selector engines run in an isolated world
//! of each page, out of reach of page scripts.

mod browser;
mod context;
mod error;
mod input;
mod keyboard;
mod launch;
mod locator;
mod network;
mod page;
mod permissions;
mod popups;
mod role;
mod route;
mod selector;
mod storage;
pub mod wait;

pub use browser::Browser;
pub use context::ColorScheme;
pub use context::Context;
pub use context::ContextOptions;
pub use context::Cookie;
pub use context::NewCookie;
pub use context::Viewport;
pub use error::BrowserError;
pub use input::ClickOptions;
pub use input::MouseButton;
pub use launch::CHROMIUM_ENV;
pub use launch::LaunchOptions;
pub use launch::find_chromium;
pub use locator::BoundingBox;
pub use locator::DragOptions;
pub use locator::ExpectOutcome;
pub use locator::FilePayload;
pub use locator::FilterOptions;
pub use locator::Locator;
pub use locator::LocatorState;
pub use locator::PageState;
pub use locator::SelectBy;
pub use locator::WaitForState;
pub use network::NetworkMode;
pub use network::NetworkPolicy;
pub use network::Refusal;
pub use network::RefusalReason;
pub use page::BindingCall;
pub use page::ConsoleLocation;
pub use page::ConsoleMessage;
pub use page::DialogAction;
pub use page::DialogEvent;
pub use page::DialogHandler;
pub use page::EmulateMedia;
pub use page::FFMPEG_ENV;
pub use page::FileChooserEvent;
pub use page::Frame;
pub use page::FrameInfo;
pub use page::GotoOptions;
pub use page::ImageFormat;
pub use page::JsHandle;
pub use page::LoadState;
pub use page::MessageFilter;
pub use page::Page;
pub use page::PageErrorRecord;
pub use page::PageEvent;
pub use page::Polling;
pub use page::RecordVideo;
pub use page::RemoteAddress;
pub use page::RequestEvent;
pub use page::Response;
pub use page::ScreencastFrame;
pub use page::ScreenshotOptions;
pub use page::UrlMatch;
pub use page::Video;
pub use page::WaitUntil;
pub use page::find_ffmpeg;
pub use permissions::Geolocation;
pub use role::RoleOptions;
pub use route::ContinueOverrides;
pub use route::Fulfill;
pub use route::Route;
pub use route::RouteHandler;
pub use route::RouteOptions;
pub use route::RouteRequest;
pub use selector::TextQuery;
pub use storage::NameValue;
pub use storage::OriginState;
pub use storage::StorageState;
