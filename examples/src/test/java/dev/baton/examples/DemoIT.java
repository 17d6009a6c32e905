package dev.baton.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Keeps the README's demo command honest: the demo runs to the end and shows what it claims. */
class DemoIT {

    @Test
    @Timeout(120)
    void shouldRunAllThreeActsOnAnEmbeddedPostgres() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            Demo.main(new String[0]);
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        original.print(out);
        assertThat(out)
                .contains("[locks] node-b tryLock() while node-a holds it: false")
                .contains("[locks] node-b waited and got it: true")
                .contains("[election] node-b ELECTED with term 1000000002")
                .contains("each ran once: true")
                .contains("[demo] done");
    }
}
