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
        err.to_string().contains("Cannot uncheck radio button"),
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
    assert!(
        msg.contains("element is not visible\n  - retrying click action"),
        "{msg}"
    );

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

/// Each match of a strict-mode violation is named by a locator that finds it alone, as
/// Playwright's messages name them: its text or role, narrowed by an ancestor, or by index.
#[tokio::test]
async fn strict_mode_names_each_match_by_a_locator_of_its_own() {
    let (browser, page) = open("<!doctype html><p>start</p>").await;
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "<span>span1</span><div><span>target</span></div>",
            "span",
            &[
                "1) <span>span1</span> aka getByText('span1')",
                "2) <span>target</span> aka getByText('target')",
            ],
        ),
        (
            "<input><div><input></div>",
            "input",
            &[
                "1) <input/> aka getByRole('textbox').first()",
                "2) <input/> aka locator('div').getByRole('textbox')",
            ],
        ),
        (
            "<span></span><div><span></span></div>",
            "span",
            &[
                "1) <span></span> aka locator('span').first()",
                "2) <span></span> aka locator('div span')",
            ],
        ),
        (
            "<div><div></div><div><div></div><div></div></div></div><div><div class=foo></div><div class=foo></div></div>",
            ".foo",
            &["body > div:nth-child(2) > div:nth-child(2)"],
        ),
        (
            "<button data-testid=a>Go</button><button data-testid=b>Go</button>",
            "button",
            &["aka getByTestId('a')", "aka getByTestId('b')"],
        ),
    ];
    for (html, selector, want) in cases {
        page.set_content(html).await.expect("content");
        let err = page
            .locator(selector)
            .hover(quick(), false)
            .await
            .expect_err("ambiguous");
        let text = err.to_string();
        for w in *want {
            assert!(text.contains(w), "{html}: {w} not in {text}");
        }
    }
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
                    "<button class=\"dup\">One</button> aka getByRole('button', { name: 'One' })"
                        .to_string(),
                    "<button class=\"dup\">Two</button> aka getByRole('button', { name: 'Two' })"
                        .to_string()
                ]
            );
        }
        other => panic!("expected strict mode, got {other:?}"),
    }
    assert!(
        err.to_string()
            .starts_with("Error: strict mode violation: locator('.dup') resolved to 2 elements:")
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
    assert!(err.to_string().contains("Unknown key: \"Hyper\""), "{err}");
    browser.close().await.expect("close");
}

const MORE: &str = r#"<!doctype html><html><body style="margin:0">
<input type="file" id="one"><input type="file" id="many" multiple>
<p id="files"></p>
<script>
  for (const id of ['one', 'many']) document.getElementById(id).addEventListener('change', async (e) => {
    const parts = [];
    for (const f of e.target.files) parts.push(f.name + ':' + f.type + ':' + (await f.text()));
    document.getElementById('files').textContent = parts.join('|');
  });
</script>
<div id="src" draggable="true" style="width:60px;height:40px;background:blue">drag me</div>
<div id="dst" style="width:120px;height:80px;background:#eee" ondragover="event.preventDefault()" ondrop="event.preventDefault(); this.textContent = 'dropped ' + event.dataTransfer.getData('text/plain')">drop here</div>
<script>document.getElementById('src').addEventListener('dragstart', (e) => e.dataTransfer.setData('text/plain', 'payload'));</script>
<div id="track" style="position:relative;width:300px;height:20px;background:#ccc"><div id="knob" style="position:absolute;left:0;width:20px;height:20px;background:red"></div></div>
<script>
  const knob = document.getElementById('knob');
  let down = false;
  knob.addEventListener('mousedown', () => down = true);
  document.addEventListener('mousemove', (e) => { if (down) knob.style.left = Math.min(280, Math.max(0, e.clientX - 10)) + 'px'; });
  document.addEventListener('mouseup', () => down = false);
</script>
<div id="box" style="width:50px;height:30px;background:rgb(0,128,0)"></div>
<button id="toggle" onclick="setTimeout(() => { this.classList.add('on'); this.textContent = 'On'; document.title = 'toggled'; }, 300)">Off</button>
<input id="name" value="Ada">
</body></html>"#;

