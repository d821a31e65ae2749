import request from 'supertest';
import { startMetricsServer } from '@canaduck/service-kit';
import { routeLabel } from '../src/middleware/request-metrics';
import { upstreamsOf, useEchoGateway } from './support';

const echo = useEchoGateway();

describe('gateway metrics', () => {
  test('when /metrics is asked on the public port, then it is a JSON 404 and no upstream is called', async () => {
    for (const path of ['/metrics', '/metrics/', '/metrics?x=1', '/msg/../metrics', '/%6detrics']) {
      const res = await request(echo.gw.handler).get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(res.body.code).toBeDefined();
      expect(res.text).not.toMatch(/http_requests_total/);
    }
    for (const u of upstreamsOf(echo.up)) expect(u.requests.filter((r) => r.url.includes('metrics'))).toEqual([]);
  });

  test('when requests went through, then the metrics listener counts them by routing-table entry and status, never by raw path', async () => {
    await request(echo.gw.handler).get('/channel').expect(200);
    await request(echo.gw.handler).get('/channel/metrics-sample-room').expect(200);
    await request(echo.gw.handler).get('/no-such-route-here').expect(404);
    const server = await startMetricsServer(echo.gw.metrics, 0, '127.0.0.1');
    try {
      const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
      expect(text).toMatch(/http_requests_total\{[^}]*route="\/channel"[^}]*status="200"[^}]*\} 1/);
      expect(text).toMatch(/http_requests_total\{[^}]*route="\/channel\/\*"[^}]*status="200"[^}]*\} 1/);
      expect(text).toMatch(/http_requests_total\{[^}]*route="unmatched"[^}]*status="404"/);
      expect(text).not.toContain('metrics-sample-room');
      expect(text).not.toContain('no-such-route-here');
    } finally {
      await server.close();
    }
  });

  test('when a path is labelled, then routed paths give their table entry and anything else `unmatched`', () => {
    expect(routeLabel('/msg')).toBe('/msg');
    expect(routeLabel('/msg/42?x=1')).toBe('/msg/*');
    expect(routeLabel('/internal/activity')).toBe('unmatched');
    expect(routeLabel('/metrics')).toBe('unmatched');
  });
});
