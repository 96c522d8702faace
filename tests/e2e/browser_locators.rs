//! Selector engines, `get_by_*` with substring/exact/regex matching, and composition.

use isolate_browser_browser::FilterOptions;
use isolate_browser_browser::GotoOptions;
use isolate_browser_browser::Page;
use isolate_browser_browser::TextQuery;

use crate::support::browser_page;
use crate::support::serve_pages;

const PAGE: &str = r#"<!doctype html>
<html><head><title>Locators</title></head><body>
  <main id="main">
    <section class="card" data-testid="card-1"><h2>First  card</h2><button class="primary">Save</button><span>draft</span></section>
    <section class="card" data-testid="card-2"><h2>Second card</h2><button>Save as…</button><button disabled>Delete</button></section>
    <section class="card hidden" style="display:none"><h2>Hidden card</h2><button>Save</button></section>
  </main>
  <form>
    <label for="email">Email address</label><input id="email" placeholder="you@example.com">
    <label>Password <input type="password" id="pw"></label>
    <span id="name-label">Full name</span><input id="name" aria-labelledby="name-label">
    <input id="search" aria-label="Search the site" placeholder="Search…">
  </form>
  <img src="data:," alt="Company logo"><abbr title="World Health Organization">WHO</abbr>
  <p>Some <b>bold</b> text</p>
</body></html>"#;

async fn page() -> (isolate_browser_browser::Browser, Page) {
    let origin = serve_pages(&[("/", PAGE)]).await;
    let (browser, _ctx, page) = browser_page().await;
    page.goto(&format!("{origin}/"), GotoOptions::default())
        .await
        .expect("goto");
    (browser, page)
}

async fn ids(l: &isolate_browser_browser::Locator) -> Vec<String> {
    let mut out = Vec::new();
    for item in l.all().await.expect("all") {
        let id = item.evaluate("(el) => el.id || el.getAttribute('data-testid') || el.tagName.toLowerCase() + ':' + el.textContent.trim()", None, None).await.expect("id");
        out.push(id.as_str().unwrap_or_default().to_string());
    }
    out
}

#[tokio::test]
async fn string_selector_engines() {
    let (browser, page) = page().await;
    assert_eq!(page.locator("section.card").count().await.expect("css"), 3);
    assert_eq!(
        page.locator("section.card:visible")
            .count()
            .await
            .expect(":visible"),
        2
    );
    assert_eq!(
        page.locator("section:has-text(\"second\")")
            .count()
            .await
            .expect(":has-text"),
        1
    );
    assert_eq!(
        ids(&page.locator("button:text(\"Save\")")).await,
        vec!["button:Save", "button:Save as…", "button:Save"]
    );
    assert_eq!(
        page.locator("text=save")
            .count()
            .await
            .expect("text substring"),
        3
    );
    assert_eq!(
        page.locator("text=\"Save\"")
            .count()
            .await
            .expect("text exact"),
        2
    );
    assert_eq!(
        page.locator("text=/^save as/i")
            .count()
            .await
            .expect("text regex"),
        1
    );
    assert_eq!(
        page.locator("text=First card")
            .count()
            .await
            .expect("whitespace normalised"),
        1
    );
    assert_eq!(
        page.locator("xpath=//section[@data-testid='card-2']//button")
            .count()
            .await
            .expect("xpath"),
        2
    );
    assert_eq!(page.locator("//h2").count().await.expect("bare xpath"), 3);
    assert_eq!(page.locator("id=email").count().await.expect("id"), 1);
    assert_eq!(
        page.locator("data-testid=card-1 >> button")
            .count()
            .await
            .expect("testid chain"),
        1
    );
    assert_eq!(
        page.locator("#main >> text=Delete")
            .count()
            .await
            .expect("chain"),
        1
    );
    // Quoted `text=` (Playwright's legacy text engine) matches one of an element's own text
    // nodes, not text across its inline children; getByText(exact) reads the whole text.
    assert_eq!(
        page.locator("text=\"Some bold text\"")
            .count()
            .await
            .expect("text across inline children"),
        0
    );
    assert_eq!(
        page.locator("p >> text=\"bold\"")
            .count()
            .await
            .expect("own text node"),
        1
    );
    assert_eq!(
        page.get_by_text(TextQuery::text("Some bold text", true))
            .count()
            .await
            .expect("whole text"),
        1
    );
    let bad = page
        .locator("bogus=1")
        .count()
        .await
        .expect_err("unknown engine");
    assert!(
        bad.to_string()
            .contains("Unknown engine \"bogus\" while parsing selector bogus=1"),
        "{bad}"
    );
    browser.close().await.expect("close");
}

