package dev.baton.quartz.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.junit.jupiter.api.Test;
import org.quartz.CronScheduleBuilder;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;

/** The search for the latest missed firing, on Quartz's own triggers. */
class MisfiresTest {
    private static final Instant START = Instant.parse("2026-03-01T10:00:00Z");

    @Test
    void shouldFindTheLatestCronFiringAtOrBeforeTheLateOne() {
        Trigger cron = TriggerBuilder.newTrigger()
                .withSchedule(CronScheduleBuilder.cronSchedule("0/7 * * * * ?"))
                .startAt(Date.from(START))
                .build();
        long first = START.toEpochMilli();
        assertThat(Misfires.latestAtOrBefore(cron, first, first + 20_500)).isEqualTo(first + 14_000);
        assertThat(Misfires.latestAtOrBefore(cron, first, first + 21_000)).isEqualTo(first + 21_000);
        assertThat(Misfires.latestAtOrBefore(cron, first, first + 6_999)).isEqualTo(first);
    }

    @Test
    void shouldSearchAMisfireOfMillionsOfFiringsQuickly() {
        Trigger everySecond = TriggerBuilder.newTrigger()
                .withSchedule(CronScheduleBuilder.cronSchedule("* * * * * ?"))
                .startAt(Date.from(START))
                .build();
        long first = START.toEpochMilli();
        long late = START.plus(Duration.ofDays(30)).toEpochMilli() + 456;
        assertThat(Misfires.latestAtOrBefore(everySecond, first, late)).isEqualTo(late - 456);
    }

    @Test
    void shouldStandForItsStartTimeForAOneShotTrigger() {
        Trigger once = TriggerBuilder.newTrigger()
                .withSchedule(SimpleScheduleBuilder.simpleSchedule())
                .startAt(Date.from(START))
                .build();
        long first = START.toEpochMilli();
        assertThat(Misfires.latestAtOrBefore(once, first, first + 90_000)).isEqualTo(first);
    }
}
