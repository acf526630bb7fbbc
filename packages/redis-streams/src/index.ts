export {
  createRedis,
  duplicateRedis,
  multiBySlot,
  reconnectDelay,
  slotGroups,
  slotKeyOf,
  DEFAULT_RECONNECT,
} from './client';
export type { CreateRedisOptions, ReconnectPolicy, SlotCommand } from './client';
export { STREAM_CODES } from './codes';
export type { StreamCode } from './codes';
export { StreamConsumer } from './consumer';
export type {
  StreamConsumerOptions,
  StreamEntry,
  ConsumerErrorContext,
  EntryRejection,
  HandlerContext,
} from './consumer';
export {
  deadLetterStreamOf,
  deadLetterFields,
  parseDeadLetter,
  listDeadLetters,
  replayDeadLetters,
} from './dead-letter';
export type { DeadLetter } from './dead-letter';
export { classifyFailure } from './failure-class';
export type { FailureClass } from './failure-class';
export { StreamProducer } from './producer';
export type { StreamProducerOptions } from './producer';
export { interruptibleSleep } from './sleep';
export { parseStreamId, streamIdAfter, streamIdMs, type StreamIdParts } from './stream-id';
export type { Sleeper } from './sleep';