#[tokio::test]
async fn files_drag_and_element_screenshots() {
    use isolate_browser_browser::DragOptions;
    use isolate_browser_browser::FilePayload;
    let (browser, page) = open(MORE).await;
    page.locator("#one")
        .set_input_files(
            &[FilePayload {
                name: "a.txt".into(),
                mime_type: "text/plain".into(),
                buffer: b"alpha".to_vec(),
            }],
            None,
        )
        .await
        .expect("one file");
    let files_text = |want: &'static str| {
        page.wait_for_function(
            "(w) => document.getElementById('files').textContent === w",
            Some(json!(want)),
            None,
            Some(Duration::from_secs(5)),
        )
    };
    files_text("a.txt:text/plain:alpha")
        .await
        .expect("one file read by the page");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("data.json");
    std::fs::write(&path, "{\"k\":1}").expect("write");
    let from_disk = FilePayload::from_path(&path).expect("read");
    page.locator("#many")
        .set_input_files(
            &[
                from_disk,
                FilePayload {
                    name: "b.bin".into(),
                    mime_type: "application/octet-stream".into(),
                    buffer: vec![104, 105],
                },
            ],
            None,
        )
        .await
        .expect("two files");
    files_text("data.json:application/json:{\"k\":1}|b.bin:application/octet-stream:hi")
        .await
        .expect("two files read by the page");
    let err = page
        .locator("#one")
        .set_input_files(
            &vec![
                FilePayload {
                    name: "x".into(),
                    mime_type: "text/plain".into(),
                    buffer: vec![]
                };
                2
            ],
            None,
        )
        .await
        .expect_err("single input");
    assert!(
        err.to_string().contains("can only accept single file"),
        "{err}"
    );
    let missing =
        FilePayload::from_path(std::path::Path::new("/nonexistent/file.txt")).expect_err("missing");
    assert!(
        missing.to_string().contains("/nonexistent/file.txt"),
        "{missing}"
    );

    page.locator("#src")
        .drag_to(&page.locator("#dst"), DragOptions::default())
        .await
        .expect("html5 drag");
    assert_eq!(
        page.locator("#dst").text_content(None).await.expect("t"),
        Some("dropped payload".into())
    );
    page.locator("#knob")
        .drag_to(
            &page.locator("#track"),
            DragOptions {
                target_position: Some((250.0, 10.0)),
                ..Default::default()
            },
        )
        .await
        .expect("mouse drag");
    let left = page
        .evaluate("parseInt(document.getElementById('knob').style.left)", None)
        .await
        .expect("left");
    assert_eq!(left, json!(240));

    let png = page
        .locator("#box")
        .screenshot(None, Default::default())
        .await
        .expect("element screenshot");
    let img = image::load_from_memory(&png).expect("png");
    assert_eq!((img.width(), img.height()), (50, 30));
    assert_eq!(img.to_rgba8().get_pixel(25, 15).0, [0, 128, 0, 255]);
    browser.close().await.expect("close");
}

#[tokio::test]
async fn expect_state_polls_until_it_holds_and_reports_what_it_saw() {
    use isolate_browser_browser::LocatorState;
    use isolate_browser_browser::PageState;
    let (browser, page) = open(MORE).await;
    let toggle = page.locator("#toggle");
    toggle.click(ClickOptions::default()).await.expect("click");
    let long = Duration::from_secs(5);
    let text = toggle
        .expect_state(
            "expect.toHaveText",
            &LocatorState::Text {
                use_inner_text: false,
                raw: false,
            },
            |v| v == "On",
            false,
            long,
        )
        .await
        .expect("text");
    assert!(text.matched);
    assert_eq!(text.received, json!("On"));
    let class = toggle
        .expect_state(
            "expect.toHaveClass",
            &LocatorState::Class,
            |v| v == "on",
            false,
            long,
        )
        .await
        .expect("class");
    assert!(class.matched);
    let title = page
        .expect_state(
            "expect.toHaveTitle",
            PageState::Title,
            |v| v == "toggled",
            false,
            long,
        )
        .await
        .expect("title");
    assert!(title.matched);

    let failed = page
        .locator("#name")
        .expect_state(
            "expect.toHaveValue",
            &LocatorState::Value,
            |v| v == "Grace",
            false,
            Duration::from_millis(400),
        )
        .await
        .expect("a failed expectation is data");
    assert!(!failed.matched);
    assert_eq!(failed.received, json!("Ada"));
    let log = failed.call_log.join("\n");
    assert!(
        log.contains("expect.toHaveValue with timeout 400ms"),
        "{log}"
    );
    assert!(log.contains("waiting for locator('#name')"), "{log}");
    assert!(log.contains("unexpected value \"Ada\""), "{log}");

    let not_visible = page
        .locator("#absent")
        .expect_state(
            "expect.toBeVisible",
            &LocatorState::Visible,
            |v| v == true,
            true,
            Duration::from_millis(100),
        )
        .await
        .expect("not visible");
    assert!(not_visible.matched, "absent elements are not visible");
    let count = page
        .locator("input")
        .expect_state(
            "expect.toHaveCount",
            &LocatorState::Count,
            |v| v == 3,
            false,
            long,
        )
        .await
        .expect("count");
    assert!(count.matched);
    let texts = page
        .locator("div[id]")
        .expect_state(
            "expect.toHaveText",
            &LocatorState::Texts {
                use_inner_text: false,
                raw: false,
            },
            |v| v.as_array().is_some_and(|a| a.len() == 5),
            false,
            long,
        )
        .await
        .expect("texts");
    assert_eq!(texts.received[0], json!("drag me"));
    let strict = page
        .locator("div")
        .expect_state(
            "expect.toBeVisible",
            &LocatorState::Visible,
            |v| v == true,
            false,
            long,
        )
        .await
        .expect_err("strict");
    assert!(matches!(strict, BrowserError::StrictMode { .. }));
    let zero = page
        .locator("#name")
        .expect_state(
            "expect.toHaveValue",
            &LocatorState::Value,
            |v| v == "Ada",
            false,
            Duration::ZERO,
        )
        .await
        .expect("zero timeout still checks once");
    assert!(zero.matched);
    browser.close().await.expect("close");
}

