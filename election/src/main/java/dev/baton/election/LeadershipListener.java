package dev.baton.election;

/**
 * Receives every {@link LeadershipEvent} of one elector, in order, on the elector's event thread (never under an
 * internal lock). A listener that throws is logged and does not stop later events or the elector. A slow listener
 * delays later events but never the election itself. A listener may call back into the elector, {@code close()}
 * included (which then does not wait for the events still queued behind the current one).
 */
@FunctionalInterface
public interface LeadershipListener {
    /** Called once per event. */
    void onEvent(LeadershipEvent event);
}
