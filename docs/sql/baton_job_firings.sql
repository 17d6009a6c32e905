-- Baton's Quartz firing ledger (JobLockGuard). The guard creates it on first use unless
-- createLedgerTable(false); run this yourself if your migrations own the schema.
-- One row per scheduled firing that started; the primary key is what makes a firing run once.
-- job_key: the job's group with '.' and '\' escaped by '\', a dot, then its name (group.name for most jobs).
-- scheduled_fire_time: the trigger's scheduled time; for a late firing after a misfire, the missed one it stands for.
-- outcome: NULL while running, then SUCCEEDED, FAILED, VETOED (another listener vetoed it),
-- ABANDONED (its instance died mid-run) or UNKNOWN (Quartz never reported the end).
CREATE TABLE IF NOT EXISTS baton_job_firings (
    job_key             text        NOT NULL,
    scheduled_fire_time timestamptz NOT NULL,
    instance_id         text        NOT NULL,
    started_at          timestamptz NOT NULL DEFAULT now(),
    finished_at         timestamptz,
    outcome             text,
    PRIMARY KEY (job_key, scheduled_fire_time)
);
-- Finding a job's unfinished firings (ABANDONED detection) on every lock.
CREATE INDEX IF NOT EXISTS baton_job_firings_unfinished ON baton_job_firings (job_key) WHERE finished_at IS NULL;
-- The purge of rows older than the retention.
CREATE INDEX IF NOT EXISTS baton_job_firings_started_at ON baton_job_firings (started_at);
