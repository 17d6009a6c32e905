-- Fencing terms of Baton's LeaderElector (one row per election group).
-- The elector creates this table itself (CREATE TABLE IF NOT EXISTS) unless built with createTable(false);
-- run this file from your migrations instead if the application role may not create tables. The role then needs
-- SELECT, INSERT and UPDATE on the table. A different name is set with LeaderElector.Builder.tableName(...).
--
-- term:       incremented by the winner of each election, in the session that holds the group's advisory lock,
--             so terms strictly increase across instances, restarts and server restarts (it is a committed row).
-- holder:     instance id of the last winner (also its application_name in pg_stat_activity).
-- elected_at: server clock_timestamp() at the election.
CREATE TABLE IF NOT EXISTS baton_leader_terms (
    group_name text PRIMARY KEY,
    term bigint NOT NULL CHECK (term > 0),
    holder text NOT NULL,
    elected_at timestamptz NOT NULL
);
