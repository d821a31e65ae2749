import { Router } from 'express';
import { ApiDocs } from '@canaduck/service-kit';
import { userRouteMounter } from '../src/routes/route-helpers';

type Doc = { paths: Record<string, Record<string, { security?: unknown; responses: Record<string, { description: string }> }>> };

describe('userRouteMounter', () => {
  it('when a path is outside /msg (where app.ts checks the token), then mounting it fails at start-up', () => {
    const route = userRouteMounter(Router(), new ApiDocs());
    for (const path of ['/messages', '/msgs/x']) {
      expect(() => route({ method: 'get', path, summary: 'x', responses: { 200: 'x' } }, (_req, res) => res.end())).toThrow(
        `${path} is outside /msg, where app.ts checks the user token`,
      );
    }
  });

  it('when a /msg route is mounted, then it is documented as a user route with the shared 401 beside its own answers', () => {
    const docs = new ApiDocs();
    userRouteMounter(Router(), docs)(
      { method: 'get', path: '/msg/:id/echo', summary: 'echo', responses: { 200: 'echoed', 404: 'gone' } },
      (_req, res) => res.end(),
    );
    const operation = (docs.document({ title: 't', description: 'd' }) as Doc).paths['/msg/{id}/echo'].get;
    expect(operation.security).toEqual([{ bearerAuth: [] }]);
    expect(Object.entries(operation.responses).map(([status, r]) => [status, r.description])).toEqual([
      ['200', 'echoed'],
      ['401', 'No or invalid token'],
      ['404', 'gone'],
    ]);
  });
});
