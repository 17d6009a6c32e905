package dev.baton.lock.internal;

/** What {@link KeyState#acquire} did, for the engine's metrics. */
enum Acquired {
    /** Granted on the strength of a hold this client already had: no round trip. */
    LOCALLY,
    /** Granted after the server granted it. */
    FROM_SERVER,
    /** Not granted (held elsewhere, or the deadline passed). */
    NOT_ACQUIRED
}
