package dev.sluice.server.storage.journal;

/** The journal cannot write right now (disk full, I/O error); callers refuse new writes with it. */
public final class JournalUnavailableException extends RuntimeException {
    public JournalUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
