import { writeFileSync } from 'node:fs';
import { startWorld } from '../src/emulators/world.js';
const world = await startWorld({ dir: '/tmp/perf-w' });
writeFileSync('/tmp/perf-w/args', `-q -c ${world.configPath} --db ${world.dbPath}`);
console.log('ready');
process.on('SIGTERM', () => void world.stop().then(() => process.exit(0)));
