import { closeAll } from '@canaduck/http-client';

describe('closeAll', () => {
  it('when every client closes, then it settles once all have, sync and async alike', async () => {
    const closed: string[] = [];
    const slow = { close: () => new Promise<void>((r) => setTimeout(() => (closed.push('slow'), r()), 20)) };
    const quick = { close: () => void closed.push('quick') };
    await closeAll(slow, quick);
    expect(closed.sort()).toEqual(['quick', 'slow']);
  });

  it('when one client fails to close, then the others still close and the failure is thrown', async () => {
    const closed: string[] = [];
    const broken = {
      close: () => {
        throw new Error('socket already gone');
      },
    };
    const after = { close: async () => void closed.push('after') };
    await expect(closeAll(broken, after)).rejects.toThrow('socket already gone');
    expect(closed).toEqual(['after']);
  });
});
