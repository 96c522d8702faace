// `defineConfig` and Playwright's device descriptors that matter for Chromium: viewport, user agent, scale, touch.
// Firefox and WebKit entries exist so that configs naming them load; their projects run on
// Chromium (the runner warns).

const chromeUA = (platform) =>
  `Mozilla/5.0 (${platform}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36`;
const desktop = (browser, userAgent) => ({
  userAgent,
  viewport: { width: 1280, height: 720 },
  screen: { width: 1920, height: 1080 },
  deviceScaleFactor: 1,
  isMobile: false,
  hasTouch: false,
  defaultBrowserType: browser,
});
const mobile = (userAgent, width, height, deviceScaleFactor, browser) => ({
  userAgent,
  viewport: { width, height },
  screen: { width, height },
  deviceScaleFactor,
  isMobile: true,
  hasTouch: true,
  defaultBrowserType: browser,
});

export const devices = {
  "Desktop Chrome": desktop("chromium", chromeUA("Windows NT 10.0; Win64; x64")),
  "Desktop Chrome HiDPI": { ...desktop("chromium", chromeUA("Windows NT 10.0; Win64; x64")), deviceScaleFactor: 2 },
  "Desktop Edge": desktop("chromium", `${chromeUA("Windows NT 10.0; Win64; x64")} Edg/140.0.0.0`),
  "Desktop Firefox": desktop("firefox", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:142.0) Gecko/20100101 Firefox/142.0"),
  "Desktop Safari": desktop("webkit", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.0 Safari/605.1.15"),
  "Pixel 5": mobile("Mozilla/5.0 (Linux; Android 11; Pixel 5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Mobile Safari/537.36", 393, 851, 2.75, "chromium"),
  "Pixel 7": mobile("Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Mobile Safari/537.36", 412, 839, 2.625, "chromium"),
  "Galaxy S9+": mobile("Mozilla/5.0 (Linux; Android 8.0.0; SM-G965U Build/R16NW) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Mobile Safari/537.36", 320, 658, 4.5, "chromium"),
  "iPhone 12": mobile("Mozilla/5.0 (iPhone; CPU iPhone OS 14_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/14.0.3 Mobile/15E148 Safari/604.1", 390, 664, 3, "webkit"),
  "iPhone 13": mobile("Mozilla/5.0 (iPhone; CPU iPhone OS 15_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/15.0 Mobile/15E148 Safari/604.1", 390, 664, 3, "webkit"),
  "iPhone 14": mobile("Mozilla/5.0 (iPhone; CPU iPhone OS 16_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.0 Mobile/15E148 Safari/604.1", 390, 664, 3, "webkit"),
  "iPad Mini": mobile("Mozilla/5.0 (iPad; CPU OS 12_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.1 Mobile/15E148 Safari/604.1", 768, 1024, 2, "webkit"),
};

/** Playwright's `defineConfig`: merges configs (later wins), `use` and `expect` shallowly. */
export function defineConfig(...configs) {
  const out = {};
  for (const c of configs) {
    for (const [k, v] of Object.entries(c ?? {})) {
      if ((k === "use" || k === "expect") && out[k] && typeof v === "object") out[k] = { ...out[k], ...v };
      else out[k] = v;
    }
  }
  return out;
}
