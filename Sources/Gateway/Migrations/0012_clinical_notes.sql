-- Clinical notes (DESIGN §4): amended, never overwritten. A note is its header and an append-only list of
-- versions; an amendment adds a version with its reason. The runtime role may insert versions but neither update
-- nor delete them, so no version can be lost through the gateway; they go only with the patient (crypto-shred).

CREATE TABLE clinical_notes (
    id               uuid        PRIMARY KEY,
    patient_id       uuid        NOT NULL REFERENCES patients (id) ON DELETE CASCADE,
    kind             text        NOT NULL CHECK (kind IN ('progress', 'admission', 'discharge', 'consultation', 'procedure', 'other')),
    current_version  integer     NOT NULL CHECK (current_version >= 1),
    author_id        uuid        NOT NULL REFERENCES users (id),
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    ledger_seq       bigint      NOT NULL
);
-- A patient's notes, newest first: the list's order and its cursor.
CREATE INDEX clinical_notes_by_patient ON clinical_notes (patient_id, created_at DESC, id DESC);

CREATE TABLE clinical_note_versions (
    note_id      uuid        NOT NULL REFERENCES clinical_notes (id) ON DELETE CASCADE,
    version      integer     NOT NULL CHECK (version >= 1),
    title        text        NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body         text        NOT NULL CHECK (length(body) BETWEEN 1 AND 50000),
    -- Why the note was amended; none for the first version.
    reason       text        CHECK ((version = 1) = (reason IS NULL) AND length(reason) <= 500),
    author_id    uuid        NOT NULL REFERENCES users (id),
    recorded_at  timestamptz NOT NULL,
    ledger_seq   bigint      NOT NULL,
    PRIMARY KEY (note_id, version)
);

REVOKE ALL ON clinical_notes, clinical_note_versions FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON clinical_notes TO ledger_runtime;
GRANT SELECT, INSERT ON clinical_note_versions TO ledger_runtime;
