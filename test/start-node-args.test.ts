import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startNodeArgs } from '@datasync/config';
import { root } from '@datasync/testkit';

const newSpaceMiB = (flags: string[]) =>
  Number(
    execFileSync(process.execPath, [
      ...flags,
      '-e',
      // Fill the young generation with short-lived objects so it grows to its maximum, then print its size.
      "let k=[];for(let i=0;i<3e6;i++){k.push({i});if(k.length>5e4)k=[]}console.log(require('v8').getHeapSpaceStatistics().find(s=>s.space_name==='new_space').space_size/2**20)",
    ]).toString(),
  );

// bench/README.md figure 6: Node 24 grew V8's young generation 32 → 128 MiB and the YClients
// worker's peak RSS with it; its `pnpm start` sets it back, and every launcher takes that flag.
describe("the node flags of an app's pnpm start", () => {
  it('give the YClients worker a young generation of at most 32 MiB (Node 20 size), and leave the other apps alone', () => {
    const yclients = startNodeArgs(path.join(root, 'apps', 'worker-yclients'));
    expect(yclients).toEqual(['--max-semi-space-size=16']);
    expect(newSpaceMiB(yclients)).toBeLessThanOrEqual(32); // 128 MiB without the flag on Node 24
    for (const app of ['gateway', 'sandbox', 'worker-avito']) expect(startNodeArgs(path.join(root, 'apps', app)), app).toEqual([]);
  });
});
