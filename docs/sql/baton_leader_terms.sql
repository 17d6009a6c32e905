-- Fencing terms of Baton's LeaderElector (one row per election group).
-- The elector creates this table itself (CREATE TABLE IF NOT EXISTS) unless built with createTable(false);
-- run this file from your migrations instead if the application role may not create tables. The role then needs
-- SELECT, INSERT and UPDATE on the table. A different name is set with LeaderElector.Builder.tableName(...).
--
-- term:       taken by the winner of each election, in the session that holds the group's advisory lock:
--             GREATEST(term + 1, timeline * 1000000000 + 1), where timeline is the server's (a promotion increments
--             it). So terms strictly increase across instances, restarts, server restarts (it is a committed row)
--             and failovers, also when asynchronous replication lost the old primary's last bumps. 2000000017 is
--             the 17th election on timeline 2. Rows of earlier versions (plain counters) stay valid.
-- holder:     instance id of the last winner (also its application_name in pg_stat_activity).
-- elected_at: server clock_timestamp() at the election.
CREATE TABLE IF NOT EXISTS baton_leader_terms (
    group_name text PRIMARY KEY,
    term bigint NOT NULL CHECK (term > 0),
    holder text NOT NULL,
    elected_at timestamptz NOT NULL
);
