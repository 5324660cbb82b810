import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/** JSON logs (one object per line); tests pass a destination stream to capture them. */
export function createLogger(options: { name: string; level: string; destination?: DestinationStream }): Logger {
  const base = { level: options.level, name: options.name };
  return options.destination ? pino(base, options.destination) : pino(base);
}
