// Small JSON client for seeding through the services' public APIs.
export async function call(base, method, route, { token, body } = {}) {
  const res = await fetch(base + route, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let data;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  return { status: res.status, data };
}

export async function expectStatus(base, method, route, opts, ...ok) {
  const r = await call(base, method, route, opts);
  if (!ok.includes(r.status)) throw new Error(`${method} ${route} -> ${r.status} ${JSON.stringify(r.data)} (expected ${ok.join('/')})`);
  return r.data;
}
