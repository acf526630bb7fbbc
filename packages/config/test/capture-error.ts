import { ConfigError } from '../src';

/** Runs `fn` and returns the `ConfigError` it throws; any other outcome fails the test. */
export function captureError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}
