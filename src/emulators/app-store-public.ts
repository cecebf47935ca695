/**
 * Apple's public customer-reviews feed on loopback. Serves the JSON variant in the real shape:
 * label-wrapped scalars, newest first (by last update), 50 per page, at most 10 pages (page 11+
 * is refused like Apple does), paging links pointing at the XML variant, a bare object when a
 * page holds one entry, no `entry` for an app without reviews, and optionally the old first
 * entry describing the app itself.
 */
import { ServiceEmulator, EmulatorServer, type EmuRequest, type EmuResponse } from './harness.js';

export interface PublicFeedReview {
  id: string;
  appId: string;
  /** Storefront, alpha-2 lower case. */
  country: string;
  author: string;
  rating: number;
  title: string;
  text: string;
  version: string;
  /** ISO 8601 with offset, as Apple writes it (`2026-09-14T04:24:23-07:00`). */
  updated: string;
  voteSum: number;
  voteCount: number;
}

export interface AppStorePublicEmulatorOptions {
  /** Put the app's own description first on page 1, as feeds did years ago. */
  legacyAppEntry?: boolean;
}

const pageSize = 50;
const maxPages = 10;

/** Apple writes Cupertino time with its offset; keep the emulator's dates in that style. */
function pacificIso(ms: number): string {
  const shifted = new Date(ms - 7 * 3600_000).toISOString().replace(/\.\d{3}Z$/, '');
  return `${shifted}-07:00`;
}

function label(value: string): { label: string } {
  return { label: value };
}

export class AppStorePublicEmulator extends ServiceEmulator {
  override readonly server = new EmulatorServer({
    name: 'app-store-public',
    serverErrorResponse: (status) => ({
      status,
      text: '<html><body>Service Unavailable</body></html>',
      headers: { 'content-type': 'text/html' },
    }),
  });
  private readonly store: PublicFeedReview[] = [];
  private nextId = 14_548_543_700;
  private clock = Date.parse('2026-09-01T00:00:00Z');
  private readonly opts: AppStorePublicEmulatorOptions;
  private flakyEmpty = 0;

  constructor(opts: AppStorePublicEmulatorOptions = {}) {
    super();
    this.opts = opts;
    // Apple accepts the path segments in either order; the client uses page/id/sortby.
    this.server.route('GET', '/:country/rss/customerreviews/:a/:b/:c/json', (req) =>
      this.feed(req, [req.params.a, req.params.b, req.params.c]),
    );
    this.server.route('GET', '/:country/rss/customerreviews/:a/:b/json', (req) =>
      this.feed(req, [req.params.a, req.params.b]),
    );
    this.server.route('GET', '/:country/rss/customerreviews/:a/json', (req) => this.feed(req, [req.params.a]));
  }

  /** Adds a review (newest unless `updated` is given) and returns it. */
  addReview(
    appId: string,
    partial: Partial<Omit<PublicFeedReview, 'appId'>> = {},
    where: { country?: string } = {},
  ): PublicFeedReview {
    this.clock += 60_000;
    const review: PublicFeedReview = {
      id: partial.id ?? String(this.nextId++),
      appId,
      country: (where.country ?? partial.country ?? 'us').toLowerCase(),
      author: partial.author ?? 'Reviewer',
      rating: partial.rating ?? 5,
      title: partial.title ?? 'Title',
      text: partial.text ?? 'Text',
      version: partial.version ?? '1.0.0',
      updated: partial.updated ?? pacificIso(this.clock),
      voteSum: partial.voteSum ?? 0,
      voteCount: partial.voteCount ?? 0,
    };
    this.store.push(review);
    return review;
  }

  /** The customer edits the review: new content, new `updated`, so it moves to the top. */
  editReview(
    appId: string,
    id: string,
    patch: Partial<Pick<PublicFeedReview, 'rating' | 'title' | 'text' | 'version' | 'updated'>>,
  ): PublicFeedReview {
    const review = this.store.find((r) => r.appId === appId && r.id === id);
    if (!review) throw new Error(`no review ${id} for app ${appId}`);
    this.clock += 60_000;
    Object.assign(review, patch);
    if (!patch.updated) review.updated = pacificIso(this.clock);
    return review;
  }

  reviews(): PublicFeedReview[] {
    return [...this.store];
  }

  /** The next `count` pages that hold reviews come back empty, as the real feed now and then does. */
  flakyEmptyPages(count: number): void {
    this.flakyEmpty += count;
  }