#[tokio::test]
async fn get_by_locators_match_like_playwright() {
    let (browser, page) = page().await;
    assert_eq!(
        page.get_by_text(TextQuery::text("save", false))
            .count()
            .await
            .expect("substring"),
        3
    );
    assert_eq!(
        page.get_by_text(TextQuery::text("Save", true))
            .count()
            .await
            .expect("exact"),
        2
    );
    assert_eq!(
        page.get_by_text(TextQuery::regex("as…$", ""))
            .count()
            .await
            .expect("regex"),
        1
    );
    assert_eq!(
        ids(&page.get_by_label(TextQuery::text("email", false))).await,
        vec!["email"]
    );
    assert_eq!(
        ids(&page.get_by_label(TextQuery::text("Password", true))).await,
        vec!["pw"]
    );
    assert_eq!(
        ids(&page.get_by_label(TextQuery::text("full name", false))).await,
        vec!["name"]
    );
    assert_eq!(
        ids(&page.get_by_label(TextQuery::regex("^search", "i"))).await,
        vec!["search"]
    );
    assert_eq!(
        ids(&page.get_by_placeholder(TextQuery::text("@example", false))).await,
        vec!["email"]
    );
    assert_eq!(
        page.get_by_alt_text(TextQuery::text("logo", false))
            .count()
            .await
            .expect("alt"),
        1
    );
    assert_eq!(
        page.get_by_title(TextQuery::text("Health", false))
            .count()
            .await
            .expect("title"),
        1
    );
    assert_eq!(
        page.get_by_title(TextQuery::text("Health", true))
            .count()
            .await
            .expect("title exact"),
        0
    );
    assert_eq!(
        ids(&page.get_by_test_id(TextQuery::text("card-2", false))).await,
        vec!["card-2"]
    );
    assert_eq!(
        page.get_by_test_id(TextQuery::text("card", false))
            .count()
            .await
            .expect("testid is exact"),
        0
    );
    browser.close().await.expect("close");
}

#[tokio::test]
async fn composition_chains_filters_and_positions() {
    let (browser, page) = page().await;
    let cards = page.locator("section.card");
    assert_eq!(ids(&cards.first()).await, vec!["card-1"]);
    assert_eq!(ids(&cards.nth(1)).await, vec!["card-2"]);
    assert_eq!(cards.last().count().await.expect("last"), 1);
    let second = cards.filter(FilterOptions {
        has_text: Some(TextQuery::text("second", false)),
        ..Default::default()
    });
    assert_eq!(ids(&second).await, vec!["card-2"]);
    let no_delete = cards.filter(FilterOptions {
        has: Some(page.locator("button[disabled]")),
        ..Default::default()
    });
    assert_eq!(ids(&no_delete).await, vec!["card-2"]);
    let without = cards.filter(FilterOptions {
        has_not_text: Some(TextQuery::text("card", false)),
        ..Default::default()
    });
    assert_eq!(without.count().await.expect("hasNotText"), 0);
    let visible = cards.filter(FilterOptions {
        visible: Some(true),
        ..Default::default()
    });
    assert_eq!(visible.count().await.expect("visible"), 2);
    let hidden_free = cards.filter(FilterOptions {
        has_not: Some(page.locator("span")),
        visible: Some(true),
        ..Default::default()
    });
    assert_eq!(ids(&hidden_free).await, vec!["card-2"]);
    let inner = cards.nth(1).get_by_text(TextQuery::text("Save", false));
    assert_eq!(ids(&inner).await, vec!["button:Save as…"]);
    let both = page.locator("button").and(&page.locator(".primary"));
    assert_eq!(both.count().await.expect("and"), 1);
    let either = page.locator("#email").or(&page.locator("#pw"));
    assert_eq!(ids(&either).await, vec!["email", "pw"]);
    assert_eq!(
        second
            .get_by_text(TextQuery::text("Delete", true))
            .description(),
        "locator('section.card').filter({ hasText: 'second' }).getByText('Delete', { exact: true })"
    );
    browser.close().await.expect("close");
}

const ROLES: &str = r#"<!doctype html><html><body>
  <h1>Title</h1><h2>Sub one</h2><h2>Sub two</h2>
  <button>Save</button>
  <button aria-label="Close dialog">×</button>
  <span id="lbl">Delete forever</span><button aria-labelledby="lbl">🗑</button>
  <button disabled>Disabled action</button>
  <button aria-pressed="true">Bold</button>
  <div role="button" tabindex="0">Custom button</div>
  <input type="checkbox" id="c1" checked><label for="c1">Subscribe</label>
  <input type="checkbox" id="c2"><label for="c2">Newsletter</label>
  <a href="/x">Read more</a>
  <button style="display:none">Hidden save</button>
  <details><summary aria-expanded="false">More</summary>content</details>
  <label>Your name <input type="text"></label>
