package dev.baton.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;

/** Default instance ids. */
public final class InstanceIds {
    private InstanceIds() {}

    /** {@code host:pid:random}, unique enough to tell instances apart in {@code pg_stat_activity}. */
    public static String defaultInstanceId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "unknown-host";
        }
        long pid = ProcessHandle.current().pid();
        return host + ":" + pid + ":" + Integer.toHexString(new SecureRandom().nextInt(0x10000));
    }
}
