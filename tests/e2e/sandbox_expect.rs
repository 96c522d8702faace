//! The generic `expect` from the matchers crate, run in the sandbox: passing and failing
//! matchers with the messages Playwright users know.

use isolate_browser::sandbox::VirtualModule;
use serde_json::Value;
use serde_json::json;

use crate::support::runtime;

/// Runs `body` with `expect` in scope; returns the messages of the failures it collects.
async fn check(body: &str) -> Value {
    let (rt, _console, _dir) = runtime(|o| {
        o.modules.virtual_modules.insert(
            "isolate-browser/expect".into(),
            VirtualModule::js(isolate_browser_matchers::EXPECT_JS),
        );
    });
    rt.run_module_code(
        "t.mjs",
        format!(
            r#"import {{ expect, takeSoftErrors }} from "isolate-browser/expect";
            const failures = [];
            const fails = async (f) => {{ try {{ await f(); failures.push("DID NOT FAIL"); }} catch (e) {{ failures.push(e.message); }} }};
            {body}
            globalThis.__result = {{ failures, soft: takeSoftErrors().map((e) => e.message) }};"#
        ),
    )
    .await
    .expect("runs");
    rt.eval("globalThis.__result").await.expect("result")
}

#[tokio::test]
async fn passing_matchers_pass() {
    let v = check(
        r#"
        expect(1 + 1).toBe(2);
        expect({ a: [1, { b: 2 }], u: undefined }).toEqual({ a: [1, { b: 2 }] });
        expect({ a: 1 }).not.toStrictEqual({ a: 1, b: undefined });
        expect(new Map([[1, new Set([2])]])).toEqual(new Map([[1, new Set([2])]]));
        expect("hello").toBeTruthy(); expect(0).toBeFalsy(); expect(null).toBeNull();
        expect(undefined).toBeUndefined(); expect(1).toBeDefined(); expect(NaN).toBeNaN();
        expect([1, 2, 3]).toContain(2); expect("team").toContain("ea"); expect([{ x: 1 }]).toContainEqual({ x: 1 });
        expect([1, 2]).toHaveLength(2); expect({ a: { b: [5, 6] } }).toHaveProperty("a.b[1]", 6);
        expect("abc").toMatch(/b/); expect("abc").toMatch("bc");
        expect({ a: 1, b: { c: 2, d: 3 } }).toMatchObject({ b: { c: 2 } });
        expect(3).toBeGreaterThan(2); expect(3).toBeGreaterThanOrEqual(3); expect(1).toBeLessThan(2); expect(2).toBeLessThanOrEqual(2);
        expect(0.1 + 0.2).toBeCloseTo(0.3, 5);
        expect(new TypeError("x")).toBeInstanceOf(Error);
        expect(() => { throw new RangeError("out of range"); }).toThrow(/range/);
        expect(() => { throw new RangeError("out of range"); }).toThrow(RangeError);
        expect(() => {}).not.toThrow();
        expect({ id: 7, name: "x", tags: ["a", "b"] }).toEqual({
          id: expect.any(Number), name: expect.stringContaining("x"), tags: expect.arrayContaining(["b"]),
        });
        expect({ when: "2024-01-01" }).toEqual(expect.objectContaining({ when: expect.stringMatching(/^\d{4}/) }));
        expect(1.001).toEqual(expect.closeTo(1, 2)); expect("x").toEqual(expect.anything());
        await expect(Promise.resolve(5)).resolves.toBe(5);
        await expect(Promise.reject(new Error("no"))).rejects.toThrow("no");
        let n = 0;
        await expect.poll(() => ++n, { intervals: [10] }).toBeGreaterThan(2);
        let tries = 0;
        await expect(async () => { tries++; expect(tries).toBe(3); }).toPass({ intervals: [5] });
        expect.extend({ toBeEven(received) { return { pass: received % 2 === 0, message: () => `expected ${received} to be even` }; } });
        expect(4).toBeEven(); expect(3).not.toBeEven();
        const slow = expect.configure({ timeout: 1234 });
        if (slow.getTimeout() !== 1234) failures.push("configure did not set the timeout");
        "#,
    )
    .await;
    assert_eq!(v["failures"], json!([]), "{v}");
    assert_eq!(v["soft"], json!([]));
}

