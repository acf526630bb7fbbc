import { readFileSync } from 'node:fs';
import { readmePath, SERVICE_SPECS, withConfigTable } from './config-tables';

describe('service READMEs', () => {
  it.each(Object.keys(SERVICE_SPECS))(
    '%s lists its configuration exactly as declared (pnpm docs:config)',
    (service) => {
      const path = readmePath(service);
      const readme = readFileSync(path, 'utf8');
      expect(readme).toBe(withConfigTable(readme, SERVICE_SPECS[service]!, path));
    },
  );
});
