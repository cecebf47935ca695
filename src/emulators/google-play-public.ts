/**
 * Google Play's web reviews backend on loopback, answering what `google-play-scraper` v10 sends:
 *   POST /_/PlayStoreUi/data/batchexecute?rpcids=qnKhOb&…&hl={lang}&gl={country}&…
 *   body  f.req=[[["UsvDTd","[null,null,[2,{sort},[{count},null,{token|null}],null,[]],[\"{appId}\",7]]",null,"generic"]]]
 * and answering in Google's framing: `)]}'` + blank line + the envelope array whose
 * [0][2] is a JSON string of [reviews, [null, nextToken]] (or null when there is nothing).
 * Each review is the positional array the scraper reads: [0] id, [1][0] name, [1][1][3][2] avatar,
 * [2] stars, [4] text, [5] [seconds, nanos], [6] thumbs up, [7] [_, reply, [s, ns]], [10] version.
 */
import { ServiceEmulator, EmulatorServer, type EmuRequest, type EmuResponse } from './harness.js';

export interface WebReview {
  id: string;
  appId: string;
  /** Language the review is written in (`hl` filter), e.g. `en`, `ru`, `ja`. */
  lang: string;
  /** When set, the review is only listed for this `gl`. */
  country?: string | undefined;
  userName: string;
  userImage: string;
  score: number;
  text: string;
  /** Epoch ms of the last write (whole seconds keep the scraper's date parsing exact). */
  dateMs: number;
  thumbsUp: number;
  version: string | null;
  replyText?: string | undefined;
  replyDateMs?: number | undefined;
}

export interface GooglePlayPublicEmulatorOptions {
  /** Google answers fewer reviews than asked; the emulator caps pages at this size. */
  maxPageSize?: number;
}

const rpcId = 'UsvDTd';
const xssiPrefix = ")]}'\n\n";

function stamp(ms: number): [number, number] {
  return [Math.floor(ms / 1000), (ms % 1000) * 1_000_000];
}

function encodeToken(t: { o: number; a: string; h: string; s: number }): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

function decodeToken(token: string): { o: number; a: string; h: string; s: number } | undefined {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      o?: unknown;
      a?: unknown;
      h?: unknown;
      s?: unknown;
    };
    if (typeof t.o === 'number' && typeof t.a === 'string' && typeof t.h === 'string' && typeof t.s === 'number')
      return { o: t.o, a: t.a, h: t.h, s: t.s };
  } catch {
    // an unreadable token is answered like an unknown one
  }
  return undefined;
}

const primary = (lang: string): string => lang.toLowerCase().split(/[-_]/)[0] ?? '';

export class GooglePlayPublicEmulator extends ServiceEmulator {
  override readonly server = new EmulatorServer({
    name: 'google-play-public',
    serverErrorResponse: (status) => ({
      status,
      text: '<!DOCTYPE html><html><body>Error</body></html>',
      headers: { 'content-type': 'text/html; charset=utf-8' },
    }),
    rateLimitedResponse: () => ({
      status: 429,
      text: '<!DOCTYPE html><html><body>unusual traffic</body></html>',
      headers: { 'content-type': 'text/html; charset=utf-8' },
    }),
  });
  private readonly store: WebReview[] = [];
  private nextId = 1;
  private clock = Date.parse('2026-09-01T00:00:00Z');
  private readonly maxPageSize: number;

  constructor(opts: GooglePlayPublicEmulatorOptions = {}) {
    super();
    this.maxPageSize = opts.maxPageSize ?? 150;
    this.server.route('POST', '/_/PlayStoreUi/data/batchexecute', (req) => this.batchexecute(req));
  }

  addReview(
    appId: string,
    partial: Partial<Omit<WebReview, 'appId'>> = {},
    where: { lang?: string; country?: string } = {},
  ): WebReview {
    this.clock += 60_000;
    const n = this.nextId++;
    const review: WebReview = {
      id: partial.id ?? `gp:AOqpTOE${String(n).padStart(6, '0')}emulated${n.toString(36)}`,
      appId,
      lang: where.lang ?? partial.lang ?? 'en',
      country: where.country ?? partial.country,
      userName: partial.userName ?? 'A Google user',
      userImage: partial.userImage ?? `https://play-lh.googleusercontent.com/a/emulated${n}`,
      score: partial.score ?? 5,
      text: partial.text ?? 'Text',
      dateMs: partial.dateMs ?? this.clock,
      thumbsUp: partial.thumbsUp ?? 0,
      version: partial.version === undefined ? '1.0.0' : partial.version,
      replyText: partial.replyText,
      replyDateMs: partial.replyDateMs ?? (partial.replyText ? this.clock + 30_000 : undefined),
    };
    this.store.push(review);
    return review;
  }

