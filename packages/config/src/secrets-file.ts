import { statSync } from 'node:fs';
import { ConfigError } from './config-error';

/** Name of the variable that names the secrets file layered over `.env` and the profile. */
export const SECRETS_ENV_VAR = 'FXCM_SECRETS_FILE';

/** Permission bits that let anyone but the owner and its group read or change the file. */
const OTHER_ACCESS = 0o007;

/**
 * Refuses a secrets file that other users can read or write: the access token and the HMAC
 * secret must stay with the service's own user (`chmod 600`, or `640` with a dedicated group).
 *
 * @param path - absolute path of the secrets file (it exists: checked after reading it)
 * @throws ConfigError `CONFIG_SECRETS_FILE_EXPOSED` naming the file and its mode
 */
export function assertPrivateSecretsFile(path: string): void {
  const mode = statSync(path).mode & 0o777;
  if ((mode & OTHER_ACCESS) === 0) return;
  const octal = mode.toString(8).padStart(3, '0');
  throw new ConfigError('CONFIG_SECRETS_FILE_EXPOSED', [
    {
      name: SECRETS_ENV_VAR,
      message: `${SECRETS_ENV_VAR} names ${path} with mode ${octal}, which other users can access; run \`chmod 600 ${path}\``,
    },
  ]);
}
