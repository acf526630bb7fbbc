import winston from 'winston';
import { LoggingError } from './logging-error';
import { createRedactor, type Redactor } from './redaction';

/** Log levels, most severe first. */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;

/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Structured fields attached to a log line. */
export type LogMeta = Readonly<Record<string, unknown>>;

/**
 * The thin logging interface every service and package depends on. An `Error` passed as
 * `meta` is logged as `{ err: {name, message, code, stack} }`.
 */
export interface Logger {
  error(msg: string, meta?: LogMeta | Error): void;
  warn(msg: string, meta?: LogMeta | Error): void;
  info(msg: string, meta?: LogMeta | Error): void;
  debug(msg: string, meta?: LogMeta | Error): void;
  /** A logger that adds `meta` to every line (call-time fields win on conflict). */
  child(meta: LogMeta): Logger;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Service name, written as `service` on every line. */
  readonly service: string;
  /** Lowest level written; default `info`. */
  readonly level?: LogLevel;
  /**
   * Literal values (HMAC secret, FXCM token, passwords) cut out of every string logged.
   * Unset entries (`undefined`, `null`, `''`) are skipped, so optional config values can be passed as is.
   */
  readonly secrets?: ReadonlyArray<string | undefined | null>;
  /** Where JSON lines go; default `process.stdout`. */
  readonly stream?: NodeJS.WritableStream;
  /** Clock for the `ts` field (ms since epoch); default `Date.now`. */
  readonly now?: () => number;
}

/** Fields every line starts with; metadata cannot overwrite them. */
const RESERVED = new Set(['ts', 'level', 'service', 'msg']);
const LEVEL_NUMBERS: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };
const MESSAGE = Symbol.for('message');
const LINE = Symbol('fxcm.line');

type LineInfo = winston.Logform.TransformableInfo & { [LINE]?: string };

/** True when `value` names a {@link LogLevel}. */
export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);
}

/**
 * Creates a winston logger writing one JSON object per line:
 * `{"ts":"2024-05-01T12:00:00.000Z","level":"info","service":"publisher","msg":"started",...meta}`.
 * Metadata keys that look secret (`password`, `token`, `apiKey`, `authorization`, `cookie`, ...)
 * become `"[REDACTED]"` at any depth, and every literal in `secrets` is cut out of every string,
 * including `msg` and error messages and stacks. The caller's objects are never mutated.
 *
 * @example
 * const logger = createLogger({ service: 'publisher', level: config.logLevel, secrets: [config.hmacSecret] });
 * logger.info('started', { shard: 0 });
 * @throws LoggingError `LOG_LEVEL_INVALID` for an unknown level
 */
export function createLogger(options: LoggerOptions): Logger {
  const level = options.level ?? 'info';
  if (!isLogLevel(level)) {
    throw new LoggingError(
      'LOG_LEVEL_INVALID',
      `log level must be one of ${LOG_LEVELS.join('|')}, got ${JSON.stringify(level)}`,
    );
  }
  const redactor = createRedactor(options.secrets ?? []);
  const now = options.now ?? Date.now;
  const service = options.service;

  // The line is built by us (ordering, redaction); winston only filters by level and writes it.
  const passLine = winston.format((info: LineInfo) => {
    (info as Record<symbol, unknown>)[MESSAGE] = info[LINE];
    return info;
  });
  const sink = winston.createLogger({
    levels: LEVEL_NUMBERS,
    level,
    format: passLine(),
    transports: [new winston.transports.Stream({ stream: options.stream ?? process.stdout })],
  });

  const write = (lvl: LogLevel, msg: string, bound: LogMeta, meta: LogMeta | Error | undefined) => {
    if (LEVEL_NUMBERS[lvl] > LEVEL_NUMBERS[level]) return;
    const line = renderLine(redactor, now(), lvl, service, msg, bound, meta);
    const entry: winston.LogEntry = { level: lvl, message: '' };
    (entry as unknown as Record<symbol, unknown>)[LINE] = line;
    sink.log(entry);
  };

  const make = (bound: LogMeta): Logger => ({
    error: (msg, meta) => write('error', msg, bound, meta),
    warn: (msg, meta) => write('warn', msg, bound, meta),
    info: (msg, meta) => write('info', msg, bound, meta),
    debug: (msg, meta) => write('debug', msg, bound, meta),
    child: (meta) => make({ ...bound, ...meta }),
  });
  return make({});
}

/** Builds one JSON line: fixed fields first, then redacted metadata. */
function renderLine(
  redactor: Redactor,
  timeMs: number,
  level: LogLevel,
  service: string,
  msg: unknown,
  bound: LogMeta,
  meta: LogMeta | Error | undefined,
): string {
  const fields: Record<string, unknown> = { ...bound };
  if (meta instanceof Error) fields.err = meta;
  else if (meta !== undefined && meta !== null) Object.assign(fields, meta);

  const record: Record<string, unknown> = {
    ts: new Date(timeMs).toISOString(),
    level,
    service,
    msg: typeof msg === 'string' ? redactor.redactText(msg) : redactor.redactValue(msg),
  };
  const safe = redactor.redactValue(fields) as Record<string, unknown>;
  for (const [key, value] of Object.entries(safe)) {
    record[RESERVED.has(key) ? `meta_${key}` : key] = value;
  }
  return JSON.stringify(record);
}
