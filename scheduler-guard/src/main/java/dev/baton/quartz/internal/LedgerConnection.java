package dev.baton.quartz.internal;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.baton.internal.SqlFunction;
import dev.baton.internal.SqlStates;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;

/**
 * The firing ledger's one connection: opened from the data source on first use, kept, validated before reuse after
 * 30 s idle, and discarded after any {@link SQLException} (the next call opens a new one). The ledger table is
 * created on first use unless disabled.
 *
 * <p>Thread-safe: calls are serialised by {@code lock}, so a call blocks while another runs; each statement is bounded
 * by the query timeout, opening a connection by the data source's own timeouts.
 *
 * <p>A query timeout alone does not bound a statement against a server that stopped answering (a partition, a frozen
 * backend): its cancel request is sent, but nothing answers, and the worker would wait on the socket for good. So the
 * connection also has a network timeout, twice the query timeout plus a second: past it the driver gives up the read,
 * the call fails (the firing is vetoed) and the connection is discarded; the next call opens a new one. A server that
 * is merely slow is cancelled by the query timeout first.
 */
final class LedgerConnection implements AutoCloseable {
    private static final long IDLE_CHECK_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final DataSource dataSource;
    private final String table;
    private final boolean createTable;
    private final int queryTimeoutSeconds;
    private final int networkTimeoutMillis;
    private final ReentrantLock lock = new ReentrantLock();

    @GuardedBy("lock")
    private Connection connection;

    @GuardedBy("lock")
    private long lastUsedNanos;

    @GuardedBy("lock")
    private boolean closed;

    @GuardedBy("lock")
    private boolean tableReady;

    LedgerConnection(DataSource dataSource, String table, boolean createTable, int queryTimeoutSeconds) {
        this.dataSource = dataSource;
        this.table = table;
        this.createTable = createTable;
        this.queryTimeoutSeconds = queryTimeoutSeconds;
        this.networkTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, 2_000L * queryTimeoutSeconds + 1_000L);
    }

    /** Runs {@code body} on the connection, opening it (and the table) first if needed. */
    <T> T run(SqlFunction<T> body) throws SQLException {
        lock.lock();
        try {
            if (closed) {
                // A callback after close() must not borrow a pool connection that nobody would give back.
                throw new SQLException("The firing ledger of this guard is closed", "08003");
            }
            if (connection != null && System.nanoTime() - lastUsedNanos > IDLE_CHECK_NANOS && !connection.isValid(1)) {
                // Idle long enough for a DBA timeout or a NAT to have cut it: reopen rather than fail a firing.
                discard();
            }
            lastUsedNanos = System.nanoTime();
            if (connection == null) {
                Connection c = dataSource.getConnection();
                try {
                    c.setAutoCommit(true);
                    // pgjdbc bounds each socket read with it and needs no executor; a pool proxy passes it on.
                    c.setNetworkTimeout(Runnable::run, networkTimeoutMillis);
                } catch (SQLException e) {
                    c.close();
                    throw e;
                }
                connection = c;
            }
            if (createTable && !tableReady) {
                createTable(connection);
            }
            tableReady = true;
            return body.apply(connection);
        } catch (SQLException | RuntimeException e) {
            discard();
            throw e;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            discard();
        } finally {
            lock.unlock();
        }
    }

    @GuardedBy("lock")
    private void createTable(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.setQueryTimeout(queryTimeoutSeconds);
            for (String ddl : Identifiers.ledgerDdl(table)) {
                try {
                    st.execute(ddl);
                } catch (SQLException e) {
                    // Two instances creating the table at once: the loser's error says it exists now.
                    if (!SqlStates.createdConcurrently(e)) {
                        throw new SQLException(
                                "Could not create the firing ledger table " + table + " (" + ddl + "): "
                                        + e.getMessage(),
                                e.getSQLState(),
                                e);
                    }
                }
            }
        }
    }

    @GuardedBy("lock")
    private void discard() {
        Connection c = connection;
        connection = null;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException | RuntimeException ignored) {
                // the connection is being thrown away
            }
        }
    }
}
