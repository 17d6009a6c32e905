package dev.baton.lock;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The 64-bit key of a PostgreSQL advisory lock, always used with the single-{@code bigint} form of the SQL functions
 * (so {@code pg_locks} shows {@code classid} = high 32 bits, {@code objid} = low 32 bits, {@code objsubid} = 1).
 *
 * <p>{@link #named(String)} hashes a name with 64-bit FNV-1a over its UTF-8 bytes, the {@code hashToInt64} of
 * go-pglock's README, so a Go service and a Baton service contend on the same name. Distinct names can collide (the
 * chance is about n²/2⁶⁵ for n names); two colliding names simply share one lock.
 *
 * <p>Immutable and thread-safe.
 */
public final class LockKey {
    /** Longest accepted name, in UTF-8 bytes. */
    public static final int MAX_NAME_BYTES = 512;

    private static final long FNV_OFFSET_BASIS = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private final long value;
    private final String name; // null for a raw key

    private LockKey(long value, String name) {
        this.value = value;
        this.name = name;
    }

    /** A raw key, as go-pglock's {@code int64} id. */
    public static LockKey of(long value) {
        return new LockKey(value, null);
    }

    /**
     * The key of a lock name: FNV-1a 64 of its UTF-8 bytes, as a signed long.
     *
     * @throws IllegalArgumentException if the name is null, empty, or longer than {@value #MAX_NAME_BYTES} UTF-8 bytes
     */
    public static LockKey named(String name) {
        return new LockKey(fnv1a64(validateName(name)), name);
    }

    /** 64-bit FNV-1a of the UTF-8 bytes of {@code text}. */
    static long fnv1a64(byte[] bytes) {
        long hash = FNV_OFFSET_BASIS;
        for (byte b : bytes) {
            hash ^= b & 0xff;
            hash *= FNV_PRIME;
        }
        return hash;
    }

    private static byte[] validateName(String name) {
        if (name == null) {
            throw new IllegalArgumentException("Lock name must not be null; use LockKey.of(long) for a numeric key");
        }
        if (name.isEmpty()) {
            throw new IllegalArgumentException("Lock name must not be empty; give the lock a descriptive name");
        }
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("Lock name is " + bytes.length + " UTF-8 bytes, longer than "
                    + MAX_NAME_BYTES + "; use a shorter name (it starts with '"
                    + name.substring(0, name.offsetByCodePoints(0, 32))
                    + "')");
        }
        return bytes;
    }

    /** The 64-bit value passed to {@code pg_advisory_lock(bigint)}. */
    public long value() {
        return value;
    }

    /** The name this key was derived from, if any. */
    public Optional<String> name() {
        return Optional.ofNullable(name);
    }

    /** Keys are equal when their values are; a name and a raw key with the same value are the same lock. */
    @Override
    public boolean equals(Object o) {
        return o instanceof LockKey other && other.value == value;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(value);
    }

    @Override
    public String toString() {
        return name == null ? "LockKey[" + value + "]" : "LockKey['" + name + "' = " + value + "]";
    }
}
