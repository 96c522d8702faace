// The module objects of `node:timers` (this script) and `node:timers/promises`
// (`2f_node_timers_promises.js`).
(function () {
  const { core } = __bootstrap;
  const { timers } = core.loadExtScript("ext:isolate_sandbox/2d_node_timers.js");
  return { ...timers, default: timers };
})();
