//! Actions with auto-waiting: what must succeed once the page catches up, what must time out
//! with a useful call log, and strict mode.

use std::time::Duration;
use std::time::Instant;

use isolate_browser_browser::BrowserError;
use isolate_browser_browser::ClickOptions;
use isolate_browser_browser::GotoOptions;
use isolate_browser_browser::Page;
use isolate_browser_browser::SelectBy;
use isolate_browser_browser::TextQuery;
use isolate_browser_browser::WaitForState;
use serde_json::json;

use crate::support::browser_page;
use crate::support::serve_pages;

const FORM: &str = r#"<!doctype html><html><body>
<form id="f" onsubmit="event.preventDefault(); document.getElementById('out').textContent = 'submitted ' + new FormData(this).get('q');">
  <input name="q" id="q" value="old">
  <textarea id="t"></textarea>
  <input type="checkbox" id="agree"><label for="agree">I agree</label>
  <input type="radio" name="r" id="r1"><input type="radio" name="r" id="r2">
  <select id="s"><option value="a">Apple</option><option value="b">Banana</option><option value="c">Cherry</option></select>
  <select id="m" multiple><option value="x">X</option><option value="y">Y</option><option value="z">Z</option></select>
  <input id="ro" readonly value="fixed">
  <div id="editable" contenteditable="true">old text</div>
  <button id="go">Go</button>
</form>
<p id="out"></p>
<button id="counter" onclick="this.dataset.n = (+this.dataset.n || 0) + 1; this.textContent = 'clicked ' + this.dataset.n" ondblclick="document.getElementById('out').textContent = 'double'">click me</button>
<div id="hover" onmouseenter="this.textContent = 'hovered'">hover me</div>
<input id="keys" onkeydown="this.dataset.log = (this.dataset.log || '') + event.key + (event.ctrlKey ? '+ctrl' : '') + ' '">
</body></html>"#;

const LATE: &str = r#"<!doctype html><html><body>
<script>
  setTimeout(() => { const b = document.createElement('button'); b.id = 'late'; b.textContent = 'Late'; b.onclick = () => b.textContent = 'done'; document.body.append(b); }, 300);
</script>
<button id="later-enabled" disabled onclick="this.textContent = 'enabled and clicked'">Wait</button>
<script>setTimeout(() => document.getElementById('later-enabled').disabled = false, 300);</script>
<button id="covered" onclick="this.textContent = 'reached'">Covered</button>
<div id="overlay" class="modal" style="position:fixed;inset:0;background:rgba(0,0,0,.3)"></div>
<script>setTimeout(() => document.getElementById('overlay').remove(), 400);</script>
<button id="never" style="display:none">Never visible</button>
<div id="blocker-host" style="position:relative;width:200px;height:40px"><button id="blocked">Blocked</button><div class="curtain" style="position:absolute;inset:0"></div></div>
<button class="dup">One</button><button class="dup">Two</button>
</body></html>"#;

async fn open(html: &'static str) -> (isolate_browser_browser::Browser, Page) {
    let origin = serve_pages(&[("/", html)]).await;
    let (browser, _ctx, page) = browser_page().await;
    page.goto(&format!("{origin}/"), GotoOptions::default())
        .await
        .expect("goto");
    (browser, page)
}

fn quick() -> Option<Duration> {
    Some(Duration::from_millis(600))
}

