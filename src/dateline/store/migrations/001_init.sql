-- dateline event store, schema version 1.
-- Written once for both engines: only types and statements that DuckDB and PostgreSQL
-- both accept (TEXT, INTEGER, BIGINT, DOUBLE PRECISION, BOOLEAN, DATE, TIMESTAMP, BYTEA).
-- Timestamps are naive UTC (TIMESTAMP, not TIMESTAMPTZ) so both engines return the same values.
-- Statements are separated by a line holding only ";" so the runner can split them safely.

CREATE TABLE runs (
    id                 TEXT PRIMARY KEY,   -- hash of code version, stage names and settings hash
    code_version       TEXT NOT NULL,
    stages             TEXT NOT NULL,      -- versioned stage names, comma-separated
    coder_version      TEXT,
    dictionary_version TEXT,
    ontology_version   TEXT,
    settings_hash      TEXT NOT NULL,
    started            TIMESTAMP,
    finished           TIMESTAMP
)
;
CREATE TABLE stories (
    id             TEXT PRIMARY KEY,       -- content_id(canonical URL, text)
    content_hash   TEXT NOT NULL,
    canonical_url  TEXT,
    source         TEXT NOT NULL,          -- path or URL it was read from
    outlet         TEXT,                   -- host or outlet name: the unit of num_sources
    status         TEXT NOT NULL,          -- coded | duplicate | skipped | failed
    duplicate_of   TEXT,                   -- the story this near-duplicate is linked to
    title          TEXT,
    published      TIMESTAMP,
    published_date DATE,
    dateline       TEXT,
    agency         TEXT,
    language       TEXT,
    text           TEXT,
    meta_json      TEXT,
    stages         TEXT,
    run_id         TEXT,
    seq            BIGINT NOT NULL         -- ingest order, so exports and merges are reproducible
)
;
CREATE TABLE sentences (
    story_id   TEXT NOT NULL,
    idx        INTEGER NOT NULL,
    start_char INTEGER NOT NULL,
    end_char   INTEGER NOT NULL,
    text       TEXT NOT NULL,
    PRIMARY KEY (story_id, idx)
)
;
CREATE TABLE actors (
    code      TEXT PRIMARY KEY,
    principal TEXT NOT NULL,
    role      TEXT,
    kind      TEXT,
    name      TEXT
)
;
CREATE TABLE mentions (
    story_id   TEXT NOT NULL,
    id         TEXT NOT NULL,
    sentence   INTEGER NOT NULL,
    start_char INTEGER NOT NULL,
    end_char   INTEGER NOT NULL,
    text       TEXT NOT NULL,
    actor_code TEXT,
    kind       TEXT,
    reason     TEXT,
    PRIMARY KEY (story_id, id)
)
;
CREATE TABLE events (
    id              TEXT PRIMARY KEY,      -- hash of the merge key of its first mention
    event_date      DATE,
    cameo           TEXT NOT NULL,
    base_code       TEXT NOT NULL,
    root            TEXT NOT NULL,
    name            TEXT,
    goldstein       DOUBLE PRECISION,
    quad_class      INTEGER,
    plover_type     TEXT,
    plover_mode     TEXT,
    source          TEXT NOT NULL,
    source_name     TEXT,
    source_country  TEXT,
    source_role     TEXT,
    target          TEXT NOT NULL,
    target_name     TEXT,
    target_country  TEXT,
    target_role     TEXT,
    place_key       TEXT NOT NULL,
    place_name      TEXT,
    place_country   TEXT,
    place_country2  TEXT,
    place_feature   TEXT,
    lat             DOUBLE PRECISION,
    lon             DOUBLE PRECISION,
    geonames_id     BIGINT,
    story_id        TEXT NOT NULL,         -- first article that reported it
    source_url      TEXT,
    num_mentions    INTEGER NOT NULL,
    num_sources     INTEGER NOT NULL,
    num_articles    INTEGER NOT NULL,
    first_seen      TIMESTAMP,
    last_seen       TIMESTAMP,
    seq             BIGINT NOT NULL
)
;
CREATE TABLE event_mentions (
    id                 TEXT NOT NULL,      -- the coder's Event.id
    story_id           TEXT NOT NULL,      -- the article counted (a near-duplicate for linked rows)
    event_id           TEXT NOT NULL,      -- the merged events row
    linked_from        TEXT,               -- the coded story, when this row is a near-duplicate's link
    sentence           INTEGER NOT NULL,
    cameo              TEXT NOT NULL,
    source             TEXT,
    target             TEXT,
    trigger_start      INTEGER,
    trigger_end        INTEGER,
    trigger_text       TEXT,
    source_start       INTEGER,
    source_end         INTEGER,
    source_text        TEXT,
    target_start       INTEGER,
    target_end         INTEGER,
    target_text        TEXT,
    event_date         DATE,
    date_text          TEXT,
    reason             TEXT,
    confidence         DOUBLE PRECISION,
    decided_by         TEXT,
    coder_version      TEXT,
    dictionary_version TEXT,
    ontology_version   TEXT,
    quad_convention    TEXT,
    outlet             TEXT,
    published          TIMESTAMP,
    url                TEXT,
    PRIMARY KEY (id, story_id)
)
;
CREATE TABLE quotes (
    story_id        TEXT NOT NULL,
    id              TEXT NOT NULL,
    sentence        INTEGER NOT NULL,
    start_char      INTEGER NOT NULL,
    end_char        INTEGER NOT NULL,
    text            TEXT NOT NULL,
    speaker_text    TEXT,
    speaker_code    TEXT,
    speaker_mention TEXT,
    PRIMARY KEY (story_id, id)
)
;
CREATE TABLE places (
    story_id     TEXT NOT NULL,
    idx          INTEGER NOT NULL,
    text         TEXT NOT NULL,
    name         TEXT,
    country      TEXT,
    country2     TEXT,
    lat          DOUBLE PRECISION,
    lon          DOUBLE PRECISION,
    geonames_id  BIGINT,
    feature      TEXT,
    role         TEXT,
    start_char   INTEGER,
    end_char     INTEGER,
    sentence     INTEGER,
    PRIMARY KEY (story_id, idx)
)
;
CREATE TABLE failures (
    story_id TEXT NOT NULL,                -- the story, or a hash of the unreadable source item
    stage    TEXT NOT NULL,
    kind     TEXT NOT NULL,                -- error | skip
    reason   TEXT NOT NULL,                -- short reason, for summaries
    error    TEXT NOT NULL,
    source   TEXT,
    run_id   TEXT,
    PRIMARY KEY (story_id, stage)
)
;
CREATE TABLE article_clusters (
    story_id   TEXT PRIMARY KEY,
    cluster_id TEXT NOT NULL,              -- the first (coded) story of the cluster
    similarity DOUBLE PRECISION NOT NULL   -- estimated Jaccard similarity to the cluster's story
)
;
CREATE TABLE story_minhash (
    story_id  TEXT PRIMARY KEY,
    signature BYTEA NOT NULL
)
;
CREATE TABLE corrections (
    id       TEXT PRIMARY KEY,
    event_id TEXT NOT NULL,
    kind     TEXT NOT NULL CHECK (kind IN ('wrong_code', 'wrong_actor', 'not_event', 'missed_event')),
    fields   TEXT,                         -- JSON object of corrected fields
    note     TEXT,
    author   TEXT,
    created  TIMESTAMP NOT NULL
)
;
CREATE TABLE http_cache (
    url           TEXT PRIMARY KEY,
    etag          TEXT,
    last_modified TEXT,
    status        INTEGER
)
;
CREATE INDEX events_date ON events (event_date)
;
CREATE INDEX events_dyad ON events (source, target)
;
CREATE INDEX event_mentions_event ON event_mentions (event_id)
;
CREATE INDEX stories_hash ON stories (content_hash)
