// `node:assert/strict`: the strict assertion functions as the default export.
(function () {
  const { core } = __bootstrap;
  const { strict, AssertionError } = core.loadExtScript("ext:isolate_sandbox/2b_node_assert.js");
  return { default: strict, strict, AssertionError };
})();