#[tokio::test]
async fn form_actions_and_queries() {
    let (browser, page) = open(FORM).await;
    let q = page.locator("#q");
    assert_eq!(q.input_value(None).await.expect("value"), "old");
    q.fill("hello world", None, false).await.expect("fill");
    assert_eq!(q.input_value(None).await.expect("value"), "hello world");
    q.clear(None).await.expect("clear");
    assert_eq!(q.input_value(None).await.expect("cleared"), "");
    q.press_sequentially("typed", None, None)
        .await
        .expect("type");
    q.press("Enter", None).await.expect("enter submits");
    assert_eq!(
        page.locator("#out").text_content(None).await.expect("out"),
        Some("submitted typed".into())
    );

    page.locator("#t")
        .fill("multi\nline", None, false)
        .await
        .expect("textarea");
    assert_eq!(
        page.locator("#t").input_value(None).await.expect("t"),
        "multi\nline"
    );
    page.locator("#editable")
        .fill("new text", None, false)
        .await
        .expect("contenteditable");
    assert_eq!(
        page.locator("#editable")
            .inner_text(None)
            .await
            .expect("inner"),
        "new text"
    );

    let agree = page.locator("#agree");
    assert!(!agree.is_checked().await.expect("unchecked"));
    agree.check(ClickOptions::default()).await.expect("check");
    assert!(agree.is_checked().await.expect("checked"));
    agree
        .uncheck(ClickOptions::default())
        .await
        .expect("uncheck");
    assert!(!agree.is_checked().await.expect("unchecked again"));
    page.get_by_label(TextQuery::text("I agree", false))
        .check(ClickOptions::default())
        .await
        .expect("check by label");
    page.locator("#r2")
        .check(ClickOptions::default())
        .await
        .expect("radio");
    assert!(page.locator("#r2").is_checked().await.expect("r2"));
    let err = page
        .locator("#r2")
        .uncheck(ClickOptions {
            timeout: quick(),
            ..Default::default()
        })
        .await
        .expect_err("radio cannot be unchecked");
    assert!(
        err.to_string().contains("did not change its state"),
        "{err}"
    );

    assert_eq!(
        page.locator("#s")
            .select_option(&[SelectBy::Label("Banana".into())], None)
            .await
            .expect("by label"),
        vec!["b"]
    );
    assert_eq!(
        page.locator("#s")
            .select_option(&[SelectBy::Index(2)], None)
            .await
            .expect("by index"),
        vec!["c"]
    );
    assert_eq!(
        page.locator("#s")
            .select_option(&[SelectBy::Value("a".into())], None)
            .await
            .expect("by value"),
        vec!["a"]
    );
    assert_eq!(
        page.locator("#m")
            .select_option(
                &[SelectBy::Value("x".into()), SelectBy::Value("z".into())],
                None
            )
            .await
            .expect("several"),
        vec!["x", "z"]
    );

    let ro = page
        .locator("#ro")
        .fill("x", quick(), false)
        .await
        .expect_err("readonly");
    assert!(ro.to_string().contains("element is not editable"), "{ro}");
    let not_input = page
        .locator("#out")
        .fill("x", quick(), false)
        .await
        .expect_err("not an input");
    assert!(
        not_input.to_string().contains("not an <input>"),
        "{not_input}"
    );

    let counter = page.locator("#counter");
    counter.click(ClickOptions::default()).await.expect("click");
    counter.click(ClickOptions::default()).await.expect("click");
    assert_eq!(
        counter.text_content(None).await.expect("text"),
        Some("clicked 2".into())
    );
    counter
        .click(ClickOptions {
            trial: true,
            ..Default::default()
        })
        .await
        .expect("trial");
    assert_eq!(
        counter.text_content(None).await.expect("unchanged"),
        Some("clicked 2".into())
    );
    counter
        .dblclick(ClickOptions::default())
        .await
        .expect("dblclick");
    assert_eq!(
        page.locator("#out")
            .text_content(None)
            .await
            .expect("double"),
        Some("double".into())
    );

    page.locator("#hover")
        .hover(None, false)
        .await
        .expect("hover");
    assert_eq!(
        page.locator("#hover")
            .text_content(None)
            .await
            .expect("hovered"),
        Some("hovered".into())
    );

    page.locator("#keys")
        .press("Control+a", None)
        .await
        .expect("combo");
    page.locator("#keys")
        .press("Shift+ArrowLeft", None)
        .await
        .expect("combo");
    let log = page
        .locator("#keys")
        .get_attribute("data-log", None)
        .await
        .expect("log");
    assert_eq!(log.as_deref(), Some("Control+ctrl a+ctrl Shift ArrowLeft "));
    assert_eq!(
        page.locator("#q")
            .get_attribute("missing", None)
            .await
            .expect("absent"),
        None
    );
    assert_eq!(
        page.locator("#q")
            .get_attribute("name", None)
            .await
            .expect("name"),
        Some("q".into())
    );

    let bbox = page
        .locator("#go")
        .bounding_box(None)
        .await
        .expect("box")
        .expect("visible");
    assert!(bbox.width > 0.0 && bbox.height > 0.0);
    assert!(page.locator("#go").is_visible().await.expect("visible"));
    assert!(
        page.locator("#nothing")
            .is_hidden()
            .await
            .expect("absent is hidden")
    );
    assert!(page.locator("#go").is_enabled().await.expect("enabled"));
    assert!(!page.locator("#ro").is_editable().await.expect("readonly"));
    page.locator("#q").focus(None).await.expect("focus");
    assert_eq!(
        page.evaluate("document.activeElement.id", None)
            .await
            .expect("active"),
        json!("q")
    );
    page.locator("#q").blur(None).await.expect("blur");
    assert_eq!(
        page.evaluate("document.activeElement.tagName", None)
            .await
            .expect("active"),
        json!("BODY")
    );
    assert!(page.locator("#go").inner_html(None).await.expect("html") == "Go");
    browser.close().await.expect("close");
}

