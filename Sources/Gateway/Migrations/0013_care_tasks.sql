-- Care tasks (DESIGN §4): work to do for a patient, assigned to clinical staff, labelled with tags that are shared
-- across tasks (one `tags` row per name, linked to tasks through `care_task_tags`).

CREATE TABLE care_tasks (
    id           uuid        PRIMARY KEY,
    patient_id   uuid        NOT NULL REFERENCES patients (id) ON DELETE CASCADE,
    title        text        NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    status       text        NOT NULL CHECK (status IN ('open', 'in_progress', 'done', 'cancelled')),
    priority     text        NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    -- Sorting by priority means by urgency, not by the names' spelling.
    priority_rank smallint   GENERATED ALWAYS AS (CASE priority WHEN 'low' THEN 1 WHEN 'normal' THEN 2 WHEN 'high' THEN 3 ELSE 4 END) STORED,
    due_at       timestamptz,
    assignee_id  uuid        REFERENCES users (id),
    created_by   uuid        NOT NULL REFERENCES users (id),
    version      integer     NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    ledger_seq   bigint      NOT NULL
);
-- The list's orders (a task without a due time sorts after every due one) and its commonest filters.
CREATE INDEX care_tasks_by_due ON care_tasks ((coalesce(due_at, 'infinity')), id);
CREATE INDEX care_tasks_by_priority ON care_tasks (priority_rank, id);
CREATE INDEX care_tasks_by_creation ON care_tasks (created_at, id);
CREATE INDEX care_tasks_by_patient ON care_tasks (patient_id);
CREATE INDEX care_tasks_by_assignee ON care_tasks (assignee_id) WHERE assignee_id IS NOT NULL;

CREATE TABLE tags (
    id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name  text   NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9_:-]{0,39}$')
);

CREATE TABLE care_task_tags (
    task_id  uuid   NOT NULL REFERENCES care_tasks (id) ON DELETE CASCADE,
    tag_id   bigint NOT NULL REFERENCES tags (id),
    PRIMARY KEY (task_id, tag_id)
);
CREATE INDEX care_task_tags_by_tag ON care_task_tags (tag_id, task_id);

REVOKE ALL ON care_tasks, tags, care_task_tags FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON care_tasks TO ledger_runtime;
GRANT SELECT, INSERT ON tags TO ledger_runtime;
GRANT SELECT, INSERT, DELETE ON care_task_tags TO ledger_runtime;
