#!/usr/bin/env node
/* global URL */
// Plain, old JavaScript on purpose: this file must run on any Node to say which one is needed.
// The program itself is imported only after the check (a static import would be loaded first).
var need = [20, 17];
var have = process.versions.node.split('.').map(Number);
if (have[0] < need[0] || (have[0] === need[0] && have[1] < need[1])) {
  process.stderr.write(
    'asodesk-omni needs Node.js ' +
      need.join('.') +
      ' or newer; this is Node.js ' +
      process.versions.node +
      '.\n' +
      'Install a current Node.js (https://nodejs.org, or `nvm install 22`), then run the command again.\n',
  );
  // 78 (EX_CONFIG): the environment, not the command, is wrong. Documented in the README.
  process.exit(78);
}

// `asodesk-omni demo | head -3`: the reader went away; that is not an error of ours.
function quietOnPipeClosed(stream) {
  stream.on('error', function (err) {
    if (err && err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}
quietOnPipeClosed(process.stdout);
quietOnPipeClosed(process.stderr);

var dist = new URL('../dist/cli.js', import.meta.url);
import(dist.href)
  .catch(function (err) {
    // A clone used without `npm install` (or `npm run build`): say so instead of a stack trace.
    if (
      err &&
      err.code === 'ERR_MODULE_NOT_FOUND' &&
      String(err.message).indexOf('dist') >= 0 &&
      String(err.message).indexOf('cli.js') >= 0
    ) {
      var root = decodeURIComponent(new URL('..', import.meta.url).pathname);
      process.stderr.write(
        'asodesk-omni is not built yet (no ' +
          decodeURIComponent(dist.pathname) +
          ').\n' +
          'Run `npm install` (it builds) or `npm run build` in ' +
          root +
          ', then run the command again.\n',
      );
      process.exit(1);
    }
    throw err;
  })
  .then(function (cli) {
    cli.installLastResort(function (code) {
      process.exit(code);
    });
    return cli.main(process.argv).then(function (code) {
      // Exit explicitly: keep-alive sockets or timers must not keep a cron job hanging.
      process.exit(code);
    });
  });
