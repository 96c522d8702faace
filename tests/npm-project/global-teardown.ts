import * as fs from 'fs';

// Removes what the setup saved: a run leaves no signed-in state behind.
export default async function globalTeardown() {
  fs.rmSync('playwright/.auth/state.json', { force: true });
}
