package dev.baton.spring.boot.autoconfigure;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The instance id shared by the lock client and the electors: {@code baton.instance-id}, else
 * {@code <spring.application.name>:<host>:<pid>}, else {@code <host>:<pid>:<random>} as Baton's own default. One id for
 * every session of the application, so {@code pg_stat_activity} shows them together.
 *
 * @param value the id
 */
record BatonInstanceId(String value) {
    static BatonInstanceId of(String configured, String applicationName) {
        if (configured != null && !configured.isBlank()) {
            return new BatonInstanceId(configured);
        }
        if (applicationName == null || applicationName.isBlank()) {
            return new BatonInstanceId(host() + ":" + ProcessHandle.current().pid() + ":"
                    + Integer.toHexString(new java.security.SecureRandom().nextInt(0x10000)));
        }
        String id =
                applicationName + ":" + host() + ":" + ProcessHandle.current().pid();
        // application_name is cut by PostgreSQL at 63 bytes; keep the distinguishing tail (host and pid).
        return new BatonInstanceId(id.length() <= 63 ? id : id.substring(id.length() - 63));
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown-host";
        }
    }
}
