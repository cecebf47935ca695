// Another process writing to the same disk, as a backup or a log shipper would: 1 MiB chunks,
// each followed by fdatasync, into a file that is cut back every 64 MiB. Runs until SIGTERM.
//   node bench/disk-writer-child.mjs <file>
import { closeSync, fdatasyncSync, ftruncateSync, openSync, writeSync } from 'node:fs';

const file = process.argv[2];
const fd = openSync(file, 'w', 0o600);
const chunk = Buffer.alloc(1 << 20, 7);
let stopping = false;
process.on('SIGTERM', () => (stopping = true));
let written = 0;
const step = () => {
  if (stopping) {
    closeSync(fd);
    process.exit(0);
  }
  writeSync(fd, chunk, 0, chunk.length, written);
  fdatasyncSync(fd);
  written += chunk.length;
  if (written >= 64 << 20) {
    ftruncateSync(fd, 0);
    written = 0;
  }
  // Yield so SIGTERM is seen; the writes themselves keep the disk busy.
  setImmediate(step);
};
console.log('ready');
step();
