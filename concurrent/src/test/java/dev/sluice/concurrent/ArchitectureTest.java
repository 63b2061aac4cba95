package dev.sluice.concurrent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Rules about the module's source that the compiler cannot check. */
class ArchitectureTest {
    private static final Path MAIN = Path.of("src/main/java");

    @Test
    void mainCode_neverUsesSynchronized() throws IOException {
        // On JDK 21 a virtual thread that blocks inside a monitor pins its carrier; the module's
        // promise is that no primitive ever does, so monitors are banned outright.
        Pattern keyword = Pattern.compile("\\bsynchronized\\b");
        assertThat(sourcesMatching(keyword)).isEmpty();
    }

    @Test
    void mainCode_dependsOnTheJdkOnly() throws IOException {
        Pattern foreignImport = Pattern.compile("^import (static )?(?!java\\.|javax\\.|jdk\\.|sun\\.misc\\.|dev\\.sluice\\.concurrent\\.)",
                Pattern.MULTILINE);
        assertThat(sourcesMatching(foreignImport)).isEmpty();
    }

    private static List<Path> sourcesMatching(Pattern p) throws IOException {
        assertThat(MAIN).isDirectory();
        try (Stream<Path> files = Files.walk(MAIN)) {
            return files.filter(f -> f.toString().endsWith(".java")).filter(f -> {
                try {
                    // Ignore comments: strip // lines and /* */ blocks before matching.
                    String code = Files.readString(f).replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "");
                    return p.matcher(code).find();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
    }
}
