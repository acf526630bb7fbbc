export { createRedis, reconnectDelay, DEFAULT_RECONNECT } from './client';
export type { CreateRedisOptions, ReconnectPolicy } from './client';
export { StreamConsumer } from './consumer';
export type { StreamConsumerOptions, StreamEntry, ConsumerErrorContext } from './consumer';
export { StreamProducer } from './producer';
export type { StreamProducerOptions } from './producer';
export { interruptibleSleep } from './sleep';
export type { Sleeper } from './sleep';
