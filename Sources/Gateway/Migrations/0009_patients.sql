-- Patients, their care teams, break-glass grants and the PHI access log (DESIGN §4). These are projections: every
-- row is written in the transaction of the ledger entry that records it (ledger_seq), so the ledger can rebuild
-- them. The ledger holds the same facts sealed under the patient's data key; crypto-shredding a patient destroys
-- that key and deletes these rows.

CREATE TABLE patients (
    id           uuid        PRIMARY KEY,
    mrn          text        NOT NULL UNIQUE CHECK (length(mrn) BETWEEN 1 AND 64),
    family_name  text        NOT NULL CHECK (length(family_name) BETWEEN 1 AND 200),
    given_name   text        NOT NULL CHECK (length(given_name) BETWEEN 1 AND 200),
    birth_date   date        NOT NULL,
    sex          text        NOT NULL CHECK (sex IN ('female', 'male', 'other', 'unknown')),
    status       text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
    version      integer     NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    ledger_seq   bigint      NOT NULL
);
-- Name search is by prefix, any case; the list is ordered by these same keys.
CREATE INDEX patients_by_family_name ON patients (lower(family_name) text_pattern_ops, lower(given_name), id);
CREATE INDEX patients_by_given_name ON patients (lower(given_name) text_pattern_ops);
CREATE INDEX patients_by_birth_date ON patients (birth_date);

CREATE TABLE care_team_members (
    patient_id  uuid        NOT NULL REFERENCES patients (id) ON DELETE CASCADE,
    user_id     uuid        NOT NULL REFERENCES users (id),
    team_role   text        NOT NULL CHECK (team_role IN ('attending', 'consultant', 'nurse', 'therapist', 'other')),
    added_at    timestamptz NOT NULL,
    ledger_seq  bigint      NOT NULL,
    PRIMARY KEY (patient_id, user_id)
);
-- "Which patients is this person on the care team of": every clinician's list and every access decision.
CREATE INDEX care_team_by_user ON care_team_members (user_id, patient_id);

CREATE TABLE break_glass_grants (
    id          uuid        PRIMARY KEY,
    user_id     uuid        NOT NULL REFERENCES users (id),
    patient_id  uuid        NOT NULL REFERENCES patients (id) ON DELETE CASCADE,
    reason      text        NOT NULL CHECK (length(reason) BETWEEN 10 AND 1000),
    granted_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL CHECK (expires_at > granted_at),
    ledger_seq  bigint      NOT NULL
);
CREATE INDEX break_glass_by_user_patient ON break_glass_grants (user_id, patient_id, expires_at);
CREATE INDEX break_glass_by_time ON break_glass_grants (granted_at DESC, id);

-- One row per patient per recorded access (read, change, or denied attempt): the answer to "who accessed which
-- patient when". Ids only, no PHI; rows stay when a patient is shredded, as their ledger entries do.
CREATE TABLE phi_access (
    ledger_seq   bigint      NOT NULL,
    patient_id   uuid        NOT NULL,
    recorded_at  timestamptz NOT NULL,
    user_id      uuid        NOT NULL,
    action       text        NOT NULL,
    outcome      text        NOT NULL CHECK (outcome IN ('success', 'denied', 'failure')),
    break_glass  boolean     NOT NULL,
    PRIMARY KEY (ledger_seq, patient_id)
);
CREATE INDEX phi_access_by_patient ON phi_access (patient_id, recorded_at);
CREATE INDEX phi_access_by_user ON phi_access (user_id, recorded_at);
CREATE INDEX phi_access_by_time ON phi_access (recorded_at);

REVOKE ALL ON patients, care_team_members, break_glass_grants, phi_access FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON patients, care_team_members TO ledger_runtime;
GRANT SELECT, INSERT, DELETE ON break_glass_grants TO ledger_runtime;
GRANT SELECT, INSERT ON phi_access TO ledger_runtime;
