import { normalizeSymbol } from '@fxcm/contracts';
import { FxcmError } from './fxcm-errors';

/** FXCM's documented static offer ids (defaults only: the Offer model is the truth). */
export const DEFAULT_OFFER_IDS: Readonly<Record<string, number>> = {
  'EUR/USD': 1,
  'USD/JPY': 2,
  'GBP/USD': 3,
  'USD/CHF': 4,
  'EUR/CHF': 5,
  'AUD/USD': 6,
  'USD/CAD': 7,
  'NZD/USD': 8,
  'EUR/GBP': 9,
  'EUR/JPY': 10,
  'GBP/JPY': 11,
  'CHF/JPY': 12,
  'GBP/CHF': 13,
  'EUR/AUD': 14,
  'EUR/CAD': 15,
  'AUD/CAD': 16,
  'AUD/JPY': 17,
  'CAD/JPY': 18,
  'NZD/JPY': 19,
  'GBP/CAD': 20,
  'GBP/NZD': 21,
  'GBP/AUD': 22,
  'AUD/NZD': 28,
  'USD/SEK': 30,
  'EUR/SEK': 32,
  'EUR/NOK': 36,
  'USD/NOK': 37,
  'USD/MXN': 38,
  'AUD/CHF': 39,
  'EUR/NZD': 40,
  'USD/ZAR': 47,
  'USD/HKD': 50,
  'ZAR/JPY': 71,
  'USD/TRY': 83,
  'EUR/TRY': 87,
  'NZD/CHF': 89,
  'CAD/CHF': 90,
  'NZD/CAD': 91,
  'TRY/JPY': 98,
  'USD/ILS': 100,
  'USD/CNH': 105,
  AUS200: 1001,
  ESP35: 1002,
  FRA40: 1003,
  GER30: 1004,
  HKG33: 1005,
  JPN225: 1007,
  NAS100: 1008,
  SPX500: 1010,
  UK100: 1012,
  US30: 1013,
  Copper: 1016,
  CHN50: 1020,
  EUSTX50: 1035,
  USDOLLAR: 1058,
  US2000: 1060,
  USOil: 2001,
  UKOil: 2002,
  SOYF: 2003,
  NGAS: 2015,
  WHEATF: 2020,
  CORNF: 2021,
  Bund: 3001,
  'XAU/USD': 4001,
  'XAG/USD': 4002,
  'XAU/EUR': 4005,
  'XAU/AUD': 4006,
  'XAU/TRY': 4007,
  'ETH/USD': 8003,
  'LTC/USD': 8004,
};

/** An instrument as FXCM knows it. */
export interface Offer {
  /** FXCM spelling (`EUR/USD`, `US30`). */
  instrument: string;
  offerId: number;
}

/** Offers by normalised symbol (`EURUSD`). */
export type OfferTable = ReadonlyMap<string, Offer>;

/**
 * Reads the `offers` rows of a `get_model?models=Offer` answer (`currency` is the instrument,
 * `offerId` its id; `isTotal` rows are totals, skipped) into a table keyed by normalised symbol.
 */
export function offerTableOf(body: Record<string, unknown>): Map<string, Offer> {
  const rows = body['offers'];
  if (!Array.isArray(rows))
    throw new FxcmError('FXCM_BAD_RESPONSE', 'get_model Offer: no "offers" array');
  const table = new Map<string, Offer>();
  for (const row of rows as unknown[]) {
    if (row === null || typeof row !== 'object') continue;
    const r = row as Record<string, unknown>;
    if (r['isTotal'] === true) continue;
    const instrument = r['currency'];
    const id = typeof r['offerId'] === 'string' ? Number(r['offerId']) : r['offerId'];
    if (typeof instrument !== 'string' || typeof id !== 'number' || !Number.isInteger(id)) continue;
    table.set(normalizeSymbol(instrument), { instrument, offerId: id });
  }
  return table;
}

/** The documented defaults as an {@link OfferTable}. */
export function defaultOfferTable(): Map<string, Offer> {
  return new Map(
    Object.entries(DEFAULT_OFFER_IDS).map(([instrument, offerId]) => [
      normalizeSymbol(instrument),
      { instrument, offerId },
    ]),
  );
}

/** Looks a symbol up in the live table, then the defaults; FXCM_UNKNOWN_INSTRUMENT otherwise. */
export function resolveOffer(
  symbol: string,
  live: OfferTable,
  defaults: OfferTable = defaultOfferTable(),
): Offer {
  const key = normalizeSymbol(symbol);
  const offer = live.get(key) ?? defaults.get(key);
  if (!offer) {
    throw new FxcmError(
      'FXCM_UNKNOWN_INSTRUMENT',
      `${symbol}: not in FXCM's Offer table nor the documented offer ids`,
    );
  }
  return offer;
}
