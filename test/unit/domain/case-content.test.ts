import { describe, expect, it } from 'vitest';
import { appSchema } from '../../../src/config/schema.js';
import { editMarker, renderCase, renderEdit } from '../../../src/domain/case-content.js';
import type { Review } from '../../../src/domain/review.js';

const app = appSchema.parse({ id: 'ios', name: 'My App', store: 'app-store', appId: '123' });
const v1: Review = {
  store: 'app-store',
  appId: '123',
  reviewId: 'abc',
  rating: 2,
  title: 'Meh',
  text: 'Slow <b>app</b>',
  author: 'Ann',
  territory: 'USA',
  createdAt: '2026-11-01T10:00:00Z',
  origin: 'api',
  developerAnswer: { text: 'We are on it', state: 'PUBLISHED' },
};
const v2: Review = { ...v1, rating: 4, text: 'Better now', developerAnswer: undefined };

describe('case content', () => {
  it('renders subject, details, history and escapes HTML', () => {
    const c = renderCase({
      review: v2,
      app,
      history: [{ version: 1, seenAt: '2026-11-01T11:00:00Z', review: v1 }],
      credentialsMissing: false,
    });
    expect(c.subject).toBe('★★★★☆ App Store · My App: Meh');
    expect(c.content).toContain('Better now');
    expect(c.content).toContain('Country: USA');
    expect(c.content).toContain('Version 1');
    expect(c.content).toContain('Developer answer then: We are on it');
    expect(c.contentHtml).toContain('Slow &lt;b&gt;app&lt;/b&gt;');
    expect(c.contentHtml).not.toContain('<b>app</b>');
    expect(c.content).toContain('appstoreconnect.apple.com/apps/123');
  });

  it('says replies need credentials when they are missing', () => {
    const c = renderCase({ review: v1, app, history: [], credentialsMissing: true });
    expect(c.content).toMatch(/cannot be published yet.*asodesk-omni init/s);
  });

  it('uses templates from the config', () => {
    const c = renderCase({
      review: v1,
      app,
      history: [],
      credentialsMissing: false,
      templates: { subject: '[{{store}}] {{rating}}/5 {{author}}', body: '{{text}} — {{country}}' },
    });
    expect(c.subject).toBe('[App Store] 2/5 Ann');
    expect(c.content).toBe('Slow <b>app</b> — USA');
  });

  it('an edit shows old and new rating and text, with a marker', () => {
    const e = renderEdit(v1, v2, 'app-store:123:abc', 2);
    expect(e.content).toContain('★★☆☆☆ → ★★★★☆');
    expect(e.content).toContain('Before:\nSlow <b>app</b>');
    expect(e.content).toContain(editMarker('app-store:123:abc', 2));
  });
});
