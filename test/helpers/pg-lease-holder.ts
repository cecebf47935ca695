/**
 * A child process holding a PostgreSQL lease and its liveness lock (run with `node --import
 * tsx`): prints `held <holder>` once both are taken, then waits to be killed. The URL comes in
 * the environment, not the command line (which other users may read).
 */
import { PgLiveness, tryLease } from '../../src/state/postgres/leases.js';
import { PgStateDb } from '../../src/state/postgres/pg-handle.js';

const url = process.env.ASODESK_OMNI_TEST_LEASE_URL ?? '';
const name = process.argv[2] ?? 'sync';
const db = await PgStateDb.connect(url);
const lease = await tryLease(db, name);
if (!lease) {
  process.stdout.write('busy\n');
  process.exit(3);
}
const liveness = await PgLiveness.start(db);
process.stdout.write(`held ${liveness.holder}\n`);
setInterval(() => {}, 60_000);
