//! `webServer: { entry }`: the app runs in its own sandbox and the browser reaches it through
//! request interception, with no port. The same spec runs against the same app served on a
//! real port by `isolate-browser serve`, and must behave the same: redirects, cookies both
//! ways, form POSTs, binary responses, and the `request` fixture.

use crate::test_runner::project;
use crate::test_runner::run_test;

const SERVER: &str = r#"
const PNG = new Uint8Array([137,80,78,71,13,10,26,10,0,0,0,13,73,72,68,82,0,0,0,1,0,0,0,1,8,6,0,0,0,31,21,196,137,0,0,0,13,73,68,65,84,120,156,99,0,1,0,0,5,0,1,13,10,45,180,0,0,0,0,73,69,78,68,174,66,96,130]);
const html = (body: string, headers: Record<string, string> = {}) =>
  new Response(`<!doctype html>${body}`, { headers: { "content-type": "text/html", ...headers } });
export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const signedIn = (request.headers.get("cookie") ?? "").includes("sid=s3cret");
    switch (`${request.method} ${url.pathname}`) {
      case "GET /login":
        return html(`<title>Login</title><form method=post action=/login><label>User <input name=user></label><button>Sign in</button></form>`);
      case "POST /login": {
        const form = await request.formData();
        const headers = new Headers({ location: "/app" });
        headers.append("set-cookie", "sid=s3cret; HttpOnly; Path=/");
        headers.append("set-cookie", `user=${form.get("user")}; Path=/`);
        return new Response(null, { status: 303, headers });
      }
      case "GET /app":
        if (!signedIn) return Response.redirect(new URL("/login", url).href, 302);
        return html(`<title>App</title><h1>Dashboard</h1><p id=who>${(request.headers.get("cookie") ?? "").match(/user=(\w+)/)?.[1]}</p><img src=/logo.png>`);
      case "GET /logo.png":
        return new Response(PNG, { headers: { "content-type": "image/png" } });
      case "POST /api/echo":
        return Response.json({ got: await request.json(), signedIn });
      default:
        return new Response("not found", { status: 404 });
    }
  },
};
"#;

const SPEC: &str = r#"import { test, expect } from '@playwright/test';
test('log in through the app', async ({ page, context }) => {
  await page.goto('/app');
  await expect(page).toHaveTitle('Login');
  await page.getByLabel('User').fill('ada');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('h1')).toHaveText('Dashboard');
  await expect(page.locator('#who')).toHaveText('ada');
  expect(page.url()).toMatch(/\/app$/);
  const width = await page.locator('img').evaluate(async (img) => { await img.decode(); return img.naturalWidth; });
  expect(width).toBe(1);
  const cookies = (await context.cookies()).map((c) => `${c.name}:${c.httpOnly}`).sort();
  expect(cookies).toEqual(['sid:true', 'user:false']);
  await context.addCookies([{ name: 'extra', value: 'x', url: page.url() }]);
  await page.reload();
  await expect(page.locator('h1')).toHaveText('Dashboard');
});
test('the request fixture reaches the app too', async ({ request }) => {
  const login = await request.get('/app');
  expect(login.status()).toBe(200);
  expect(await login.text()).toContain('<title>Login</title>');
  const echo = await request.post('/api/echo', { data: { n: 1 } });
  expect(await echo.json()).toEqual({ got: { n: 1 }, signedIn: false });
  const png = await request.get('/logo.png');
  expect((await png.body()).length).toBe(67);
});
"#;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

#[test]
fn the_same_spec_passes_against_the_app_with_and_without_a_port() {
    let hermetic = project(&[
        (
            "isolate-browser.config.json",
            r#"{ "reporter": [["json"]], "webServer": { "entry": "app/server.ts" } }"#,
        ),
        ("app/server.ts", SERVER),
        ("tests/app.spec.ts", SPEC),
    ]);
    let run = run_test(hermetic.path(), &[]);
    assert_eq!(
        run.code,
        0,
        "hermetic: {}\n{}\n{}",
        run.stdout,
        run.error("log in through the app"),
        run.error("the request fixture reaches the app too")
    );
    assert_eq!(run.status("log in through the app"), ["passed"]);

    let port = free_port();
    let binary = env!("CARGO_BIN_EXE_isolate-browser-under-test");
    let over_tcp = project(&[
        (
            "isolate-browser.config.json",
            &format!(
                r#"{{ "reporter": [["json"]], "use": {{ "baseURL": "http://127.0.0.1:{port}" }},
  "webServer": {{ "command": "{binary} serve app/server.ts --port {port} --quiet", "url": "http://127.0.0.1:{port}/login" }} }}"#
            ),
        ),
        ("app/server.ts", SERVER),
        ("tests/app.spec.ts", SPEC),
    ]);
    let run = run_test(over_tcp.path(), &[]);
    assert_eq!(
        run.code,
        0,
        "over TCP: {}\n{}\n{}",
        run.stdout,
        run.error("log in through the app"),
        run.error("the request fixture reaches the app too")
    );
    assert_eq!(
        run.status("the request fixture reaches the app too"),
        ["passed"]
    );
}

#[test]
fn a_broken_entry_is_a_configuration_error() {
    let dir = project(&[
        (
            "isolate-browser.config.json",
            r#"{ "webServer": { "entry": "app/server.ts" } }"#,
        ),
        ("app/server.ts", "export default { fetch( };"),
        (
            "tests/a.spec.ts",
            "import { test } from '@playwright/test'; test('a', () => {});",
        ),
    ]);
    let run = run_test(dir.path(), &[]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("webServer.entry") && run.stderr.contains("server.ts:1"),
        "{}",
        run.stderr
    );
}
