import { createServer, type Server, type Socket } from 'node:net';

/** How the faulty upstream treats a request. */
export type Fault =
  /** Accepts the connection and never answers (nginx: read timeout, 504). */
  | 'hang'
  /** Starts an answer and closes the connection mid-way (nginx: 502). */
  | 'close-early'
  /** Answers like the app: the fault is over. */
  | 'answer';

/**
 * An upstream that misbehaves at the HTTP level, switchable at run time, for
 * the faults a real app server shows: hanging on a request, dying while it
 * answers, and recovering.
 */
export class FaultyUpstream {
  fault: Fault = 'hang';
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(readonly port: number) {
    this.server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
      socket.once('data', (data) => this.handle(socket, data.toString('latin1')));
    });
  }

  listen(): Promise<void> {
    return new Promise((resolve) => this.server.listen(this.port, '127.0.0.1', resolve));
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(socket: Socket, request: string): void {
    if (this.fault === 'hang') return;
    if (this.fault === 'close-early') {
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/ht');
      socket.destroy();
      return;
    }
    const [, path = '/'] = /^[A-Z]+ (\S+)/.exec(request) ?? [];
    const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Recovered</title><link rel="icon" href="data:,"></head><body><main id="app"><p id="asked">${path.replace(/[<>&"]/g, '')}</p></main></body></html>`;
    socket.end(`HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
}
