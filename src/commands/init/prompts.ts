/**
 * The questions the wizard asks, as an interface: the real one is @inquirer/prompts (v7),
 * tests inject a scripted one. Validators return `true` or the message to show.
 */
import { checkbox, confirm, input, password, select } from '@inquirer/prompts';

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
  checkbox<T>(q: { message: string; choices: readonly Choice<T>[]; validate?: Validate<readonly T[]> | undefined }): Promise<T[]>;
  confirm(q: { message: string; default?: boolean | undefined }): Promise<boolean>;
}

/** Ctrl-C (or a closed terminal) inside a prompt: @inquirer rejects with ExitPromptError. */
export function isPromptExit(err: unknown): boolean {
  return err instanceof Error && (err.name === 'ExitPromptError' || err.name === 'AbortPromptError');
}

export function inquirerPrompter(): Prompter {
  return {
    input: (q) => input({ message: q.message, default: q.default, validate: q.validate }),
    password: (q) => password({ message: q.message, mask: '*', validate: q.validate }),
    select: <T>(q: { message: string; choices: readonly Choice<T>[]; default?: T | undefined }) =>
      select<T>({ message: q.message, choices: q.choices.map((c) => ({ name: c.name, value: c.value, description: c.description })), default: q.default, pageSize: 12 }),
    checkbox: <T>(q: { message: string; choices: readonly Choice<T>[]; validate?: Validate<readonly T[]> | undefined }) =>
      checkbox<T>({
        message: q.message,
        choices: q.choices.map((c) => ({ name: c.name, value: c.value, checked: c.checked ?? false })),
        validate: q.validate ? (chosen) => q.validate!(chosen.map((c) => c.value)) : undefined,
      }),
    confirm: (q) => confirm({ message: q.message, default: q.default }),
  };
}
