import { ServiceClient } from '@canaduck/http-client';
import { appBase, runService } from '@canaduck/service-kit';
import { createApp } from './app';
import { ChannelClient } from './clients/channel-client';
import { MessageClient } from './clients/message-client';
import { configShape } from './config';
import { EventPoller } from './feed/event-poller';
import { migrations } from './migrations';

void runService({
  name: 'stats-service',
  shape: configShape,
  migrations,
  build: (ctx) => {
    const base = appBase(ctx);
    const serviceAuth = () => `Bearer ${ctx.serviceTokens.get()}`;
    const timeoutMs = ctx.config.HTTP_TIMEOUT_MS;
    const messageHttp = new ServiceClient({ name: 'message-service', baseUrl: ctx.config.MESSAGE_SERVICE_URL, timeoutMs, serviceAuth });
    const channelHttp = new ServiceClient({ name: 'channel-service', baseUrl: ctx.config.CHANNEL_SERVICE_URL, timeoutMs, serviceAuth });
    const poller = new EventPoller({
      knex: base.knex,
      logger: ctx.logger,
      messages: new MessageClient(messageHttp),
      channels: new ChannelClient(channelHttp),
      pollMs: ctx.config.STATS_POLL_MS,
      batchSize: ctx.config.STATS_BATCH_SIZE,
      channelRefreshMs: ctx.config.STATS_CHANNEL_REFRESH_MS,
    });
    poller.start();
    return {
      app: createApp({ ...base, feedStatus: () => poller.status() }),
      // The poller stops first (its transaction finishes), then the clients, then runService closes the database.
      onShutdown: [() => poller.stop(), () => messageHttp.close(), () => channelHttp.close()],
    };
  },
});
