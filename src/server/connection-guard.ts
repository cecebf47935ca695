/**
 * The connection cap, below the descriptor limit. Node's `maxConnections` alone drops every new
 * connection once the cap is reached, so slow clients holding all slots would lock Omnidesk and
 * health checks out until the header timeout frees them. Here the last free slot is never kept
 * by a stranger: when it is taken, the oldest connection with no request in flight (a client
 * still sending headers, or an idle keep-alive) is closed. Only when every connection is busy
 * are new ones dropped (Node's cap). Each episode is logged once, and its end.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../log.js';

export interface ConnectionGuard {
  open(): number;
}

export function guardConnections(server: Server, cap: number, logger: Logger): ConnectionGuard {
  server.maxConnections = cap;
  const open = new Set<Socket>();
  // Insertion order is age: the first is the oldest connection without a request in flight.
  const idle = new Set<Socket>();
  let evicted = 0;
  let dropped = 0;

  server.on('connection', (socket: Socket) => {
    open.add(socket);
    idle.add(socket);
    socket.once('close', () => {
      open.delete(socket);
      idle.delete(socket);
      if ((evicted > 0 || dropped > 0) && open.size < cap - 1) {
        logger.warn('connections below the cap again', { maxConnections: cap, closedIdle: evicted, dropped });
        evicted = 0;
        dropped = 0;
      }
    });
    if (open.size < cap) return;
    let oldest: Socket | undefined;
    for (const s of idle) {
      if (s === socket) continue;
      oldest = s;
      break;
    }
    if (!oldest) return;
    idle.delete(oldest);
    oldest.destroy();
    if (evicted++ === 0 && dropped === 0)
      logger.warn('connection cap reached: the oldest idle connections are closed', { maxConnections: cap });
  });
  server.on('request', (req, res) => {
    const socket = req.socket;
    idle.delete(socket);
    // A keep-alive connection waits for its next request: idle again, and now the newest.
    res.once('close', () => {
      if (open.has(socket) && !socket.destroyed) idle.add(socket);
    });
  });
  server.on('drop', () => {
    if (dropped++ === 0)
      logger.warn('connection cap reached with every connection busy: new connections are dropped', {
        maxConnections: cap,
      });
  });
  return { open: () => open.size };
}
