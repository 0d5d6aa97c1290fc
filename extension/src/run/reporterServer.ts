import { createServer, type Socket } from 'node:net';
import { JsonLineDecoder, type ReporterEvent } from './reporterProtocol.ts';

/** A loopback socket the streaming reporter of one run connects to. */
export interface ReporterServer {
  /** `host:port`, for the run's environment. */
  readonly address: string;
  /** Resolves once a reporter has sent its `end` event and closed its connection. */
  readonly finished: Promise<void>;
  /**
   * For after the run's process exited: resolves once every connection it made is read to the
   * end (the reporter connects when Playwright loads it, long before the process can exit).
   */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export async function openReporterServer(
  onEvent: (event: ReporterEvent) => void,
  onMalformed: (line: string) => void,
): Promise<ReporterServer> {
  const sockets = new Set<Socket>();
  const socketClosed = new Set<() => void>();
  let markFinished: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    markFinished = resolve;
  });
  const server = createServer((socket) => {
    sockets.add(socket);
    let ended = false;
    const decoder = new JsonLineDecoder((event) => {
      if (event.type === 'end') ended = true;
      onEvent(event);
    }, onMalformed);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => decoder.write(chunk));
    socket.on('close', () => {
      decoder.end();
      sockets.delete(socket);
      if (ended) markFinished();
      for (const notify of socketClosed) notify();
    });
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  return {
    address: `127.0.0.1:${port}`,
    finished,
    settled: () =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (sockets.size > 0) return;
          socketClosed.delete(check);
          resolve();
        };
        socketClosed.add(check);
        check();
      }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
