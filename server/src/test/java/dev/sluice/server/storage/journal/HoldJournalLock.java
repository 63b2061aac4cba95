package dev.sluice.server.storage.journal;

import java.nio.file.Path;

/** Run in a child process by JournalTest: opens the journal, says "locked", waits for stdin to close. */
public final class HoldJournalLock {
    public static void main(String[] args) throws Exception {
        try (Journal j = Journal.open(Path.of(args[0]), JournalOptions.defaults(FsyncPolicy.NO))) {
            System.out.println("locked");
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for the parent to close our stdin
            }
        }
    }
}
