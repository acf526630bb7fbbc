/**
 * The closed set of outcomes a command on `fxcm:commands` can end in, with what each means.
 * Every message, however malformed, ends in exactly one of these; they are the only values of
 * the `code` metric label and of `last_command.code`. docs/commands.md lists them (a test keeps
 * the two in step).
 */
export const COMMAND_CODES = {
  ok: { outcome: 'accepted', meaning: 'The command was applied (jobs enqueued, control sent).' },
  symbol_not_targeted: {
    outcome: 'ignored',
    meaning: 'The symbol is not among the active stream targets (V1: ignored).',
  },
  tf_not_targeted: {
    outcome: 'ignored',
    meaning:
      'The (symbol, tf) is not an active target and is not a warmup of 15m/30m/1h/4h/1d (V1: ignored).',
  },
  rate_limited: {
    outcome: 'ignored',
    meaning: 'The same (symbol, tf, type) came again within the rate-limit interval (V1: 2 s).',
  },
  dynamic_universe_disabled: {
    outcome: 'ignored',
    meaning: 'fxcm_set_universe while FXCM_DYNAMIC_UNIVERSE_ENABLED is off (the V1 default).',
  },
  command_payload_too_large: {
    outcome: 'rejected',
    meaning: 'The raw message is larger than 16 KiB.',
  },
  invalid_json: { outcome: 'rejected', meaning: 'The message is not a JSON object.' },
  contract_error: {
    outcome: 'rejected',
    meaning: 'The command does not satisfy its JSON Schema contract (wrong type, missing key, …).',
  },
  invalid_symbol: {
    outcome: 'rejected',
    meaning: 'The symbol does not normalize to 2–16 characters of A-Z, 0-9.',
  },
  invalid_timeframe: {
    outcome: 'rejected',
    meaning: 'The timeframe spelling is not one of 1m, 5m, 15m, 30m, 1h, 4h, 1d (any spelling).',
  },
  invalid_args: {
    outcome: 'rejected',
    meaning: 'The arguments are malformed or out of range (V2 args, empty ranges, bad targets).',
  },
  unknown_command: {
    outcome: 'rejected',
    meaning: 'The command type is not one this suite knows.',
  },
  auth_required: {
    outcome: 'rejected',
    meaning: 'An envelope without auth while authentication is required.',
  },
  auth_failed: {
    outcome: 'rejected',
    meaning: 'The envelope signature does not verify, or its key id is unknown.',
  },
  auth_ts_skew: {
    outcome: 'rejected',
    meaning: 'The envelope ts is more than 5 minutes from now.',
  },
  replay_rejected: {
    outcome: 'rejected',
    meaning: 'The envelope nonce was already used within the skew window.',
  },
  not_implemented: {
    outcome: 'rejected',
    meaning: 'A known V2 command this suite does not run yet (see docs/commands.md).',
  },
  enqueue_failed: {
    outcome: 'error',
    meaning: 'The command was valid but Redis refused the history job or control entry.',
  },
  command_error: {
    outcome: 'error',
    meaning: 'An unexpected failure while interpreting the command (a defect; logged as error).',
  },
} as const;

/** One code of {@link COMMAND_CODES}. */
export type CommandCode = keyof typeof COMMAND_CODES;

/** What happened to a command: applied, deliberately not applied, refused, or failed. */
export type CommandOutcome = (typeof COMMAND_CODES)[CommandCode]['outcome'];

/** Every code, in declaration order. */
export const COMMAND_CODE_LIST = Object.keys(COMMAND_CODES) as CommandCode[];

/** Command types this suite knows (V1 `type` and V2 `cmd`); anything else is labelled `unknown`. */
export const COMMAND_TYPES = [
  'fxcm_warmup',
  'fxcm_backfill',
  'fxcm_set_universe',
  'fxcm_tail_guard',
  'fxcm_republish_tail',
  'fxcm_reconcile_tail',
  'fxcm_bootstrap',
] as const;

/** A known command type, or `unknown` (the bounded metric label). */
export type CommandTypeLabel = (typeof COMMAND_TYPES)[number] | 'unknown';

/** The metric label of whatever arrived as a type: known names pass, anything else is `unknown`. */
export function commandTypeLabel(raw: unknown): CommandTypeLabel {
  return typeof raw === 'string' && (COMMAND_TYPES as readonly string[]).includes(raw)
    ? (raw as CommandTypeLabel)
    : 'unknown';
}
