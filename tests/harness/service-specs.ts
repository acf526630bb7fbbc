import { configSpec as barBuilder } from '../../services/bar-builder/src/config';
import { configSpec as gateway } from '../../services/fxcm-gateway/src/config';
import { configSpec as ingestor } from '../../services/ingestor/src/config';
import { configSpec as publisher } from '../../services/publisher/src/config';
import { configSpec as scheduler } from '../../services/scheduler/src/config';
import type { ServiceName } from './suite';

/** Each service's configuration declaration, for checks of deployment files against it. */
export const SERVICE_SPECS = {
  'fxcm-gateway': gateway,
  'bar-builder': barBuilder,
  scheduler,
  publisher,
  ingestor,
} satisfies Record<ServiceName, unknown>;

/** The environment variables a service declares. */
export function envNamesOf(service: ServiceName): Set<string> {
  return new Set(SERVICE_SPECS[service].fields.flatMap((f) => (f.env ? [f.env] : [])));
}

/** The environment variables any service declares as a secret. */
export function secretEnvNames(): Set<string> {
  return new Set(
    Object.values(SERVICE_SPECS).flatMap((spec) =>
      spec.fields.flatMap((f) => ('secret' in f && f.secret && f.env ? [f.env] : [])),
    ),
  );
}
