package dev.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Architecture rule: the SDK's compiled classes reference neither the CLI (picocli, HdrHistogram,
 * {@code dev.sluice.cli}) nor the server ({@code dev.sluice.server}, Caffeine, unshaded Netty), so an
 * application that depends on sluice-client does not need them. The test classpath has all of
 * them (the SDK's tests start a real server), so only a scan of the SDK's own bytecode can tell.
 *
 * <p>The scan reads each class file's constant pool: every class it names (CONSTANT_Class) and
 * every class in a descriptor or generic signature (the {@code Lname;} forms in CONSTANT_Utf8),
 * which covers field, parameter, return and annotation types as well as code.
 */
class SdkDependenciesTest {
    private static final List<String> FORBIDDEN = List.of(
            "picocli/", "org/HdrHistogram/", "dev/sluice/cli/",
            "dev/sluice/server/", "com/github/benmanes/caffeine/", "io/netty/");

    @Test
    void sdkClasses_referenceNoCliOrServerClasses() throws IOException, URISyntaxException {
        // given the SDK's compiled classes (target/classes, or the jar when run from one)
        Map<String, Set<String>> referencesByClass = scan(sdkClassesRoot());

        // when looking for references into the forbidden packages
        Map<String, Set<String>> violations = new TreeMap<>();
        referencesByClass.forEach((owner, refs) -> refs.stream()
                .filter(r -> FORBIDDEN.stream().anyMatch(r::startsWith))
                .forEach(r -> violations.computeIfAbsent(owner, k -> new TreeSet<>()).add(r)));

        // then there are none, and the scan did see the SDK (an empty scan proves nothing)
        assertThat(referencesByClass).containsKey("dev/sluice/client/SluiceClient");
        assertThat(violations)
                .as("sluice-client must not depend on the CLI or the server (move the code to cli/ or server/)")
                .isEmpty();
    }

    @Test
    void scan_findsTheReferencesAClassReallyHas() throws IOException, URISyntaxException {
        // given the SDK's classes, whose SluiceClient wraps a gRPC ManagedChannel
        Map<String, Set<String>> referencesByClass = scan(sdkClassesRoot());

        // then the reader reports it: the rule above is not passing because the reader sees nothing
        assertThat(referencesByClass.get("dev/sluice/client/SluiceClient"))
                .contains("io/grpc/ManagedChannel", "dev/sluice/client/CacheClient");
    }

    private static Path sdkClassesRoot() throws URISyntaxException {
        return Path.of(SluiceClient.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /** Class name (internal form) to the classes it references, for every class under {@code root}. */
    private static Map<String, Set<String>> scan(Path root) throws IOException {
        assertThat(Files.isDirectory(root)).as("SDK classes are a directory: %s", root).isTrue();
        Map<String, Set<String>> result = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
                if (p.getFileName().toString().equals("module-info.class")) {
                    continue; // its requires are checked by the compiler; it names modules, not classes
                }
                String name = root.relativize(p).toString().replace('\\', '/').replaceFirst("\\.class$", "");
                try (InputStream in = Files.newInputStream(p)) {
                    result.put(name, references(in));
                }
            }
        }
        return result;
    }

    private static final Pattern DESCRIPTOR_CLASS = Pattern.compile("L([\\w/$]+)[;<]");

    /** The classes a class file's constant pool names (JVMS 4.4). */
    static Set<String> references(InputStream classFile) throws IOException {
        DataInputStream in = new DataInputStream(classFile);
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file");
        }
        in.readUnsignedShort(); // minor
        in.readUnsignedShort(); // major
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        List<Integer> classNameIndexes = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF(); // Utf8: u2 length + modified UTF-8, as readUTF reads it
                case 7 -> classNameIndexes.add(in.readUnsignedShort()); // Class
                case 8, 16, 19, 20 -> in.readUnsignedShort(); // String, MethodType, Module, Package
                case 15 -> in.skipNBytes(3); // MethodHandle
                case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipNBytes(4);
                case 5, 6 -> { // Long, Double take two slots
                    in.skipNBytes(8);
                    i++;
                }
                default -> throw new IOException("unknown constant pool tag " + tag + " at " + i);
            }
        }
        Set<String> refs = new TreeSet<>();
        for (int idx : classNameIndexes) {
            String n = utf8[idx];
            refs.add(n.startsWith("[") ? n.replaceFirst("^\\[+L?", "").replaceFirst(";$", "") : n);
        }
        for (String s : utf8) {
            if (s != null) {
                Matcher m = DESCRIPTOR_CLASS.matcher(s);
                while (m.find()) {
                    refs.add(m.group(1));
                }
            }
        }
        return refs;
    }
}
