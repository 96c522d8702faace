// `expect`: the generic matchers with the web-first ones added.

import { expect as baseExpect } from "ext:isolate_suite/matchers/expect.js";
import { webFirstMatchers } from "ext:isolate_suite/matchers/web_first.js";
import { snapshotMatchers } from "ext:isolate_suite/harness/14_snapshots.js";

export const expect = baseExpect.extend({ ...webFirstMatchers, ...snapshotMatchers });
