import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { expressShapedServerOptions } from '@canaduck/service-kit';

describe('startServer: requests shaped as the Express app’s', () => {
  test('when a request arrives, then req and res already have the app’s prototypes and Express answers as usual', async () => {
    const app = express();
    app.get('/echo', (req, res) => {
      res
        .status(201)
        .set('X-Seen', String(req.query.v))
        .json({ path: req.path, ip: typeof req.ip });
    });
    const shapes: boolean[] = [];
    const server = http.createServer(expressShapedServerOptions(app), (req, res) => {
      shapes.push(Object.getPrototypeOf(req) === app.request, Object.getPrototypeOf(res) === app.response);
      app(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      for (const v of ['a', 'b']) {
        const res = await fetch(`http://127.0.0.1:${port}/echo?v=${v}`);
        expect(res.status).toBe(201);
        expect(res.headers.get('x-seen')).toBe(v);
        expect(await res.json()).toEqual({ path: '/echo', ip: 'string' });
      }
      expect(shapes).toEqual([true, true, true, true]);
    } finally {
      server.close();
    }
  });
});
