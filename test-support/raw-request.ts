import { request, type IncomingHttpHeaders } from 'node:http';

export interface RawRequest {
  method?: string;
  /** Sent exactly as written: no URL parsing on the way (`%0a`, `..;` stay as they are). */
  path: string;
  /** The local address to send from: any of 127.0.0.0/8 is this machine, each a client of its own to nginx. */
  localAddress?: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One HTTP/1.1 request to 127.0.0.1:`port`, on a connection of its own. */
export function rawRequest(port: number, options: RawRequest): Promise<RawAnswer> {
  const { method = 'GET', path, localAddress = '127.0.0.1', headers = {}, body } = options;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, localAddress, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
