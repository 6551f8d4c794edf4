/**
 * JSON log lines in the shape Cloud Logging reads: `severity`, `message`, and the trace of the
 * request that caused them. Never pass message bodies, subjects or addresses above debug.
 */

export type Severity = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR';
export type LogLevel = 'debug' | 'info' | 'warning' | 'error';
type Fields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, fields?: Fields): void;
  info(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  error(message: string, fields?: Fields): void;
  /** A logger whose lines also carry these fields (a trace id, a run id). */
  with(fields: Fields): Logger;
}

const RANK: Record<Severity, number> = { DEBUG: 0, INFO: 1, WARNING: 2, ERROR: 3 };
const LEVEL_TO_SEVERITY: Record<LogLevel, Severity> = {
  debug: 'DEBUG',
  info: 'INFO',
  warning: 'WARNING',
  error: 'ERROR',
};

export type LogSink = (line: string) => void;

export function createLogger(
  level: LogLevel = 'info',
  sink: LogSink = (line) => process.stdout.write(`${line}\n`),
  base: Fields = {},
): Logger {
  const min = RANK[LEVEL_TO_SEVERITY[level]];
  const write = (severity: Severity, message: string, fields?: Fields) => {
    if (RANK[severity] < min) return;
    sink(
      JSON.stringify(
        { severity, message, time: new Date().toISOString(), ...base, ...fields },
        errorReplacer,
      ),
    );
  };
  return {
    debug: (message, fields) => write('DEBUG', message, fields),
    info: (message, fields) => write('INFO', message, fields),
    warn: (message, fields) => write('WARNING', message, fields),
    error: (message, fields) => write('ERROR', message, fields),
    with: (fields) => createLogger(level, sink, { ...base, ...fields }),
  };
}

/** A logger that drops everything, for tests that do not look at logs. */
export const silentLogger: Logger = createLogger('error', () => {});

/** Errors serialise as name, message and stack instead of `{}`. */
function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error)
    return { name: value.name, message: value.message, stack: value.stack };
  return value;
}

/**
 * The Cloud Logging trace field for a request, from `X-Cloud-Trace-Context: TRACE/SPAN;o=1`
 * or W3C `traceparent: 00-TRACE-SPAN-01`.
 */
export function traceFields(
  headers: { get(name: string): string | null | undefined },
  project: string | undefined,
): Fields {
  const cloud = headers.get('x-cloud-trace-context')?.split('/')[0];
  const w3c = headers.get('traceparent')?.split('-')[1];
  const trace = cloud && /^[0-9a-f]{32}$/i.test(cloud) ? cloud : w3c;
  if (!trace || !/^[0-9a-f]{32}$/i.test(trace)) return {};
  return {
    'logging.googleapis.com/trace': project ? `projects/${project}/traces/${trace}` : trace,
  };
}
