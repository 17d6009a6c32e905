package dev.baton.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The verdict of a run: what fails it and what does not. */
class SummaryTest {
    private static final DemoOptions OPTIONS = DemoOptions.parse();

    private static Summary judge(Timeline t) {
        return new Summary(t.snapshot(), Instant.EPOCH, List.of(), OPTIONS);
    }

    @Test
    void shouldFailARunWhereANewTermStartedBeforeTheOldOneEnded() {
        Timeline t = new Timeline(0);
        t.elected("node-1", 1, 100);
        t.elected("node-2", 2, 150);
        t.ended("node-1", 1, 200, "YIELDED");
        t.ended("node-2", 2, 300, "STOPPED");
        Summary s = judge(t);
        assertThat(s.violations()).isEqualTo(1);
        assertThat(s.overlaps().get(0).nanos()).isEqualTo(50);
        assertThat(s.ok()).isFalse();
    }

    @Test
    void shouldReportButNotFailTheOverlapAfterTheServerEndedTheOldLeadersSession() {
        Timeline t = new Timeline(0);
        t.elected("node-1", 1, 100);
        t.elected("node-2", 2, 150);
        t.ended("node-1", 1, 152, "CONNECTION_LOST");
        t.ended("node-2", 2, 300, "STOPPED");
        Summary s = judge(t);
        assertThat(s.overlaps()).singleElement().satisfies(o -> assertThat(o.fenced())
                .isTrue());
        assertThat(s.ok()).isTrue();
    }

    @Test
    void shouldPassConsecutiveTermsAndFailAFiringRunTwice() {
        Timeline t = new Timeline(0);
        t.elected("node-1", 1, 100);
        t.killed("node-1", 200);
        t.elected("node-2", 2, 201);
        t.ended("node-2", 2, 300, "STOPPED");
        assertThat(judge(t).ok()).isTrue();

        t.runStarted("invoice", 5_000, "node-1", 110);
        t.runStarted("invoice", 5_000, "node-2", 120);
        assertThat(judge(t).duplicates()).isEqualTo(1);
        assertThat(judge(t).ok()).isFalse();
    }

    @Test
    void shouldFailAFaultThatNoNewLeaderFollowed() {
        Timeline t = new Timeline(0);
        t.elected("node-1", 1, 100);
        t.fault("SIGKILL", "node-1", 150, 1);
        t.killed("node-1", 150);
        assertThat(judge(t).ok()).isFalse();
        t.elected("node-2", 2, 160);
        t.takeover(2, 160);
        assertThat(judge(t).ok()).isTrue();
    }
}
