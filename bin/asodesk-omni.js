#!/usr/bin/env node
import { installLastResort, main } from '../dist/cli.js';

installLastResort((code) => process.exit(code));
main(process.argv).then((code) => {
  // Exit explicitly: keep-alive sockets or timers must not keep a cron job hanging.
  process.exit(code);
});
