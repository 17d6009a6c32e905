package dev.baton.lock.internal;

import dev.baton.lock.LockMode;
import java.util.HashMap;
import java.util.Map;

/**
 * A key's holds in one mode: the local holders (threads or leases) and the server hold they share. An exclusive mode
 * has at most one holder. Not thread-safe: reached only through a {@link KeyState}'s guarded fields.
 */
final class ModeHolds {
    final LockMode mode;
    private final Map<Object, LocalHold> holders = new HashMap<>(4);
    /** The server hold (null: none) and its token; a lost hold stays until its local holders let go. */
    private Backend.ServerHold server;

    private long serverToken;

    ModeHolds(LockMode mode) {
        this.mode = mode;
    }

    LocalHold holdOf(Object owner) {
        return holders.get(owner);
    }

    boolean hasHolders() {
        return !holders.isEmpty();
    }

    /** Whether {@code owner} is the only local holder. */
    boolean onlyHolderIs(Object owner) {
        return holders.size() == 1 && holders.containsKey(owner);
    }

    /** Whether {@code hold} stands on the current server hold and that hold is alive. */
    boolean backs(LocalHold hold) {
        return hold.token == serverToken && serverValid();
    }

    boolean hasServerHold() {
        return server != null;
    }

    boolean serverValid() {
        return server != null && server.valid();
    }

    Backend.ServerHold serverHold() {
        return server;
    }

    /** The current server hold's token (0: none); new holds get larger ones. */
    long serverToken() {
        return serverToken;
    }

    /** A first local hold for {@code owner}, on the current server hold. */
    void grant(Object owner) {
        holders.put(owner, new LocalHold(serverToken));
    }

    void remove(Object owner) {
        holders.remove(owner);
    }

    /** Records a new server hold under {@code token}; returns the lost one it replaces, or null. */
    Backend.ServerHold install(Backend.ServerHold hold, long token) {
        Backend.ServerHold replaced = server;
        server = hold;
        serverToken = token;
        return replaced;
    }

    /** Forgets the server hold (the caller unlocks it) and returns it. */
    Backend.ServerHold uninstall() {
        Backend.ServerHold hold = server;
        server = null;
        serverToken = 0;
        return hold;
    }

    Map<Object, LocalHold> holders() {
        return holders;
    }
}
