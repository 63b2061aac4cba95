package dev.sluice.proto;

import com.google.protobuf.ByteOutput;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.nio.ByteBuffer;

/**
 * Byte arrays out of parsed messages without a copy.
 *
 * A message parsed by gRPC gives each bytes field a ByteString that owns an array of exactly
 * the field's length, which nothing else references. {@link #array} hands that array over
 * instead of copying it (as {@code toByteArray()} does): for a 64 KiB payload, the copy and the
 * allocation were a tenth of the server's CPU. The caller must treat the array as immutable,
 * as the ByteString would have; when the ByteString is a view (a slice of a larger array, or
 * made of pieces), this copies.
 */
public final class Payloads {
    private static final byte[] EMPTY = new byte[0];

    private Payloads() {}

    /** The bytes of {@code b}: its own array when it has one of exactly its length, else a copy. */
    public static byte[] array(ByteString b) {
        if (b.isEmpty()) {
            return EMPTY;
        }
        Whole whole = new Whole();
        try {
            UnsafeByteOperations.unsafeWriteTo(b, whole);
        } catch (java.io.IOException impossible) {
            throw new java.io.UncheckedIOException(impossible);
        }
        return whole.array != null && whole.pieces == 1 ? whole.array : b.toByteArray();
    }

    /** Keeps the array it is shown, if it is shown exactly one whole array and nothing else. */
    private static final class Whole extends ByteOutput {
        byte[] array;
        int pieces;

        @Override
        public void write(byte value) {
            pieces = 2;
        }

        @Override
        public void write(byte[] value, int offset, int length) {
            pieces = 2;
        }

        @Override
        public void writeLazy(byte[] value, int offset, int length) {
            pieces++;
            if (offset == 0 && length == value.length) {
                array = value;
            }
        }

        @Override
        public void write(ByteBuffer value) {
            pieces = 2;
        }

        @Override
        public void writeLazy(ByteBuffer value) {
            pieces = 2;
        }
    }
}