  private feed(req: EmuRequest, segments: (string | undefined)[]): EmuResponse {
    const params = new Map<string, string>();
    for (const s of segments) {
      const [k, v] = (s ?? '').split('=');
      if (k && v !== undefined) params.set(k.toLowerCase(), v);
    }
    const country = req.params.country?.toLowerCase() ?? '';
    const appId = params.get('id');
    const page = Number(params.get('page') ?? '1');
    if (!/^[a-z]{2}$/.test(country) || !appId || !Number.isInteger(page) || page < 1) {
      return { status: 400, text: 'Invalid request', headers: { 'content-type': 'text/plain' } };
    }
    if (page > maxPages) {
      return {
        status: 400,
        text: 'CustomerReviews RSS page depth is limited to 10',
        headers: { 'content-type': 'text/plain' },
      };
    }
    const all = this.store
      .filter((r) => r.appId === appId && r.country === country)
      .sort((a, b) => Date.parse(b.updated) - Date.parse(a.updated))
      .slice(0, pageSize * maxPages);
    let lastPage = Math.max(1, Math.ceil(all.length / pageSize));
    let entries: unknown[] = all.slice((page - 1) * pageSize, page * pageSize).map((r) => this.entry(r));
    if (entries.length > 0 && this.flakyEmpty > 0) {
      this.flakyEmpty--;
      entries = [];
      lastPage = 1;
    }
    if (this.opts.legacyAppEntry && page === 1 && entries.length > 0) entries.unshift(this.appEntry(appId, country));
    const base = `https://itunes.apple.com/${country}/rss/customerreviews`;
    const desc = `?urlDesc=/customerreviews/id=${appId}/sortBy=mostRecent/json`;
    const link = (rel: string, p: number): unknown => ({
      attributes: { rel, href: `${base}/page=${p}/id=${appId}/sortby=mostrecent/xml${desc}` },
    });
    const feed: Record<string, unknown> = {
      author: { name: label('iTunes Store'), uri: label('http://www.apple.com/itunes/') },
      updated: label(pacificIso(this.clock)),
      rights: label('Copyright 2008 Apple Inc.'),
      title: label('iTunes Store: Customer Reviews'),
      icon: label('http://itunes.apple.com/favicon.ico'),
      link: [
        {
          attributes: {
            rel: 'alternate',
            type: 'text/html',
            href: `https://apps.apple.com/WebObjects/MZStore.woa/wa/viewGrouping?cc=${country}&id=1000`,
          },
        },
        { attributes: { rel: 'self', href: `${base}/id=${appId}/sortBy=mostRecent/page=${page}/json` } },
        link('first', 1),
        link('last', lastPage),
        link('previous', Math.max(1, page - 1)),
        link('next', Math.min(lastPage, page + 1)),
      ],
      id: label(`${base}/id=${appId}/sortBy=mostRecent/page=${page}/json`),
    };
    if (entries.length === 1) feed.entry = entries[0];
    else if (entries.length > 1) feed.entry = entries;
    return { status: 200, json: { feed }, headers: { 'content-type': 'text/javascript; charset=utf-8' } };
  }

  private entry(r: PublicFeedReview): unknown {
    return {
      author: {
        uri: label(`https://itunes.apple.com/${r.country}/reviews/id${1000 + (Number(r.id) % 1000)}`),
        name: label(r.author),
        label: '',
      },
      updated: label(r.updated),
      'im:rating': label(String(r.rating)),
      'im:version': label(r.version),
      id: label(r.id),
      title: label(r.title),
      content: { label: r.text, attributes: { type: 'text' } },
      link: {
        attributes: {
          rel: 'related',
          href: `https://itunes.apple.com/${r.country}/review?id=${r.appId}&type=Purple%20Software`,
        },
      },
      'im:voteSum': label(String(r.voteSum)),
      'im:contentType': { attributes: { term: 'Application', label: 'Application' } },
      'im:voteCount': label(String(r.voteCount)),
    };
  }

  private appEntry(appId: string, country: string): unknown {
    return {
      'im:name': label('Emulated App'),
      rights: label('© Emulated'),
      'im:price': { label: 'Get', attributes: { amount: '0.00000', currency: 'USD' } },
      'im:artist': label('Emulated Developer'),
      title: label('Emulated App - Emulated Developer'),
      link: {
        attributes: { rel: 'alternate', type: 'text/html', href: `https://apps.apple.com/${country}/app/id${appId}` },
      },
      id: { label: `https://apps.apple.com/${country}/app/id${appId}`, attributes: { 'im:id': appId } },
      'im:contentType': { attributes: { term: 'Application', label: 'Application' } },
    };
  }
}
