#!/usr/bin/env node
import { main } from '../dist/cli.js';

main(process.argv).then((code) => {
  // Exit explicitly: keep-alive sockets or timers must not keep a cron job hanging.
  process.exit(code);
});
