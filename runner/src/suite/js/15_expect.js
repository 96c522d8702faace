// `expect`: the generic matchers with the web-first ones added.

import { expect as baseExpect } from "ext:isolate_suite/matchers/expect.js";
import { webFirstMatchers } from "ext:isolate_suite/matchers/web_first.js";

export const expect = baseExpect.extend(webFirstMatchers);
