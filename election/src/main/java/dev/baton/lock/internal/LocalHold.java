package dev.baton.lock.internal;

/**
 * One holder's stacked holds of one key in one mode; the holder is a thread or a lease. Carries the token of the server
 * hold it stands on, so a hold taken before a session loss is told from one taken after. Not thread-safe: reached only
 * through a {@link KeyState}'s guarded fields.
 */
final class LocalHold {
    private int count = 1;
    final long token;
    final long sinceMillis = System.currentTimeMillis();

    LocalHold(long token) {
        this.token = token;
    }

    void reenter() {
        count++;
    }

    /** Drops one hold; true if that was the last. */
    boolean releaseOne() {
        return --count == 0;
    }

    int count() {
        return count;
    }
}
