/**
 * Structured JSON logs, one line per event, always with the request id. Personal data never reaches
 * a log: keys that can hold it are replaced before writing.
 */
const REDACTED_KEYS = /^(phone|email|mobile|tel|authorization|token|password|idempotency-key)$/i;
const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
type Level = keyof typeof LEVELS;

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[deep]';
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      out[k] = REDACTED_KEYS.test(k) ? '[redacted]' : redact(v, depth + 1);
    return out;
  }
  return value;
}

export interface Logger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

export function createLogger(base: Record<string, unknown>, minLevel: Level = 'info'): Logger {
  const write = (level: Level, message: string, data?: Record<string, unknown>) => {
    if (LEVELS[level] < LEVELS[minLevel] || process.env.LOG_SILENT === '1') return;
    const line = JSON.stringify({
      time: new Date().toISOString(),
      level,
      message,
      ...base,
      ...(data ? (redact(data) as Record<string, unknown>) : {}),
    });
    (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(`${line}\n`);
  };
  return {
    debug: (m, d) => write('debug', m, d),
    info: (m, d) => write('info', m, d),
    warn: (m, d) => write('warn', m, d),
    error: (m, d) => write('error', m, d),
  };
}
