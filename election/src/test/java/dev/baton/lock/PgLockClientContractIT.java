package dev.baton.lock;

import dev.baton.testkit.PostgresExtension;
import dev.baton.testkit.PostgresServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/** The contract for the PostgreSQL client. */
@ExtendWith(PostgresExtension.class)
class PgLockClientContractIT extends LockClientContract {
    private static PostgresServer server;

    @BeforeAll
    static void server(PostgresServer shared) {
        server = shared;
    }

    @Override
    LockClient newClient(String instanceId) {
        return LockClient.builder(server.dataSource()).instanceId(instanceId).build();
    }
}
