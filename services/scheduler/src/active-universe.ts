import type { StreamTarget } from '@fxcm/contracts';

/** The heartbeat `context.universe` block (V1 shape plus the base and the cap). */
export interface UniverseSnapshot {
  dynamic_enabled: boolean;
  max_targets: number;
  base: { symbol: string; tf: string }[];
  active: { symbol: string; tf: string }[];
  /** When the active set last changed by `fxcm_set_universe`, epoch ms (null: never). */
  last_change_ts: number | null;
  last_reason: string | null;
}

/** Outcome of {@link ActiveUniverse.apply}. */
export type UniverseChange =
  { ok: true; active: StreamTarget[]; dropped: StreamTarget[] } | { ok: false; detail: string };

const key = (t: StreamTarget): string => `${t.symbol}|${t.tf}`;

/**
 * The (symbol, tf) targets the suite serves right now: the base targets of `stream.config`,
 * narrowed by `fxcm_set_universe` when the dynamic universe is enabled (V1: intersected with the
 * base, capped at `dynamic_universe_max_targets`). Pure; the caller pushes changes out.
 */
export class ActiveUniverse {
  private current: StreamTarget[];
  private lastChange: number | null = null;
  private lastReason: string | null = null;

  constructor(
    readonly base: readonly StreamTarget[],
    readonly dynamicEnabled: boolean,
    readonly maxTargets: number,
  ) {
    this.current = [...base];
  }

  /** The active targets, in base order. */
  active(): readonly StreamTarget[] {
    return this.current;
  }

  /** The symbols of the active targets, once each, in base order. */
  symbols(): string[] {
    return [...new Set(this.current.map((t) => t.symbol))];
  }

  /** True when some active target has this symbol. */
  hasSymbol(symbol: string): boolean {
    return this.current.some((t) => t.symbol === symbol);
  }

  /** True when (symbol, tf) is an active target. */
  has(symbol: string, tf: string): boolean {
    return this.current.some((t) => t.symbol === symbol && t.tf === tf);
  }

  /**
   * Sets the active targets to `wanted ∩ base` (base order), keeping the first `maxTargets`.
   * Refused when nothing of `wanted` is a base target: an empty universe would silence the feed.
   */
  apply(wanted: readonly StreamTarget[], now: number, reason?: string): UniverseChange {
    const asked = new Set(wanted.map(key));
    const kept = this.base.filter((t) => asked.has(key(t)));
    if (kept.length === 0) {
      return {
        ok: false,
        detail: `none of ${wanted.map(key).join(', ') || 'the targets'} is a base target (${this.base.map(key).join(', ')})`,
      };
    }
    const active = kept.slice(0, this.maxTargets);
    const baseKeys = new Set(this.base.map(key));
    const dropped = [
      ...wanted.filter((t) => !baseKeys.has(key(t))),
      ...kept.slice(this.maxTargets),
    ];
    this.current = active;
    this.lastChange = now;
    this.lastReason = reason ?? null;
    return { ok: true, active, dropped };
  }

  /** The heartbeat view. */
  snapshot(): UniverseSnapshot {
    const plain = (t: StreamTarget): { symbol: string; tf: string } => ({
      symbol: t.symbol,
      tf: t.tf,
    });
    return {
      dynamic_enabled: this.dynamicEnabled,
      max_targets: this.maxTargets,
      base: this.base.map(plain),
      active: this.current.map(plain),
      last_change_ts: this.lastChange,
      last_reason: this.lastReason,
    };
  }
}
