/**
 * Step 4: per-app filters, as the Asodesk integration offers them: review type, backlog,
 * ratings, countries or languages (those the store's reviews carry), length; labels on or off.
 */
import { lengthFilters, reviewTypes } from '../../../config/schema.js';
import { storeWizard } from '../../../connectors/stores/wizards.js';
import { currentFilters, parseCountries, parseLanguages, setFilters, type FilterAnswers } from '../questions.js';
import type { Wizard } from '../wizard.js';

export async function filtersStep(w: Wizard, which: 'all' | 'pick'): Promise<void> {
  const apps = w.draft.apps ?? [];
  if (apps.length === 0) {
    w.say(w.t.filters.noApps);
    return;
  }
  const indexes =
    which === 'all' || apps.length === 1
      ? apps.map((_, i) => i)
      : [
          await w.prompt.select<number>({
            message: w.t.filters.pickApp,
            choices: apps.map((a, i) => ({ name: `${a.id} (${storeWizard(a.store).name} ${a.appId})`, value: i })),
          }),
        ];
  for (const i of indexes) {
    w.draft = setFilters(w.draft, i, await askFilters(w, i));
    w.saveAs(w.t.what.filters(apps[i]!.id));
  }
}

/** An empty answer keeps the current value (the prompt's default); `-` clears it. */
export function clearable(text: string): string {
  return text.trim() === '-' ? '' : text;
}

async function askFilters(w: Wizard, index: number): Promise<FilterAnswers> {
  const t = w.t.filters;
  const app = w.draft.apps![index]!;
  const cur = currentFilters(app);
  w.say(t.forApp(app.id, app.store));
  const reviewType = await w.prompt.select({
    message: t.reviewType,
    choices: reviewTypes.map((v) => ({ name: t.reviewTypes[v], value: v })),
    default: cur.reviewType,
  });
  const backlog = Number(
    await w.prompt.input({
      message: t.backlog,
      default: String(cur.backlog),
      validate: (v) => (/^\d+$/.test(v.trim()) && Number(v) <= 100 ? true : t.backlogInvalid),
    }),
  );
  const ratings = await w.prompt.checkbox<number>({
    message: t.ratings,
    choices: [5, 4, 3, 2, 1].map((r) => ({
      name: `${'★'.repeat(r)}${'☆'.repeat(5 - r)} ${r}`,
      value: r,
      checked: cur.ratings.includes(r),
    })),
    validate: (chosen) => (chosen.length > 0 ? true : t.ratingsRequired),
  });
  let countries = cur.countries;
  let languages = cur.languages;
  const asks = storeWizard(app.store).filters;
  if (asks.countries) {
    const text = clearable(
      await w.prompt.input({
        message: cur.countries.length > 0 ? `${t.countries} ${t.clearHint}` : t.countries,
        default: cur.countries.join(', ') || undefined,
        validate: (v) => {
          const parsed = parseCountries(clearable(v));
          return 'bad' in parsed ? t.countriesInvalid(parsed.bad) : true;
        },
      }),
    );
    const parsed = parseCountries(text);
    countries = 'ok' in parsed ? parsed.ok : [];
  }
  if (asks.languages) {
    const text = clearable(
      await w.prompt.input({
        message: cur.languages.length > 0 ? `${t.languages} ${t.clearHint}` : t.languages,
        default: cur.languages.join(', ') || undefined,
        validate: (v) => {
          const parsed = parseLanguages(clearable(v));
          return 'bad' in parsed ? t.languagesInvalid(parsed.bad) : true;
        },
      }),
    );
    const parsed = parseLanguages(text);
    languages = 'ok' in parsed ? parsed.ok : [];
  }
  const length = await w.prompt.select({
    message: t.length,
    choices: lengthFilters.map((v) => ({ name: t.lengths[v], value: v })),
    default: cur.length,
  });
  const tags = await w.prompt.confirm({ message: t.tags, default: cur.tags });
  return { reviewType, backlog, ratings, countries, languages, length, tags };
}