</body></html>"#;

#[tokio::test]
async fn get_by_role_uses_the_accessibility_tree() {
    use isolate_browser_browser::RoleOptions;
    let origin = serve_pages(&[("/", ROLES)]).await;
    let (browser, _ctx, page) = browser_page().await;
    page.goto(&format!("{origin}/"), GotoOptions::default())
        .await
        .expect("goto");
    let role = |r: &str, o: RoleOptions| page.get_by_role(r, o);
    let name = |n: &str| RoleOptions {
        name: Some(TextQuery::text(n, false)),
        ..Default::default()
    };
    assert_eq!(
        role("button", RoleOptions::default())
            .count()
            .await
            .expect("buttons"),
        6
    );
    assert_eq!(
        role(
            "button",
            RoleOptions {
                include_hidden: true,
                ..Default::default()
            }
        )
        .count()
        .await
        .expect("hidden too"),
        7
    );
    assert_eq!(
        role("button", name("save"))
            .count()
            .await
            .expect("substring"),
        1
    );
    assert_eq!(
        role(
            "button",
            RoleOptions {
                name: Some(TextQuery::text("Sav", true)),
                ..Default::default()
            }
        )
        .count()
        .await
        .expect("exact"),
        0
    );
    assert_eq!(
        role(
            "button",
            RoleOptions {
                name: Some(TextQuery::regex("^close", "i")),
                ..Default::default()
            }
        )
        .count()
        .await
        .expect("regex"),
        1
    );
    assert_eq!(
        role("button", name("Close dialog"))
            .text_content(None)
            .await
            .expect("aria-label"),
        Some("×".into())
    );
    assert_eq!(
        role("button", name("Delete forever"))
            .count()
            .await
            .expect("labelledby"),
        1
    );
    assert_eq!(
        role("button", name("Custom"))
            .count()
            .await
            .expect("role attribute"),
        1
    );
    assert_eq!(
        role(
            "button",
            RoleOptions {
                disabled: Some(true),
                ..Default::default()
            }
        )
        .count()
        .await
        .expect("disabled"),
        1
    );
    assert_eq!(
        role(
            "button",
            RoleOptions {
                pressed: Some(true),
                ..Default::default()
            }
        )
        .count()
        .await
        .expect("pressed"),
        1
    );
    assert_eq!(
        role(
            "heading",
            RoleOptions {
                level: Some(2),
                ..Default::default()
            }
        )
        .count()
        .await
        .expect("level"),
        2
    );
    assert_eq!(
        role(
            "heading",
            RoleOptions {
                level: Some(1),
                ..name("Title")
            }
        )
        .count()
        .await
        .expect("h1"),
        1
    );
    assert_eq!(
        role(
            "checkbox",
            RoleOptions {
                checked: Some(true),
                ..Default::default()
            }
        )
        .count()
        .await
        .expect("checked"),
        1
    );
    assert!(
        !role("checkbox", name("Newsletter"))
            .is_checked()
            .await
            .expect("state")
    );
    assert_eq!(
        role("link", name("read more"))
            .get_attribute("href", None)
            .await
            .expect("link"),
        Some("/x".into())
    );
    assert_eq!(
        role("textbox", name("Your name"))
            .count()
            .await
            .expect("textbox by label"),
        1
    );
    role("checkbox", name("Newsletter"))
        .check(Default::default())
        .await
        .expect("check by role");
    assert_eq!(
        role(
            "checkbox",
            RoleOptions {
                checked: Some(true),
                ..Default::default()
            }
        )
        .count()
        .await
        .expect("now two"),
        2
    );
    let desc = role(
        "button",
        RoleOptions {
            name: Some(TextQuery::text("Save", true)),
            ..Default::default()
        },
    );
    assert_eq!(
        desc.description(),
        "getByRole('button', { name: 'Save', exact: true })"
    );
    let err = role("button", RoleOptions::default())
        .click(Default::default())
        .await
        .expect_err("strict");
    assert!(
        err.to_string()
            .contains("strict mode violation: getByRole('button') resolved to 6 elements"),
        "{err}"
    );
    // Roles compose with other locators.
    let in_label = page
        .locator("label")
        .get_by_role("textbox", RoleOptions::default());
    assert_eq!(in_label.count().await.expect("nested"), 1);
    browser.close().await.expect("close");
}