#[tokio::test]
async fn failing_matchers_explain_themselves() {
    let v = check(
        r#"
        await fails(() => expect(1).toBe(2));
        await fails(() => expect({ a: 1 }).toBe({ a: 1 }));
        await fails(() => expect({ name: "Ada", langs: ["en", "fr"], born: 1815, extra: "a rather long value to force a multi-line diff" }).toEqual({ name: "Ada", langs: ["en", "de"], born: 1815, extra: "a rather long value to force a multi-line diff" }));
        await fails(() => expect(5).not.toBe(5));
        await fails(() => expect([1, 2]).toHaveLength(3));
        await fails(() => expect(() => {}).toThrow());
        await fails(() => expect("abc", "custom context").toMatch(/z/));
        await fails(() => expect(Promise.resolve(1)).rejects.toThrow());
        await fails(() => expect.poll(() => 1, { timeout: 120, intervals: [20] }).toBe(2));
        expect.soft(1).toBe(3);
        expect.soft("a").toBe("a");
        "#,
    )
    .await;
    let f: Vec<String> = serde_json::from_value(v["failures"].clone()).expect("strings");
    assert_eq!(
        f[0],
        "expect(received).toBe(expected) // Object.is equality\n\nExpected: 2\nReceived: 1"
    );
    assert!(
        f[1].ends_with(
            "If it should pass with deep equality, replace \"toBe\" with \"toStrictEqual\""
        ),
        "{}",
        f[1]
    );
    assert!(f[2].starts_with("expect(received).toEqual(expected) // deep equality\n\n- Expected  - 1\n+ Received  + 1\n"), "{}", f[2]);
    assert!(
        f[2].contains("-   \"langs\": [\"en\", \"de\"],\n+   \"langs\": [\"en\", \"fr\"],"),
        "{}",
        f[2]
    );
    assert_eq!(
        f[3],
        "expect(received).not.toBe(expected) // Object.is equality\n\nExpected: not 5\nReceived: 5"
    );
    assert!(
        f[4].contains("Expected length: 3\nReceived length: 2"),
        "{}",
        f[4]
    );
    assert!(
        f[5].ends_with("Received function did not throw"),
        "{}",
        f[5]
    );
    assert!(
        f[6].starts_with("custom context\n\nexpect(received).toMatch(expected)"),
        "{}",
        f[6]
    );
    assert!(
        f[7].contains("Received promise resolved instead of rejected"),
        "{}",
        f[7]
    );
    assert!(
        f[8].starts_with("expect.poll: timeout 120ms exceeded"),
        "{}",
        f[8]
    );
    assert_eq!(
        v["soft"],
        json!([
            "expect(received).toBe(expected) // Object.is equality\n\nExpected: 3\nReceived: 1"
        ])
    );
}

#[tokio::test]
async fn jest_edge_cases_match_playwrights_expect() {
    let v = check(
        r#"
        // Buffers compare by bytes; enumerable symbol keys count, arrays' too.
        expect(Uint8Array.from([9, 3]).buffer).toStrictEqual(Uint8Array.from([9, 3]).buffer);
        expect(Uint8Array.from([1, 2]).buffer).not.toStrictEqual(Uint8Array.from([0, 0]).buffer);
        const key = Symbol("k");
        const a = []; a[key] = 3;
        const b = []; b[key] = 4;
        const want = []; want[key] = 3;
        expect(a).toEqual(want); expect(b).not.toEqual(want);
        // Infinities are close to themselves only.
        expect(Infinity).toBeCloseTo(Infinity); expect(-Infinity).toBeCloseTo(-Infinity);
        expect(Infinity).not.toBeCloseTo(-Infinity); expect(Infinity).not.toBeCloseTo(1.23);
        expect(Infinity).toEqual(expect.closeTo(Infinity));
        expect([1, 1]).toEqual(expect.arrayOf(1)); expect([1, 2]).not.toEqual(expect.arrayOf(1));
        expect({ foo: undefined }).toEqual(expect.objectContaining({ foo: undefined }));
        expect({}).not.toEqual(expect.objectContaining({ foo: undefined }));
        expect(new Error("foo")).not.toMatchObject(new Error("bar"));
        expect(new Error("bar")).toMatchObject({ message: "bar" });
        // A global pattern keeps no state between calls.
        const re = /f\d+/gi;
        expect("f123").toMatch(re); expect("F456").toMatch(re);
        expect(re.lastIndex).toBe(0);
        // Misuse throws, with `.not` too.
        await fails(() => expect.any());
        await fails(() => expect.closeTo("a"));
        await fails(() => expect({}).toEqual(expect.objectContaining(1337)));
        await fails(() => expect(undefined).not.toHaveLength(1));
        await fails(() => expect(1).not.toMatch("x"));
        await fails(() => expect("x").not.toMatch(1));
        "#,
    )
    .await;
    let f: Vec<String> = serde_json::from_value(v["failures"].clone()).expect("strings");
    assert_eq!(f.len(), 6, "{f:?}");
    assert_eq!(
        f[0],
        "any() expects to be passed a constructor function. Please pass one or use anything() to match any object."
    );
    assert_eq!(f[1], "Expected is not a Number");
    assert_eq!(
        f[2],
        "You must provide an object to ObjectContaining, not 'number'."
    );
    assert!(
        f[3].contains(
            "Matcher error: received value must have a length property whose value must be a number"
        ),
        "{}",
        f[3]
    );
    assert!(
        f[4].contains("Matcher error: received value must be a string"),
        "{}",
        f[4]
    );
    assert!(
        f[5].contains("Matcher error: expected value must be a string or regular expression"),
        "{}",
        f[5]
    );
}
