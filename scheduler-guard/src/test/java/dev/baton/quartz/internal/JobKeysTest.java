package dev.baton.quartz.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.quartz.JobKey;

class JobKeysTest {
    @Test
    void shouldKeepTheKeyOfAGroupWithoutDotOrBackslash() {
        assertThat(JobKeys.of(JobKey.jobKey("nightly.report", "billing"))).isEqualTo("billing.nightly.report");
    }

    @Test
    void shouldTellApartJobsWhoseGroupAndNameJoinToTheSameName() {
        assertThat(JobKeys.of(JobKey.jobKey("c", "a.b"))).isEqualTo("a\\.b.c");
        assertThat(JobKeys.of(JobKey.jobKey("b.c", "a"))).isEqualTo("a.b.c");
    }

    @Test
    void shouldGiveEveryGroupAndNameItsOwnKey() {
        // Every group and name of up to three characters from the alphabet that matters: '.', '\' and a letter.
        List<String> words = new ArrayList<>(List.of(""));
        for (int length = 1; length <= 3; length++) {
            List<String> longer = new ArrayList<>();
            for (String w : words) {
                if (w.length() == length - 1) {
                    for (char c : new char[] {'a', '.', '\\'}) {
                        longer.add(w + c);
                    }
                }
            }
            words.addAll(longer);
        }
        Map<String, JobKey> seen = new HashMap<>();
        for (String group : words) {
            for (String name : words) {
                if (name.isEmpty()) {
                    continue; // Quartz refuses an empty name
                }
                JobKey job = JobKey.jobKey(name, group);
                JobKey before = seen.put(JobKeys.of(job), job);
                assertThat(before).as("key of %s shared with %s", job, before).isNull();
            }
        }
        assertThat(seen).hasSizeGreaterThan(1000);
    }
}