#[tokio::test]
async fn frame_locators_reach_same_and_cross_origin_iframes() {
    use isolate_browser_browser::ClickOptions;
    let inner = "<button onclick=\"this.textContent = 'clicked in ' + location.port\">Inner</button><input id='i'>";
    let other = serve_pages(&[("/frame", inner)]).await;
    let port = other.rsplit(':').next().expect("port").to_string();
    let outer = format!(
        "<div style='height:200px'>spacer</div><iframe id='same' srcdoc=\"<p>same doc</p><iframe id='deep' srcdoc='<span>deepest</span>'></iframe>\"></iframe><iframe id='cross' style='margin:30px;border:7px solid red' src='{other}/frame'></iframe>"
    );
    let outer: &'static str = Box::leak(outer.into_boxed_str());
    let origin = serve_pages(&[("/", outer)]).await;
    let (browser, _ctx, page) = browser_page().await;
    page.goto(&format!("{origin}/"), GotoOptions::default())
        .await
        .expect("goto");
    let same = page.frame_locator("#same");
    assert_eq!(
        same.locator("p")
            .text_content(None)
            .await
            .expect("same-origin"),
        Some("same doc".into())
    );
    assert_eq!(
        same.frame_locator("#deep")
            .get_by_text(TextQuery::text("deepest", true))
            .count()
            .await
            .expect("nested"),
        1
    );
    let cross = page.frame_locator("#cross");
    let button = cross.get_by_text(TextQuery::text("Inner", true));
    assert_eq!(
        button.description(),
        "locator('#cross').contentFrame().getByText('Inner', { exact: true })"
    );
    button
        .click(ClickOptions::default())
        .await
        .expect("click inside a cross-origin frame");
    assert_eq!(
        cross
            .locator("button")
            .text_content(None)
            .await
            .expect("text"),
        Some(format!("clicked in {port}"))
    );
    cross
        .locator("#i")
        .fill("typed in frame", None, false)
        .await
        .expect("fill");
    assert_eq!(
        cross.locator("#i").input_value(None).await.expect("value"),
        "typed in frame"
    );
    assert_eq!(
        page.locator("button")
            .count()
            .await
            .expect("main document has none"),
        0
    );
    let missing = page
        .frame_locator("#nope")
        .locator("p")
        .text_content(Some(std::time::Duration::from_millis(300)))
        .await
        .expect_err("no frame");
    assert!(missing.is_timeout(), "{missing}");
    browser.close().await.expect("close");
}

#[tokio::test]
async fn engines_pierce_open_shadow_roots() {
    use isolate_browser_browser::ClickOptions;
    use isolate_browser_browser::RoleOptions;
    let html = r#"<!doctype html><body>
      <x-card id="host"></x-card>
      <script>
        customElements.define('x-card', class extends HTMLElement {
          connectedCallback() {
            const root = this.attachShadow({ mode: 'open' });
            root.innerHTML = `<h3>Shadow title</h3><label for="in">Shadow field</label><input id="in"><button class="act" onclick="this.textContent='pressed'">Act</button><slot></slot>`;
          }
        });
      </script>
      <x-card id="with-light"><span>light text</span></x-card>
    </body>"#;
    let origin = serve_pages(&[("/", html)]).await;
    let (browser, _ctx, page) = browser_page().await;
    page.goto(&format!("{origin}/"), GotoOptions::default())
        .await
        .expect("goto");
    assert_eq!(
        page.locator("button.act")
            .count()
            .await
            .expect("css pierces"),
        2
    );
    assert_eq!(
        page.locator("#host >> button")
            .count()
            .await
            .expect("chained into shadow"),
        1
    );
    assert_eq!(
        page.get_by_text(TextQuery::text("Shadow title", true))
            .count()
            .await
            .expect("text pierces"),
        2
    );
    assert_eq!(
        page.locator("#with-light")
            .get_by_text(TextQuery::text("light text", true))
            .count()
            .await
            .expect("slotted"),
        1
    );
    let field = page
        .locator("#host")
        .get_by_label(TextQuery::text("Shadow field", false));
    field
        .fill("inside", None, false)
        .await
        .expect("fill in shadow");
    assert_eq!(field.input_value(None).await.expect("value"), "inside");
    let button = page.locator("#host").get_by_role(
        "button",
        RoleOptions {
            name: Some(TextQuery::text("Act", true)),
            ..Default::default()
        },
    );
    button
        .click(ClickOptions::default())
        .await
        .expect("click in shadow (hit test crosses the boundary)");
    assert_eq!(
        page.locator("#host >> button")
            .text_content(None)
            .await
            .expect("t"),
        Some("pressed".into())
    );
    browser.close().await.expect("close");
}
