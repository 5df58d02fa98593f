-- Disclosures of a patient's information outside the organisation, kept for the accounting of disclosures
-- (HIPAA 164.528): when, to whom (name, and address when known), what was disclosed and why. Recorded once and
-- never changed.

CREATE TABLE disclosures (
    id                 uuid        PRIMARY KEY,
    patient_id         uuid        NOT NULL REFERENCES patients (id) ON DELETE CASCADE,
    disclosed_at       timestamptz NOT NULL,
    recipient_name     text        NOT NULL CHECK (length(recipient_name) BETWEEN 1 AND 200),
    recipient_address  text        CHECK (length(recipient_address) BETWEEN 1 AND 500),
    description        text        NOT NULL CHECK (length(description) BETWEEN 1 AND 2000),
    purpose            text        NOT NULL CHECK (length(purpose) BETWEEN 1 AND 1000),
    recorded_by        uuid        NOT NULL REFERENCES users (id),
    recorded_at        timestamptz NOT NULL,
    ledger_seq         bigint      NOT NULL
);
CREATE INDEX disclosures_by_patient ON disclosures (patient_id, disclosed_at DESC, id DESC);

REVOKE ALL ON disclosures FROM PUBLIC;
GRANT SELECT, INSERT ON disclosures TO ledger_runtime;
