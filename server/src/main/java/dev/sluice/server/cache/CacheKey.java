package dev.sluice.server.cache;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A cache key: immutable bytes with a cached hash. The array passed to {@link #of(byte[])} is
 * owned by the key from then on and must not be modified by the caller.
 */
public final class CacheKey implements Comparable<CacheKey> {
    private final byte[] bytes;
    private final int hash;

    private CacheKey(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    /** Wraps {@code bytes} without copying; the caller gives up the array. */
    public static CacheKey of(byte[] bytes) {
        return new CacheKey(bytes);
    }

    public static CacheKey of(String utf8) {
        return new CacheKey(utf8.getBytes(StandardCharsets.UTF_8));
    }

    /** The key's bytes; callers must not modify the array. */
    public byte[] bytes() {
        return bytes;
    }

    public int length() {
        return bytes.length;
    }

    public boolean startsWith(byte[] prefix) {
        return prefix.length <= bytes.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CacheKey k && hash == k.hash && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public int compareTo(CacheKey o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public String toString() {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
