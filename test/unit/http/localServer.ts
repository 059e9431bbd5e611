/**
 * A throwaway HTTP server on 127.0.0.1 (ephemeral port) for the http/ tests. It records every
 * request it receives, so a test can assert that a refused request never arrived.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface LocalServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  port: number;
  requests: ReceivedRequest[];
  /** Resolves when a response's connection closed before the handler ended it (client aborted). */
  closedEarly: Promise<void>;
  close(): Promise<void>;
}

export type Handler = (req: ReceivedRequest, res: ServerResponse) => void;

export async function startServer(handler: Handler): Promise<LocalServer> {
  const requests: ReceivedRequest[] = [];
  let markClosedEarly!: () => void;
  const closedEarly = new Promise<void>((r) => (markClosedEarly = r));
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(received);
      res.on('close', () => {
        if (!res.writableEnded) markClosedEarly();
      });
      handler(received, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    requests,
    closedEarly,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Write `chunk` every `ms` until the client goes away. */
export function drip(res: ServerResponse, chunk: string | Buffer, ms: number): void {
  const t = setInterval(() => {
    if (res.destroyed || res.writableEnded) return clearInterval(t);
    res.write(chunk);
  }, ms);
  res.on('close', () => clearInterval(t));
}
