import { createServer, type Server, type Socket } from 'node:net';

/** How the faulty upstream treats a request. */
export type Fault =
  /** Accepts the connection and never answers (nginx: read timeout, 504). */
  | 'hang'
  /** Starts an answer and closes the connection mid-way (nginx: 502). */
  | 'close-early'
  /** Starts an answer and resets the connection (TCP RST) mid-way (nginx: 502). */
  | 'reset'
  /** Answers like the app: the fault is over. */
  | 'answer';

/** A request as the upstream read it, body included: what the app would have received. */
export interface ReceivedRequest {
  method: string;
  path: string;
  body: string;
}

/**
 * An upstream that misbehaves at the HTTP level, switchable at run time, for
 * the faults a real app server shows: hanging on a request, dying while it
 * answers, and recovering. It reads each request whole before it acts, as
 * an app would, and keeps what it read.
 */
export class FaultyUpstream {
  fault: Fault = 'hang';
  /** Every request read whole, in order. */
  readonly received: ReceivedRequest[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(readonly port: number) {
    this.server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
      let data = Buffer.alloc(0);
      const onData = (chunk: Buffer): void => {
        data = Buffer.concat([data, chunk]);
        const request = parseRequest(data);
        if (!request) return;
        socket.off('data', onData);
        this.received.push(request);
        this.handle(socket, request);
      };
      socket.on('data', onData);
    });
  }

  /** Whether it accepts connections (else they are refused). */
  get listening(): boolean {
    return this.server.listening;
  }

  /** Listens (again, after `close`): while closed, connections are refused. */
  listen(): Promise<void> {
    return new Promise((resolve) => this.server.listen(this.port, '127.0.0.1', resolve));
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(socket: Socket, request: ReceivedRequest): void {
    if (this.fault === 'hang') return;
    if (this.fault === 'close-early' || this.fault === 'reset') {
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/ht');
      if (this.fault === 'reset') socket.resetAndDestroy();
      else socket.destroy();
      return;
    }
    const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Recovered</title><link rel="icon" href="data:,"></head><body><main id="app"><p id="method">${request.method}</p><p id="asked">${request.path.replace(/[<>&"]/g, '')}</p></main></body></html>`;
    socket.end(
      `HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
}

/** The request in `data` once its head and its Content-Length body have all arrived. */
function parseRequest(data: Buffer): ReceivedRequest | undefined {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const head = data.subarray(0, end).toString('latin1');
  const length = Number(/^content-length:\s*(\d+)/im.exec(head)?.[1] ?? 0);
  if (data.length < end + 4 + length) return undefined;
  const [, method = '', path = '/'] = /^([A-Z]+) (\S+)/.exec(head) ?? [];
  return { method, path, body: data.subarray(end + 4, end + 4 + length).toString('utf8') };
}
