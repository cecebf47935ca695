// `npm run dev -- <args>`: run from source with tsx, no build step.
import { main } from './cli.js';

void main(process.argv).then((code) => process.exit(code));
