/**
 * A scripted Prompter for the `init` wizard: each step names the prompt it expects (text or
 * regex on the message) and the answer. Validators run as with inquirer: a refused answer is
 * recorded and the next scripted answer (same prompt) is tried. `CTRL_C` (or running out of
 * script) throws the ExitPromptError inquirer throws on Ctrl-C.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Choice, InputQuestion, Prompter, Validate } from '../../src/commands/init/prompts.js';

/** Accept the prompt's default (Enter). */
export const ENTER = Symbol('enter');
/** Ctrl-C at this prompt. */
export const CTRL_C = Symbol('ctrl-c');

export interface ScriptStep {
  /** Part of the prompt's message, or a pattern. */
  q: string | RegExp;
  /** The answer; a function is called when the prompt comes up and its result is the answer. */
  a: unknown;
}

export interface Asked {
  kind: 'input' | 'password' | 'select' | 'checkbox' | 'confirm';
  message: string;
  default: unknown;
  choices?: string[];
}

export class ExitPromptError extends Error {
  override name = 'ExitPromptError';
  constructor() {
    super('User force closed the prompt with SIGINT');
  }
}

export class ScriptedPrompter implements Prompter {
  readonly asked: Asked[] = [];
  readonly refused: { message: string; answer: unknown; reason: string }[] = [];
  private readonly script: ScriptStep[];

  constructor(script: ScriptStep[]) {
    this.script = [...script];
  }

  get remaining(): number {
    return this.script.length;
  }

  private take(asked: Asked): unknown {
    this.asked.push(asked);
    const step = this.script.shift();
    if (!step || step.a === CTRL_C) throw new ExitPromptError();
    const ok = typeof step.q === 'string' ? asked.message.includes(step.q) : step.q.test(asked.message);
    if (!ok)
      throw new Error(`script expected a prompt matching ${String(step.q)}, the wizard asked: "${asked.message}"`);
    // A function answers when the prompt is reached (to change the world at that moment).
    return typeof step.a === 'function' ? (step.a as () => unknown)() : step.a;
  }

  private validated<T>(asked: Asked, value: (answer: unknown) => T, validate: Validate<T> | undefined): T {
    for (;;) {
      const v = value(this.take(asked));
      const verdict = validate ? validate(v) : true;
      if (verdict === true) return v;
      this.refused.push({ message: asked.message, answer: v, reason: verdict });
    }
  }

  async input(q: InputQuestion): Promise<string> {
    return this.validated(
      { kind: 'input', message: q.message, default: q.default },
      (a) => (a === ENTER ? (q.default ?? '') : String(a)),
      q.validate,
    );
  }

  async password(q: { message: string; validate?: Validate<string> | undefined }): Promise<string> {
    return this.validated(
      { kind: 'password', message: q.message, default: undefined },
      (a) => (a === ENTER ? '' : String(a)),
      q.validate,
    );
  }

  async select<T>(q: { message: string; choices: readonly Choice<T>[]; default?: T | undefined }): Promise<T> {
    const asked: Asked = {
      kind: 'select',
      message: q.message,
      default: q.default,
      choices: q.choices.map((c) => c.name),
    };
    const a = this.take(asked);
    if (a === ENTER) return q.default ?? q.choices[0]!.value;
    // An answer is a value, or the text of a choice's name.
    const found =
      q.choices.find((c) => isDeepStrictEqual(c.value, a)) ??
      q.choices.find((c) => typeof a === 'string' && c.name.includes(a));
    if (!found)
      throw new Error(`"${String(a)}" is not a choice of "${q.message}": ${q.choices.map((c) => c.name).join(' | ')}`);
    return found.value;
  }

  async checkbox<T>(q: {
    message: string;
    choices: readonly Choice<T>[];
    validate?: Validate<readonly T[]> | undefined;
  }): Promise<T[]> {
    const asked: Asked = {
      kind: 'checkbox',
      message: q.message,
      default: q.choices.filter((c) => c.checked).map((c) => c.value),
      choices: q.choices.map((c) => c.name),
    };
    return this.validated(
      asked,
      (a) => (a === ENTER ? q.choices.filter((c) => c.checked).map((c) => c.value) : (a as T[])),
      q.validate,
    );
  }

  async confirm(q: { message: string; default?: boolean | undefined }): Promise<boolean> {
    const a = this.take({ kind: 'confirm', message: q.message, default: q.default });
    return a === ENTER ? (q.default ?? true) : Boolean(a);
  }
}
