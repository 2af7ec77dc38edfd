/**
 * What the HTTP server does before a request reaches fastify's routes:
 * - time limits on a request's headers and body, on idle keep-alive connections and on idle
 *   sockets (a client that never finishes its body is cut off instead of holding a file
 *   descriptor for ever: fastify's default is no request timeout at all);
 * - a cap on open connections per client address (0: none, behind a reverse proxy, where
 *   every connection comes from the proxy);
 * - the parser's own refusals (malformed request line, headers too large, a request that
 *   timed out) answered as application/problem+json like every other error.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger, FastifyHttpOptions } from 'fastify';
import type { Config } from '../config.js';
import { PROBLEM_CONTENT_TYPE, problemType } from './problem-details.js';
import { TITLES, errors, type RegistryError } from './errors.js';

type Timeouts = Pick<Config, 'REQUEST_TIMEOUT_MS' | 'HEADERS_TIMEOUT_MS' | 'KEEP_ALIVE_TIMEOUT_MS' | 'CONNECTION_TIMEOUT_MS'>;

/** Fastify's server options for the time limits of `config`. */
export function serverTimeouts(config: Timeouts): Pick<FastifyHttpOptions<Server>, 'requestTimeout' | 'keepAliveTimeout' | 'connectionTimeout' | 'http'> {
  return {
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    keepAliveTimeout: config.KEEP_ALIVE_TIMEOUT_MS,
    connectionTimeout: config.CONNECTION_TIMEOUT_MS,
    http: {
      // Node reads headers within headersTimeout, never past the whole request's limit.
      headersTimeout: Math.min(config.HEADERS_TIMEOUT_MS, config.REQUEST_TIMEOUT_MS),
      requestTimeout: config.REQUEST_TIMEOUT_MS,
      // Node checks the two limits above on this interval (30 s by default): a limit of 10 s
      // would otherwise be anything up to 40 s.
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(config.HEADERS_TIMEOUT_MS / 4))),
    },
  };
}

function refusalOf(error: NodeJS.ErrnoException): RegistryError {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new errors.RequestTimeout('the request\'s headers or body did not arrive in time');
    case 'HPE_HEADER_OVERFLOW':
      return new errors.HeadersTooLarge('the request\'s headers are larger than the server reads (16 KB)');
    default:
      return new errors.Malformed('the request is not well-formed HTTP/1.1');
  }
}

/**
 * A whole HTTP/1.1 answer from a registry error, written on a socket no request object stands
 * for (there is no reply to send it through); the connection closes.
 */
function rawProblem(error: RegistryError): string {
  const title = TITLES[error.code];
  const body = JSON.stringify({ type: problemType(error.code), title, status: error.statusCode, detail: error.message, code: error.code });
  return `HTTP/1.1 ${error.statusCode} ${title}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

/** An answer on this socket has begun: nothing more may be written on it. */
function answerStarted(socket: Socket): boolean {
  const response: unknown = Reflect.get(socket, '_httpMessage');
  return typeof response === 'object' && response !== null && Reflect.get(response, 'headersSent') === true;
}

/** Fastify's clientErrorHandler: the parser's refusals as problem+json (node's default is a bare 400). */
export function clientErrorHandler(this: { log: FastifyBaseLogger }, error: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection has no one left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const refusal = refusalOf(error);
  this.log.debug({ err: error, status: refusal.statusCode }, 'client error before routing');
  if (socket.writable && !answerStarted(socket)) socket.end(rawProblem(refusal));
  // end() flushes the answer first; a client that does not read it is cut off all the same.
  setTimeout(() => socket.destroy(), 1_000).unref();
}

/**
 * Counts open connections by client address and refuses one over `perClient` with 429
 * problem+json before reading anything from it. Returns the current count of an address (tests, metrics).
 */
export function capConnectionsPerClient(server: Server, perClient: number, log: FastifyBaseLogger): (address: string) => number {
  const open = new Map<string, number>();
  const countOf = (address: string) => open.get(address) ?? 0;
  if (perClient === 0) return countOf;
  // Before the HTTP server's own listener: a refused socket is ended before anything is parsed.
  server.prependListener('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const count = countOf(address);
    if (count >= perClient) {
      log.warn({ client: address, open: count }, 'refused a connection: too many open from this address (MAX_CONNECTIONS_PER_CLIENT)');
      socket.on('error', () => undefined);
      socket.end(rawProblem(new errors.TooManyConnections(`this address already has ${count} connections open; close some, or reuse them (keep-alive)`)), () => socket.destroy());
      setTimeout(() => socket.destroy(), 1_000).unref();
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = countOf(address) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
  return countOf;
}