/// A document that reloads itself every few milliseconds: every poll of a web-first assertion
/// or `waitForFunction` races a navigation, and none of those races may fail the assertion.
const RELOADING: &str = r#"<!doctype html><html><head><title>loading</title></head><body><h1>Loading</h1>
<script>
  const n = Number(sessionStorage.getItem('n') || 0) + 1;
  sessionStorage.setItem('n', String(n));
  if (n >= 50) { document.title = 'welcome'; document.querySelector('h1').textContent = 'Welcome'; }
  else setTimeout(() => location.reload(), 2);
</script></body></html>"#;

#[tokio::test]
async fn polling_survives_a_document_that_keeps_navigating() {
    use isolate_browser_browser::LocatorState;
    use isolate_browser_browser::PageState;
    let long = Duration::from_secs(30);
    let (browser, page) = open(RELOADING).await;
    let text = page
        .locator("h1")
        .expect_state(
            "expect.toHaveText",
            &LocatorState::Text {
                use_inner_text: false,
                raw: false,
            },
            |v| v == "Welcome",
            false,
            long,
        )
        .await
        .unwrap_or_else(|e| panic!("toHaveText failed on a navigation: {e}"));
    assert!(text.matched);
    page.evaluate("sessionStorage.clear(); location.reload()", None)
        .await
        .ok();
    let seen = page
        .wait_for_function(
            "() => document.title === 'welcome' && Number(sessionStorage.getItem('n'))",
            None,
            Some(Duration::from_millis(1)),
            Some(long),
        )
        .await
        .unwrap_or_else(|e| panic!("waitForFunction failed on a navigation: {e}"));
    assert_eq!(seen, json!(50));
    let title = page
        .expect_state(
            "expect.toHaveTitle",
            PageState::Title,
            |v| v == "welcome",
            false,
            long,
        )
        .await
        .expect("title");
    assert!(title.matched);
    browser.close().await.ok();
}

#[tokio::test]
async fn scrolling_wheel_and_raw_keys() {
    let html = r#"<!doctype html><body style="margin:0"><div style="height:3000px">tall</div><button id="far" onclick="this.textContent='seen'">far</button>
        <input id="k" onkeydown="this.dataset.d=(this.dataset.d||'')+event.key" onkeyup="this.dataset.u=(this.dataset.u||'')+event.key"></body>"#;
    let (browser, page) = open(Box::leak(html.to_string().into_boxed_str())).await;
    assert_eq!(page.evaluate("scrollY", None).await.expect("top"), json!(0));
    page.locator("#far")
        .scroll_into_view_if_needed(None)
        .await
        .expect("scroll");
    let y = page
        .evaluate("scrollY", None)
        .await
        .expect("scrolled")
        .as_f64()
        .expect("number");
    assert!(y > 2000.0, "scrolled to {y}");
    page.locator("#far")
        .click(ClickOptions::default())
        .await
        .expect("click after scroll");
    page.evaluate("scrollTo(0, 0)", None)
        .await
        .expect("back to top");
    page.mouse_move(100.0, 100.0).await.expect("move");
    page.mouse_wheel(0.0, 500.0).await.expect("wheel");
    page.wait_for_function(
        "() => scrollY >= 500",
        None,
        None,
        Some(Duration::from_secs(5)),
    )
    .await
    .expect("wheel scrolls");
    page.locator("#k").focus(None).await.expect("focus");
    page.keyboard_down("Shift").await.expect("down");
    page.keyboard_up("Shift").await.expect("up");
    assert_eq!(
        page.locator("#k")
            .get_attribute("data-d", None)
            .await
            .expect("d"),
        Some("Shift".into())
    );
    assert_eq!(
        page.locator("#k")
            .get_attribute("data-u", None)
            .await
            .expect("u"),
        Some("Shift".into())
    );
    let clip = page
        .screenshot(isolate_browser_browser::ScreenshotOptions {
            clip: Some((0.0, 0.0, 10.0, 20.0)),
            omit_background: true,
            ..Default::default()
        })
        .await
        .expect("clip");
    let img = image::load_from_memory(&clip).expect("png");
    assert_eq!((img.width(), img.height()), (10, 20));
    browser.close().await.expect("close");
}
