// Result bookkeeping: named checks grouped by scenario, printed as they happen.
const GREEN = '\x1b[32m';
const RED = '\x1b[31m';
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';

export class Tally {
  constructor() {
    this.scenarios = [];
    this.current = undefined;
  }

  /** Starts a scenario: a group of checks that survives only when all of them pass. */
  scenario(name) {
    if (this.current) this.current.ms = Date.now() - this.current.startedAt;
    this.current = { name, checks: [], skipped: false, startedAt: Date.now() };
    this.scenarios.push(this.current);
    const elapsed = this.startedAt ? ` ${DIM}(+${((Date.now() - this.startedAt) / 1000).toFixed(1)} s)${RESET}` : '';
    this.startedAt ??= Date.now();
    process.stdout.write(`\n== ${name}${elapsed}\n`);
    return this.current;
  }

  skip(name, why) {
    this.scenarios.push({ name, checks: [], skipped: true, why });
    process.stdout.write(`\n== ${name}\n${DIM}   skipped: ${why}${RESET}\n`);
  }

  /** Records one check; `detail` explains a failure (request, response, expectation). */
  check(label, ok, detail = '') {
    if (!this.current) this.scenario('setup');
    this.current.checks.push({ label, ok: !!ok, detail });
    const mark = ok ? `${GREEN}ok  ${RESET}` : `${RED}FAIL${RESET}`;
    process.stdout.write(`   ${mark} ${label}${!ok && detail ? `\n        ${detail.replace(/\n/g, '\n        ')}` : ''}\n`);
    return !!ok;
  }

  note(text) {
    process.stdout.write(`${DIM}   .. ${text}${RESET}\n`);
  }

  get counted() {
    return this.scenarios.filter((s) => !s.skipped);
  }

  get survived() {
    return this.counted.filter((s) => s.checks.length > 0 && s.checks.every((c) => c.ok)).length;
  }

  /** Scenarios that count (the setup counts only when it failed: then the run proved nothing). */
  summary() {
    const counted = this.counted.filter((s) => s.name !== 'setup' || s.checks.some((c) => !c.ok));
    const survived = counted.filter((s) => s.checks.length > 0 && s.checks.every((c) => c.ok)).length;
    return { survived, total: counted.length };
  }

  get failures() {
    return this.counted.flatMap((s) => s.checks.filter((c) => !c.ok).map((c) => ({ scenario: s.name, ...c })));
  }
}
