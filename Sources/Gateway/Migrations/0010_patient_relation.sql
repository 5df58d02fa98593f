-- How a user relates to a patient, as the access policy's conditions read it: on the care team, and holding an
-- active break-glass grant. One definition for the single-patient check and the patient list; a set-returning
-- SQL function, so the planner inlines it into the calling query.
CREATE FUNCTION patient_relation(patient uuid, member uuid, at timestamptz)
RETURNS TABLE (on_care_team boolean, break_glass boolean)
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM care_team_members c WHERE c.patient_id = patient AND c.user_id = member),
           EXISTS (SELECT 1 FROM break_glass_grants g WHERE g.patient_id = patient AND g.user_id = member AND g.expires_at > at)
$$;

REVOKE ALL ON FUNCTION patient_relation(uuid, uuid, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION patient_relation(uuid, uuid, timestamptz) TO ledger_runtime;
