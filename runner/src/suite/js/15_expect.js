// `expect`: the generic matchers with the web-first ones added.

import { expect as baseExpect } from "isolate-browser/expect";
import { webFirstMatchers } from "isolate-browser/internal/web-first";

export const expect = baseExpect.extend(webFirstMatchers);
