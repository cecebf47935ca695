/**
 * Ordered schema steps; `PRAGMA user_version` records how many have run. Append only.
 * No column ever holds a secret: credentials live in the config file alone.
 */
export const migrations: readonly string[] = [
  `
  CREATE TABLE app_state (
    app_key TEXT PRIMARY KEY,            -- store:appId
    first_sync_at TEXT,                  -- set when the backlog was decided
    last_sync_at TEXT,
    last_outcome TEXT,                   -- ok | failed | partial
    last_error TEXT,
    last_complete_pull_at TEXT,          -- review window watch (stores serving only recent reviews)
    last_full_scan_at TEXT
  );

  CREATE TABLE reviews (
    review_key TEXT PRIMARY KEY,         -- store:appId:reviewId
    app_key TEXT NOT NULL,
    store TEXT NOT NULL,
    app_id TEXT NOT NULL,
    review_id TEXT NOT NULL,
    origin TEXT NOT NULL,                -- api | public
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    latest_version INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    updated_at TEXT,                     -- store's own edit time when it has one
    decision TEXT NOT NULL,              -- deliver | dropped | backlog-skipped
    drop_reason TEXT,
    case_id INTEGER,
    case_user_id INTEGER,
    alias_of TEXT                        -- canonical key when a public-source id was matched to an API id
  );
  CREATE INDEX reviews_app ON reviews(app_key);
  CREATE INDEX reviews_case ON reviews(case_id);

  CREATE TABLE review_versions (
    review_key TEXT NOT NULL,
    version INTEGER NOT NULL,
    seen_at TEXT NOT NULL,
    rating INTEGER NOT NULL,
    title TEXT,
    text TEXT NOT NULL,
    author TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT,
    territory TEXT,
    language TEXT,
    app_version TEXT,
    device TEXT,
    os_version TEXT,
    thumbs_up INTEGER,
    thumbs_down INTEGER,
    answer_text TEXT,
    answer_state TEXT,
    answer_updated_at TEXT,
    review_json TEXT NOT NULL,           -- the normalised review as seen, for templates and history
    PRIMARY KEY (review_key, version)
  );

  -- Outbox to Omnidesk: one row per review version to deliver. The row is written before
  -- the request and completed after it, so an unknown outcome can be reconciled.
  CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    review_key TEXT NOT NULL,
    version INTEGER NOT NULL,
    kind TEXT NOT NULL,                  -- create | edit
    state TEXT NOT NULL,                 -- pending | sending | done | failed
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    case_id INTEGER,
    message_id INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (review_key, version)
  );
  CREATE INDEX deliveries_state ON deliveries(state);

  -- Reply outbox: keyed by Omnidesk's message id, so a webhook delivered twice publishes once.
  CREATE TABLE replies (
    message_id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL,
    review_key TEXT,
    staff_id INTEGER,
    text TEXT NOT NULL,
    has_attachments INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL,                 -- pending | sending | awaiting | published | rejected | refused | failed
    store_state TEXT,                    -- PUBLISHED | PENDING_PUBLISH | MODERATION | REJECTED
    answer_id TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    note_state TEXT,                     -- which outcome was last noted in the case
    received_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    next_attempt_at TEXT
  );
  CREATE INDEX replies_state ON replies(state);

  CREATE TABLE cursors (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );

  CREATE TABLE labels (
    title TEXT PRIMARY KEY,
    label_id INTEGER NOT NULL
  );

  CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    command TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    outcome TEXT,                        -- ok | partial | failed | crashed
    report_json TEXT
  );

  -- Requests spent against store quotas (per-app hourly/daily budgets).
  CREATE TABLE api_usage (
    key TEXT NOT NULL,
    at INTEGER NOT NULL
  );
  CREATE INDEX api_usage_key_at ON api_usage(key, at);

  CREATE TABLE locks (
    name TEXT PRIMARY KEY,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    token TEXT NOT NULL,
    acquired_at TEXT NOT NULL,
    heartbeat_at TEXT NOT NULL
  );
  `,
  // Omnidesk is the truth (issue #13): the channel's cases as last read, indexed by review key,
  // and who holds a reply or note claim, so a dead process's claim is taken over at once.
  `
  CREATE TABLE channel_cases (
    review_key TEXT PRIMARY KEY,         -- the case field / user_custom_id value
    case_id INTEGER NOT NULL,
    user_id INTEGER,
    seen_at TEXT NOT NULL
  );
  ALTER TABLE replies ADD COLUMN claim_holder TEXT;   -- pid@host#start of the publishing process
  ALTER TABLE replies ADD COLUMN note_holder TEXT;    -- same, while an outcome note is being posted
  ALTER TABLE reviews ADD COLUMN case_adopted_at TEXT; -- the case was found in Omnidesk, not made by this state
  CREATE INDEX reviews_alias ON reviews(alias_of);     -- a review's earlier keys, looked up before each create
  `,
  `
  -- Store records that failed their schema (connectors set them aside; the rest of the page
  -- flows). Not retried as failures; status shows them. One row per record id, or per
  -- reason when no id could be read.
  CREATE TABLE set_aside (
    app_key TEXT NOT NULL,
    record_key TEXT NOT NULL,
    record_id TEXT,
    reason TEXT NOT NULL,
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    times_seen INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (app_key, record_key)
  );
  `,
  `
  -- Follow-ups of a new case (issue #18): the reply draft posted as a note, and the automatic
  -- reply handed to the reply outbox after its delay. One row per review and kind; the note
  -- owed is posted once (note_attempts > 1 = a killed attempt: the case is checked for its marker).
  CREATE TABLE case_followups (
    review_key TEXT NOT NULL,
    kind TEXT NOT NULL,                  -- draft | auto-reply
    app_key TEXT NOT NULL,
    text TEXT NOT NULL,                  -- the draft / the reply
    state TEXT NOT NULL,                 -- pending | noted | handed | yielded | capped | too-long
    due_at TEXT NOT NULL,                -- not before (auto-reply: created + delay)
    note TEXT,                           -- the note owed in the case, with its marker line
    note_attempts INTEGER NOT NULL DEFAULT 0,
    note_done INTEGER NOT NULL DEFAULT 0,
    case_id INTEGER,
    handed_at TEXT,                      -- auto-reply given to the reply outbox: the daily cap counts these
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (review_key, kind)
  );
  CREATE INDEX case_followups_open ON case_followups(state, note_done);
  `,
  `
  -- Reply effect and report (issue #18). answer_log: each answer's outcome as the store gave
  -- it, with the review's rating and version when the store took it. answer_edits: every edit
  -- of a review after a published answer; a rating change owes one note (and a label) in the
  -- case, posted once (note_attempts > 1 = a killed attempt: the case is checked for its marker).
  CREATE TABLE answer_log (
    message_id INTEGER PRIMARY KEY,      -- the reply outbox row (negative: an automatic reply)
    review_key TEXT NOT NULL,
    app_key TEXT NOT NULL,
    case_id INTEGER NOT NULL,
    staff_id INTEGER,                    -- the webhook's staff_id; NULL for an automatic reply
    outcome TEXT NOT NULL,               -- awaiting | published | rejected | too-long | refused | failed
    rating_before INTEGER,               -- the review's rating when the store took the answer
    version_before INTEGER,              -- and its version: later versions are the reviewer's edits
    sent_at TEXT,                        -- the store took it
    published_at TEXT,                   -- first known published
    updated_at TEXT NOT NULL
  );
  CREATE INDEX answer_log_review ON answer_log(review_key);
  CREATE TABLE answer_edits (
    review_key TEXT NOT NULL,
    version INTEGER NOT NULL,
    message_id INTEGER NOT NULL,         -- the latest published answer before the edit
    rating_before INTEGER NOT NULL,      -- the rating before the first published answer
    rating_from INTEGER NOT NULL,        -- the previous version's rating
    rating_to INTEGER NOT NULL,
    seen_at TEXT NOT NULL,
    note TEXT,                           -- owed when the rating changed, with its marker line
    label TEXT,                          -- the label the case gets; the other direction's is removed
    note_attempts INTEGER NOT NULL DEFAULT 0,
    note_done INTEGER NOT NULL DEFAULT 0,
    case_id INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (review_key, version)
  );
  CREATE INDEX answer_edits_owed ON answer_edits(note_done);
  -- Answers published before this version: their rating is taken as it is now, so edits made
  -- before the upgrade owe no note.
  INSERT INTO answer_log (message_id, review_key, app_key, case_id, staff_id, outcome, rating_before,
    version_before, sent_at, published_at, updated_at)
  SELECT p.message_id, p.review_key, r.app_key, p.case_id, p.staff_id, p.state,
    (SELECT v.rating FROM review_versions v WHERE v.review_key = r.review_key AND v.version = r.latest_version),
    r.latest_version,
    CASE WHEN p.state IN ('awaiting', 'published', 'rejected') THEN p.updated_at END,
    CASE WHEN p.state = 'published' THEN p.updated_at END,
    p.updated_at
  FROM replies p JOIN reviews r ON r.review_key = p.review_key
  WHERE p.state IN ('awaiting', 'published', 'rejected', 'refused', 'failed')
    AND COALESCE(p.store_state, '') <> 'REPLACED';
  `,
  // The serve-hook path looks replies up by review and by their note claims: without these
  // indexes each webhook walked every published reply (its CPU grew with the outbox).
  `
  CREATE INDEX replies_review ON replies(review_key, state);
  CREATE INDEX replies_note_holder ON replies(note_holder) WHERE note_holder IS NOT NULL;
  `,
];
