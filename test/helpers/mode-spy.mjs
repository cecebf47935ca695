// Preload (node --import) for tests: records the mode of every file node:fs creates, read from
// the open descriptor right after creation (before any chmod could run), into $MODE_SPY_LOG.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import process from 'node:process';

const created = [];
const creates = (flags) =>
  typeof flags === 'string' ? /[wax]/.test(flags) : typeof flags === 'number' && (flags & fs.constants.O_CREAT) !== 0;
const record = (path, fd) => {
  if (typeof path === 'string') created.push({ path: String(path), mode: fs.fstatSync(fd).mode });
};

const openSync = fs.openSync;
fs.openSync = function (path, flags = 'r', mode) {
  const existed = fs.existsSync(path);
  const fd = openSync.call(this, path, flags, mode);
  if (!existed && creates(flags)) record(path, fd);
  return fd;
};
const writeFileSync = fs.writeFileSync;
fs.writeFileSync = function (file, data, options) {
  if (typeof file !== 'string') return writeFileSync.call(this, file, data, options);
  const existed = fs.existsSync(file);
  const result = writeFileSync.call(this, file, data, options);
  if (!existed) created.push({ path: file, mode: fs.statSync(file).mode });
  return result;
};
syncBuiltinESMExports();
process.on('exit', () => writeFileSync(process.env.MODE_SPY_LOG, JSON.stringify(created)));
