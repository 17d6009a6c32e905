package dev.baton.lock;

/** The contract for {@link LockClient#inMemory()}. */
class InMemoryLockClientTest extends LockClientContract {
    @Override
    LockClient newClient(String instanceId) {
        return LockClient.inMemory();
    }
}
