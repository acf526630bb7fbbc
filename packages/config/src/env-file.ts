import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from './config-error';
import { assertPrivateSecretsFile, SECRETS_ENV_VAR } from './secrets-file';

/** A flat environment: what `process.env` looks like. */
export type Env = Record<string, string | undefined>;

/** Name of the variable that selects the profile file layered over `.env` (V1 name). */
export const PROFILE_ENV_VAR = 'AI_ONE_ENV_FILE';

/** What each file-naming variable names, for error messages. */
const FILE_KIND: Record<string, string> = {
  [PROFILE_ENV_VAR]: 'profile',
  [SECRETS_ENV_VAR]: 'secrets',
};

const KEY_LINE = /^([A-Za-z_][A-Za-z0-9_.]*)\s*=\s?(.*)$/s;

/**
 * Parses dotenv text: `KEY=VALUE` lines, optional `export ` prefix, `#` comment lines and
 * trailing ` # comments` on unquoted values, single quotes (literal) and double quotes
 * (`\n`, `\r`, `\t`, `\"`, `\\` escapes; may span lines). No `${VAR}` interpolation.
 * A later duplicate key wins.
 *
 * @param text - file contents
 * @param source - file name used in error messages
 * @throws ConfigError `CONFIG_ENV_FILE_INVALID` naming `source:line` and why
 */
export function parseEnvFile(text: string, source = '<env>'): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const fail = (lineNo: number, why: string): never => {
    throw new ConfigError('CONFIG_ENV_FILE_INVALID', [
      { name: `${source}:${lineNo}`, message: `${source}:${lineNo}: ${why}` },
    ]);
  };

  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = (lines[i] ?? '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = KEY_LINE.exec(line.replace(/^export\s+/, ''));
    if (!match) fail(lineNo, `expected KEY=VALUE, got ${JSON.stringify(truncate(line))}`);
    const key = match?.[1] ?? '';
    let rest = (match?.[2] ?? '').trimStart();

    const quote = rest[0];
    if (quote === '"' || quote === "'") {
      // Quoted values may continue on the next lines until the closing quote.
      let body = rest.slice(1);
      let close = findClosingQuote(body, quote);
      while (close < 0 && i + 1 < lines.length) {
        i++;
        body += '\n' + (lines[i] ?? '');
        close = findClosingQuote(body, quote);
      }
      if (close < 0) fail(lineNo, `${key}: unterminated ${quote} quote`);
      const tail = body.slice(close + 1).trim();
      if (tail !== '' && !tail.startsWith('#')) {
        fail(
          lineNo,
          `${key}: unexpected text after closing quote: ${JSON.stringify(truncate(tail))}`,
        );
      }
      const raw = body.slice(0, close);
      out[key] = quote === '"' ? unescapeDouble(raw) : raw;
      continue;
    }

    // Unquoted: a `#` starts a comment only after whitespace, so `pa#ss` stays intact.
    const comment = rest.search(/\s#/);
    if (comment >= 0) rest = rest.slice(0, comment);
    if (rest.startsWith('#')) rest = '';
    out[key] = rest.trim();
  }
  return out;
}

function findClosingQuote(body: string, quote: string): number {
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (quote === '"' && ch === '\\') {
      i++;
      continue;
    }
    if (ch === quote) return i;
  }
  return -1;
}

function unescapeDouble(raw: string): string {
  return raw.replace(/\\([nrt"\\])/g, (_m, ch: string) => {
    switch (ch) {
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      default:
        return ch;
    }
  });
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Options of {@link loadEnvFiles}. */
export interface LoadEnvFilesOptions {
  /** Directory holding `.env`; the profile path is resolved against it too. */
  readonly cwd: string;
  /** The real environment (usually `process.env`); it always wins over file values. */
  readonly env: Env;
}

/** What {@link loadEnvLayers} found: the merged env and the files that were read, in order. */
export interface EnvLayers {
  /** `.env`, then the profile, then the secrets file, then the real environment on top. */
  readonly env: Env;
  /** Absolute paths of the files actually read (for the startup log line). */
  readonly files: readonly string[];
}

/**
 * Like {@link loadEnvFiles} but also reports which files were read.
 *
 * The secrets file named by `FXCM_SECRETS_FILE` (in the real env, the profile or `.env`) is read
 * after the profile and must not be accessible to other users.
 *
 * @throws ConfigError `CONFIG_ENV_FILE_MISSING` when `AI_ONE_ENV_FILE` or `FXCM_SECRETS_FILE`
 *   names a missing file, `CONFIG_ENV_FILE_INVALID` when a file cannot be parsed or read,
 *   `CONFIG_SECRETS_FILE_EXPOSED` when the secrets file is readable by other users
 */
export function loadEnvLayers({ cwd, env }: LoadEnvFilesOptions): EnvLayers {
  const files: string[] = [];
  const dotenvPath = resolve(cwd, '.env');
  const base = readEnvFile(dotenvPath, false);
  if (base) files.push(dotenvPath);

  // The profile switch may live in the real env or, as V1 recommends, in `.env` itself.
  const profileName = (env[PROFILE_ENV_VAR] ?? base?.[PROFILE_ENV_VAR] ?? '').trim();
  let profile: Record<string, string> | undefined;
  if (profileName !== '') {
    const profilePath = isAbsolute(profileName) ? profileName : resolve(cwd, profileName);
    profile = readEnvFile(profilePath, true);
    files.push(profilePath);
  }

  // Secrets come last among the files, from a file only the service's user may read.
  const secretsName = (
    env[SECRETS_ENV_VAR] ??
    profile?.[SECRETS_ENV_VAR] ??
    base?.[SECRETS_ENV_VAR] ??
    ''
  ).trim();
  let secrets: Record<string, string> | undefined;
  if (secretsName !== '') {
    const secretsPath = isAbsolute(secretsName) ? secretsName : resolve(cwd, secretsName);
    secrets = readEnvFile(secretsPath, true, SECRETS_ENV_VAR);
    assertPrivateSecretsFile(secretsPath);
    files.push(secretsPath);
  }

  const merged: Env = { ...base, ...profile, ...secrets };
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined) merged[key] = value;
  }
  return { env: merged, files };
}

/**
 * Returns the merged environment with the V1 layering: `.env` in `cwd`, then the profile
 * file named by `AI_ONE_ENV_FILE` (relative to `cwd`, e.g. `.env.local`), then the real
 * `env` on top. A missing `.env` is fine; a named profile that is missing is an error.
 *
 * @example
 * const env = loadEnvFiles({ cwd: process.cwd(), env: process.env });
 * @throws ConfigError `CONFIG_ENV_FILE_MISSING` | `CONFIG_ENV_FILE_INVALID`
 */
export function loadEnvFiles(options: LoadEnvFilesOptions): Env {
  return loadEnvLayers(options).env;
}

function readEnvFile(path: string, required: true, namedBy?: string): Record<string, string>;
function readEnvFile(path: string, required: false): Record<string, string> | undefined;
function readEnvFile(
  path: string,
  required: boolean,
  namedBy = PROFILE_ENV_VAR,
): Record<string, string> | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !required) return undefined;
    if (code === 'ENOENT') {
      throw new ConfigError('CONFIG_ENV_FILE_MISSING', [
        {
          name: namedBy,
          message: `${namedBy} names the ${FILE_KIND[namedBy]} file ${path}, which does not exist`,
        },
      ]);
    }
    throw new ConfigError('CONFIG_ENV_FILE_INVALID', [
      { name: path, message: `${path}: cannot be read (${(err as Error).message})` },
    ]);
  }
  return parseEnvFile(text, path);
}
