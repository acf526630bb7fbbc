/**
 * A gate's file run on its own (`node dist/gates/x.js`) refuses: a verdict counts only with the
 * runner's evidence (the configuration hash, the manifest, the proof pack), so a gate never
 * prints a pass that no one can check later.
 */
export function refuseDirectStart(gate: string): never {
  process.stderr.write(
    [
      `the ${gate} gate runs only under the gate runner, which records its evidence:`,
      `  pnpm gates --only ${gate}`,
      '',
    ].join('\n'),
  );
  process.exit(2);
}
