// irc-framework ships no types: the part of its API the tests use (https://github.com/kiwiirc/irc-framework/blob/master/docs/clientapi.md).
declare module 'irc-framework' {
  import type { EventEmitter } from 'node:events';

  interface ClientOptions {
    host: string;
    port: number;
    nick: string;
    username?: string;
    gecos?: string;
    account?: { account: string; password: string };
    auto_reconnect?: boolean;
    enable_echomessage?: boolean;
  }

  export class Client extends EventEmitter {
    constructor(options: ClientOptions);
    readonly user: { nick: string };
    readonly connection?: { end?(): void };
    connect(): void;
    raw(line: string): void;
    quit(message?: string): void;
  }
}
