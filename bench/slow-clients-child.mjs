// A separate process holding N slow connections (slowloris) to a listener: each sends part of
// its headers, then one byte a second, and is opened again when the server cuts it, so N stay
// open for the whole run. Prints "ready N" once N are connected; stops on SIGTERM or stdin end.
//   node bench/slow-clients-child.mjs <port> <count>
import { Socket } from 'node:net';

const port = Number(process.argv[2]);
const count = Number(process.argv[3] ?? 1000);
let open = 0;
let reopened = 0;
let ready = false;
let stopping = false;

function connect() {
  const s = new Socket();
  let timer;
  s.on('error', () => {});
  s.resume();
  s.on('close', () => {
    clearInterval(timer);
    open -= 1;
    if (!stopping) {
      reopened += 1;
      setImmediate(connect);
    }
  });
  s.connect(port, '127.0.0.1', () => {
    open += 1;
    s.write('POST /omnidesk/webhook/slow HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
    timer = setInterval(() => s.destroyed || s.write('a'), 1000);
    if (!ready && open >= count) {
      ready = true;
      process.stdout.write(`ready ${open}\n`);
    }
  });
}

for (let i = 0; i < count; i++) connect();
const stop = () => {
  stopping = true;
  process.stdout.write(`stopped open=${open} reopened=${reopened}\n`);
  process.exit(0);
};
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
