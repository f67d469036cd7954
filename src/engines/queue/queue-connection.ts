import { Queue, type ConnectionOptions } from 'bullmq';
import { DicentraError } from '../../formats/dicentra-error.js';

/** Where the queue lives: a Redis URL and the queue's name in it. */
export interface QueueAddress {
  readonly url: string;
  readonly name: string;
}

/** The URL as it may be printed: a password replaced by `***`. */
export function displayUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString().replace(/\/$/, '');
}

/** Checks `--queue redis://HOST:PORT` (or rediss:// for TLS) before anything connects. */
export function checkQueueUrl(url: string): void {
  const parsed = URL.canParse(url) ? new URL(url) : null;
  if (!parsed || !['redis:', 'rediss:'].includes(parsed.protocol) || parsed.hostname === '') {
    throw new DicentraError('DCN_E_OPTION_INVALID', `--queue ${url} is not a Redis URL`, {
      field: '--queue',
      hint: 'give redis://HOST:PORT (e.g. redis://10.0.0.5:6379), or rediss://… for TLS',
    });
  }
}

/** The error for a Redis that cannot be reached (refused, unknown host, timed out). */
export function queueUnreachable(url: string, cause: unknown): DicentraError {
  const reason = cause instanceof Error && cause.message ? ` (${cause.message})` : '';
  return new DicentraError(
    'DCN_E_QUEUE_UNREACHABLE',
    `cannot reach the Redis server of the queue at ${displayUrl(url)}${reason}`,
    {
      field: '--queue',
      hint: 'start redis-server on that host (e.g. `redis-server --port 6379`), check the host and port in --queue, and that this machine may connect to it (bind address, firewall)',
      cause,
    },
  );
}

/**
 * A connection for a command that must answer now (submit, queue-status):
 * three tries a quarter second apart, then the error, instead of ioredis's
 * endless reconnecting.
 */
export function briefConnection(url: string): ConnectionOptions {
  return {
    url,
    connectTimeout: 2000,
    // ioredis waits this long for a failed socket to close before it lets the process exit
    disconnectTimeout: 100,
    retryStrategy: (times: number) => (times > 3 ? null : 250),
  };
}

/** A connection for a worker: BullMQ's default reconnecting (1 s growing to 20 s) for as long as it runs. */
export function lastingConnection(url: string): ConnectionOptions {
  return { url };
}

/** Opens the queue and waits until Redis answers; an unreachable Redis is DCN_E_QUEUE_UNREACHABLE. */
export async function openQueue(address: QueueAddress): Promise<Queue> {
  checkQueueUrl(address.url);
  const queue = new Queue(address.name, { connection: briefConnection(address.url) });
  let lastError: unknown;
  queue.on('error', (error) => (lastError = error));
  try {
    await queue.waitUntilReady();
  } catch (error) {
    await queue.close().catch(() => undefined);
    throw queueUnreachable(address.url, error ?? lastError);
  }
  return queue;
}

/** Runs `body` with the queue open, and closes it afterwards. */
export async function withQueue<T>(
  address: QueueAddress,
  body: (queue: Queue) => Promise<T>,
): Promise<T> {
  const queue = await openQueue(address);
  try {
    return await body(queue);
  } finally {
    await queue.close().catch(() => undefined);
  }
}
