// What an answer must never contain: stack traces, database error text, internal paths.
const LEAK_PATTERNS = [
  [/\bat [^\s()]+ \([^)]*:\d+:\d+\)/, 'stack trace'],
  [/\bat (?:async )?(?:file:\/\/)?\/[^\s]+:\d+:\d+/, 'stack trace'],
  [/\bER_[A-Z_]{3,}/, 'MySQL error code'],
  [/\bSQLITE_[A-Z_]+/, 'SQLite error code'],
  [/syntax error/i, 'SQL syntax error'],
  [/\bknex\b/i, 'knex'],
  [/You have an error in your SQL/i, 'MySQL error text'],
  [/\b(?:insert into\s+[`"]|select\s+[\w*`",. ]{1,120}\s+from\s+[`"]|delete from\s+[`"]|update\s+[`"]\w+[`"]\s+set\b)/i, 'SQL text'],
  [/node_modules|\/dist\/[\w-]+\.js|\/src\/[\w/-]+\.ts|\/work\/main|\/home\/\w+|\/usr\/src\/app/, 'internal path'],
  [/\$2[aby]\$\d\d\$/, 'bcrypt hash'],
  [/password_hash|"hash"\s*:/i, 'password hash field'],
];

/**
 * Returns the leaks found in a response text, after removing the strings the request
 * sent itself (an echoed input is not a leak).
 */
export function findLeaks(text, sent = []) {
  let scrubbed = text ?? '';
  for (const s of sent) {
    if (typeof s !== 'string' || s.length < 3) continue;
    scrubbed = scrubbed.split(s).join('');
    const asJson = JSON.stringify(s).slice(1, -1);
    if (asJson !== s) scrubbed = scrubbed.split(asJson).join('');
  }
  return LEAK_PATTERNS.filter(([re]) => re.test(scrubbed)).map(([, what]) => what);
}

/** Every string inside a value (to scrub echoed inputs). */
export function stringsIn(value, out = []) {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => stringsIn(v, out));
  else if (value && typeof value === 'object') Object.entries(value).forEach(([k, v]) => (out.push(k), stringsIn(v, out)));
  return out;
}

/**
 * Judges one answer to a bad input: { fiveXX, notJson, leaks[], clean }.
 * Clean means a 2xx/4xx with an application/json body that parses and leaks nothing.
 */
export function judge(res, sent = []) {
  const out = { fiveXX: false, notJson: false, hang: false, leaks: [], injectedHeader: false };
  if (res.status === 0) {
    out.hang = true;
    return { ...out, clean: false };
  }
  out.fiveXX = res.status >= 500;
  const type = res.headers.get('content-type') ?? '';
  const hasBody = res.text !== '' || ![204, 304].includes(res.status);
  if (hasBody && (!type.includes('application/json') || res.json === undefined)) out.notJson = true;
  out.leaks = findLeaks(res.text, sent);
  out.injectedHeader = res.headers.has('x-injected') || /injected=1/.test(res.headers.get('set-cookie') ?? '');
  out.clean = !out.fiveXX && !out.notJson && out.leaks.length === 0 && !out.injectedHeader;
  return out;
}
