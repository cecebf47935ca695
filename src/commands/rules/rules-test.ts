/**
 * `asodesk-omni rules test [--review <key>]`: a stored review, or a JSON review on stdin, run
 * through the routing rules; nothing is sent. `--json` prints the result object.
 */
import { loadConfig } from '../../config/load.js';
import { ExitCode, UserError, type ExitCodeValue } from '../../errors.js';
import { testJsonReview, testStoredReview, type RulesTestResult } from '../../engine/rules-test.js';
import type { CommandContext } from '../context.js';
import { renderRulesTest } from './render.js';
import { stateTarget } from '../../config/state-url.js';
import { openExistingState } from '../../state/open.js';

export interface RulesTestOptions {
  review?: string | undefined;
}

async function readStdin(stdin: NodeJS.ReadableStream & { isTTY?: boolean }): Promise<string> {
  if (stdin.isTTY)
    throw new UserError(
      'No review to test: give --review <key> or pipe a JSON review on stdin.',
      ExitCode.usage,
      'Example: echo \'{"app":"ios","rating":1,"text":"Crashes"}\' | asodesk-omni rules test',
    );
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

export async function rulesTestCommand(
  ctx: CommandContext,
  opts: RulesTestOptions,
  stdin: NodeJS.ReadableStream & { isTTY?: boolean } = process.stdin,
): Promise<ExitCodeValue> {
  const config = loadConfig(ctx.location, ctx.env);
  let result: RulesTestResult;
  if (opts.review !== undefined) {
    const db = await openExistingState(stateTarget(ctx.location, config.state?.url));
    if (!db)
      throw new UserError(
        `No state file at ${ctx.location.dbPath}: no review is stored yet.`,
        ExitCode.usage,
        'Run `asodesk-omni sync` first, or pipe a JSON review on stdin.',
      );
    try {
      result = await testStoredReview(config, db, opts.review.trim());
    } finally {
      await db.close();
    }
  } else {
    result = testJsonReview(config, await readStdin(stdin));
  }
  ctx.out(ctx.json ? JSON.stringify(result, null, 2) : renderRulesTest(result, config.routing.length));
  return ExitCode.ok;
}
