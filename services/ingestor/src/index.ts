/**
 * The ingestor as a library, for what must store bars exactly as the service does (the
 * replay-determinism gate): the V1 rails of an `fxcm:ohlcv` payload and the bar store. The
 * service itself starts from `main.ts`.
 */
export { BarStore } from './bar-store';
export {
  checkOhlcvPayload,
  type IngestedBar,
  type OhlcvRails,
  type RailsCheck,
} from './ohlcv-rails';
