/**
 * Cross-field checks of `routing`, `drafts` and `autoReply` for config/load.ts. Types only:
 * the config loader must not pull the connectors in (an import cycle).
 */
import type { Config } from '../config/schema.js';
import type { ConfigProblem } from '../errors.js';

/** Cross-field checks of `routing`, `drafts` and `autoReply`: app ids and rule names must exist. */
export function routingProblems(config: Config): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const appIds = new Set(config.apps.map((a) => a.id));
  const checkApps = (apps: readonly string[] | undefined, path: string): void =>
    apps?.forEach((id, j) => {
      if (!appIds.has(id))
        problems.push({
          path: `${path}.${j}`,
          message: `no app "${id}" in apps (known: ${[...appIds].join(', ') || 'none'})`,
        });
    });
  const names = new Set<string>();
  config.routing.forEach((rule, i) => {
    if (names.has(rule.name))
      problems.push({ path: `routing.${i}.name`, message: `duplicate rule name "${rule.name}": names must differ` });
    names.add(rule.name);
    checkApps(rule.when.apps, `routing.${i}.when.apps`);
    const words = rule.when.words;
    if (words?.min !== undefined && words.max !== undefined && words.min > words.max)
      problems.push({ path: `routing.${i}.when.words`, message: `min ${words.min} is above max ${words.max}` });
  });
  config.drafts.templates.forEach((t, i) => {
    checkApps(t.apps, `drafts.templates.${i}.apps`);
    if (t.rule !== undefined && !names.has(t.rule))
      problems.push({ path: `drafts.templates.${i}.rule`, message: `no routing rule named "${t.rule}"` });
  });
  if (config.autoReply) {
    checkApps(config.autoReply.apps, 'autoReply.apps');
    if (config.drafts.templates.length === 0)
      problems.push({
        path: 'autoReply',
        message: 'auto-reply sends the matching draft: add drafts.templates first',
      });
  }
  return problems;
}
