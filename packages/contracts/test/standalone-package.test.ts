/**
 * Builds the package the way it is published (`files: ["dist"]`) into a scratch folder and uses
 * it from a plain TypeScript consumer that has no access to contracts/ or src/: the .d.ts must
 * type-check and the CommonJS build must validate and verify on its own.
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const PKG = path.join(__dirname, '..');
const REPO_ROOT = path.join(PKG, '..', '..');
const TSC = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsc');

const CONSUMER = `
import { validate, describeErrors, verifyOhlcvSignature, encodeOhlcvMessage, channelNames, type Ohlcv } from '@fxcm/contracts';
const vector = JSON.parse(process.argv[2] ?? '{}') as { message: string; secret: string };
const parsed: unknown = JSON.parse(vector.message);
const out: string[] = [];
if (validate.ohlcv(parsed)) {
  const msg: Ohlcv = parsed;
  out.push('valid ' + msg.symbol + ' ' + String(msg.bars.length));
} else {
  out.push('invalid ' + describeErrors(validate.ohlcv.errors));
}
out.push('sig ' + String(verifyOhlcvSignature(vector.message, vector.secret, 'sha256')));
const own = encodeOhlcvMessage({ symbol: 'EURUSD', tf: '1m', bars: [{ open_time: 1399248000000, close_time: 1399248059999, open: 1, high: 1, low: 1, close: 1, volume: 3 }] }, { secret: 'k' });
out.push('own ' + String(verifyOhlcvSignature(own, 'k')));
out.push('channel ' + channelNames({}).ohlcv);
console.log(out.join('\\n'));
`;

test('the built package works standalone for a TypeScript consumer', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'contracts-consumer-'));
  try {
    const pkgDir = path.join(dir, 'node_modules', '@fxcm', 'contracts');
    mkdirSync(pkgDir, { recursive: true });
    const build = spawnSync(
      TSC,
      ['-p', 'tsconfig.build.json', '--outDir', path.join(pkgDir, 'dist')],
      {
        cwd: PKG,
        encoding: 'utf8',
      },
    );
    expect(build.stdout + build.stderr).toBe('');
    cpSync(path.join(PKG, 'package.json'), path.join(pkgDir, 'package.json'));
    for (const dep of ['ajv', 'ajv-formats']) {
      symlinkSync(
        realpathSync(path.join(PKG, 'node_modules', dep)),
        path.join(dir, 'node_modules', dep),
      );
    }
    mkdirSync(path.join(dir, 'node_modules', '@types'));
    symlinkSync(
      realpathSync(path.join(REPO_ROOT, 'node_modules', '@types', 'node')),
      path.join(dir, 'node_modules', '@types', 'node'),
    );
    writeFileSync(path.join(dir, 'consumer.ts'), CONSUMER);
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'Node16',
          moduleResolution: 'Node16',
          strict: true,
          outDir: 'out',
          types: ['node'],
          skipLibCheck: false,
        },
        files: ['consumer.ts'],
      }),
    );
    const tsc = spawnSync(TSC, ['-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');

    const vector = readFileSync('/work/shared/vectors/ohlcv-hmac.jsonl', 'utf8').split('\n')[0]!;
    const run = spawnSync(process.execPath, [path.join(dir, 'out', 'consumer.js'), vector], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim().split('\n')).toEqual([
      'valid XAUUSD 1',
      'sig true',
      'own true',
      'channel fxcm:ohlcv',
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
