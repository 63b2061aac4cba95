package dev.sluice.server.resp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** An immutable byte string with value equality, for map keys (channel names, patterns). */
final class Bytes implements Comparable<Bytes> {
    final byte[] b;
    private final int hash;

    Bytes(byte[] b) {
        this.b = b;
        this.hash = Arrays.hashCode(b);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bytes x && x.hash == hash && Arrays.equals(x.b, b);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public int compareTo(Bytes o) {
        return Arrays.compareUnsigned(b, o.b);
    }

    @Override
    public String toString() {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
