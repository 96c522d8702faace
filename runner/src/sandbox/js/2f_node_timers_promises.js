// `node:timers/promises`.
(function () {
  const { core } = __bootstrap;
  const { promises } = core.loadExtScript("ext:isolate_sandbox/2d_node_timers.js");
  return { ...promises, default: promises };
})();
