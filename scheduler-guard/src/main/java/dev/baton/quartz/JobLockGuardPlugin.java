package dev.baton.quartz;

import dev.baton.quartz.internal.QuartzDataSource;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import org.quartz.Scheduler;
import org.quartz.SchedulerConfigException;
import org.quartz.SchedulerException;
import org.quartz.spi.ClassLoadHelper;
import org.quartz.spi.SchedulerPlugin;

/**
 * Configures a {@link JobLockGuard} from {@code quartz.properties} alone, as a Quartz {@link SchedulerPlugin}:
 *
 * <pre>
 * org.quartz.plugin.baton.class = dev.baton.quartz.JobLockGuardPlugin
 * org.quartz.plugin.baton.dataSource = main    # an org.quartz.dataSource.main.* data source
 * </pre>
 *
 * Quartz calls the setters of the plugin's properties, then {@link #initialize}, which builds the guard (named after
 * the plugin) on that Quartz data source and {@linkplain JobLockGuard#registerWith registers} it before any listener
 * configured in {@code quartz.properties}. A missing or unknown data source, a bad table name or duration, or an
 * unknown property makes {@code StdSchedulerFactory.getScheduler()} fail with a message naming the property.
 *
 * <p>Not thread-safe while Quartz configures it (one thread calls the setters, then {@link #initialize}); afterwards
 * {@link #shutdown()} may come from any thread. {@link #initialize} borrows one connection to check the data source.
 */
public final class JobLockGuardPlugin implements SchedulerPlugin {
    // Written by Quartz's setters and read by initialize(); volatile so that shutdown() on another thread is safe too.
    private volatile String dataSource;
    private volatile String lockPrefix;
    private volatile boolean ledger = true;
    private volatile String ledgerTable;
    private volatile boolean createLedgerTable = true;
    private volatile String ledgerRetention;
    private volatile String ledgerPurgeInterval;
    private volatile String operationTimeout;
    private volatile String instanceId;
    private volatile JobLockGuard guard; // set once in initialize

    /** Required: the NAME of an {@code org.quartz.dataSource.NAME.*} data source, for the lock session and ledger. */
    public void setDataSource(String dataSourceName) {
        this.dataSource = dataSourceName;
    }

    /** The lock name prefix (default {@code quartz:}). */
    public void setLockPrefix(String prefix) {
        this.lockPrefix = prefix;
    }

    /** Whether the firing ledger is on (default true). */
    public void setLedger(boolean enabled) {
        this.ledger = enabled;
    }

    /** The ledger table (default {@code baton_job_firings}). */
    public void setLedgerTable(String table) {
        this.ledgerTable = table;
    }

    /** Whether to create the ledger table on first use (default true). */
    public void setCreateLedgerTable(boolean create) {
        this.createLedgerTable = create;
    }

    /** How long ledger rows are kept, ISO-8601 (default {@code P7D}). */
    public void setLedgerRetention(String duration) {
        this.ledgerRetention = duration;
    }

    /** How often old ledger rows are purged, ISO-8601 (default {@code PT1H}). */
    public void setLedgerPurgeInterval(String duration) {
        this.ledgerPurgeInterval = duration;
    }

    /** Longest wait for PostgreSQL to answer a lock operation, ISO-8601 (default {@code PT10S}). */
    public void setOperationTimeout(String duration) {
        this.operationTimeout = duration;
    }

    /** The instance id of the guard's lock session (default {@code host:pid:random}). */
    public void setInstanceId(String id) {
        this.instanceId = id;
    }

    /**
     * Builds the guard named {@code name} and registers it with {@code scheduler}.
     *
     * @throws SchedulerConfigException naming the property that is missing or invalid
     */
    @Override
    public void initialize(String name, Scheduler scheduler, ClassLoadHelper loadHelper) throws SchedulerException {
        String where = "JobLockGuardPlugin '" + name + "' (org.quartz.plugin." + name + ".*)";
        String ds = dataSource;
        if (ds == null || ds.isBlank()) {
            throw new SchedulerConfigException(where + " needs the name of a Quartz data source: set org.quartz.plugin."
                    + name + ".dataSource = NAME of an org.quartz.dataSource.NAME.* entry");
        }
        if (!QuartzDataSource.exists(ds)) {
            throw new SchedulerConfigException(where + " names data source '" + ds + "', but Quartz has no"
                    + " org.quartz.dataSource." + ds + ".* configured");
        }
        try {
            JobLockGuard.Builder b =
                    JobLockGuard.builder(new QuartzDataSource(ds)).name(name);
            if (lockPrefix != null) {
                b.lockPrefix(lockPrefix);
            }
            if (!ledger) {
                b.withoutLedger();
            }
            if (ledgerTable != null) {
                b.ledgerTable(ledgerTable);
            }
            b.createLedgerTable(createLedgerTable);
            if (ledgerRetention != null) {
                b.ledgerRetention(duration("ledgerRetention", ledgerRetention));
            }
            if (ledgerPurgeInterval != null) {
                b.ledgerPurgeInterval(duration("ledgerPurgeInterval", ledgerPurgeInterval));
            }
            if (operationTimeout != null) {
                b.operationTimeout(duration("operationTimeout", operationTimeout));
            }
            if (instanceId != null) {
                b.instanceId(instanceId);
            }
            guard = b.build().registerWith(scheduler);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new SchedulerConfigException(where + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void start() {}

    /**
     * The scheduler shuts down: the guard closes once its last running firing has ended (at once if none runs), so
     * a {@code shutdown(false)} does not release the lock of a job that is still running.
     */
    @Override
    public void shutdown() {
        JobLockGuard g = guard;
        if (g != null) {
            g.closeWhenIdle();
        }
    }

    private static Duration duration(String property, String value) {
        try {
            return Duration.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    property + " must be an ISO-8601 duration such as P7D or PT1H, got '" + value + "'", e);
        }
    }
}
