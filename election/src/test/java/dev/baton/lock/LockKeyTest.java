package dev.baton.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LockKeyTest {

    @Test
    void shouldHashNamesWithPublishedFnv1a64Vectors() {
        // Test vectors from the FNV reference (Landon Curt Noll), as go-pglock's hashToInt64 computes them.
        assertThat(LockKey.fnv1a64(new byte[0])).isEqualTo(0xcbf29ce484222325L);
        assertThat(LockKey.named("a").value()).isEqualTo(0xaf63dc4c8601ec8cL);
        assertThat(LockKey.named("foobar").value()).isEqualTo(0x85944171f73967e8L);
    }

    @Test
    void shouldHashUtf8BytesNotChars() {
        assertThat(LockKey.named("é").value())
                .isEqualTo(LockKey.fnv1a64(new byte[] {(byte) 0xc3, (byte) 0xa9}))
                .isNotEqualTo(LockKey.fnv1a64(new byte[] {(byte) 0xe9}));
    }

    @Test
    void shouldTreatNamedAndRawKeysWithTheSameValueAsOneLock() {
        LockKey named = LockKey.named("foobar");
        assertThat(LockKey.of(named.value())).isEqualTo(named).hasSameHashCodeAs(named);
        assertThat(named.name()).contains("foobar");
        assertThat(LockKey.of(7).name()).isEmpty();
        assertThat(named.toString()).contains("foobar");
    }

    @Test
    void shouldRejectNullEmptyAndOversizedNamesWithTheFix() {
        assertThatThrownBy(() -> LockKey.named(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("null")
                .hasMessageContaining("LockKey.of");
        assertThatThrownBy(() -> LockKey.named(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty");
        assertThat(LockKey.named("x".repeat(512)).name()).isPresent();
        assertThatThrownBy(() -> LockKey.named("x".repeat(513)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("513")
                .hasMessageContaining("512");
        // 171 three-byte characters = 513 bytes although only 171 chars
        assertThatThrownBy(() -> LockKey.named("€".repeat(171))).isInstanceOf(IllegalArgumentException.class);
    }
}
