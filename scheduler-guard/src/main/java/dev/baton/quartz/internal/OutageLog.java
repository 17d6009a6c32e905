package dev.baton.quartz.internal;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs a PostgreSQL outage once when it starts and once when it ends, not once per firing. Thread-safe. */
final class OutageLog {
    private static final Logger log = LoggerFactory.getLogger(OutageLog.class);

    private final String guardName;
    private final AtomicBoolean down = new AtomicBoolean();

    OutageLog(String guardName) {
        this.guardName = guardName;
    }

    void failed(String what, Throwable cause) {
        if (down.compareAndSet(false, true)) {
            log.error(
                    "Guard '{}': {} failed; vetoing guarded firings until PostgreSQL answers again"
                            + " (logged once per outage)",
                    guardName,
                    what,
                    cause);
        } else {
            log.debug("Guard '{}': {} failed again", guardName, what, cause);
        }
    }

    void succeeded() {
        if (down.get() && down.compareAndSet(true, false)) {
            log.info("Guard '{}': PostgreSQL answers again; guarded firings run normally", guardName);
        }
    }
}