#[tokio::test]
async fn actions_wait_for_the_page_to_become_ready() {
    let (browser, page) = open(LATE).await;
    let started = Instant::now();
    page.locator("#late")
        .click(ClickOptions::default())
        .await
        .expect("appears after 300 ms");
    assert!(started.elapsed() >= Duration::from_millis(250));
    assert_eq!(
        page.locator("#late").text_content(None).await.expect("t"),
        Some("done".into())
    );
    page.locator("#later-enabled")
        .click(ClickOptions::default())
        .await
        .expect("becomes enabled");
    assert_eq!(
        page.locator("#later-enabled")
            .text_content(None)
            .await
            .expect("t"),
        Some("enabled and clicked".into())
    );
    page.locator("#covered")
        .click(ClickOptions::default())
        .await
        .expect("overlay goes away");
    assert_eq!(
        page.locator("#covered")
            .text_content(None)
            .await
            .expect("t"),
        Some("reached".into())
    );
    page.locator("#late")
        .wait_for(WaitForState::Visible, None)
        .await
        .expect("visible");
    page.locator("#never")
        .wait_for(WaitForState::Hidden, None)
        .await
        .expect("hidden");
    page.locator("#gone")
        .wait_for(WaitForState::Detached, None)
        .await
        .expect("detached");
    page.locator("#late")
        .wait_for(WaitForState::Attached, None)
        .await
        .expect("attached");
    browser.close().await.expect("close");
}

#[tokio::test]
async fn waits_that_cannot_succeed_time_out_with_a_call_log() {
    let (browser, page) = open(LATE).await;
    let err = page
        .locator("#never")
        .click(ClickOptions {
            timeout: quick(),
            ..Default::default()
        })
        .await
        .expect_err("never visible");
    let msg = err.to_string();
    assert!(err.is_timeout());
    assert!(
        msg.starts_with("locator.click: timeout 600ms exceeded."),
        "{msg}"
    );
    assert!(msg.contains("waiting for locator('#never')"), "{msg}");
    assert!(msg.contains("element is not visible - retrying"), "{msg}");

    let err = page
        .locator("#blocked")
        .click(ClickOptions {
            timeout: quick(),
            ..Default::default()
        })
        .await
        .expect_err("covered for good");
    assert!(
        err.to_string()
            .contains("<div class=\"curtain\"></div> intercepts pointer events"),
        "{err}"
    );

    let err = page
        .get_by_text(TextQuery::text("No such text", true))
        .click(ClickOptions {
            timeout: quick(),
            ..Default::default()
        })
        .await
        .expect_err("absent");
    assert!(
        err.to_string()
            .contains("waiting for getByText('No such text', { exact: true })"),
        "{err}"
    );
    let err = page
        .locator("#late-never")
        .wait_for(WaitForState::Visible, quick())
        .await
        .expect_err("never");
    assert!(err.to_string().contains("to be visible"), "{err}");
    // force skips the checks: a click lands on whatever is on top.
    page.locator("#blocked")
        .click(ClickOptions {
            force: true,
            ..Default::default()
        })
        .await
        .expect("forced");
    browser.close().await.expect("close");
}

#[tokio::test]
async fn strict_mode_rejects_ambiguous_actions_but_not_queries() {
    let (browser, page) = open(LATE).await;
    let dup = page.locator(".dup");
    assert_eq!(dup.count().await.expect("count is not strict"), 2);
    assert_eq!(
        dup.nth(1).text_content(None).await.expect("nth"),
        Some("Two".into())
    );
    let err = dup
        .click(ClickOptions::default())
        .await
        .expect_err("ambiguous");
    match &err {
        BrowserError::StrictMode {
            locator,
            count,
            matches,
        } => {
            assert_eq!(locator, "locator('.dup')");
            assert_eq!(*count, 2);
            assert_eq!(
                matches,
                &vec![
                    "<button class=\"dup\">One</button>".to_string(),
                    "<button class=\"dup\">Two</button>".to_string()
                ]
            );
        }
        other => panic!("expected strict mode, got {other:?}"),
    }
    assert!(
        err.to_string()
            .starts_with("strict mode violation: locator('.dup') resolved to 2 elements:")
    );
    let err = dup
        .text_content(None)
        .await
        .expect_err("queries on one element are strict too");
    assert!(matches!(err, BrowserError::StrictMode { .. }));
    browser.close().await.expect("close");
}

#[tokio::test]
async fn keyboard_and_mouse_on_the_page() {
    let (browser, page) = open(FORM).await;
    page.locator("#q")
        .click(ClickOptions::default())
        .await
        .expect("focus by click");
    page.keyboard_press("Control+A", None)
        .await
        .expect("select all");
    page.keyboard_type("Hi!", None).await.expect("type");
    assert_eq!(
        page.locator("#q").input_value(None).await.expect("v"),
        "Hi!"
    );
    page.keyboard_insert_text(" there").await.expect("insert");
    assert_eq!(
        page.locator("#q").input_value(None).await.expect("v"),
        "Hi! there"
    );
    let b = page
        .locator("#counter")
        .bounding_box(None)
        .await
        .expect("box")
        .expect("visible");
    page.mouse_click(b.x + 5.0, b.y + 5.0, &ClickOptions::default())
        .await
        .expect("mouse click");
    assert_eq!(
        page.locator("#counter")
            .text_content(None)
            .await
            .expect("t"),
        Some("clicked 1".into())
    );
    let err = page
        .keyboard_press("Hyper+x", None)
        .await
        .expect_err("bad modifier");
    assert!(
        err.to_string().contains("unknown modifier \"Hyper\""),
        "{err}"
    );
    browser.close().await.expect("close");
}
