package dev.baton.examples;

import dev.baton.lock.LockClient;
import dev.baton.lock.LockLease;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * go-pglock's resource pool: at most N servers use a resource at once (here 2 slots of a licence). A server tries each
 * slot's lock without waiting and keeps the first it gets; when all are taken it is refused. Returns how many of the
 * three servers got a slot (2).
 */
public final class ResourcePool {
    static final int SLOTS = 2;

    private ResourcePool() {}

    public static void main(String[] args) throws Exception {
        Example.onEmbeddedPostgres(ResourcePool::run);
    }

    /** The first free slot's lease, or empty when every slot is taken. */
    static Optional<LockLease> acquireSlot(LockClient client) {
        for (int slot = 0; slot < SLOTS; slot++) {
            Optional<LockLease> lease = client.tryAcquire("licence:slot-" + slot);
            if (lease.isPresent()) {
                return lease;
            }
        }
        return Optional.empty();
    }

    static int run(DataSource dataSource) {
        List<LockClient> servers = new ArrayList<>();
        List<LockLease> held = new ArrayList<>();
        try {
            for (int s = 0; s < 3; s++) {
                LockClient server =
                        LockClient.builder(dataSource).instanceId("server-" + s).build();
                servers.add(server);
                Optional<LockLease> slot = acquireSlot(server);
                slot.ifPresent(held::add);
                Example.say(
                        "server-" + s + (slot.isPresent() ? " got " + slot.get().key() : " waits: all slots busy"));
            }
            return held.size();
        } finally {
            held.forEach(LockLease::release);
            servers.forEach(LockClient::close);
        }
    }
}
