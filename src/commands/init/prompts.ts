/**
 * The questions the wizard asks, as an interface: the real one is @inquirer/prompts (v7),
 * tests inject a scripted one. Validators return `true` or the message to show.
 */
import { createPrompt, isEnterKey, makeTheme, useKeypress, usePrefix, useState } from '@inquirer/core';
import { checkbox, input, password, select } from '@inquirer/prompts';
import chalk from 'chalk';
import type { Lang } from './questions.js';

export interface Choice<T> {
  name: string;
  value: T;
  description?: string | undefined;
  checked?: boolean | undefined;
}

export type Validate<T> = (value: T) => true | string;

export interface InputQuestion {
  message: string;
  default?: string | undefined;
  validate?: Validate<string> | undefined;
}

export interface Prompter {
  input(q: InputQuestion): Promise<string>;
  /** Typed text is masked; nothing is echoed. */
  password(q: { message: string; validate?: Validate<string> | undefined }): Promise<string>;
  select<T>(q: { message: string; choices: readonly Choice<T>[]; default?: T | undefined }): Promise<T>;
  checkbox<T>(q: {
    message: string;
    choices: readonly Choice<T>[];
    validate?: Validate<readonly T[]> | undefined;
  }): Promise<T[]>;
  confirm(q: { message: string; default?: boolean | undefined }): Promise<boolean>;
}

/** Ctrl-C (or a closed terminal) inside a prompt: @inquirer rejects with ExitPromptError. */
export function isPromptExit(err: unknown): boolean {
  return err instanceof Error && (err.name === 'ExitPromptError' || err.name === 'AbortPromptError');
}

/** Key hints under the lists, in the wizard's language (inquirer's own are English). */
const keyWords: Record<Lang, Record<string, string>> = {
  en: {},
  ru: { navigate: 'выбор', select: 'отметить', submit: 'готово', all: 'все', invert: 'обратить', space: 'пробел' },
};

function themeFor(
  lang: Lang,
  list: 'select' | 'checkbox',
): { style: { keysHelpTip: (keys: [string, string][]) => string } } {
  const words = keyWords[lang];
  return {
    style: {
      keysHelpTip: (keys) =>
        keys
          .map(([key, action]) => {
            // In a single-choice list "select" means "choose and go on".
            const a = list === 'select' && action === 'select' && lang === 'ru' ? 'выбрать' : (words[action] ?? action);
            return `${chalk.bold(words[key] ?? key)} ${chalk.dim(a)}`;
          })
          .join(chalk.dim(' • ')),
    },
  };
}

const yesNo: Record<
  Lang,
  { yes: RegExp; no: RegExp; yesWord: string; noWord: string; hintYes: string; hintNo: string }
> = {
  en: { yes: /^(y|yes)$/i, no: /^(n|no)$/i, yesWord: 'Yes', noWord: 'No', hintYes: 'Y/n', hintNo: 'y/N' },
  // `y`/`n` still work: a Latin keyboard layout is common.
  ru: { yes: /^(д|да|y|yes)$/i, no: /^(н|нет|n|no)$/i, yesWord: 'Да', noWord: 'Нет', hintYes: 'Д/н', hintNo: 'д/Н' },
};

/** Reads д/н (or y/n) as typed: inquirer's confirm takes any word not starting with "n" as yes. */
export function readYesNo(lang: Lang, text: string, dflt: boolean): boolean | undefined {
  const t = text.trim();
  if (t === '') return dflt;
  const words = yesNo[lang];
  if (words.yes.test(t)) return true;
  if (words.no.test(t)) return false;
  return undefined;
}

const confirmPrompt = createPrompt<boolean, { message: string; default: boolean; lang: Lang }>((config, done) => {
  const [status, setStatus] = useState<'idle' | 'done'>('idle');
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const theme = makeTheme({});
  const prefix = usePrefix({ status, theme });
  const words = yesNo[config.lang];
  useKeypress((key, rl) => {
    if (status !== 'idle') return;
    if (isEnterKey(key)) {
      const answer = readYesNo(config.lang, value, config.default);
      if (answer === undefined) {
        setError(config.lang === 'ru' ? 'Ответьте «д» (да) или «н» (нет).' : 'Answer y (yes) or n (no).');
        return;
      }
      setValue(answer ? words.yesWord : words.noWord);
      setStatus('done');
      done(answer);
    } else {
      setError(undefined);
      setValue(rl.line);
    }
  });
  const message = theme.style.message(config.message, status);
  if (status === 'done') return `${prefix} ${message} ${theme.style.answer(value)}`;
  const hint = ` ${theme.style.defaultAnswer(config.default ? words.hintYes : words.hintNo)}`;
  return [`${prefix} ${message}${hint} ${value}`, error ? theme.style.error(error) : ''];
});

export function inquirerPrompter(lang: Lang = 'en'): Prompter {
  return {
    input: (q) => input({ message: q.message, default: q.default, validate: q.validate }),
    password: (q) => password({ message: q.message, mask: '*', validate: q.validate }),
    select: <T>(q: { message: string; choices: readonly Choice<T>[]; default?: T | undefined }) =>
      select<T>({
        message: q.message,
        choices: q.choices.map((c) => ({ name: c.name, value: c.value, description: c.description })),
        default: q.default,
        pageSize: 12,
        theme: themeFor(lang, 'select'),
      }),
    checkbox: <T>(q: {
      message: string;
      choices: readonly Choice<T>[];
      validate?: Validate<readonly T[]> | undefined;
    }) =>
      checkbox<T>({
        message: q.message,
        choices: q.choices.map((c) => ({ name: c.name, value: c.value, checked: c.checked ?? false })),
        validate: q.validate ? (chosen) => q.validate!(chosen.map((c) => c.value)) : undefined,
        theme: themeFor(lang, 'checkbox'),
      }),
    confirm: (q) => confirmPrompt({ message: q.message, default: q.default ?? true, lang }),
  };
}

/** Inquirer's Ctrl-C error, for a Ctrl-C pressed while a check runs (no prompt is listening then). */
class InterruptedDuringCheck extends Error {
  override name = 'ExitPromptError';
}

/**
 * Runs a live check with the terminal's keys swallowed: what is typed while "Checking…" shows
 * must not answer the next question. Ctrl-C still stops the wizard (raw mode hides SIGINT).
 */
export async function swallowKeys<T>(task: () => Promise<T>, stdin: NodeJS.ReadStream = process.stdin): Promise<T> {
  if (!stdin.isTTY) return task();
  let interrupt: (err: Error) => void = () => {};
  const interrupted = new Promise<never>((_, reject) => {
    interrupt = reject;
  });
  const onData = (chunk: Buffer | string): void => {
    if (String(chunk).includes('\x03')) interrupt(new InterruptedDuringCheck('Ctrl-C during a check'));
  };
  const wasRaw = stdin.isRaw;
  stdin.setRawMode(true);
  stdin.on('data', onData);
  stdin.resume();
  try {
    return await Promise.race([task(), interrupted]);
  } finally {
    stdin.off('data', onData);
    stdin.pause();
    stdin.setRawMode(wasRaw);
  }
}
