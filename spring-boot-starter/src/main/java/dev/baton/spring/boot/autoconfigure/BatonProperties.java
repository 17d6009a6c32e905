package dev.baton.spring.boot.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Baton's settings under {@code baton.*}. Bound by Spring Boot; validated when the beans that use them are built, with
 * a message naming the property and the fix. Not thread-safe while binding; read-only afterwards.
 */
@ConfigurationProperties("baton")
public class BatonProperties {
    /** Whether Baton's auto-configuration is on. */
    private boolean enabled = true;

    /**
     * Instance id of this application's lock client and electors, also their sessions' application_name. Default:
     * ${spring.application.name}:host:pid (host:pid:random without an application name).
     */
    private String instanceId;

    private final Datasource datasource = new Datasource();
    private final Lock lock = new Lock();
    private final Leader leader = new Leader();
    private final Scheduling scheduling = new Scheduling();
    private final Quartz quartz = new Quartz();
    private final Metrics metrics = new Metrics();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getInstanceId() {
        return instanceId;
    }

    public void setInstanceId(String instanceId) {
        this.instanceId = instanceId;
    }

    public Datasource getDatasource() {
        return datasource;
    }

    public Lock getLock() {
        return lock;
    }

    public Leader getLeader() {
        return leader;
    }

    public Scheduling getScheduling() {
        return scheduling;
    }

    public Quartz getQuartz() {
        return quartz;
    }

    public Metrics getMetrics() {
        return metrics;
    }

    /** A dedicated connection for Baton's sessions instead of the application's DataSource. */
    public static class Datasource {
        /**
         * JDBC URL of a direct PostgreSQL connection for Baton's lock and elector sessions. Recommended when the
         * application's pool goes through a transaction-mode pooler (PgBouncer pool_mode=transaction), where advisory
         * locks exclude nobody. Empty: the application's DataSource.
         */
        private String url;

        /** User of the dedicated connection. */
        private String username;

        /** Password of the dedicated connection. */
        private String password;

        public String getUrl() {
            return url;
        }

        public void setUrl(String url) {
            this.url = url;
        }

        public String getUsername() {
            return username;
        }

        public void setUsername(String username) {
            this.username = username;
        }

        public String getPassword() {
            return password;
        }

        public void setPassword(String password) {
            this.password = password;
        }
    }

    /** The lock client's settings. */
    public static class Lock {
        /** Most distinct keys the lock client may hold at once; an acquire past it fails. */
        private int maxKeys = 1000;

        /** How often the lock session is checked while any key is held. */
        private Duration heartbeatInterval = Duration.ofSeconds(1);

        /** Most connections used at once by waiters blocked on other sessions' locks (0: waiters poll). */
        private int maxWaiterConnections = 8;

        public int getMaxKeys() {
            return maxKeys;
        }

        public void setMaxKeys(int maxKeys) {
            this.maxKeys = maxKeys;
        }

        public Duration getHeartbeatInterval() {
            return heartbeatInterval;
        }

        public void setHeartbeatInterval(Duration heartbeatInterval) {
            this.heartbeatInterval = heartbeatInterval;
        }

        public int getMaxWaiterConnections() {
            return maxWaiterConnections;
        }

        public void setMaxWaiterConnections(int maxWaiterConnections) {
            this.maxWaiterConnections = maxWaiterConnections;
        }
    }

    /** Leader election groups. */
    public static class Leader {
        /** One LeaderElector per group name (baton.leader.groups.<group>.*); its key is the map key. */
        private final Map<String, Group> groups = new LinkedHashMap<>();

        public Map<String, Group> getGroups() {
            return groups;
        }
    }

    /** One election group. Unset durations keep the elector's defaults (see docs/leader-election.md). */
    public static class Group {
        /** How often the leader proves it still holds the lock. Default 1s. */
        private Duration checkInterval;

        /** How long the leader may go without a successful check before it revokes itself. Default 5s. */
        private Duration stepDownAfter;

        /**
         * After how long the server drops a silent leader's session (TCP keepalive and tcp_user_timeout); whole
         * seconds, at least 4s, more than step-down-after. Default 10s.
         */
        private Duration serverReleaseAfter;

        /** How long one native lock wait lasts before it is re-issued. Default 2s. */
        private Duration lockWaitTimeout;

        /** How long a yielding instance stays out of the election. Default 1s. */
        private Duration rejoinAfterYield;

        /** How long close and a step-down wait for the leader task after interrupting it. Default 10s. */
        private Duration taskStopTimeout;

        /** Longest pause between reconnect attempts while the server is away. Default 5s. */
        private Duration maxReconnectBackoff;

