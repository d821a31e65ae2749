// Preloaded into every service (NODE_OPTIONS=--require) when BENCH_PROFILE is set: Node 20 refuses
// --cpu-prof in NODE_OPTIONS, so this starts the V8 profiler through the inspector and writes
// <BENCH_PROFILE_DIR>/<service>-<pid>.cpuprofile when the process exits (open it in Chrome
// DevTools or summarise it with bench/profile-summary.mjs).
const fs = require('node:fs');
const path = require('node:path');
const inspector = require('node:inspector');

const dir = process.env.BENCH_PROFILE_DIR;
const service = path.basename(path.dirname(path.dirname(process.argv[1] || 'unknown/dist/x')));
const session = new inspector.Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 500 });
session.post('Profiler.start');
process.on('exit', () => {
  // An in-process inspector session answers synchronously, so this completes before exit.
  session.post('Profiler.stop', (err, res) => {
    if (!err && dir) fs.writeFileSync(path.join(dir, `${service}-${process.pid}.cpuprofile`), JSON.stringify(res.profile));
  });
});
