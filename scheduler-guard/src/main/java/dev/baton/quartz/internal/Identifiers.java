package dev.baton.quartz.internal;

import java.util.List;
import java.util.regex.Pattern;

/** Validation of SQL identifiers that Baton splices into statements, and the ledger's DDL. */
public final class Identifiers {
    private static final Pattern PART = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

    private Identifiers() {}

    /**
     * Validates a table name: an unquoted identifier, optionally schema-qualified ({@code schema.table}).
     *
     * @throws IllegalArgumentException naming the bad value
     */
    public static String tableName(String name) {
        if (name == null) {
            throw new IllegalArgumentException("Ledger table name must not be null");
        }
        String[] parts = name.split("\\.", -1);
        if (parts.length > 2
                || !PART.matcher(parts[0]).matches()
                || (parts.length == 2 && !PART.matcher(parts[1]).matches())) {
            throw new IllegalArgumentException("Ledger table name '" + name + "' is not a plain SQL identifier:"
                    + " use letters, digits and underscores (not starting with a digit, at most 63 characters),"
                    + " optionally schema-qualified as schema.table");
        }
        return name;
    }

    /** The ledger's DDL for {@code table}, the same as {@code docs/sql/baton_job_firings.sql}. */
    static List<String> ledgerDdl(String table) {
        String bare = table.substring(table.indexOf('.') + 1);
        String prefix = bare.length() > 50 ? bare.substring(0, 50) : bare;
        return List.of(
                "CREATE TABLE IF NOT EXISTS " + table + " ("
                        + " job_key text NOT NULL,"
                        + " scheduled_fire_time timestamptz NOT NULL,"
                        + " instance_id text NOT NULL,"
                        + " started_at timestamptz NOT NULL DEFAULT now(),"
                        + " finished_at timestamptz,"
                        + " outcome text,"
                        + " PRIMARY KEY (job_key, scheduled_fire_time))",
                "CREATE INDEX IF NOT EXISTS " + prefix + "_unfinished ON " + table
                        + " (job_key) WHERE finished_at IS NULL",
                "CREATE INDEX IF NOT EXISTS " + prefix + "_started_at ON " + table + " (started_at)");
    }
}