        /**
         * Whether leadership ends when the group's LeaderTask returns (Curator semantics). Default false here: a
         * Boot application usually keeps leading until shutdown, loss or yield.
         */
        private boolean releaseWhenTaskReturns = false;

        /** The terms table, optionally schema-qualified. Default baton_leader_terms. */
        private String tableName;

        /** Whether the terms table is created if missing. */
        private boolean createTable = true;

        public Duration getCheckInterval() {
            return checkInterval;
        }

        public void setCheckInterval(Duration checkInterval) {
            this.checkInterval = checkInterval;
        }

        public Duration getStepDownAfter() {
            return stepDownAfter;
        }

        public void setStepDownAfter(Duration stepDownAfter) {
            this.stepDownAfter = stepDownAfter;
        }

        public Duration getServerReleaseAfter() {
            return serverReleaseAfter;
        }

        public void setServerReleaseAfter(Duration serverReleaseAfter) {
            this.serverReleaseAfter = serverReleaseAfter;
        }

        public Duration getLockWaitTimeout() {
            return lockWaitTimeout;
        }

        public void setLockWaitTimeout(Duration lockWaitTimeout) {
            this.lockWaitTimeout = lockWaitTimeout;
        }

        public Duration getRejoinAfterYield() {
            return rejoinAfterYield;
        }

        public void setRejoinAfterYield(Duration rejoinAfterYield) {
            this.rejoinAfterYield = rejoinAfterYield;
        }

        public Duration getTaskStopTimeout() {
            return taskStopTimeout;
        }

        public void setTaskStopTimeout(Duration taskStopTimeout) {
            this.taskStopTimeout = taskStopTimeout;
        }

        public Duration getMaxReconnectBackoff() {
            return maxReconnectBackoff;
        }

        public void setMaxReconnectBackoff(Duration maxReconnectBackoff) {
            this.maxReconnectBackoff = maxReconnectBackoff;
        }

        public boolean isReleaseWhenTaskReturns() {
            return releaseWhenTaskReturns;
        }

        public void setReleaseWhenTaskReturns(boolean releaseWhenTaskReturns) {
            this.releaseWhenTaskReturns = releaseWhenTaskReturns;
        }

        public String getTableName() {
            return tableName;
        }

        public void setTableName(String tableName) {
            this.tableName = tableName;
        }

        public boolean isCreateTable() {
            return createTable;
        }

        public void setCreateTable(boolean createTable) {
            this.createTable = createTable;
        }
    }

    /** The @RunExclusively and @RunOnLeader annotations. */
    public static class Scheduling {
        /** Whether methods annotated @RunExclusively or @RunOnLeader are guarded. */
        private boolean enabled = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    /** The Quartz guard on Spring Boot's scheduler. */
    public static class Quartz {
        /** Whether JobLockGuard is registered on the Boot-managed Quartz scheduler. */
        private boolean enabled = true;

        /** Job groups the guard guards; empty: every job. */
        private List<String> jobGroups = new ArrayList<>();

        /** Whether the firing ledger makes each scheduled firing run once (on the application's DataSource). */
        private boolean ledger = true;

        /** The ledger table, optionally schema-qualified. Default baton_job_firings. */
        private String ledgerTable;

        /** Prefix of each job's lock name <prefix><group>.<name>. Default quartz:. */
        private String lockPrefix;

        /**
         * Leader-only mode: guarded jobs run only on the leader of this group (one of baton.leader.groups) instead of
         * taking a lock per job. Empty: a lock per job.
         */
        private String leaderGroup;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public List<String> getJobGroups() {
            return jobGroups;
        }

        public void setJobGroups(List<String> jobGroups) {
            this.jobGroups = jobGroups;
        }

        public boolean isLedger() {
            return ledger;
        }

        public void setLedger(boolean ledger) {
            this.ledger = ledger;
        }

        public String getLedgerTable() {
            return ledgerTable;
        }

        public void setLedgerTable(String ledgerTable) {
            this.ledgerTable = ledgerTable;
        }

        public String getLockPrefix() {
            return lockPrefix;
        }

        public void setLockPrefix(String lockPrefix) {
            this.lockPrefix = lockPrefix;
        }

        public String getLeaderGroup() {
            return leaderGroup;
        }

        public void setLeaderGroup(String leaderGroup) {
            this.leaderGroup = leaderGroup;
        }
    }

    /** Meters. */
    public static class Metrics {
        /**
         * Lock names that get a lock tag of their own on the lock meters; every other key is tagged "other". Lock names
         * are unbounded, so none is a tag unless listed here.
         */
        private List<String> lockNames = new ArrayList<>();

        public List<String> getLockNames() {
            return lockNames;
        }

        public void setLockNames(List<String> lockNames) {
            this.lockNames = lockNames;
        }
    }
}
