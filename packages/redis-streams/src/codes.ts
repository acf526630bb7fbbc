import { STREAM_ERROR_CODES } from '@fxcm/contracts';

/**
 * The codes `@fxcm/redis-streams` and the Redis start-up checks report: in status records
 * (`errors[].code`), on dead-letter entries (`code`) and in the `code` label of
 * `fxcm_stream_dead_lettered_total`. They are a family of the one registry in `@fxcm/contracts`.
 */
export const STREAM_CODES = STREAM_ERROR_CODES;

/** A code of {@link STREAM_CODES}. */
export type StreamCode = keyof typeof STREAM_CODES;