  /** The user edits: new content and date, so the review moves to the top of NEWEST. */
  editReview(
    appId: string,
    id: string,
    patch: Partial<Pick<WebReview, 'score' | 'text' | 'version' | 'dateMs' | 'replyText' | 'replyDateMs'>>,
  ): WebReview {
    const review = this.store.find((r) => r.appId === appId && r.id === id);
    if (!review) throw new Error(`no review ${id} for app ${appId}`);
    this.clock += 60_000;
    Object.assign(review, { dateMs: this.clock }, patch);
    return review;
  }

  reviews(): WebReview[] {
    return [...this.store];
  }

  private batchexecute(req: EmuRequest): EmuResponse {
    const hl = req.query.get('hl') ?? 'en';
    const gl = (req.query.get('gl') ?? 'us').toLowerCase();
    const fReq = req.form?.get('f.req');
    const call = fReq ? parseCall(fReq) : undefined;
    if (!call)
      return {
        status: 400,
        text: xssiPrefix + JSON.stringify([['er', null, null, null, null, 400, null, null, null, 3]]),
        headers: { 'content-type': 'application/json; charset=utf-8' },
      };

    let offset = 0;
    if (call.token) {
      const t = decodeToken(call.token);
      if (!t || t.a !== call.appId || t.h !== hl || t.s !== call.sort) return this.answer(null);
      offset = t.o;
    }
    const matching = this.store
      .filter(
        (r) =>
          r.appId === call.appId && primary(r.lang) === primary(hl) && (!r.country || r.country.toLowerCase() === gl),
      )
      .sort(orderFor(call.sort));
    if (matching.length === 0) return this.answer(null);
    const size = Math.min(call.count, this.maxPageSize);
    const page = matching.slice(offset, offset + size);
    const next =
      offset + size < matching.length ? encodeToken({ o: offset + size, a: call.appId, h: hl, s: call.sort }) : null;
    return this.answer([page.map(encodeReview), next ? [null, next] : null]);
  }

  private answer(payload: unknown): EmuResponse {
    const envelope = [
      ['wrb.fr', rpcId, payload === null ? null : JSON.stringify(payload), null, null, null, 'generic'],
      ['di', 42],
      ['af.httprm', 41, '-6523960347093491247', 14],
    ];
    return {
      status: 200,
      text: xssiPrefix + JSON.stringify(envelope),
      headers: { 'content-type': 'application/json; charset=utf-8' },
    };
  }
}

function parseCall(
  fReq: string,
): { appId: string; sort: number; count: number; token: string | undefined } | undefined {
  try {
    const outer = JSON.parse(fReq) as unknown[][][];
    const [id, innerText] = outer[0]?.[0] ?? [];
    if (id !== rpcId || typeof innerText !== 'string') return undefined;
    const inner = JSON.parse(innerText) as [
      null,
      null,
      [number, number, [number, null, string | null], null, unknown[]],
      [string, number],
    ];
    const [, , opts, target] = inner;
    const appId = target[0];
    const count = opts[2][0];
    if (typeof appId !== 'string' || !Number.isInteger(count) || count < 1) return undefined;
    return { appId, sort: opts[1], count, token: opts[2][2] ?? undefined };
  } catch {
    return undefined;
  }
}

function orderFor(sort: number): (a: WebReview, b: WebReview) => number {
  if (sort === 3) return (a, b) => b.score - a.score || b.dateMs - a.dateMs;
  if (sort === 1) return (a, b) => b.thumbsUp - a.thumbsUp || b.dateMs - a.dateMs;
  return (a, b) => b.dateMs - a.dateMs;
}

function encodeReview(r: WebReview): unknown[] {
  const reply = r.replyText ? [null, r.replyText, stamp(r.replyDateMs ?? r.dateMs)] : null;
  return [
    r.id,
    [r.userName, [null, 2, [96, 96], [null, null, r.userImage]]],
    r.score,
    null,
    r.text,
    stamp(r.dateMs),
    r.thumbsUp,
    reply,
    null,
    null,
    r.version,
    null,
    null,
  ];
}
