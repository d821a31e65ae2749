// Bookkeeping for the attack suite: every bad request, how it was answered, and the
// precise request/response of each problem for the report.
import { describe } from './http.mjs';
import { judge, stringsIn } from './leaks.mjs';

export class Attacks {
  constructor() {
    this.tried = 0;
    this.refused = 0; // a clean 4xx
    this.accepted = 0; // a clean 2xx/3xx where that was acceptable
    this.fiveXX = 0;
    this.leaks = 0;
    this.notJson = 0;
    this.hangs = 0;
    this.wrong = 0; // a clean answer with the wrong status (e.g. 200 where 403 was due)
    this.problems = [];
  }

  /**
   * Records one bad request and its answer. `expect`: a list of statuses, or a
   * function (res) -> true | 'why it is wrong'; by default anything below 500.
   * Returns true when the answer was clean and as expected.
   */
  record(label, req, res, { expect, sent, allowHtml = false } = {}) {
    this.tried++;
    const strings = [...(sent ?? []), ...stringsIn(req.body), ...(typeof req.raw === 'string' ? [req.raw] : []), ...decodePath(req.path)];
    const j = judge(res, strings);
    let why;
    if (j.hang) {
      this.hangs++;
      why = 'no answer (hang or connection error)';
    } else if (j.fiveXX) {
      this.fiveXX++;
      why = `a ${res.status}`;
    } else if (j.leaks.length || j.injectedHeader) {
      this.leaks++;
      why = `leak: ${[...j.leaks, ...(j.injectedHeader ? ['injected response header'] : [])].join(', ')}`;
    } else if (j.notJson && !(allowHtml && (res.headers.get('content-type') ?? '').startsWith('text/html'))) {
      this.notJson++;
      why = `not JSON (content-type ${res.headers.get('content-type')})`;
    } else {
      let verdict = true;
      if (Array.isArray(expect)) verdict = expect.includes(res.status) || `expected ${expect.join('/')}`;
      else if (typeof expect === 'function') verdict = expect(res);
      if (verdict !== true) {
        this.wrong++;
        why = typeof verdict === 'string' ? verdict : 'unexpected answer';
      } else if (res.status >= 400) this.refused++;
      else this.accepted++;
    }
    if (why) {
      this.problems.push({ label, why, request: requestLine(req), response: describe(res) });
      return false;
    }
    return true;
  }

  get failed() {
    return this.fiveXX + this.leaks + this.notJson + this.hangs + this.wrong;
  }
}

function decodePath(path = '') {
  const out = [];
  for (const part of path.split(/[/?&=]/)) {
    try {
      out.push(decodeURIComponent(part));
    } catch {
      out.push(part);
    }
  }
  return out;
}

export function requestLine(req) {
  const body = req.raw !== undefined ? String(req.raw) : req.body !== undefined ? JSON.stringify(req.body) : '';
  const shortBody = body.length > 200 ? `${body.slice(0, 200)}... (${body.length} chars)` : body;
  const path = req.path.length > 200 ? `${req.path.slice(0, 200)}...` : req.path;
  return `${req.method} ${req.base ?? ''}${path}${shortBody ? ` ${shortBody}` : ''}${req.as ? ` [as ${req.as}]` : ''}`;
}
