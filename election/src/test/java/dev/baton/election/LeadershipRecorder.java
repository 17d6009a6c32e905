package dev.baton.election;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** Test listener: records every event of any number of electors, in delivery order, and waits for events. */
final class LeadershipRecorder implements LeadershipListener {
    private final List<LeadershipEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void onEvent(LeadershipEvent event) {
        events.add(event);
    }

    List<LeadershipEvent> events() {
        return List.copyOf(events);
    }

    List<LeadershipEvent> of(String instanceId) {
        return events.stream().filter(e -> e.instanceId().equals(instanceId)).collect(Collectors.toList());
    }

    List<LeadershipEvent> elected() {
        return events.stream()
                .filter(e -> e.type() == LeadershipEvent.Type.ELECTED)
                .collect(Collectors.toList());
    }

    /** Waits for the first event matching {@code p} and returns it. */
    LeadershipEvent awaitEvent(String what, Predicate<LeadershipEvent> p) {
        return awaitEvent(what, p, Duration.ofSeconds(20));
    }

    LeadershipEvent awaitEvent(String what, Predicate<LeadershipEvent> p, Duration atMost) {
        await(what).atMost(atMost).pollInterval(Duration.ofMillis(2)).until(() -> events.stream()
                .anyMatch(p));
        return events.stream().filter(p).findFirst().orElseThrow();
    }

    static Predicate<LeadershipEvent> electedAfter(long term) {
        return e -> e.type() == LeadershipEvent.Type.ELECTED && e.term() > term;
    }

    static Predicate<LeadershipEvent> revoked(String instanceId, long term) {
        return e -> e.type() == LeadershipEvent.Type.REVOKED && e.instanceId().equals(instanceId) && e.term() == term;
    }
}
