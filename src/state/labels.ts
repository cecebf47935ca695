/** Omnidesk label ids by title, so a label is looked up or created once, not every run. */
import type { StateDb } from './handle.js';

export class LabelCache {
  constructor(private readonly db: StateDb) {}

  get(title: string): Promise<number | undefined> {
    return this.db.value<number>('SELECT label_id FROM labels WHERE title = ?', [title]);
  }

  /** Lazy: a cache of Omnidesk's own labels; one lost to a power loss is looked up again. */
  async set(title: string, id: number): Promise<void> {
    await this.db.transaction(
      () =>
        this.db.run(
          'INSERT INTO labels (title, label_id) VALUES (?, ?) ON CONFLICT (title) DO UPDATE SET label_id = excluded.label_id',
          [title, id],
        ),
      { durability: 'lazy' },
    );
  }
}
