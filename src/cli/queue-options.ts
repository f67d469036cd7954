import type { Command } from 'commander';

/** The queue the commands use unless --name says otherwise. */
const DEFAULT_QUEUE_NAME = 'dicentra-cases';

export interface QueueOptions {
  queue: string;
  name: string;
}

/** --queue and --name, shared by `worker`, `submit` and `queue-status`. */
export function withQueueOptions(command: Command): Command {
  return command
    .requiredOption(
      '--queue <redis://host:port>',
      'the Redis server holding the case queue (rediss:// for TLS; redis://:PASSWORD@host:port with a password)',
    )
    .option('--name <queue>', 'the queue’s name in that Redis server', DEFAULT_QUEUE_NAME);
}

export const queueAddress = (options: QueueOptions) => ({ url: options.queue, name: options.name });
