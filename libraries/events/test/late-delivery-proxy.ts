import net from 'node:net';
import type { AddressInfo } from 'node:net';

const CRLF = Buffer.from('\r\n');

/** One NATS protocol frame: its control line split into words, its payload (MSG, HMSG, PUB, HPUB), its bytes. */
interface Frame {
  op: string;
  args: string[];
  payload: Buffer | undefined;
  bytes: Buffer;
}

/** Cuts a NATS protocol byte stream into whole frames (a frame may span chunks, a chunk hold many). */
class FrameSplitter {
  private pending = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.pending = Buffer.concat([this.pending, chunk]);
    const frames: Frame[] = [];
    for (;;) {
      const eol = this.pending.indexOf(CRLF);
      if (eol < 0) return frames;
      const args = this.pending
        .subarray(0, eol)
        .toString()
        .split(/[ \t]+/);
      const op = args[0].toUpperCase();
      // The last word of these four is the payload size (headers included for HMSG and HPUB).
      const sized = ['MSG', 'HMSG', 'PUB', 'HPUB'].includes(op);
      const end = sized ? eol + 2 + Number(args[args.length - 1]) + 2 : eol + 2;
      if (this.pending.length < end) return frames;
      const bytes = this.pending.subarray(0, end);
      frames.push({ op, args, payload: sized ? bytes.subarray(eol + 2, end - 2) : undefined, bytes });
      this.pending = this.pending.subarray(end);
    }
  }
}

/** The ack subject of a JetStream delivery: `$JS.ACK[.<domain>.<account>].<stream>.<consumer>.<deliveries>.<stream seq>...`. */
function ackInfo(subject: string | undefined): { stream: string; deliveries: number; seq: number } | undefined {
  const t = subject?.split('.') ?? [];
  if (t[0] !== '$JS' || t[1] !== 'ACK') return undefined;
  if (t.length === 9) t.splice(2, 0, '_', '');
  return t.length >= 11 ? { stream: t[4], deliveries: Number(t[6]), seq: Number(t[7]) } : undefined;
}

/** The reply subject of a MSG/HMSG (server to client), or the subject of a PUB (client to server). */
const deliveryReply = (f: Frame) =>
  (f.op === 'MSG' && f.args.length === 5) || (f.op === 'HMSG' && f.args.length === 6) ? f.args[3] : undefined;
const publishedTo = (f: Frame) => (f.op === 'PUB' || f.op === 'HPUB' ? f.args[1] : undefined);

export interface LateDeliveryOptions {
  natsUrl: string;
  stream: string;
  /** The stream seq whose first delivery reaches the consumer late. */
  seq: number;
  /**
   * Hold the nak until the consumer has looked a seq up in the stream (it met the gap before
   * `seq`): the redelivery then comes after the consumer dealt with `seq`, not together with it.
   */
  redeliverAfterLookup?: boolean;
}

export interface LateDeliveryProxy {
  /** The NATS url to give the consumer under test. */
  url: string;
  /** True once the race was played: `seq` reached the consumer after its nak, the nak went on after that. */
  readonly played: boolean;
  close(): Promise<void>;
}

/**
 * A TCP proxy in front of NATS that plays, every time, a race seen once in CI: the server sent
 * stream seq `seq` (first delivery) before it got the consumer's nak of an earlier seq, but `seq`
 * reached the consumer only after the consumer sent that nak, so the redelivery came behind it
 * (1,2,3,4,6,5). The proxy holds that delivery (and the stream's deliveries after it) until the
 * consumer has sent a nak, and holds the nak (and the stream's acks after it) until the delivery
 * has gone to the consumer (and, with redeliverAfterLookup, until the consumer looked the stream
 * up). Everything else passes straight through, so the consumer's other requests are answered.
 */
export async function lateDeliveryProxy(o: LateDeliveryOptions): Promise<LateDeliveryProxy> {
  const upstream = new URL(o.natsUrl);
  const lookups = [`$JS.API.STREAM.MSG.GET.${o.stream}`, `$JS.API.DIRECT.GET.${o.stream}`];
  const sockets = new Set<net.Socket>();
  let played = false;

  const server = net.createServer((client) => {
    const nats = net.connect(Number(upstream.port || 4222), upstream.hostname);
    for (const s of [client, nats]) {
      sockets.add(s);
      s.on('close', () => (sockets.delete(s), client.destroy(), nats.destroy()));
      s.on('error', () => undefined);
    }
    const fromServer = new FrameSplitter();
    const fromClient = new FrameSplitter();
    const ofStream = (subject: string | undefined) => ackInfo(subject)?.stream === o.stream;
    /** The stream's deliveries held for the consumer, from the late one on. */
    let deliveriesHeld: Buffer[] | undefined;
    /** The stream's acks and naks held for the server, from the consumer's first nak on. */
    let acksHeld: Buffer[] | undefined;
    let lateSent = false;
    let lookedUp = false;
    const release = () => {
      if (deliveriesHeld && acksHeld) {
        client.write(Buffer.concat(deliveriesHeld));
        deliveriesHeld = undefined;
        lateSent = true;
      }
      if (acksHeld && lateSent && (lookedUp || !o.redeliverAfterLookup)) {
        nats.write(Buffer.concat(acksHeld));
        acksHeld = undefined;
        played = true;
      }
    };

    nats.on('data', (chunk: Buffer) => {
      for (const f of fromServer.push(chunk)) {
        const delivery = ackInfo(deliveryReply(f));
        if (deliveriesHeld && delivery?.stream === o.stream) deliveriesHeld.push(f.bytes);
        else if (!played && !lateSent && delivery?.stream === o.stream && delivery.seq === o.seq && delivery.deliveries === 1) {
          deliveriesHeld = [f.bytes];
          release();
        } else client.write(f.bytes);
      }
    });
    client.on('data', (chunk: Buffer) => {
      for (const f of fromClient.push(chunk)) {
        const subject = publishedTo(f);
        if (acksHeld && ofStream(subject)) acksHeld.push(f.bytes);
        else if (!played && ofStream(subject) && f.payload?.subarray(0, 4).toString() === '-NAK') acksHeld = [f.bytes];
        else {
          lookedUp ||= lateSent && lookups.includes(subject ?? '');
          nats.write(f.bytes);
        }
        release();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `nats://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get played() {
      return played;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
